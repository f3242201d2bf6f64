/**
 * Pipeline messages (MS-PSRP §2.2.2.10, §2.2.2.17, §2.2.2.18, §2.2.2.21) and the Pipeline /
 * Command / Command Parameter objects CREATE_PIPELINE carries (§2.2.3.11–§2.2.3.13).
 *
 * Statements: the first statement's commands go in `Cmds`; each later statement (`a; b`) is an
 * entry `{ Cmds: [...] }` of `ExtraCmds` (protocol 2.2+; Nil when there is one statement).
 */
import { isPSObject, type PSObject, type PSValue } from '../clixml/index.js';
import { ApartmentState, MessageType, PipelineResultTypes, PSInvocationState, RemoteStreamOptions } from '../constants.js';
import { apartmentStateObject } from './session.js';
import { decodeHostInfo, encodeHostInfo, type HostInfo } from './host-info.js';
import { enumObject, listObject, msObject, parseData, parseObject, write, type Props } from './fields.js';

/** §2.2.3.13 Command Parameter: name null for a positional argument. */
export interface CommandParameter {
  name: string | null;
  value: PSValue;
}

/** §2.2.3.12 Command. The Merge* fields of protocol 2.2+ (and Information, 2.3+) are optional. */
export interface Command {
  cmd: string;
  isScript: boolean;
  useLocalScope: boolean | null;
  mergeMyResult: PipelineResultTypes;
  mergeToResult: PipelineResultTypes;
  mergePreviousResults: PipelineResultTypes;
  args: CommandParameter[];
  mergeError?: PipelineResultTypes;
  mergeWarning?: PipelineResultTypes;
  mergeVerbose?: PipelineResultTypes;
  mergeDebug?: PipelineResultTypes;
  mergeInformation?: PipelineResultTypes;
}

/** §2.2.3.11 Pipeline. */
export interface PowerShellPipeline {
  isNested: boolean;
  cmds: Command[];
  /** Later statements, each its own list of commands; null for a single statement. */
  extraCmds: Command[][] | null;
  history: string | null;
  redirectShellErrorOutputPipe: boolean;
}

/** §2.2.2.10 CREATE_PIPELINE. */
export interface CreatePipeline {
  noInput: boolean;
  apartmentState: ApartmentState;
  remoteStreamOptions: RemoteStreamOptions;
  addToHistory: boolean;
  hostInfo: HostInfo;
  powerShell: PowerShellPipeline;
  isNested: boolean;
}

const PSOBJECT_LIST = [
  'System.Collections.Generic.List`1[[System.Management.Automation.PSObject, System.Management.Automation, Version=1.0.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35]]',
  'System.Object',
];
const RESULT_TYPES = 'System.Management.Automation.Runspaces.PipelineResultTypes';
const MERGES = [
  ['MergeError', 'mergeError'],
  ['MergeWarning', 'mergeWarning'],
  ['MergeVerbose', 'mergeVerbose'],
  ['MergeDebug', 'mergeDebug'],
  ['MergeInformation', 'mergeInformation'],
] as const;

const resultTypes = (v: PipelineResultTypes): PSValue => enumObject(RESULT_TYPES, PipelineResultTypes[v] ?? String(v), v);

/** A command with every Merge* set to None, as a protocol 2.3 client sends it. */
export function newCommand(cmd: string, isScript: boolean, args: CommandParameter[] = []): Command {
  const none = PipelineResultTypes.None;
  return {
    cmd, isScript, useLocalScope: null, args,
    mergeMyResult: none, mergeToResult: none, mergePreviousResults: none,
    mergeError: none, mergeWarning: none, mergeVerbose: none, mergeDebug: none, mergeInformation: none,
  };
}

function encodeCommand(c: Command): PSObject {
  const props: [string, PSValue][] = [
    ['Cmd', c.cmd],
    ['IsScript', c.isScript],
    ['UseLocalScope', c.useLocalScope],
    ['MergeMyResult', resultTypes(c.mergeMyResult)],
    ['MergeToResult', resultTypes(c.mergeToResult)],
    ['MergePreviousResults', resultTypes(c.mergePreviousResults)],
    ['Args', listObject(PSOBJECT_LIST, c.args.map((a) => msObject([['N', a.name], ['V', a.value]])))],
  ];
  for (const [prop, field] of MERGES) {
    const v = c[field];
    if (v !== undefined) props.push([prop, resultTypes(v)]);
  }
  return msObject(props);
}

function encodeCommands(cmds: Command[]): PSObject {
  return listObject(PSOBJECT_LIST, cmds.map(encodeCommand));
}

export function encodeCreatePipeline(m: CreatePipeline): string {
  const p = m.powerShell;
  const extra = p.extraCmds === null ? null : listObject(PSOBJECT_LIST, p.extraCmds.map((s) => msObject([['Cmds', encodeCommands(s)]])));
  const powerShell = msObject([
    ['IsNested', p.isNested],
    ['ExtraCmds', extra],
    ['Cmds', encodeCommands(p.cmds)],
    ['History', p.history],
    ['RedirectShellErrorOutputPipe', p.redirectShellErrorOutputPipe],
  ]);
  return write(
    msObject([
      ['NoInput', m.noInput],
      ['ApartmentState', apartmentStateObject(m.apartmentState)],
      ['RemoteStreamOptions', enumObject('System.Management.Automation.RemoteStreamOptions', RemoteStreamOptions[m.remoteStreamOptions] ?? String(m.remoteStreamOptions), m.remoteStreamOptions)],
      ['AddToHistory', m.addToHistory],
      ['HostInfo', encodeHostInfo(m.hostInfo)],
      ['PowerShell', powerShell],
      ['IsNested', m.isNested],
    ]),
  );
}

function decodeCommand(p: Props, v: PSValue): Command {
  if (!isPSObject(v)) throw p.fail('Cmds', 'a list of command objects');
  const c = p.child(v);
  const useLocalScope = c.raw('UseLocalScope');
  const args = (c.listOrNull('Args') ?? []).map((a): CommandParameter => {
    if (!isPSObject(a)) throw c.fail('Args', 'a list of parameter objects');
    const arg = c.child(a);
    return { name: arg.stringOrNull('N'), value: arg.raw('V') ?? null };
  });
  const out: Command = {
    cmd: c.string('Cmd'),
    isScript: c.bool('IsScript'),
    useLocalScope: typeof useLocalScope === 'boolean' ? useLocalScope : null,
    mergeMyResult: c.int('MergeMyResult'),
    mergeToResult: c.int('MergeToResult'),
    mergePreviousResults: c.int('MergePreviousResults'),
    args,
  };
  for (const [prop, field] of MERGES) {
    const merge = c.optionalInt(prop);
    if (merge !== undefined) out[field] = merge;
  }
  return out;
}

function decodeCommands(p: Props, name: string): Command[] {
  return (p.listOrNull(name) ?? []).map((v) => decodeCommand(p, v));
}

export function decodeCreatePipeline(data: string): CreatePipeline {
  const p = parseObject(MessageType.CREATE_PIPELINE, data);
  const ps = p.child(p.object('PowerShell'));
  const extra = ps.listOrNull('ExtraCmds');
  return {
    noInput: p.bool('NoInput'),
    apartmentState: p.int('ApartmentState'),
    remoteStreamOptions: p.int('RemoteStreamOptions'),
    addToHistory: p.bool('AddToHistory'),
    hostInfo: decodeHostInfo(p.child(p.object('HostInfo'))),
    powerShell: {
      isNested: ps.bool('IsNested'),
      cmds: decodeCommands(ps, 'Cmds'),
      extraCmds:
        extra === null
          ? null
          : extra.map((s) => {
              if (!isPSObject(s)) throw ps.fail('ExtraCmds', 'a list of statement objects');
              return decodeCommands(ps.child(s), 'Cmds');
            }),
      history: ps.stringOrNull('History'),
      redirectShellErrorOutputPipe: ps.optionalBool('RedirectShellErrorOutputPipe') ?? false,
    },
    isNested: p.bool('IsNested'),
  };
}

/** §2.2.2.17 PIPELINE_INPUT / §2.2.2.19 PIPELINE_OUTPUT: one serialized object. */
export interface PipelineObject {
  value: PSValue;
}

export const encodePipelineObject = (m: PipelineObject): string => write(m.value);
export const decodePipelineInput = (data: string): PipelineObject => ({ value: parseData(MessageType.PIPELINE_INPUT, data) });
export const decodePipelineOutput = (data: string): PipelineObject => ({ value: parseData(MessageType.PIPELINE_OUTPUT, data) });

/** §2.2.2.18 END_OF_PIPELINE_INPUT: no data. */
export type EndOfPipelineInput = Record<never, never>;

export const encodeEndOfPipelineInput = (): string => '';
export const decodeEndOfPipelineInput = (): EndOfPipelineInput => ({});

/** §2.2.2.21 PIPELINE_STATE, with the ErrorRecord when the pipeline failed or was stopped. */
export interface PipelineStateInfo {
  state: PSInvocationState;
  error?: PSObject;
}

export function encodePipelineState(m: PipelineStateInfo): string {
  const props: [string, PSValue][] = [['PipelineState', m.state]];
  if (m.error !== undefined) props.push(['ExceptionAsErrorRecord', m.error]);
  return write(msObject(props));
}

export function decodePipelineState(data: string): PipelineStateInfo {
  const p = parseObject(MessageType.PIPELINE_STATE, data);
  const out: PipelineStateInfo = { state: p.int('PipelineState') };
  const error = p.objectOrNull('ExceptionAsErrorRecord');
  if (error !== null) out.error = error;
  return out;
}
