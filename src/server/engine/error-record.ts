/**
 * The one builder of ErrorRecords (MS-PSRP §2.2.3.15) for the engine, in the shape a Windows
 * PowerShell server serializes them: the recorded CommandNotFoundException of
 * ironposh `error_record.xml` and the WriteErrorException / ParseException records of pypsrp's
 * `test_psrp_*` recordings are the reference (test/server/engine/error-record.test.ts compares).
 *
 * Shape: an `<Obj>` typed `System.Management.Automation.ErrorRecord` whose `<ToString>` is the
 * message, with extended members `writeErrorStream` (records written to the error stream only),
 * `Exception` (an object typed with the exception's inheritance chain, adapted properties
 * ErrorRecord, type-specific ones, WasThrownFromThrowStatement, Message, Data, InnerException,
 * TargetSite, StackTrace, HelpLink, Source, HResult), `TargetObject`, `FullyQualifiedErrorId`,
 * `InvocationInfo`, the flattened `ErrorCategory_*` fields, `SerializeExtendedInfo`,
 * `ErrorDetails_ScriptStackTrace` and `PSMessageDetails`.
 *
 * We have no .NET stack, so StackTrace and TargetSite are Nil, and the exception's ToString is
 * `Type: message` without the `at …` lines Windows appends.
 */
import { PSObject, ps, type PSValue } from '../../psrp/clixml/index.js';
import { toStr, typeNameOf } from './values.js';

/** ErrorCategory (System.Management.Automation.ErrorCategory), by name. */
export const ERROR_CATEGORY: Record<string, number> = {
  NotSpecified: 0, OpenError: 1, CloseError: 2, DeviceError: 3, DeadlockDetected: 4, InvalidArgument: 5, InvalidData: 6,
  InvalidOperation: 7, InvalidResult: 8, InvalidType: 9, MetadataError: 10, NotImplemented: 11, NotInstalled: 12,
  ObjectNotFound: 13, OperationStopped: 14, OperationTimeout: 15, SyntaxError: 16, ParserError: 17, PermissionDenied: 18,
  ResourceBusy: 19, ResourceExists: 20, ResourceUnavailable: 21, ReadError: 22, WriteError: 23, FromStdErr: 24,
  SecurityError: 25, ProtocolError: 26, ConnectionError: 27, AuthenticationError: 28, LimitsExceeded: 29,
  QuotaExceeded: 30, NotEnabled: 31,
};

const RUNTIME = ['System.Management.Automation.RuntimeException', 'System.SystemException', 'System.Exception', 'System.Object'];
const SESSION_STATE = ['System.Management.Automation.SessionStateException', ...RUNTIME];
/** Inheritance chains of the exceptions the engine raises (what `<TN>` lists). */
const EXCEPTION_CHAINS: Record<string, string[]> = {
  'System.Management.Automation.RuntimeException': RUNTIME,
  'System.Management.Automation.CommandNotFoundException': ['System.Management.Automation.CommandNotFoundException', ...RUNTIME],
  'System.Management.Automation.ParseException': ['System.Management.Automation.ParseException', ...RUNTIME],
  'System.Management.Automation.ParameterBindingException': ['System.Management.Automation.ParameterBindingException', ...RUNTIME],
  'System.Management.Automation.PipelineStoppedException': ['System.Management.Automation.PipelineStoppedException', ...RUNTIME],
  'System.Management.Automation.ItemNotFoundException': ['System.Management.Automation.ItemNotFoundException', ...SESSION_STATE],
  'System.Management.Automation.DriveNotFoundException': ['System.Management.Automation.DriveNotFoundException', ...SESSION_STATE],
  'System.Management.Automation.MethodInvocationException': ['System.Management.Automation.MethodInvocationException', 'System.Management.Automation.MethodException', ...RUNTIME],
  'System.Management.Automation.PSInvalidCastException': ['System.Management.Automation.PSInvalidCastException', 'System.InvalidCastException', 'System.SystemException', 'System.Exception', 'System.Object'],
  'System.Management.Automation.RemoteException': ['System.Management.Automation.RemoteException', ...RUNTIME],
  'System.Management.Automation.ActionPreferenceStopException': ['System.Management.Automation.ActionPreferenceStopException', ...RUNTIME],
  'Microsoft.PowerShell.Commands.WriteErrorException': ['Microsoft.PowerShell.Commands.WriteErrorException', 'System.SystemException', 'System.Exception', 'System.Object'],
  'System.InvalidOperationException': ['System.InvalidOperationException', 'System.SystemException', 'System.Exception', 'System.Object'],
  'System.ArgumentException': ['System.ArgumentException', 'System.SystemException', 'System.Exception', 'System.Object'],
  'System.IO.IOException': ['System.IO.IOException', 'System.SystemException', 'System.Exception', 'System.Object'],
  'System.UnauthorizedAccessException': ['System.UnauthorizedAccessException', 'System.SystemException', 'System.Exception', 'System.Object'],
  'System.Management.Automation.ParentContainsErrorRecordException': ['System.Management.Automation.ParentContainsErrorRecordException', 'System.SystemException', 'System.Exception', 'System.Object'],
  'System.Exception': ['System.Exception', 'System.Object'],
};

/** Where an error happened, for InvocationInfo (all optional: an absent one serializes Nil). */
export interface InvocationSpec {
  /** The command's name as the script wrote it. */
  invocationName?: string;
  /** MyCommand's text (the script or the command name); Nil when unknown. */
  myCommand?: string | null;
  scriptLineNumber?: number;
  offsetInLine?: number;
  /** The whole line of the script. */
  line?: string;
  /** `At line:1 char:1` + the line + the `~~~` marker (built by positionMessage()). */
  positionMessage?: string;
  pipelineLength?: number;
  pipelinePosition?: number;
  expectingInput?: boolean;
  historyId?: number;
}

/** Everything an ErrorRecord says; only the message is required. */
export interface ErrorRecordSpec {
  message: string;
  /** .NET exception type (default System.Management.Automation.RuntimeException). */
  exceptionType?: string;
  /** FullyQualifiedErrorId (default: the exception's short name). */
  errorId?: string;
  /** ErrorCategory name (default NotSpecified). */
  category?: string;
  targetObject?: PSValue;
  /** ErrorCategory_Activity: the command that failed (default ''). */
  activity?: string;
  reason?: string;
  /** Exception properties besides the common ones (CommandName …), placed after ErrorRecord. */
  exceptionProps?: [string, PSValue][];
  wasThrownFromThrowStatement?: boolean;
  invocation?: InvocationSpec | null;
  /** `writeErrorStream` true: the record went to the error stream (non-terminating). */
  writeErrorStream?: boolean;
  scriptStackTrace?: string;
}

const BOUND_PARAMETERS = 'System.Collections.Generic.Dictionary`2[[System.String, mscorlib, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089],[System.Object, mscorlib, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089]]';
const UNBOUND_ARGUMENTS = 'System.Collections.Generic.List`1[[System.Object, mscorlib, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089]]';

/** ErrorCategoryInfo.Ellipsize: names longer than 40 characters keep their first and last 15. */
function ellipsize(s: string): string {
  return s.length > 40 ? `${s.slice(0, 15)}...${s.slice(-15)}` : s;
}

/** The exception object inside an ErrorRecord. */
function exceptionObject(spec: ErrorRecordSpec, type: string): PSObject {
  const chain = EXCEPTION_CHAINS[type] ?? [type, 'System.Exception', 'System.Object'];
  const runtimeFamily = chain.includes('System.Management.Automation.RuntimeException');
  const adapted: [string, PSValue][] = [];
  if (runtimeFamily) adapted.push(['ErrorRecord', spec.message]);
  adapted.push(...(spec.exceptionProps ?? []));
  if (runtimeFamily) adapted.push(['WasThrownFromThrowStatement', spec.wasThrownFromThrowStatement ?? false]);
  adapted.push(
    ['Message', spec.message],
    ['Data', new PSObject({ typeNames: ['System.Collections.ListDictionaryInternal', 'System.Object'], value: ps.dict([]) })],
    ['InnerException', null],
    ['TargetSite', null],
    ['StackTrace', null],
    ['HelpLink', null],
    ['Source', runtimeFamily ? 'System.Management.Automation' : null],
    ['HResult', chain.includes('System.SystemException') ? -2146233087 : -2146233088],
  );
  return new PSObject({ typeNames: [...chain], toStringText: `${type}: ${spec.message}`, adapted });
}

/** The InvocationInfo object (MS-PSRP §2.2.3.15 "InvocationInfo" when serialized whole). */
export function invocationInfo(i: InvocationSpec): PSObject {
  return new PSObject({
    typeNames: ['System.Management.Automation.InvocationInfo', 'System.Object'],
    toStringText: 'System.Management.Automation.InvocationInfo',
    adapted: [
      ['MyCommand', i.myCommand ?? null],
      ['BoundParameters', new PSObject({ typeNames: [BOUND_PARAMETERS, 'System.Object'], value: ps.dict([]) })],
      ['UnboundArguments', new PSObject({ typeNames: [UNBOUND_ARGUMENTS, 'System.Object'], value: ps.list([]) })],
      ['ScriptLineNumber', i.scriptLineNumber ?? 0],
      ['OffsetInLine', i.offsetInLine ?? 0],
      ['HistoryId', ps.i64(i.historyId ?? 1)],
      ['ScriptName', ''],
      ['Line', i.line ?? ''],
      ['PositionMessage', i.positionMessage ?? ''],
      ['PSScriptRoot', ''],
      ['PSCommandPath', null],
      ['InvocationName', i.invocationName ?? ''],
      ['PipelineLength', i.pipelineLength ?? 0],
      ['PipelinePosition', i.pipelinePosition ?? 0],
      ['ExpectingInput', i.expectingInput ?? false],
      ['CommandOrigin', 'Internal'],
      ['DisplayScriptPosition', null],
    ],
  });
}

/**
 * PowerShell's PositionMessage: `At line:L char:C`, the line, and `~` under the extent
 * (lines joined with `\n`: pwsh on Linux uses its Environment.NewLine; Windows sends `\r\n`).
 */
export function positionMessage(line: number, column: number, lineText: string, length: number): string {
  const marks = '~'.repeat(Math.max(1, Math.min(length, lineText.length - column + 1)));
  return `At line:${line} char:${column}\n+ ${lineText}\n+ ${' '.repeat(column - 1)}${marks}`;
}

/** Builds a serialized ErrorRecord; see the file comment for the shape. */
export function buildErrorRecord(spec: ErrorRecordSpec): PSObject {
  const type = spec.exceptionType ?? 'System.Management.Automation.RuntimeException';
  const shortType = type.split('.').pop() ?? type;
  const category = spec.category ?? 'NotSpecified';
  const target = spec.targetObject ?? null;
  const targetName = target === null ? '' : toStr(target);
  const targetType = target === null ? '' : (typeNameOf(target).split('.').pop() ?? '');
  const reason = spec.reason ?? shortType;
  const activity = spec.activity ?? '';
  const extended: [string, PSValue][] = [];
  if (spec.writeErrorStream) extended.push(['writeErrorStream', true]);
  extended.push(
    ['Exception', exceptionObject(spec, type)],
    ['TargetObject', target],
    ['FullyQualifiedErrorId', spec.errorId ?? shortType],
    ['InvocationInfo', spec.invocation ? invocationInfo(spec.invocation) : null],
    ['ErrorCategory_Category', ERROR_CATEGORY[category] ?? 0],
    ['ErrorCategory_Activity', activity],
    ['ErrorCategory_Reason', reason],
    ['ErrorCategory_TargetName', targetName],
    ['ErrorCategory_TargetType', targetType],
    ['ErrorCategory_Message', `${category}: (${ellipsize(targetName)}:${targetType}) [${activity}], ${reason}`],
    ['SerializeExtendedInfo', false],
    ['ErrorDetails_ScriptStackTrace', spec.scriptStackTrace ?? 'at <ScriptBlock>, <No file>: line 1'],
    ['PSMessageDetails', null],
  );
  return new PSObject({ typeNames: ['System.Management.Automation.ErrorRecord', 'System.Object'], toStringText: spec.message, extended });
}

/** pwsh 7's CommandNotFoundException message (pwsh 5.1 said "…as the name of a cmdlet, function, script file, or operable program."). */
export function commandNotFoundMessage(name: string): string {
  return `The term '${name}' is not recognized as a name of a cmdlet, function, script file, or executable program.\nCheck the spelling of the name, or if a path was included, verify that the path is correct and try again.`;
}

/** A copy of a record marked as written to the error stream (non-terminating). */
export function asErrorStreamRecord(record: PSObject): PSObject {
  if (record.extended.get('writeErrorStream') === true) return record;
  return new PSObject({
    typeNames: [...record.typeNames], toStringText: record.toStringText,
    extended: [['writeErrorStream', true], ...record.extended], adapted: record.adapted,
  });
}
