/**
 * A syntax error found while lexing or parsing: the FullyQualifiedErrorId PowerShell gives it
 * (its ParseError.ErrorId, e.g. `TerminatorExpectedAtEndOfString`), its message, and where.
 * runScript turns it into a ParseException ErrorRecord (error-record.ts).
 */
export class ParseFailure extends Error {
  readonly errorId: string;
  readonly start: number;
  readonly end: number;

  constructor(errorId: string, message: string, start: number, end: number = start) {
    super(message);
    this.name = 'ParseFailure';
    this.errorId = errorId;
    this.start = start;
    this.end = Math.max(start, end);
  }
}
