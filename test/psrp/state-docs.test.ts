/**
 * docs/psrp-scenarios.md carries the state diagrams and tables drawn from src/psrp/state.ts.
 * Run with TSREMOTE_UPDATE_DOCS=1 to rewrite them after changing a table.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { renderStateTables, updateDoc } from '../../scripts/psrp-state-tables.js';

const doc = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/psrp-scenarios.md');

it('docs/psrp-scenarios.md shows the current transition tables', () => {
  const text = readFileSync(doc, 'utf8');
  const fresh = updateDoc(text);
  if (process.env.TSREMOTE_UPDATE_DOCS === '1' && fresh !== text) writeFileSync(doc, fresh);
  else expect(text).toBe(fresh);
  expect(renderStateTables()).toContain('| `open()` | local | BeforeOpen | NegotiationSent | §3.1.4.1 |');
});
