/**
 * Running a pipeline: resolve each command (alias → function → built-in → native program on
 * PATH → CommandNotFoundException), bind its arguments, and push items through the stages'
 * begin / process / end phases, as PowerShell's PipelineProcessor does.
 */
import path from 'node:path';
import os from 'node:os';
import { PSObject, type PSValue } from '../../psrp/clixml/index.js';
import type { CommandArg, CommandElement, PipelineStmt, ScriptBlockAst } from './ast.js';
import { bindParameters, COMMON_PARAMETERS, type RawArg } from './binder.js';
import { ALIASES, BUILTINS } from './commands/index.js';
import { nativeCommand, findOnPath } from './commands/native.js';
import { NO_INPUT, type CommandContext, type CommandDef, type Input, type Processor } from './commands/types.js';
import { commandNotFoundMessage, type ErrorRecordSpec } from './error-record.js';
import { InputEnumerator, type Emit, type Frame, type Runtime, type Streams } from './evaluator.js';
import { informationRecordOf } from './records.js';
import { ReturnSignal, RuntimeFailure, StopUpstream, TerminatingError } from './runtime-error.js';
import { convertTo } from './types.js';
import {
  arrayItems, AUTOMATION_NULL, dictOf, enumerate, makeArray, ScriptBlock, toStr,
} from './values.js';

/** What a command name resolves to. */
export type Resolved =
  | { kind: 'builtin'; def: CommandDef }
  | { kind: 'function'; name: string; body: ScriptBlockAst; script: string }
  | { kind: 'script'; block: ScriptBlock }
  | { kind: 'native'; path: string; name: string };

/** Resolves a command name the way PowerShell's CommandDiscovery does (minus modules). */
export function resolveCommand(rt: Runtime, name: string): Resolved | null {
  const lower = name.toLowerCase();
  const alias = ALIASES.get(lower);
  const target = (alias ?? name).toLowerCase();
  const fn = rt.session.functions.get(target);
  if (fn) return { kind: 'function', name: fn.name, body: fn.body, script: fn.script };
  const def = BUILTINS.get(target);
  if (def) return { kind: 'builtin', def };
  const found = findOnPath(name, rt.session.env.get('PATH') ?? '', rt.session.location);
  return found ? { kind: 'native', path: found, name } : null;
}

/** Runs one pipeline statement, writing its output to `emit`. */
export function runPipeline(rt: Runtime, p: PipelineStmt, frame: Frame, emit: Emit): Promise<void> {
  return runPipelineWith(rt, p, frame, emit);
}

/** runPipeline with external input for the first command and, optionally, arguments already evaluated. */
export async function runPipelineWith(rt: Runtime, p: PipelineStmt, frame: Frame, emit: Emit, external?: AsyncIterable<PSValue>, argLists?: RawArg[][]): Promise<void> {
  const firstExpr = p.elements.length === 1 && p.elements[0]?.type === 'ExprElement' ? p.elements[0].expr : null;
  if (firstExpr && (firstExpr.type === 'Postfix' || (firstExpr.type === 'Unary' && (firstExpr.op === '++' || firstExpr.op === '--')))) {
    // `$i++` as a statement outputs nothing.
    await rt.evaluate(firstExpr, frame);
    return;
  }
  const { frame: f, emit: out, finish } = redirect(rt, p, frame, emit);
  const token = {};
  const first = p.elements[0];
  const commands = first?.type === 'ExprElement' ? p.elements.slice(1) : p.elements;
  const procs: Processor[] = new Array(commands.length);
  const sinks: Emit[] = commands.map((_c, i) => (i === commands.length - 1 ? out : (v: PSValue) => procs[i + 1]?.process?.(v)));
  for (let i = 0; i < commands.length; i++) {
    const c = commands[i];
    if (c?.type !== 'Command') continue;
    procs[i] = await createProcessor(rt, c, f, sinks[i] ?? out, token, i, commands.length, argLists?.[i]);
  }
  let endFrom = 0;
  const guard = async (run: () => Promise<void>): Promise<void> => {
    try {
      await run();
    } catch (err) {
      if (err instanceof StopUpstream && err.pipeline === token) {
        endFrom = Math.max(endFrom, (err as StopUpstream & { index: number }).index);
        return;
      }
      throw err;
    }
  };
  for (const proc of procs) await proc.begin?.();
  await guard(async () => {
    const head = procs[0];
    if (first?.type === 'ExprElement') {
      const v = await rt.evaluate(first.expr, f);
      const feed = head ? (x: PSValue) => head.process?.(x) : out;
      if (v instanceof InputEnumerator) {
        for await (const x of v.source) { await rt.tick(); await feed(x); }
      } else if (v !== AUTOMATION_NULL) {
        const items = arrayItems(v);
        if (items) for (const x of items) { await rt.tick(); await feed(x); }
        else await feed(v);
      }
    } else if (head && external) {
      for await (const x of external) { await rt.tick(); await head.process?.(x); }
    } else if (head) await head.process?.(NO_INPUT);
  });
  for (let i = 0; i < procs.length; i++) {
    if (i < endFrom) continue;
    await guard(async () => { await procs[i]?.end?.(); });
  }
  await finish();
}

/** Applies `2>&1`, `>$null`, `> file` … to a pipeline. */
function redirect(rt: Runtime, p: PipelineStmt, frame: Frame, emit: Emit): { frame: Frame; emit: Emit; finish: () => Promise<void> } {
  if (p.redirects.length === 0) return { frame, emit, finish: async () => {} };
  let out = emit;
  const streams: Streams = { ...frame.streams };
  const files: { file: string; append: boolean; lines: string[] }[] = [];
  for (const r of p.redirects) {
    const isNull = r.target !== 'merge' && r.target.type === 'Variable' && r.target.name.toLowerCase() === 'null';
    const all = r.stream === '*';
    if (r.target === 'merge') {
      if (all || r.stream === '2') streams.error = (rec) => emit(rec);
      if (all || r.stream === '3') streams.warning = (m) => { void emit(m); };
      continue;
    }
    if (isNull) {
      if (all || r.stream === '1') out = () => undefined;
      if (all || r.stream === '2') streams.error = () => undefined;
      if (all || r.stream === '3') streams.warning = () => undefined;
      if (all || r.stream === '4') streams.verbose = () => undefined;
      if (all || r.stream === '5') streams.debug = () => undefined;
      if (all || r.stream === '6') streams.information = () => undefined;
      continue;
    }
    const target = r.target;
    const entry = { file: '', append: r.append, lines: [] as string[], target };
    files.push(entry);
    if (all || r.stream === '1') out = (v) => { entry.lines.push(toStr(v)); };
    if (all || r.stream === '2') streams.error = (rec) => { entry.lines.push(toStr(rec)); };
  }
  return {
    frame: { ...frame, streams },
    emit: out,
    finish: async () => {
      const { writeFile, appendFile } = await import('node:fs/promises');
      for (const [i, r] of p.redirects.filter((x) => x.target !== 'merge' && !(x.target.type === 'Variable' && x.target.name.toLowerCase() === 'null')).entries()) {
        const entry = files[i];
        if (!entry || r.target === 'merge') continue;
        const file = resolvePath(rt, toStr(await rt.evaluate(r.target, frame)));
        const text = entry.lines.map((l) => `${l}${os.EOL}`).join('');
        await (entry.append ? appendFile(file, text) : writeFile(file, text));
      }
    },
  };
}

/** A path made absolute against the session location. */
export function resolvePath(rt: Runtime, p: string): string {
  if (p === '~' || p.startsWith('~/') || p.startsWith('~\\')) p = path.join(os.homedir(), p.slice(1));
  return path.resolve(rt.session.location, p);
}

async function rawArgs(rt: Runtime, args: CommandArg[], frame: Frame): Promise<RawArg[]> {
  const out: RawArg[] = [];
  for (const a of args) {
    if (a.type === 'Param') {
      const r: RawArg = { name: a.name, text: a.text };
      if (a.value) r.value = await rt.evaluate(a.value, frame);
      out.push(r);
    } else if (a.type === 'Splat') {
      const v = rt.getVariable(a.name, frame);
      const d = dictOf(v);
      if (d) for (const [k, x] of d.entries) out.push({ name: toStr(k), value: x });
      else for (const x of enumerate(v)) out.push({ value: x });
    } else {
      const v = await rt.evaluate(a.value, frame);
      out.push({ value: v === AUTOMATION_NULL ? null : v, text: a.value.type === 'Constant' ? toStr(a.value.value) : undefined });
    }
  }
  return out;
}

async function createProcessor(rt: Runtime, c: CommandElement, frame: Frame, sink: Emit, token: object, index: number, length: number, preArgs?: RawArg[]): Promise<Processor> {
  const args = preArgs ?? await rawArgs(rt, c.args, frame);
  let name: string;
  let resolved: Resolved | null;
  if (typeof c.name === 'string') {
    name = c.name;
    resolved = resolveCommand(rt, name);
  } else {
    const v = await rt.evaluate(c.name, frame);
    if (v instanceof ScriptBlock) {
      name = '';
      resolved = { kind: 'script', block: v };
    } else {
      name = toStr(v);
      resolved = resolveCommand(rt, name);
    }
  }
  const fail = (spec: ErrorRecordSpec): never => {
    throw new TerminatingError(rt.record({ ...spec, invocation: { pipelineLength: length, pipelinePosition: index + 1 } }, frame, c.start, c.end, name), true);
  };
  if (!resolved) {
    fail({
      message: commandNotFoundMessage(name), errorId: 'CommandNotFoundException', category: 'ObjectNotFound',
      exceptionType: 'System.Management.Automation.CommandNotFoundException', targetObject: name, exceptionProps: [['CommandName', name]],
    });
    throw new Error('unreachable');
  }
  switch (resolved.kind) {
    case 'builtin': {
      let params: Map<string, PSValue>;
      try {
        params = bindParameters(resolved.def.params, args, resolved.def.name);
      } catch (err) {
        if (err instanceof RuntimeFailure) fail({ message: err.message, errorId: err.errorId, category: err.category, exceptionType: err.exceptionType, activity: resolved.def.name });
        throw err;
      }
      const ctx = commandContext(rt, resolved.def, params, frame, sink, token, index, { start: c.start, end: c.end });
      return wrapProcessor(rt, resolved.def.create(ctx), frame, c, resolved.def.name);
    }
    case 'native': return nativeCommand(rt, resolved.path, resolved.name, args, frame, sink);
    case 'function': return scriptProcessor(rt, resolved.body, resolved.script, args, frame, sink, c.invocation === '.');
    case 'script': return scriptProcessor(rt, resolved.block.ast, resolved.block.script, args, frame, sink, c.invocation === '.');
  }
}

/** Turns RuntimeFailures raised by a command into ErrorRecords positioned at the command. */
function wrapProcessor(rt: Runtime, p: Processor, frame: Frame, c: CommandElement, name: string): Processor {
  const wrap = <A extends unknown[]>(f: ((...a: A) => Promise<void> | void) | undefined): ((...a: A) => Promise<void>) | undefined => {
    if (!f) return undefined;
    return async (...a: A) => {
      try {
        await f.apply(p, a);
      } catch (err) {
        if (err instanceof RuntimeFailure) {
          throw new TerminatingError(rt.record({ message: err.message, errorId: err.errorId, category: err.category, exceptionType: err.exceptionType, activity: name, targetObject: err.targetObject }, frame, c.start, c.end, name), true);
        }
        throw err;
      }
    };
  };
  return { begin: wrap(p.begin), process: wrap(p.process) ?? (() => Promise.resolve()), end: wrap(p.end) };
}

function action(rt: Runtime, params: Map<string, PSValue>, frame: Frame, param: string, pref: string): string {
  const v = params.get(param);
  return v === undefined ? rt.preference(pref, frame) : toStr(v).toLowerCase();
}

function commandContext(rt: Runtime, def: CommandDef, params: Map<string, PSValue>, frame: Frame, sink: Emit, token: object, index: number, extent: { start: number; end: number }): CommandContext {
  const errorAction = action(rt, params, frame, 'ErrorAction', 'ErrorActionPreference');
  const warningAction = action(rt, params, frame, 'WarningAction', 'WarningPreference');
  const infoAction = action(rt, params, frame, 'InformationAction', 'InformationPreference');
  const progressAction = action(rt, params, frame, 'ProgressAction', 'ProgressPreference');
  const verbose = params.has('Verbose') ? (params.get('Verbose') ? 'continue' : 'silentlycontinue') : rt.preference('VerbosePreference', frame);
  const debug = params.has('Debug') ? (params.get('Debug') ? 'continue' : 'silentlycontinue') : rt.preference('DebugPreference', frame);
  const stopFor = (pref: string, message: string): never => {
    throw new TerminatingError(rt.record({
      message: `The running command stopped because the preference variable "${pref}" or common parameter is set to Stop: ${message}`,
      errorId: 'ActionPreferenceStop', category: 'OperationStopped', exceptionType: 'System.Management.Automation.ActionPreferenceStopException',
    }, frame, extent.start, extent.end, def.name));
  };
  const gate = (act: string, pref: string, message: string, write: () => void): void => {
    if (act === 'stop') stopFor(pref, message);
    if (act === 'continue' || act === 'inquire') write();
  };
  const pipelineParam = def.params.find((p) => p.pipeline)?.name;
  const ctx: CommandContext = {
    name: def.name,
    params,
    session: rt.session,
    scope: frame.scope,
    signal: rt.signal,
    has: (n) => params.has(n),
    get: (n) => params.get(n),
    switch: (n) => params.get(n) === true,
    str: (n) => (params.has(n) ? toStr(params.get(n) ?? null) : undefined),
    strs: (n) => (params.has(n) ? enumerate(params.get(n) ?? null).map((x) => toStr(x)) : undefined),
    inputOf: (input: Input, param = pipelineParam) => {
      if (input !== NO_INPUT) return input;
      return param !== undefined && params.has(param) ? (params.get(param) ?? null) : NO_INPUT;
    },
    emit: async (v) => {
      rt.checkStop();
      await sink(v);
    },
    writeError: async (spec) => {
      const record = spec instanceof PSObject ? spec : rt.record({ activity: def.name, ...spec }, frame, extent.start, extent.end, def.name);
      await rt.writeError(record, frame, errorAction);
    },
    fail: (spec) => {
      throw new TerminatingError(rt.record({ activity: def.name, ...spec }, frame, extent.start, extent.end, def.name), true);
    },
    warning: (m) => gate(warningAction, 'WarningPreference', m, () => frame.streams.warning(m)),
    verbose: (m) => gate(verbose, 'VerbosePreference', m, () => frame.streams.verbose(m)),
    debug: (m) => gate(debug, 'DebugPreference', m, () => frame.streams.debug(m)),
    information: (data, tags = [], source = def.name) => {
      // Information records reach the client unless Ignore (PowerShell buffers them even when
      // SilentlyContinue; the recorded pypsrp sessions carry them); Write-Host's always do.
      if (infoAction === 'ignore') return;
      if (infoAction === 'stop' && !tags.includes('PSHOST')) stopFor('InformationPreference', toStr(data));
      frame.streams.information(informationRecordOf(data, tags, source));
    },
    progress: (r) => {
      if (progressAction === 'silentlycontinue' || progressAction === 'ignore') return;
      rt.host.progress(r);
    },
    hostCall: (method, p) => rt.host.hostCall(method, p),
    invoke: (sb, item, out, args) => rt.invokeInline(sb, frame, item === NO_INPUT ? undefined : item, out, args),
    invokeCollect: (sb, item, args) => rt.invokeCollect(sb, frame, item === NO_INPUT ? undefined : item, args),
    resolvePath: (p) => resolvePath(rt, p),
    stopUpstream: () => {
      const e = new StopUpstream(token) as StopUpstream & { index: number };
      e.index = index;
      throw e;
    },
  };
  return ctx;
}

/** A function or script block as a pipeline stage: begin, process per item, end with `$input`. */
function scriptProcessor(rt: Runtime, ast: ScriptBlockAst, script: string, args: RawArg[], frame: Frame, sink: Emit, dotSource: boolean): Processor {
  const inner = dotSource ? frame : rt.childFrame(frame, ast, script);
  const collected: PSValue[] = [];
  const run = async (block: typeof ast.endBlock): Promise<void> => {
    rt.callDepth++;
    try {
      await rt.runBlock(block, inner, sink);
    } catch (err) {
      if (!(err instanceof ReturnSignal)) throw err;
    } finally {
      rt.callDepth--;
    }
  };
  const pipelineParam = ast.params.find((p) => p.fromPipeline);
  return {
    begin: async () => {
      await bindScriptParameters(rt, ast, args, inner);
      await run(ast.beginBlock);
    },
    process: async (input: Input) => {
      if (input === NO_INPUT) return;
      if (ast.processBlock) {
        inner.scope.set('_', input);
        if (pipelineParam) inner.scope.set(pipelineParam.name, input);
        await run(ast.processBlock);
      } else collected.push(input);
    },
    end: async () => {
      inner.scope.set('input', makeArray(collected));
      await run(ast.endBlock);
    },
  };
}

async function bindScriptParameters(rt: Runtime, ast: ScriptBlockAst, args: RawArg[], frame: Frame): Promise<void> {
  const bound = new Set<string>();
  const rest: PSValue[] = [];
  const positional: PSValue[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a) continue;
    if (a.name === undefined) {
      positional.push(a.value ?? null);
      continue;
    }
    const lower = a.name.toLowerCase();
    const matches = ast.params.filter((p) => p.name.toLowerCase().startsWith(lower));
    const p = ast.params.find((x) => x.name.toLowerCase() === lower) ?? (matches.length === 1 ? matches[0] : undefined);
    if (!p) {
      if (COMMON_PARAMETERS.some((c) => c.name.toLowerCase() === lower)) {
        if (lower === 'verbose') frame.scope.set('VerbosePreference', 'Continue');
        if (lower === 'debug') frame.scope.set('DebugPreference', 'Continue');
        if (lower === 'erroraction' && a.value !== undefined) frame.scope.set('ErrorActionPreference', a.value);
        continue;
      }
      rest.push(a.text ?? `-${a.name}`);
      continue;
    }
    const isSwitch = p.typeName?.toLowerCase() === 'switch';
    let value = a.value;
    if (value === undefined && !isSwitch) {
      value = args[i + 1]?.value ?? null;
      i++;
    }
    frame.scope.set(p.name, p.typeName ? convertTo(p.typeName, value ?? true) : (value ?? true));
    bound.add(p.name);
  }
  for (const p of ast.params) {
    if (bound.has(p.name)) continue;
    if (positional.length > 0 && p.typeName?.toLowerCase() !== 'switch' && !p.fromPipeline) {
      const v = positional.shift() ?? null;
      frame.scope.set(p.name, p.typeName ? convertTo(p.typeName, v) : v);
    } else if (p.default) {
      frame.scope.set(p.name, await rt.evaluate(p.default, frame));
    } else if (p.typeName?.toLowerCase() === 'switch') frame.scope.set(p.name, false);
    else frame.scope.set(p.name, null);
  }
  frame.scope.set('args', makeArray([...rest, ...positional]));
}
