/**
 * The CLI as a library: `buildProgram` (the whole commander tree, every verb, for tests and for
 * tools that inspect it) and `main` (the entry bin/tsremote.js runs, from run.ts, which assembles
 * only the verb a command line needs).
 */
import { assembleProgram, type VerbResult } from './program.js';
import { completionCommand } from './completion.js';
import { testCommand } from './test.js';
import { wsmanCommand } from './wsman.js';
import { invokeCommand } from './invoke.js';
import { serveCommand } from './serve.js';
import { clixmlCommand } from './clixml.js';
import { enableCommand } from './enable.js';
import { copyCommand } from './copy.js';
import { sessionCommand } from './session.js';
import { enterCommand } from './enter.js';

export type { VerbResult } from './program.js';
export { main } from './run.js';

/** The program with every verb, in the order of verbs.ts's VERB_NAMES. */
export function buildProgram(result: VerbResult): ReturnType<typeof assembleProgram> {
  return assembleProgram(result, [
    testCommand,
    wsmanCommand,
    invokeCommand,
    serveCommand,
    clixmlCommand,
    enableCommand,
    copyCommand,
    sessionCommand,
    enterCommand,
    completionCommand,
  ]);
}
