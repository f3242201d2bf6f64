/**
 * Test-only builders of deserialized objects, shaped as they arrive from Windows (type names,
 * `<Props>` then `<MS>`, enums as `<Obj>` with ToString and `<I32>`), and access to the recorded
 * ErrorRecords in the fixtures.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { deserialize, PSObject, ps, type PSValue } from '../../src/psrp/clixml/index.js';
import type { RenderTerminal } from '../../src/render/index.js';
import { pypsrpPayloads } from '../psrp/clixml/extract.js';

/** A `[pscustomobject]` with these properties, in order. */
export function customObject(props: Array<[string, PSValue]>): PSObject {
  return new PSObject({ typeNames: ['System.Management.Automation.PSCustomObject', 'System.Object'], extended: props });
}

/** A .NET enum value as CLIXML carries it. */
export function enumValue(type: string, name: string, value: number): PSObject {
  return new PSObject({ typeNames: [type, 'System.Enum', 'System.ValueType', 'System.Object'], toStringText: name, value });
}

/** A DateTime from its wire text. */
export function dateTime(text: string): PSValue {
  return { kind: 'DT', value: text, date: new Date(text) };
}

/** `Get-Service winrm` as Windows Server 2022 sends it (props as in pypsrp's test_psrp_multiple_commands recording). */
export function winrmService(): PSObject {
  return new PSObject({
    typeNames: ['Deserialized.System.ServiceProcess.ServiceController', 'Deserialized.System.ComponentModel.Component',
      'Deserialized.System.MarshalByRefObject', 'Deserialized.System.Object'],
    toStringText: 'winrm',
    adapted: [
      ['CanPauseAndContinue', false], ['CanShutdown', true], ['CanStop', true],
      ['DisplayName', 'Windows Remote Management (WS-Management)'],
      ['DependentServices', new PSObject({ typeNames: ['System.ServiceProcess.ServiceController[]', 'System.Array', 'System.Object'], value: ps.list([]) })],
      ['MachineName', '.'], ['ServiceName', 'winrm'],
      ['ServicesDependedOn', new PSObject({ typeNames: ['System.ServiceProcess.ServiceController[]', 'System.Array', 'System.Object'], value: ps.list(['RPCSS', 'HTTP']) })],
      ['ServiceHandle', 'SafeServiceHandle'],
      ['Status', enumValue('System.ServiceProcess.ServiceControllerStatus', 'Running', 4)],
      ['ServiceType', enumValue('System.ServiceProcess.ServiceType', 'Win32OwnProcess', 16)],
      ['StartType', enumValue('System.ServiceProcess.ServiceStartMode', 'Automatic', 2)],
      ['Site', null], ['Container', null],
    ],
    extended: [['Name', 'WinRM'], ['RequiredServices', null]],
  });
}

/** A `Get-Process` object with the ETS members pwsh serializes (NPM, PM, WS, CPU, SI …). */
export function processObject(id: number, name: string, m: { npm: number; pm: number; ws: number; cpu: number | null; si: number }): PSObject {
  return new PSObject({
    typeNames: ['Deserialized.System.Diagnostics.Process', 'Deserialized.System.ComponentModel.Component',
      'Deserialized.System.MarshalByRefObject', 'Deserialized.System.Object'],
    toStringText: `System.Diagnostics.Process (${name})`,
    adapted: [
      ['BasePriority', 8], ['HandleCount', 812], ['Id', id], ['ProcessName', name], ['SessionId', m.si],
      ['NonpagedSystemMemorySize64', ps.i64(m.npm)], ['PagedMemorySize64', ps.i64(m.pm)], ['WorkingSet64', ps.i64(m.ws)],
    ],
    extended: [
      ['Name', name], ['SI', m.si], ['Handles', 812], ['VM', ps.i64(2_203_318_222_848)], ['WS', ps.i64(m.ws)],
      ['PM', ps.i64(m.pm)], ['NPM', ps.i64(m.npm)], ['CPU', m.cpu === null ? null : ps.double(m.cpu)],
    ],
  });
}

/** A `Get-ChildItem` item (FileInfo, or DirectoryInfo when `length` is null). */
export function fileItem(dir: string, name: string, length: number | null, lastWrite: string): PSObject {
  const isDir = length === null;
  return new PSObject({
    typeNames: [isDir ? 'Deserialized.System.IO.DirectoryInfo' : 'Deserialized.System.IO.FileInfo',
      'Deserialized.System.IO.FileSystemInfo', 'Deserialized.System.MarshalByRefObject', 'Deserialized.System.Object'],
    toStringText: `${dir}\\${name}`,
    adapted: [
      ['Name', name], ...(isDir ? [] : [['Length', ps.i64(length)] as [string, PSValue]]),
      ['FullName', `${dir}\\${name}`], ['LastWriteTime', dateTime(lastWrite)],
      ['Attributes', enumValue('System.IO.FileAttributes', isDir ? 'Directory' : 'Archive', isDir ? 16 : 32)],
    ],
    extended: [
      ['PSPath', `Microsoft.PowerShell.Core\\FileSystem::${dir}\\${name}`],
      ['PSParentPath', `Microsoft.PowerShell.Core\\FileSystem::${dir}`],
      ['PSChildName', name], ['PSIsContainer', isDir], ['Mode', isDir ? 'd----' : '-a---'],
    ],
  });
}

/** The recorded ErrorRecords: ironposh's (pwsh 7.4, `ed`), pypsrp's Write-Error and CommandNotFound (5.1). */
export function recordedErrors(fixtures: string): { ironposh: PSObject; writeError: PSObject; commandNotFound: PSObject; providerNotFound: PSObject } {
  const asObject = (v: PSValue | undefined): PSObject => {
    if (!(v instanceof PSObject)) throw new Error('not an object');
    return v;
  };
  const ironposh = asObject(deserialize(readFileSync(path.join(fixtures, 'ironposh/crates/ironposh-psrp/src/tests/resource/error_record.xml'), 'utf8')));
  const responses = path.join(fixtures, 'pypsrp/tests/tests_pypsrp/responses');
  const first = (file: string, type: number): PSValue => {
    const p = pypsrpPayloads(path.join(responses, file)).find((x) => x.messageType === type);
    if (!p) throw new Error(`no message ${type.toString(16)} in ${file}`);
    return deserialize(p.xml);
  };
  const writeError = asObject(first('test_psrp_merge_commands.yml', 0x41005));
  const state = asObject(first('test_client_execute_ps_failure.yml', 0x41006));
  const commandNotFound = asObject(state.get('ExceptionAsErrorRecord'));
  const providerNotFound = asObject(first('test_psrp_with_jea_configuration.yml', 0x41005));
  return { ironposh, writeError, commandNotFound, providerNotFound };
}

/** A terminal that records what is written. */
export function captureTerminal(init: Partial<Omit<RenderTerminal, 'write'>> = {}): RenderTerminal & { writes: string[]; text(): string } {
  const writes: string[] = [];
  return {
    isTTY: false, columns: 120, color: false, ...init,
    writes,
    write: (t: string) => void writes.push(t),
    text: () => writes.join(''),
  };
}
