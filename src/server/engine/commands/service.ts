/**
 * Get-Service over systemd units (`systemctl list-units --type=service --all`); where there is no
 * systemctl the result is empty, without an error. Objects are typed
 * System.ServiceProcess.ServiceController with a ServiceControllerStatus enum.
 */
import { execFile } from 'node:child_process';
import { PSObject, type PSValue } from '../../../psrp/clixml/index.js';
import { wildcardRegExp } from '../operators.js';
import type { CommandDef } from './types.js';

const STATUS: Record<string, number> = { Stopped: 1, StartPending: 2, StopPending: 3, Running: 4 };
const START: Record<string, number> = { Automatic: 2, Manual: 3, Disabled: 4 };

function run(args: string[]): Promise<string | null> {
  return new Promise((resolve) => {
    execFile('systemctl', args, { maxBuffer: 16 * 1024 * 1024, timeout: 10_000 }, (err, stdout) => resolve(err && !stdout ? null : stdout));
  });
}

function enumValue(type: string, name: string, value: number): PSObject {
  return new PSObject({ typeNames: [type, 'System.Enum', 'System.ValueType', 'System.Object'], toStringText: name, value });
}

export const SERVICE_COMMANDS: CommandDef[] = [{
  name: 'Get-Service',
  params: [{ name: 'Name', type: 'string[]', position: 0, aliases: ['ServiceName'] }, { name: 'DisplayName', type: 'string[]' }],
  create: (ctx) => ({
    end: async () => {
      const units = await run(['list-units', '--type=service', '--all', '--no-legend', '--plain', '--no-pager']);
      if (units === null) return;
      const files = await run(['list-unit-files', '--type=service', '--no-legend', '--plain', '--no-pager']) ?? '';
      const startType = new Map<string, string>();
      for (const line of files.split('\n')) {
        const [unit, state] = line.trim().split(/\s+/);
        if (unit && state) startType.set(unit, state === 'enabled' ? 'Automatic' : state === 'disabled' || state === 'masked' ? 'Disabled' : 'Manual');
      }
      const names = (ctx.strs('Name') ?? ['*']).map((n) => wildcardRegExp(n));
      const display = ctx.strs('DisplayName')?.map((n) => wildcardRegExp(n));
      for (const line of units.split('\n')) {
        const m = /^\s*(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s*(.*)$/.exec(line);
        if (!m || !m[1]?.endsWith('.service')) continue;
        const unit = m[1];
        const name = unit.slice(0, -'.service'.length);
        const desc = m[5] ?? name;
        if (!names.some((r) => r.test(name)) || (display && !display.some((r) => r.test(desc)))) continue;
        const status = m[3] === 'active' && m[4] === 'running' ? 'Running' : m[3] === 'activating' ? 'StartPending' : m[3] === 'deactivating' ? 'StopPending' : 'Stopped';
        const start = startType.get(unit) ?? 'Manual';
        const props: [string, PSValue][] = [
          ['Name', name], ['DisplayName', desc], ['ServiceName', name], ['Status', enumValue('System.ServiceProcess.ServiceControllerStatus', status, STATUS[status] ?? 1)],
          ['StartType', enumValue('System.ServiceProcess.ServiceStartMode', start, START[start] ?? 3)], ['CanStop', status === 'Running'], ['MachineName', '.'],
        ];
        await ctx.emit(new PSObject({
          typeNames: ['System.ServiceProcess.ServiceController', 'System.ComponentModel.Component', 'System.MarshalByRefObject', 'System.Object'],
          toStringText: 'System.ServiceProcess.ServiceController', adapted: props,
        }));
      }
    },
  }),
}];
