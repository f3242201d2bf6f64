/**
 * Building an ErrorRecord (MS-PSRP §2.2.3.15) the way Windows serializes one: the object a server
 * puts in ERROR_RECORD and in a Failed PIPELINE_STATE, and a client in a host response's `me`.
 */
import { PSObject, type PSValue } from '../clixml/index.js';

/** What an ErrorRecord says; everything but the message has a default. */
export interface ErrorRecordOptions {
  message: string;
  /** FullyQualifiedErrorId (default: the exception type's last name segment). */
  errorId?: string;
  /** ErrorCategory number (§2.2.3.9; default 0 NotSpecified). */
  category?: number;
  /** ErrorCategory name for ErrorCategory_Message (default 'NotSpecified'). */
  categoryName?: string;
  /** .NET type of the exception (default System.Exception). */
  exceptionType?: string;
  activity?: string;
  reason?: string;
  targetName?: string;
  targetObject?: PSValue;
}

const EXCEPTION_BASES = ['System.Exception', 'System.Object'];

/** A serialized ErrorRecord with the properties clients read (§2.2.3.15). */
export function buildErrorRecord(o: ErrorRecordOptions): PSObject {
  const exceptionType = o.exceptionType ?? 'System.Exception';
  const shortType = exceptionType.split('.').pop() ?? exceptionType;
  const typeNames = exceptionType === 'System.Exception' ? EXCEPTION_BASES : [exceptionType, ...EXCEPTION_BASES];
  const exception = new PSObject({
    typeNames,
    toStringText: `${exceptionType}: ${o.message}`,
    adapted: [
      ['Message', o.message],
      ['InnerException', null],
      ['HResult', -2146233088],
    ],
  });
  const categoryName = o.categoryName ?? 'NotSpecified';
  const activity = o.activity ?? '';
  const reason = o.reason ?? shortType;
  const targetName = o.targetName ?? '';
  return new PSObject({
    typeNames: ['System.Management.Automation.ErrorRecord', 'System.Object'],
    toStringText: o.message,
    extended: [
      ['Exception', exception],
      ['TargetObject', o.targetObject ?? null],
      ['FullyQualifiedErrorId', o.errorId ?? shortType],
      ['InvocationInfo', null],
      ['ErrorCategory_Category', o.category ?? 0],
      ['ErrorCategory_Activity', activity],
      ['ErrorCategory_Reason', reason],
      ['ErrorCategory_TargetName', targetName],
      ['ErrorCategory_TargetType', ''],
      ['ErrorCategory_Message', `${categoryName}: (${targetName}:) [${activity}], ${reason}`],
      ['SerializeExtendedInfo', false],
    ],
  });
}
