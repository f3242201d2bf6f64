/**
 * Information records (Write-Information, Write-Host) and the HostInformationMessage Write-Host
 * puts in one, as PowerShell 5+ builds them.
 */
import os from 'node:os';
import { PSObject, type PSValue } from '../../psrp/clixml/index.js';
import { informationRecord } from '../../psrp/server/index.js';

/** An InformationRecord from this machine and process. */
export function informationRecordOf(data: PSValue, tags: string[], source: string): PSObject {
  return informationRecord(data, { source, tags, user: os.userInfo().username, computer: os.hostname(), processId: process.pid });
}

/** Write-Host's MessageData (System.Management.Automation.HostInformationMessage). */
export function hostInformationMessage(message: string, noNewLine: boolean, foreground: string | null, background: string | null): PSObject {
  const color = (name: string | null): PSValue => name === null ? null : new PSObject({
    typeNames: ['System.ConsoleColor', 'System.Enum', 'System.ValueType', 'System.Object'], toStringText: name,
    value: CONSOLE_COLORS.indexOf(name.toLowerCase()),
  });
  return new PSObject({
    typeNames: ['System.Management.Automation.HostInformationMessage', 'System.Object'], toStringText: message,
    adapted: [['Message', message], ['NoNewLine', noNewLine], ['ForegroundColor', color(foreground)], ['BackgroundColor', color(background)]],
  });
}

const CONSOLE_COLORS = ['black', 'darkblue', 'darkgreen', 'darkcyan', 'darkred', 'darkmagenta', 'darkyellow', 'gray', 'darkgray', 'blue', 'green', 'cyan', 'red', 'magenta', 'yellow', 'white'];
