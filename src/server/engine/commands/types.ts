/**
 * The shape of a built-in command: its parameters (for binding, Get-Command and completion) and
 * a factory for its begin/process/end processor, the three phases of a PowerShell cmdlet.
 */
import type { PSObject, PSValue } from '../../../psrp/clixml/index.js';
import type { HostMethodIdentifier } from '../../../psrp/constants.js';
import type { ErrorRecordSpec } from '../error-record.js';
import type { ProgressRecordData } from '../host.js';
import type { EngineSession, Scope } from '../session.js';
import type { ScriptBlock } from '../values.js';

/** How a parameter's argument is converted. */
export type ParamType = 'string' | 'string[]' | 'int' | 'double' | 'switch' | 'bool' | 'any' | 'any[]' | 'scriptblock' | 'scriptblock[]';

export interface ParamSpec {
  name: string;
  type: ParamType;
  /** Positional index, if it binds by position. */
  position?: number;
  /** ValueFromPipeline. */
  pipeline?: boolean;
  aliases?: string[];
}

/** No pipeline input for this process() call. */
export const NO_INPUT: unique symbol = Symbol('NoInput');
export type Input = PSValue | typeof NO_INPUT;

/** A running command's three phases. */
export interface Processor {
  begin?(): Promise<void> | void;
  process?(input: Input): Promise<void> | void;
  end?(): Promise<void> | void;
}

/** What a command sees of the engine while it runs. */
export interface CommandContext {
  readonly name: string;
  /** Bound parameters by canonical name. */
  readonly params: ReadonlyMap<string, PSValue>;
  readonly session: EngineSession;
  readonly scope: Scope;
  readonly signal: AbortSignal;
  has(name: string): boolean;
  get(name: string): PSValue | undefined;
  switch(name: string): boolean;
  str(name: string): string | undefined;
  strs(name: string): string[] | undefined;
  /** The pipeline item, or the bound pipeline parameter when there was no pipeline input. */
  inputOf(input: Input, param?: string): PSValue | typeof NO_INPUT;
  emit(value: PSValue): Promise<void>;
  /** A non-terminating error, subject to -ErrorAction / $ErrorActionPreference. */
  writeError(spec: ErrorRecordSpec | PSObject): Promise<void>;
  /** A statement-terminating error. */
  fail(spec: ErrorRecordSpec): never;
  warning(message: string): void;
  verbose(message: string): void;
  debug(message: string): void;
  information(messageData: PSValue, tags?: string[], source?: string): void;
  progress(record: ProgressRecordData): void;
  hostCall(method: HostMethodIdentifier, params: PSValue[]): Promise<PSValue>;
  /** Runs a script block in the caller's scope with `$_` set, streaming its output to `sink`. */
  invoke(sb: ScriptBlock, dollarUnder: PSValue | typeof NO_INPUT, sink: (v: PSValue) => Promise<void> | void, args?: PSValue[]): Promise<void>;
  /** The same, collecting the output. */
  invokeCollect(sb: ScriptBlock, dollarUnder: PSValue | typeof NO_INPUT, args?: PSValue[]): Promise<PSValue[]>;
  /** A path made absolute against the session location (`~` expanded). */
  resolvePath(p: string): string;
  /** Ends the commands upstream of this one (Select-Object -First). */
  stopUpstream(): never;
}

/** A built-in command. */
export interface CommandDef {
  name: string;
  params: ParamSpec[];
  /** The ToolTip/syntax line Get-Command and completion show. */
  synopsis?: string;
  create(ctx: CommandContext): Processor;
}
