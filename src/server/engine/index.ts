/**
 * The built-in PowerShell-subset engine behind `tsremote serve`'s PowerShell endpoint.
 *
 * It runs scripts of a documented subset of the PowerShell language (docs/serve.md, "PowerShell
 * endpoint: the built-in engine") and a set of built-in commands over the real machine (processes,
 * services, files), and writes every stream into an {@link EngineHost}. It knows nothing of PSRP
 * messages: the server-side pipeline adapts EngineHost onto a ServerPipeline.
 *
 * ```ts
 * const session = new EngineSession();                  // one per runspace pool
 * await runScript('Get-Process -Id $PID | Select-Object Name, Id', { host, signal, session });
 * ```
 */
import type { PSObject, PSValue } from '../../psrp/clixml/index.js';
import type { CommandElement, PipelineStmt } from './ast.js';
import type { RawArg } from './binder.js';
import { buildErrorRecord } from './error-record.js';
import { Runtime, type Frame } from './evaluator.js';
import type { EngineHost } from './host.js';
import { Source } from './lexer.js';
import { ParseFailure } from './parse-error.js';
import { parseScriptCached } from './parse-cache.js';
import { runPipelineWith } from './pipeline.js';
import { ExitSignal, LoopSignal, PipelineStoppedError, ReturnSignal, TerminatingError } from './runtime-error.js';
import { EngineSession } from './session.js';
import { makeArray, ScriptBlock } from './values.js';

export type { EngineHost, ProgressRecordData } from './host.js';
export { EngineSession, ENGINE_PS_VERSION, type EngineSessionOptions } from './session.js';
export { TerminatingError, PipelineStoppedError } from './runtime-error.js';
export { complete, completionObject, type CompletionResult, type CompletionMatch } from './complete.js';
export { buildErrorRecord, commandNotFoundMessage, type ErrorRecordSpec } from './error-record.js';

/** How to run one pipeline. */
export interface RunOptions {
  /** `$args` of the script (runScript) — positional arguments. */
  args?: PSValue[];
  /** Pipeline input: `$input` of a script, or the first command's input (runCommands). */
  input?: AsyncIterable<PSValue>;
  /** Where output and the other streams go. */
  host: EngineHost;
  /** Aborting it stops the pipeline (PSRP stop / Ctrl+C): runScript then rejects with PipelineStoppedError. */
  signal: AbortSignal;
  /** The runspace pool's variables, functions and location. */
  session: EngineSession;
}

/** One command of a CREATE_PIPELINE command list (MS-PSRP §2.2.3.12), already deserialized. */
export interface CommandSpec {
  /** A command name, or script text when `isScript`. */
  name: string;
  isScript: boolean;
  /** Named parameters (`name` set) and positional arguments (`name` null/undefined). */
  parameters: { name?: string | null; value: PSValue }[];
}

/** The ParseException ErrorRecord PowerShell fails a pipeline with (FullyQualifiedErrorId = the ParseError's ErrorId). */
export function parseErrorRecord(script: string, e: ParseFailure): PSObject {
  const source = new Source(script);
  const { line, column } = source.lineColumn(e.start);
  const lineText = source.lineText(e.start);
  const marks = '~'.repeat(Math.max(1, Math.min(e.end - e.start, Math.max(1, lineText.length - column + 1))));
  const message = `At line:${line} char:${column}\n+ ${lineText}\n+ ${' '.repeat(column - 1)}${marks}\n${e.message}`;
  return buildErrorRecord({
    message, exceptionType: 'System.Management.Automation.ParseException', errorId: e.errorId, category: 'ParserError',
    exceptionProps: [['Errors', null]], invocation: null, scriptStackTrace: '',
  });
}

function topFrame(rt: Runtime, session: EngineSession, script: string): Frame {
  return { scope: session.variables, streams: rt.hostStreams, source: new Source(script), tryDepth: 0 };
}

async function guarded(rt: Runtime, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (err) {
    if (err instanceof ExitSignal) {
      rt.session.variables.set('LASTEXITCODE', err.code);
      return;
    }
    if (err instanceof ReturnSignal || err instanceof LoopSignal) return;
    if (rt.signal.aborted) throw new PipelineStoppedError();
    if (err instanceof TerminatingError && err.statementOnly) throw new TerminatingError(err.record);
    throw err;
  } finally {
    rt.session.historyId++;
  }
  if (rt.signal.aborted) throw new PipelineStoppedError();
}

/**
 * Runs a script.
 * @throws TerminatingError for a parse error (a ParseException record) or a terminating error
 *   (`throw`, `-ErrorAction Stop` …); PipelineStoppedError (name `AbortError`) when stopped.
 */
export async function runScript(script: string, opts: RunOptions): Promise<void> {
  let ast;
  try {
    ast = parseScriptCached(script);
  } catch (err) {
    if (err instanceof ParseFailure) throw new TerminatingError(parseErrorRecord(script, err));
    throw err;
  }
  const rt = new Runtime(opts.session, opts.host, opts.signal);
  const frame = topFrame(rt, opts.session, script);
  const block = new ScriptBlock(ast, script);
  await guarded(rt, async () => {
    rt.checkStop();
    const element: CommandElement = { type: 'Command', name: { type: 'Constant', value: block, start: 0, end: 0 }, invocation: '.', args: [], start: 0, end: 0 };
    const pipeline: PipelineStmt = { type: 'Pipeline', elements: [element], redirects: [], start: 0, end: script.length };
    const args: RawArg[] = (opts.args ?? []).map((value) => ({ value }));
    await runPipelineWith(rt, pipeline, frame, (v) => outputTo(rt, v), opts.input, [args]);
  });
}

async function outputTo(rt: Runtime, v: PSValue): Promise<void> {
  rt.checkStop();
  await rt.host.output(v);
}

/**
 * Runs a command list as one pipeline (`Get-Process | Sort-Object CPU`): the shape pypsrp and
 * `Invoke-Command -ScriptBlock` send. A script entry runs as a script block stage with its
 * parameters as arguments. The first command receives `opts.input`.
 * @throws as runScript; a command that is not found fails the pipeline (CommandNotFoundException).
 */
export async function runCommands(commands: CommandSpec[], opts: RunOptions): Promise<void> {
  const rt = new Runtime(opts.session, opts.host, opts.signal);
  const text = commands.map((c) => c.name).join(' | ');
  const frame = topFrame(rt, opts.session, text);
  const elements: CommandElement[] = [];
  const argLists: RawArg[][] = [];
  for (const c of commands) {
    let name: CommandElement['name'] = c.name;
    if (c.isScript) {
      try {
        name = { type: 'Constant', value: new ScriptBlock(parseScriptCached(c.name), c.name), start: 0, end: 0 };
      } catch (err) {
        if (err instanceof ParseFailure) throw new TerminatingError(parseErrorRecord(c.name, err));
        throw err;
      }
    }
    elements.push({ type: 'Command', name, invocation: c.isScript ? '.' : '', args: [], start: 0, end: text.length });
    argLists.push(c.parameters.map((p) => (p.name ? { name: p.name.replace(/^-/, ''), value: p.value, text: `-${p.name}`, explicit: true } : { value: p.value })));
  }
  frame.scope.set('args', makeArray([]));
  const pipeline: PipelineStmt = { type: 'Pipeline', elements, redirects: [], start: 0, end: text.length };
  await guarded(rt, () => runPipelineWith(rt, pipeline, frame, (v) => outputTo(rt, v), opts.input, argLists));
}
