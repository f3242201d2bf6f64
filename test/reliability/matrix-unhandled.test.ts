/**
 * Fault matrix, part 2: the request was never handled (refused connection, a 401 on a logged-on
 * connection, a TimeoutFault storm) or only slowed (drip). Nothing ran, so sending again is safe and
 * every verb recovers with complete output.
 */
import { defineRows, RECOVERS, type Row } from './matrix.js';

const rows: Row[] = [
  { kind: 'refuse', spec: 'refuse@create:nth=1,ms=300', all: RECOVERS, why: 'ECONNREFUSED before any byte: retried with backoff' },
  { kind: '401', spec: '401@receive:nth=2', all: RECOVERS, why: 'the connection logs on again; the request was not handled' },
  { kind: 'timeout', spec: 'timeout@receive:rate=1,count=50', all: RECOVERS, why: 'a TimeoutFault means "Receive again", 50 in a row included' },
  { kind: 'drip', spec: 'drip@receive:count=4,bps=4096', all: RECOVERS, why: 'slow but complete' },
];

defineRows(rows);
