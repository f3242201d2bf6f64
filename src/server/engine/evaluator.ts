/**
 * The tree-walking evaluator: statements, expressions, variables and assignment. Pipelines and
 * command invocation are in pipeline.ts.
 *
 * Output flows through an `Emit` callback (push, as PowerShell's own pipeline processor does), so a
 * 100,000-item pipeline holds one item at a time. Errors follow PowerShell's three levels:
 * a non-terminating error is written and the command goes on; a statement-terminating error
 * (a cmdlet's binding error, `1/0`) is written and the script goes on with the next statement;
 * a script-terminating one (`throw`, `-ErrorAction Stop`) unwinds to the nearest try/catch or out
 * of runScript as a TerminatingError.
 */
import { isPSObject, PSObject, type PSValue } from '../../psrp/clixml/index.js';
import type { Block, Expr, FlowStmt, ScriptBlockAst, Statement } from './ast.js';
import { buildErrorRecord, positionMessage, type ErrorRecordSpec } from './error-record.js';
import type { EngineHost } from './host.js';
import { Source } from './lexer.js';
import { getMember, invokeMethod, invokeStatic, setMember, staticMember } from './members.js';
import { applyBinary, applyUnary } from './binary.js';
import { ExitSignal, LoopSignal, PipelineStoppedError, ReturnSignal, RuntimeFailure, TerminatingError } from './runtime-error.js';
import type { EngineSession } from './session.js';
import { Scope } from './session.js';
import { convertTo } from './types.js';
import {
  arrayItems, AUTOMATION_NULL, collapse, dictGet, dictOf, dictSet, enumerate, makeArray, makeHashtable, ScriptBlock, toBool, toStr,
} from './values.js';
import { runPipeline } from './pipeline.js';
import { equals } from './operators.js';

export type Emit = (value: PSValue) => void | Promise<void>;

/** Where the other streams go (redirection replaces some of them). */
export interface Streams {
  error(record: PSObject): void | Promise<void>;
  warning(message: string): void;
  verbose(message: string): void;
  debug(message: string): void;
  information(record: PSObject): void;
}

/** The context statements run in. */
export interface Frame {
  scope: Scope;
  streams: Streams;
  source: Source;
  /** >0 inside a try block: statement-terminating errors go to its catch. */
  tryDepth: number;
}

/** Pipeline input of a script (`$input`), read once. */
export class InputEnumerator extends PSObject {
  constructor(readonly source: AsyncIterable<PSValue>) {
    super({ typeNames: ['System.Collections.Generic.IEnumerator`1[[System.Object]]', 'System.Object'] });
  }
}

const MAX_CALL_DEPTH = 100;

/** One runScript / runCommands call. */
export class Runtime {
  readonly session: EngineSession;
  readonly host: EngineHost;
  readonly signal: AbortSignal;
  readonly hostStreams: Streams;
  callDepth = 0;

  constructor(session: EngineSession, host: EngineHost, signal: AbortSignal) {
    this.session = session;
    this.host = host;
    this.signal = signal;
    this.hostStreams = {
      error: (r) => host.error(r),
      warning: (m) => host.warning(m),
      verbose: (m) => host.verbose(m),
      debug: (m) => host.debug(m),
      information: (r) => host.information(r),
    };
  }

  checkStop(): void {
    if (this.signal.aborted) throw new PipelineStoppedError();
  }

  #ticks = 0;

  /**
   * checkStop for loops: every 1024 iterations it also gives the event loop a turn. Evaluation
   * only awaits settled promises, so without this `while ($true) {}` would starve the server:
   * no request — not even the Signal that stops it — could be read.
   */
  async tick(): Promise<void> {
    if (++this.#ticks % 1024 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    this.checkStop();
  }

  /** A preference variable's value, lower-cased (`continue`, `stop`, `silentlycontinue` …). */
  preference(name: string, frame: Frame): string {
    return toStr(frame.scope.lookup(name)?.value ?? 'Continue').toLowerCase();
  }

  /** An ErrorRecord for a failure at a source range (with InvocationInfo). */
  record(spec: ErrorRecordSpec, frame: Frame, start: number, end: number, invocationName = ''): PSObject {
    const { line, column } = frame.source.lineColumn(start);
    const lineText = frame.source.lineText(start);
    return buildErrorRecord({
      ...spec,
      scriptStackTrace: spec.scriptStackTrace ?? `at <ScriptBlock>, <No file>: line ${line}`,
      invocation: spec.invocation === null ? null : {
        invocationName, myCommand: invocationName || null, scriptLineNumber: line, offsetInLine: column, line: lineText,
        positionMessage: positionMessage(line, column, lineText, end - start), ...spec.invocation,
      },
    });
  }

  recordOf(err: RuntimeFailure, frame: Frame, start: number, end: number): PSObject {
    return this.record({
      message: err.message, errorId: err.errorId, category: err.category, exceptionType: err.exceptionType,
      targetObject: err.targetObject, exceptionProps: err.exceptionProps,
    }, frame, start, end);
  }

  /** Writes a non-terminating error honouring an action preference (`stop` makes it terminating). */
  async writeError(record: PSObject, frame: Frame, action = this.preference('ErrorActionPreference', frame)): Promise<void> {
    const errors = arrayItems(frame.scope.lookup('Error')?.value ?? null);
    if (errors && action !== 'ignore') {
      errors.unshift(record);
      if (errors.length > 256) errors.length = 256;
    }
    if (action === 'stop') throw new TerminatingError(record);
    if (action === 'silentlycontinue' || action === 'ignore') return;
    const marked = new PSObject({ typeNames: record.typeNames, toStringText: record.toStringText, extended: [['writeErrorStream', true], ...[...record.extended].filter(([k]) => k !== 'writeErrorStream')], adapted: record.adapted });
    await frame.streams.error(marked);
  }

  // ---- statements -------------------------------------------------------------------------

  async runBlock(block: Block | null, frame: Frame, emit: Emit): Promise<void> {
    if (!block) return;
    for (const s of block.statements) {
      this.checkStop();
      try {
        await this.runStatement(s, frame, emit);
      } catch (err) {
        const e = err instanceof RuntimeFailure ? new TerminatingError(this.recordOf(err, frame, s.start, s.end), true) : err;
        if (e instanceof TerminatingError && e.statementOnly && frame.tryDepth === 0) {
          await this.writeError(e.record, frame);
          continue;
        }
        throw e;
      }
    }
  }

  async runStatement(s: Statement, frame: Frame, emit: Emit): Promise<void> {
    switch (s.type) {
      case 'Pipeline': return runPipeline(this, s, frame, emit);
      case 'Assign': return this.#assign(s, frame);
      case 'If': {
        for (const c of s.clauses) {
          if (toBool(await this.statementValue(c.cond, frame))) return this.runBlock(c.body, frame, emit);
        }
        return this.runBlock(s.else, frame, emit);
      }
      case 'Foreach': {
        const items = await this.#iterable(s.iterable, frame);
        for await (const item of items) {
          await this.tick();
          frame.scope.set(s.variable, item);
          if (await this.#loopBody(s.body, frame, emit, s.label)) break;
        }
        return;
      }
      case 'For': {
        if (s.init) await this.runStatement(s.init, frame, () => undefined);
        while (s.cond === null || toBool(await this.statementValue(s.cond, frame))) {
          await this.tick();
          if (await this.#loopBody(s.body, frame, emit, s.label)) break;
          if (s.iter) await this.runStatement(s.iter, frame, () => undefined);
        }
        return;
      }
      case 'While': {
        const test = async (): Promise<boolean> => {
          const v = toBool(await this.statementValue(s.cond, frame));
          return s.doLoop === 'until' ? !v : v;
        };
        if (s.doLoop === '') {
          while (await test()) {
            await this.tick();
            if (await this.#loopBody(s.body, frame, emit, s.label)) break;
          }
        } else {
          do {
            await this.tick();
            if (await this.#loopBody(s.body, frame, emit, s.label)) break;
          } while (await test());
        }
        return;
      }
      case 'Function':
        this.session.functions.set(s.name.toLowerCase(), { name: s.name, body: s.body, script: frame.source.text });
        return;
      case 'Return':
        if (s.value) await runPipeline(this, s.value, frame, emit);
        throw new ReturnSignal();
      case 'Exit': {
        const v = s.value ? await this.statementValue(s.value, frame) : 0;
        throw new ExitSignal(Number(toStr(v)) || 0);
      }
      case 'Throw': return this.#throw(s, frame);
      case 'Break': case 'Continue': throw new LoopSignal(s.type === 'Break' ? 'break' : 'continue', s.label);
      case 'Try': return this.#try(s, frame, emit);
      case 'Switch': return this.#switch(s, frame, emit);
      case 'BlockStmt': return this.runBlock(s.body, frame, emit);
    }
  }

  /** Runs a loop body; true when the loop must end (`break`). */
  async #loopBody(body: Block, frame: Frame, emit: Emit, label: string | null): Promise<boolean> {
    try {
      await this.runBlock(body, frame, emit);
      return false;
    } catch (err) {
      if (err instanceof LoopSignal && (err.label === null || err.label.toLowerCase() === label?.toLowerCase())) return err.kind === 'break';
      throw err;
    }
  }

  async #iterable(p: Statement, frame: Frame): Promise<AsyncIterable<PSValue> | PSValue[]> {
    if (p.type === 'Pipeline' && p.elements.length === 1 && p.elements[0]?.type === 'ExprElement') {
      const v = await this.evaluate(p.elements[0].expr, frame);
      if (v instanceof InputEnumerator) return v.source;
      return v === null ? [] : enumerate(v);
    }
    const items: PSValue[] = [];
    await this.runStatement(p, frame, (v) => { items.push(v); });
    return items;
  }

  async #throw(s: FlowStmt, frame: Frame): Promise<never> {
    const v = s.value ? await this.statementValue(s.value, frame) : null;
    if (isPSObject(v) && v.typeNames[0] === 'System.Management.Automation.ErrorRecord') throw new TerminatingError(v);
    const message = v === null ? 'ScriptHalted' : toStr(v);
    throw new TerminatingError(this.record({
      message, errorId: message, category: 'OperationStopped', targetObject: v, wasThrownFromThrowStatement: true,
      exceptionType: 'System.Management.Automation.RuntimeException',
    }, frame, s.start, s.end));
  }

  async #try(s: Extract<Statement, { type: 'Try' }>, frame: Frame, emit: Emit): Promise<void> {
    try {
      await this.runBlock(s.body, { ...frame, tryDepth: frame.tryDepth + 1 }, emit);
    } catch (err) {
      const e = err instanceof RuntimeFailure ? new TerminatingError(this.recordOf(err, frame, s.start, s.end)) : err;
      if (!(e instanceof TerminatingError)) throw e;
      const exceptionTypes = (getMember(e.record, 'Exception') as PSObject | null)?.typeNames ?? [];
      const clause = s.catches.find((c) => c.types.length === 0 || c.types.some((t) => exceptionTypes.some((x) => x.toLowerCase().endsWith(t.toLowerCase().replace(/^system\./, '')))));
      if (!clause) throw e;
      const saved = frame.scope.lookup('_')?.value;
      frame.scope.set('_', e.record);
      frame.scope.set('PSItem', e.record);
      try {
        await this.runBlock(clause.body, frame, emit);
      } finally {
        frame.scope.set('_', saved ?? null);
        frame.scope.set('PSItem', saved ?? null);
      }
    } finally {
      if (s.finally) await this.runBlock(s.finally, frame, emit);
    }
  }

  async #switch(s: Extract<Statement, { type: 'Switch' }>, frame: Frame, emit: Emit): Promise<void> {
    const values = enumerate(await this.statementValue(s.value, frame));
    for (const value of values) {
      let matched = false;
      frame.scope.set('_', value);
      try {
        for (const c of s.clauses) {
          if (c.cond === 'default') continue;
          if (await this.#switchMatch(c.cond, value, s, frame)) {
            matched = true;
            await this.runBlock(c.body, frame, emit);
          }
        }
        if (!matched) for (const c of s.clauses) if (c.cond === 'default') await this.runBlock(c.body, frame, emit);
      } catch (err) {
        if (err instanceof LoopSignal && err.label === null) {
          if (err.kind === 'break') return;
          continue;
        }
        throw err;
      }
    }
  }

  async #switchMatch(cond: Expr, value: PSValue, s: Extract<Statement, { type: 'Switch' }>, frame: Frame): Promise<boolean> {
    const c = await this.evaluate(cond, frame);
    if (c instanceof ScriptBlock) return toBool(collapse(await this.invokeCollect(c, frame, value)));
    const op = s.regex ? 'match' : s.wildcard ? 'like' : 'eq';
    if (op === 'eq') return equals(value, c, s.caseSensitive);
    return toBool(applyBinary(this, frame, (s.caseSensitive ? 'c' : '') + op, value, c));
  }

  /** A statement's output as one value (0 items → null, 1 → it, more → array). */
  async statementValue(s: Statement, frame: Frame): Promise<PSValue> {
    if (s.type === 'Pipeline' && s.elements.length === 1 && s.redirects.length === 0 && s.elements[0]?.type === 'ExprElement') {
      const v = await this.evaluate(s.elements[0].expr, frame);
      return v === AUTOMATION_NULL ? null : v;
    }
    const items: PSValue[] = [];
    await this.runStatement(s, frame, (v) => { items.push(v); });
    return collapse(items);
  }

  async #assign(s: Extract<Statement, { type: 'Assign' }>, frame: Frame): Promise<void> {
    let value = await this.statementValue(s.value, frame);
    if (s.op !== '=') {
      const current = await this.evaluate(s.target, frame);
      value = applyBinary(this, frame, s.op.slice(0, 1), current, value);
    }
    await this.assignTo(s.target, value, frame);
  }

  /** Stores a value into a variable, property or element. */
  async assignTo(target: Expr, value: PSValue, frame: Frame): Promise<void> {
    if (target.type === 'Variable') return this.setVariable(target.name, value, frame);
    if (target.type === 'Cast' && target.operand.type === 'Variable') return this.setVariable(target.operand.name, convertTo(target.typeName, value), frame);
    if (target.type === 'Member') {
      const obj = await this.evaluate(target.target, frame);
      return setMember(obj, toStr(await this.evaluate(target.member, frame)), value);
    }
    if (target.type === 'Index') {
      const obj = await this.evaluate(target.target, frame);
      const index = await this.evaluate(target.index, frame);
      const d = dictOf(obj);
      if (d) return dictSet(d, index, value);
      const items = arrayItems(obj);
      const i = Number(toStr(index));
      if (items && Number.isInteger(i) && Math.abs(i) < items.length + (i < 0 ? 1 : 0)) {
        items[i < 0 ? items.length + i : i] = value;
        return;
      }
      throw new RuntimeFailure('IndexOutOfRange', 'Index was outside the bounds of the array.', 'InvalidOperation');
    }
    throw new RuntimeFailure('InvalidLeftHandSide', 'The assignment expression is not valid.', 'InvalidOperation');
  }

  // ---- variables --------------------------------------------------------------------------

  getVariable(name: string, frame: Frame): PSValue {
    const lower = name.toLowerCase();
    switch (lower) {
      case 'true': return true;
      case 'false': return false;
      case 'null': return null;
      case 'psitem': return frame.scope.lookup('_')?.value ?? null;
      case 'pwd': return pathInfo(this.session.location);
      case 'host': return hostObject();
      default:
    }
    const colon = lower.indexOf(':');
    if (colon > 0) {
      const scopeName = lower.slice(0, colon);
      const rest = name.slice(colon + 1);
      if (scopeName === 'env') return this.session.env.get(rest) ?? this.#envInsensitive(rest) ?? null;
      if (scopeName === 'global' || scopeName === 'script') return this.session.variables.lookup(rest)?.value ?? null;
      if (scopeName === 'local' || scopeName === 'private') return frame.scope.lookup(rest)?.value ?? null;
      if (scopeName === 'variable') return frame.scope.lookup(rest)?.value ?? null;
    }
    return frame.scope.lookup(name)?.value ?? null;
  }

  #envInsensitive(name: string): string | undefined {
    if (process.platform !== 'win32') return undefined;
    for (const [k, v] of this.session.env) if (k.toLowerCase() === name.toLowerCase()) return v;
    return undefined;
  }

  setVariable(name: string, value: PSValue, frame: Frame): void {
    const lower = name.toLowerCase();
    if (lower === 'true' || lower === 'false' || lower === 'null') {
      if (lower === 'null') return;
      throw new RuntimeFailure('VariableNotWritable', `Cannot overwrite variable ${name} because it is read-only or constant.`, 'WriteError', 'System.Management.Automation.SessionStateException');
    }
    const colon = lower.indexOf(':');
    if (colon > 0) {
      const scopeName = lower.slice(0, colon);
      const rest = name.slice(colon + 1);
      if (scopeName === 'env') {
        if (value === null || toStr(value) === '') this.session.env.delete(rest);
        else this.session.env.set(rest, toStr(value));
        return;
      }
      if (scopeName === 'global' || scopeName === 'script') return this.session.variables.set(rest, value);
      return frame.scope.set(rest, value);
    }
    frame.scope.set(name, value);
  }

  // ---- expressions ------------------------------------------------------------------------

  async evaluate(e: Expr, frame: Frame): Promise<PSValue> {
    switch (e.type) {
      case 'Constant': return e.value;
      case 'Variable': return this.getVariable(e.name, frame);
      case 'Expandable': {
        let out = '';
        const ofs = toStr(frame.scope.lookup('OFS')?.value ?? ' ');
        for (const p of e.parts) out += p.kind === 'text' ? p.value : toStr(await this.evaluate(p.expr, frame), ofs);
        return out;
      }
      case 'Binary': {
        if (e.op === 'and' || e.op === 'or') {
          const l = toBool(await this.evaluate(e.left, frame));
          if (e.op === 'and' ? !l : l) return l;
          return toBool(await this.evaluate(e.right, frame));
        }
        const left = await this.evaluate(e.left, frame);
        const right = e.op === 'is' || e.op === 'isnot' || e.op === 'as' ? typeOperand(e.right) ?? await this.evaluate(e.right, frame) : await this.evaluate(e.right, frame);
        return applyBinary(this, frame, e.op, left, right);
      }
      case 'Unary': {
        if (e.op === '++' || e.op === '--') {
          const v = applyBinary(this, frame, e.op[0] ?? '+', await this.evaluate(e.operand, frame), 1);
          await this.assignTo(e.operand, v, frame);
          return v;
        }
        return applyUnary(e.op, await this.evaluate(e.operand, frame));
      }
      case 'Postfix': {
        const v = await this.evaluate(e.operand, frame);
        await this.assignTo(e.operand, applyBinary(this, frame, e.op[0] ?? '+', v, 1), frame);
        return v;
      }
      case 'ArrayLiteral': {
        const items: PSValue[] = [];
        for (const i of e.items) items.push(scalar(await this.evaluate(i, frame)));
        return makeArray(items);
      }
      case 'ArrayExpr': {
        const items: PSValue[] = [];
        await this.runBlock(e.body, frame, (v) => { items.push(v); });
        return makeArray(items);
      }
      case 'SubExpr': {
        const items: PSValue[] = [];
        await this.runBlock(e.body, frame, (v) => { items.push(v); });
        return items.length === 0 ? AUTOMATION_NULL : collapse(items);
      }
      case 'Paren': {
        if (e.pipeline.type === 'Assign') {
          await this.runStatement(e.pipeline, frame, () => undefined);
          return this.evaluate(e.pipeline.target, frame);
        }
        return this.statementValue(e.pipeline, frame);
      }
      case 'Hashtable': {
        const h = makeHashtable();
        const d = dictOf(h);
        for (const entry of e.entries) {
          const key = scalar(await this.evaluate(entry.key, frame));
          if (d && dictGet(d, key) !== undefined) throw new RuntimeFailure('DuplicateKeyInHashLiteral', `Duplicate keys '${toStr(key)}' are not allowed in hash literals.`, 'ParserError', 'System.Management.Automation.ParseException');
          d?.entries.set(key, await this.statementValue(entry.value, frame));
        }
        return h;
      }
      case 'ScriptBlock': return new ScriptBlock(e.block, frame.source.text);
      case 'Cast': return convertTo(e.typeName, scalar(await this.evaluate(e.operand, frame)));
      case 'TypeLiteral': return typeLiteral(e.typeName);
      case 'Member': {
        const name = toStr(await this.evaluate(e.member, frame));
        if (e.static) return staticMember(typeNameOfLiteral(e.target), name);
        return getMember(scalarKeepArray(await this.evaluate(e.target, frame)), name);
      }
      case 'Invoke': {
        const name = toStr(await this.evaluate(e.member, frame));
        const args: PSValue[] = [];
        for (const a of e.args) args.push(scalar(await this.evaluate(a, frame)));
        if (e.static) return invokeStatic(typeNameOfLiteral(e.target), name, args);
        const target = scalarKeepArray(await this.evaluate(e.target, frame));
        return invokeMethod(target, name, args, (sb, item) => this.invokeCollect(sb, frame, item));
      }
      case 'Index': return this.#index(await this.evaluate(e.target, frame), await this.evaluate(e.index, frame));
    }
  }

  #index(target: PSValue, index: PSValue): PSValue {
    const d = dictOf(target);
    if (d) {
      const keys = arrayItems(index);
      if (keys) return makeArray(keys.map((k) => dictGet(d, k) ?? null));
      return dictGet(d, index) ?? null;
    }
    const items = arrayItems(target) ?? (typeof target === 'string' ? [...target] : target === null ? null : [target]);
    if (!items) return null;
    const pick = (i: PSValue): PSValue | undefined => {
      const n = Number(toStr(i));
      if (!Number.isInteger(n)) return undefined;
      const v = items[n < 0 ? items.length + n : n];
      return typeof target === 'string' && v !== undefined ? v : v;
    };
    const many = arrayItems(index);
    if (many) return makeArray(many.map(pick).filter((x): x is PSValue => x !== undefined));
    return pick(index) ?? null;
  }

  // ---- script blocks ----------------------------------------------------------------------

  /** Runs a script block's end block (or process block per item) in the caller's scope with `$_`. */
  async invokeInline(sb: ScriptBlock, frame: Frame, dollarUnder: PSValue | undefined, emit: Emit, args: PSValue[] = []): Promise<void> {
    const scope = frame.scope;
    const saved = scope.lookup('_');
    const savedValue = saved?.value;
    if (dollarUnder !== undefined) scope.set('_', dollarUnder);
    const savedArgs = scope.lookup('args')?.value;
    scope.set('args', makeArray(args));
    const inner: Frame = { ...frame, source: sb.script === frame.source.text ? frame.source : new Source(sb.script) };
    try {
      await this.runBlock(sb.ast.beginBlock, inner, emit);
      await this.runBlock(sb.ast.processBlock, inner, emit);
      await this.runBlock(sb.ast.endBlock, inner, emit);
    } catch (err) {
      if (!(err instanceof ReturnSignal)) throw err;
    } finally {
      if (dollarUnder !== undefined) scope.set('_', savedValue ?? null);
      scope.set('args', savedArgs ?? makeArray([]));
    }
  }

  async invokeCollect(sb: ScriptBlock, frame: Frame, dollarUnder: PSValue | undefined, args: PSValue[] = []): Promise<PSValue[]> {
    const out: PSValue[] = [];
    await this.invokeInline(sb, frame, dollarUnder, (v) => { out.push(v); }, args);
    return out;
  }

  /** A new child frame for a function or `& { }` call, refusing runaway recursion. */
  childFrame(frame: Frame, ast: ScriptBlockAst, script: string): Frame {
    if (this.callDepth >= MAX_CALL_DEPTH) {
      throw new RuntimeFailure('CallDepthOverflow', 'The script failed due to call depth overflow.', 'InvalidOperation', 'System.Management.Automation.RuntimeException');
    }
    void ast;
    return { ...frame, scope: new Scope(frame.scope), source: script === frame.source.text ? frame.source : new Source(script) };
  }
}

/** An array element is stored as it is; `AutomationNull` becomes `$null`. */
function scalar(v: PSValue): PSValue {
  return v === AUTOMATION_NULL ? null : v;
}

function scalarKeepArray(v: PSValue): PSValue {
  return v === AUTOMATION_NULL ? null : v;
}

function typeOperand(e: Expr): PSValue | undefined {
  return e.type === 'TypeLiteral' ? e.typeName : undefined;
}

function typeNameOfLiteral(e: Expr): string {
  if (e.type === 'TypeLiteral') return e.typeName;
  throw new RuntimeFailure('MethodNotFound', 'Static members need a type literal such as [math].', 'InvalidOperation');
}

function typeLiteral(name: string): PSValue {
  return new PSObject({ typeNames: ['System.RuntimeType', 'System.Type', 'System.Object'], toStringText: name, adapted: [['Name', name], ['FullName', name]] });
}

/** $PWD: a PathInfo. */
export function pathInfo(location: string): PSObject {
  return new PSObject({
    typeNames: ['System.Management.Automation.PathInfo', 'System.Object'], toStringText: location,
    adapted: [['Drive', null], ['Provider', 'Microsoft.PowerShell.Core\\FileSystem'], ['ProviderPath', location], ['Path', location]],
  });
}

function hostObject(): PSObject {
  return new PSObject({
    typeNames: ['System.Management.Automation.Internal.Host.InternalHost', 'System.Management.Automation.Host.PSHost', 'System.Object'],
    toStringText: 'System.Management.Automation.Internal.Host.InternalHost',
    adapted: [['Name', 'ServerRemoteHost'], ['Version', { kind: 'Version', value: '1.0.0.0' }], ['InstanceId', { kind: 'G', value: '00000000-0000-0000-0000-000000000000' }], ['CurrentCulture', 'en-US'], ['CurrentUICulture', 'en-US']],
  });
}
