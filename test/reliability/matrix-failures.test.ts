/**
 * Fault matrix, part 3: faults that must end the host's run, each with ONE stderr line naming the
 * host and the documented exit code, no record twice, and no shell left behind: the remote state is
 * gone (vanish, restart), the server refused the work (http500, quota), a Command's fate is unknown
 * (a Command is never replayed), or the endpoint cannot be trusted (wrong certificate).
 */
import { defineRows, fails, type Row } from './matrix.js';

const rows: Row[] = [
  { kind: 'http500', spec: 'http500@command:nth=1', all: fails(1), why: 'a WS-Man InternalError fault: the command did not run' },
  { kind: 'reset', spec: 'reset@command:nth=1,at=0', all: fails(1), why: 'a Command is never replayed: it may have run' },
  { kind: 'vanish', spec: 'vanish@receive:nth=2', all: fails(1), why: 'the shell died: its output is gone' },
  { kind: 'quota', spec: 'quota@create:nth=1', all: fails(1), why: 'MaxShellsPerUser reached: retrying would not help' },
  { kind: 'restart', spec: 'restart@receive:nth=2', all: fails(1), why: 'every shell was dropped by the restart' },
  // Only copy sends data in a Send (the upload's chunks); a Send is never replayed (input twice).
  { kind: 'http500', spec: 'http500@send:nth=2', cells: { copy: fails(1) }, why: 'a Send refused mid-upload: the file is not written' },
  { kind: 'reset', spec: 'reset@send:nth=2,at=0', cells: { copy: fails(1) }, why: 'a Send is never replayed: its chunk may have arrived' },
  { kind: 'wrong-cert', spec: 'wrong-cert', https: true, uncounted: true, cliTimeoutMs: 30_000, all: fails(2, /certificate/i), why: 'a certificate for another name is never accepted' },
];

defineRows(rows);
