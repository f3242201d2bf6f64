import { it } from 'vitest';
import { pypsrpPayloads } from './fragment-fixtures.js';
import { Defragmenter } from '../../src/psrp/fragment-defragmenter.js';
import { decodeMessage } from '../../src/psrp/message.js';
import { messageTypeName } from '../../src/psrp/constants.js';
const R = '/work/shared/fixtures/pypsrp/tests/tests_pypsrp/responses/';
it('x', () => {
  for (const f of (process.env.FILES ?? '').split(',')) {
    console.log('=== ' + f);
    const d = new Map<string, Defragmenter>();
    for (const p of pypsrpPayloads(R + f + '.yml')) {
      const k = p.direction + p.shell; if (!d.has(k)) d.set(k, new Defragmenter());
      for (const m of d.get(k)!.add(p.bytes)) { const x = decodeMessage(m);
        console.log(`#${p.exchange} ${p.direction} ${p.source} ${messageTypeName(x.type)} pid=${x.pid.slice(0,8)} ${x.data.slice(0, Number(process.env.N ?? 150))}`); }
    }
  }
});
