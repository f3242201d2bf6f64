/**
 * Exceptions that cross the evaluator: errors that become ErrorRecords, the stop signal, and the
 * flow-control signals of break / continue / return / exit.
 */
import type { PSObject, PSValue } from '../../psrp/clixml/index.js';
import { TsrError } from '../../errors.js';

/** Raised by value helpers and commands; the evaluator adds the position and builds the ErrorRecord. */
export class RuntimeFailure extends Error {
  readonly errorId: string;
  readonly category: string;
  readonly exceptionType: string;
  readonly targetObject: PSValue;
  readonly exceptionProps: [string, PSValue][];

  constructor(errorId: string, message: string, category = 'NotSpecified', exceptionType = 'System.Management.Automation.RuntimeException',
    extra: { targetObject?: PSValue; exceptionProps?: [string, PSValue][]; cause?: unknown; op?: string } = {}) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'RuntimeFailure';
    this.errorId = errorId;
    this.category = category;
    this.exceptionType = exceptionType;
    this.targetObject = extra.targetObject ?? null;
    this.exceptionProps = extra.exceptionProps ?? [];
  }
}

/**
 * A terminating error: the script (or, when `statementOnly`, just the statement) stops. `record`
 * is the ErrorRecord PSObject a server sends as the Failed pipeline state's ExceptionAsErrorRecord.
 */
export class TerminatingError extends TsrError {
  readonly record: PSObject;
  /** A cmdlet's statement-terminating error: the script goes on with the next statement. */
  readonly statementOnly: boolean;

  constructor(record: PSObject, statementOnly = false) {
    super('ETSR_SERVER', record.toString());
    this.name = 'TerminatingError';
    this.record = record;
    this.statementOnly = statementOnly;
  }
}

/** The pipeline was stopped (its AbortSignal fired): PowerShell's PipelineStoppedException. */
export class PipelineStoppedError extends TsrError {
  constructor() {
    super('ETSR_ABORTED', 'The pipeline has been stopped.');
    this.name = 'AbortError';
  }
}

/** `break` / `continue`, with an optional loop label. */
export class LoopSignal extends Error {
  constructor(readonly kind: 'break' | 'continue', readonly label: string | null) {
    super(kind);
  }
}

/** `return` unwinding to the script block that runs it. */
export class ReturnSignal extends Error {
  constructor() {
    super('return');
  }
}

/** `exit` unwinding the whole script. */
export class ExitSignal extends Error {
  constructor(readonly code: number) {
    super('exit');
  }
}

/** Thrown by a downstream command (Select-Object -First) to end the commands before it early. */
export class StopUpstream extends Error {
  constructor(readonly pipeline: object) {
    super('stop upstream');
  }
}
