/**
 * Stream records (MS-PSRP §2.2.2.19–§2.2.2.26): errors, informational records (debug, verbose,
 * warning), progress and information. Each decoder keeps the whole object (`record`) for
 * rendering and lifts out the fields a client shows.
 */
import { isPSObject, type PSObject, type PSValue } from '../clixml/index.js';
import { MessageType } from '../constants.js';
import { PsrpProtocolError } from '../errors.js';
import { enumObject, msObject, parseObject, Props, write } from './fields.js';

/** The fields of an ErrorRecord (§2.2.3.15) a client displays. */
export interface ErrorRecordInfo {
  /** The exception message, else the record's ToString. */
  message: string;
  fullyQualifiedErrorId: string;
  /** ErrorCategory (§2.2.3.9) number. */
  category: number;
  /** e.g. 'OpenError: (:) [Write-Error], IOException'. */
  categoryMessage: string | null;
  exceptionType: string | null;
  targetName: string | null;
  positionMessage: string | null;
}

/** Reads the displayable fields of an ErrorRecord object (as in ERROR_RECORD or PIPELINE_STATE). */
export function errorRecordInfo(record: PSObject, type: MessageType = MessageType.ERROR_RECORD): ErrorRecordInfo {
  const p = new Props(type, record);
  const exception = p.objectOrNull('Exception');
  const exProps = exception === null ? null : p.child(exception);
  const exMessage = exProps?.raw('Message');
  const text = (name: string): string | null => {
    const v = p.raw(name);
    return typeof v === 'string' ? v : null;
  };
  return {
    message: typeof exMessage === 'string' ? exMessage : record.toString(),
    fullyQualifiedErrorId: text('FullyQualifiedErrorId') ?? '',
    category: p.has('ErrorCategory_Category') ? p.int('ErrorCategory_Category') : 0,
    categoryMessage: text('ErrorCategory_Message'),
    exceptionType: exception?.typeNamesView[0] ?? null,
    targetName: text('ErrorCategory_TargetName'),
    positionMessage: text('InvocationInfo_PositionMessage'),
  };
}

/** §2.2.2.20 ERROR_RECORD. */
export interface ErrorRecordMessage extends ErrorRecordInfo {
  record: PSObject;
}

export const encodeErrorRecord = (m: { record: PSObject }): string => write(m.record);

export function decodeErrorRecord(data: string): ErrorRecordMessage {
  const p = parseObject(MessageType.ERROR_RECORD, data);
  return { record: p.obj, ...errorRecordInfo(p.obj) };
}

/** §2.2.2.22–§2.2.2.24 DEBUG_RECORD, VERBOSE_RECORD, WARNING_RECORD (InformationalRecord, §2.2.3.16). */
export interface InformationalRecord {
  message: string;
  record: PSObject;
}

export const encodeInformationalRecord = (m: { record: PSObject }): string => write(m.record);

function informational(type: MessageType, data: string): InformationalRecord {
  const p = parseObject(type, data);
  return { message: p.string('InformationalRecord_Message'), record: p.obj };
}

export const decodeDebugRecord = (d: string): InformationalRecord => informational(MessageType.DEBUG_RECORD, d);
export const decodeVerboseRecord = (d: string): InformationalRecord => informational(MessageType.VERBOSE_RECORD, d);
export const decodeWarningRecord = (d: string): InformationalRecord => informational(MessageType.WARNING_RECORD, d);

/** §2.2.2.25 PROGRESS_RECORD (§2.2.5.1.25). */
export interface ProgressRecord {
  activity: string;
  activityId: number;
  statusDescription: string;
  currentOperation: string | null;
  parentActivityId: number;
  percentComplete: number;
  /** ProgressRecordType: 0 Processing, 1 Completed. */
  recordType: number;
  secondsRemaining: number;
}

export function encodeProgressRecord(m: ProgressRecord): string {
  const typeName = m.recordType === 1 ? 'Completed' : 'Processing';
  return write(
    msObject([
      ['Activity', m.activity],
      ['ActivityId', m.activityId],
      ['StatusDescription', m.statusDescription],
      ['CurrentOperation', m.currentOperation],
      ['ParentActivityId', m.parentActivityId],
      ['PercentComplete', m.percentComplete],
      ['Type', enumObject('System.Management.Automation.ProgressRecordType', typeName, m.recordType)],
      ['SecondsRemaining', m.secondsRemaining],
    ]),
  );
}

export function decodeProgressRecord(data: string): ProgressRecord {
  return progressFields(parseObject(MessageType.PROGRESS_RECORD, data));
}

/** The PROGRESS_RECORD fields of a ProgressRecord object (also a WriteProgress host call's argument). */
export function progressFields(p: Props): ProgressRecord {
  return {
    activity: p.string('Activity'),
    activityId: p.int('ActivityId'),
    statusDescription: p.stringOrNull('StatusDescription') ?? '',
    currentOperation: p.stringOrNull('CurrentOperation'),
    parentActivityId: p.int('ParentActivityId'),
    percentComplete: p.int('PercentComplete'),
    recordType: p.int('Type'),
    secondsRemaining: p.int('SecondsRemaining'),
  };
}

/** §2.2.2.26 INFORMATION_RECORD (§2.2.5.1.26; protocol 2.3+). */
export interface InformationRecord {
  messageData: PSValue;
  source: string | null;
  tags: string[];
  record: PSObject;
}

export const encodeInformationRecord = (m: { record: PSObject }): string => write(m.record);

export function decodeInformationRecord(data: string): InformationRecord {
  const p = parseObject(MessageType.INFORMATION_RECORD, data);
  const tags = (p.listOrNull('Tags') ?? []).filter((t): t is string => typeof t === 'string');
  const messageData = p.raw('MessageData');
  if (messageData === undefined) throw new PsrpProtocolError('INFORMATION_RECORD: property MessageData is missing');
  return { messageData, source: p.stringOrNull('Source'), tags, record: p.obj };
}

/** True when `v` is an ErrorRecord object. */
export function isErrorRecord(v: PSValue): v is PSObject {
  return isPSObject(v) && v.typeNamesView.some((t) => t.endsWith('ErrorRecord'));
}
