/**
 * Fault matrix, part 1: the response is lost after serve handled the request (reset mid-response,
 * truncated or malformed XML, a proxy's HTML page, a stalled or oversized answer). serve kept the
 * response under its OperationID, so the client's retransmission (same id, mustUnderstand=true)
 * gets it back without running anything twice: every verb recovers with complete output.
 *
 * The exception is an answer larger than any envelope (oversized): the client stops reading at its
 * envelope cap (16 MiB) and fails the host with one line, in bounded memory; a body that size is no WinRM
 * listener's (contract (2) lists it among neither the lost nor the retried responses).
 */
import { defineRows, fails, RECOVERS, type Row } from './matrix.js';

const rows: Row[] = [
  { kind: 'reset', spec: 'reset@receive:nth=2', all: RECOVERS, why: 'Receive retransmitted; serve replays the cached response' },
  { kind: 'truncated', spec: 'truncated@receive:nth=2', all: RECOVERS, why: 'a cut XML body is a lost response' },
  { kind: 'malformed', spec: 'malformed@receive:nth=2', all: RECOVERS, why: 'an unparsable body is a lost response' },
  { kind: 'content-type', spec: 'content-type@receive:nth=2', all: RECOVERS, why: 'an HTML page (proxy) is a lost response' },
  // The same two over HTTPS, where bodies are not sealed: tells a retransmission problem apart
  // from a sealed-body error that is not classified as a lost response.
  { kind: 'truncated', spec: 'truncated@receive:nth=2', https: true, all: RECOVERS, why: 'a cut XML body is a lost response' },
  { kind: 'content-type', spec: 'content-type@receive:nth=2', https: true, all: RECOVERS, why: 'an HTML page (proxy) is a lost response' },
  // The clean-up's own answer lost: the Delete is asked for again, so no "may still be open" line.
  { kind: 'truncated', spec: 'truncated@delete:nth=1', all: RECOVERS, why: 'the Delete retransmitted; serve replays its cached answer' },
  { kind: 'reset', spec: 'reset@delete:nth=1', all: RECOVERS, why: 'a reset Delete is sent again (idempotent), or retransmitted' },
  { kind: 'stall', spec: 'stall@receive:nth=2', extra: ['--operation-timeout', '2'], all: RECOVERS, why: 'read timeout, then retransmission' },
  { kind: 'oversized', spec: 'oversized@receive:nth=2', all: fails(1, /larger than/), maxClientRssKb: 300 * 1024, why: 'reading stops at 64 MiB: one clear line, bounded memory' },
];

defineRows(rows);
