/**
 * Draws the transition tables of src/psrp/state.ts as Markdown: a Mermaid state diagram and a
 * table per state machine. docs/psrp-scenarios.md holds the output between the markers
 * `<!-- state-tables:begin -->` and `<!-- state-tables:end -->`; test/psrp/state-docs.test.ts
 * fails when they differ and rewrites them with TSREMOTE_UPDATE_DOCS=1.
 */
import { PSInvocationState, RunspacePoolState } from '../src/psrp/constants.js';
import {
  CLIENT_PIPELINE_TRANSITIONS, CLIENT_POOL_TRANSITIONS, SERVER_PIPELINE_TRANSITIONS, SERVER_POOL_TRANSITIONS,
  type Transition,
} from '../src/psrp/state.js';

export const BEGIN = '<!-- state-tables:begin -->';
export const END = '<!-- state-tables:end -->';

function diagram(rows: readonly Transition<number>[], names: Record<number, string>, initial: string): string[] {
  const edges = new Map<string, string[]>();
  for (const r of rows) {
    const targets = r.to === 'same' ? [] : r.to === 'message' ? (r.peerStates ?? []).map((s) => names[s] ?? String(s)) : [names[r.to] ?? String(r.to)];
    const label = r.by === 'peer' ? `recv ${r.action}` : `${r.action}()`;
    for (const f of r.from) {
      for (const t of targets) {
        const from = names[f] ?? String(f);
        if (from === t) continue;
        const key = `${from} --> ${t}`;
        edges.set(key, [...(edges.get(key) ?? []), label]);
      }
    }
  }
  return ['```mermaid', 'stateDiagram-v2', `    [*] --> ${initial}`, ...[...edges].map(([k, labels]) => `    ${k}: ${labels.join(', ')}`), '```'];
}

function table(rows: readonly Transition<number>[], names: Record<number, string>): string[] {
  const state = (s: number): string => names[s] ?? String(s);
  const out = ['| action | by | from | to | MS-PSRP |', '|---|---|---|---|---|'];
  for (const r of rows) {
    const stale = r.stalePeerStates?.length ? `; ${r.stalePeerStates.map(state).join(', ')}: (same)` : '';
    const to = r.to === 'same' ? '(same)' : r.to === 'message' ? `as announced: ${(r.peerStates ?? []).map(state).join(', ')}${stale}` : state(r.to);
    const action = r.by === 'peer' ? `\`${r.action}\` received` : `\`${r.action}()\``;
    out.push(`| ${action} | ${r.by} | ${r.from.map(state).join(', ')} | ${to} | §${r.spec} |`);
  }
  return out;
}

/** The Markdown that goes between the markers. */
export function renderStateTables(): string {
  const machines: [string, readonly Transition<number>[], Record<number, string>, string][] = [
    ['Client RunspacePool (`client/runspace-pool.ts`)', CLIENT_POOL_TRANSITIONS, RunspacePoolState, 'BeforeOpen'],
    ['Server RunspacePool (`server/runspace-pool.ts`)', SERVER_POOL_TRANSITIONS, RunspacePoolState, 'BeforeOpen'],
    ['Client pipeline (`client/pipeline.ts`)', CLIENT_PIPELINE_TRANSITIONS, PSInvocationState, 'NotStarted'],
    ['Server pipeline (`server/pipeline.ts`)', SERVER_PIPELINE_TRANSITIONS, PSInvocationState, 'NotStarted'],
  ];
  const lines: string[] = [BEGIN, '', '_Generated from src/psrp/state.ts by scripts/psrp-state-tables.ts; do not edit by hand._', ''];
  for (const [title, rows, names, initial] of machines) {
    lines.push(`### ${title}`, '', ...diagram(rows, names, initial), '', ...table(rows, names), '');
  }
  lines.push(END);
  return lines.join('\n');
}

/** `text` with the section between the markers replaced by a fresh rendering. */
export function updateDoc(text: string): string {
  const a = text.indexOf(BEGIN);
  const b = text.indexOf(END);
  if (a < 0 || b < a) throw new Error(`markers ${BEGIN} … ${END} not found`);
  return text.slice(0, a) + renderStateTables() + text.slice(b + END.length);
}
