/**
 * Get-Process over the real processes of this machine: /proc on Linux, `ps` elsewhere. Objects are
 * typed System.Diagnostics.Process with the adapted properties PowerShell's default table uses
 * (Handles, NPM, PM, WS, CPU, Id, SI, ProcessName) plus Name, Path, StartTime, CommandLine.
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { PSObject, ps, type PSValue } from '../../../psrp/clixml/index.js';
import { wildcardRegExp } from '../operators.js';
import { localDateTime } from '../values.js';
import { NO_INPUT, type CommandDef } from './types.js';

interface ProcInfo { id: number; name: string; session: number; rss: number; vsize: number; privateBytes: number; cpu: number; start: Date | null; handles: number; path: string | null; commandLine: string | null }

const CLOCK_TICKS = 100;
const PAGE = 4096;

async function linuxProcesses(): Promise<ProcInfo[]> {
  const stat = await fs.readFile('/proc/stat', 'utf8').catch(() => '');
  const btime = Number(/^btime (\d+)/m.exec(stat)?.[1] ?? 0);
  const out: ProcInfo[] = [];
  for (const entry of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const dir = `/proc/${entry}`;
    try {
      const s = await fs.readFile(`${dir}/stat`, 'utf8');
      // Fields after the parenthesised comm (which may itself contain spaces and parentheses).
      const close = s.lastIndexOf(')');
      const f = s.slice(close + 2).split(' ');
      const status = await fs.readFile(`${dir}/status`, 'utf8').catch(() => '');
      const name = /^Name:\s*(.*)$/m.exec(status)?.[1] ?? s.slice(s.indexOf('(') + 1, close);
      const kb = (key: string): number => Number(new RegExp(`^${key}:\\s*(\\d+)`, 'm').exec(status)?.[1] ?? 0) * 1024;
      const cmdline = await fs.readFile(`${dir}/cmdline`, 'utf8').catch(() => '');
      const exe = await fs.readlink(`${dir}/exe`).catch(() => null);
      const handles = await fs.readdir(`${dir}/fd`).then((x) => x.length).catch(() => 0);
      out.push({
        id: Number(entry), name, session: Number(f[3] ?? 0), rss: Number(f[21] ?? 0) * PAGE, vsize: Number(f[20] ?? 0),
        privateBytes: kb('RssAnon') || kb('VmData'), cpu: (Number(f[11] ?? 0) + Number(f[12] ?? 0)) / CLOCK_TICKS,
        start: btime ? new Date((btime + Number(f[19] ?? 0) / CLOCK_TICKS) * 1000) : null, handles, path: exe,
        commandLine: cmdline ? cmdline.replace(/\0+$/, '').split('\0').join(' ') : null,
      });
    } catch {
      // The process exited while we read it.
    }
  }
  return out;
}

function psProcesses(): Promise<ProcInfo[]> {
  return new Promise((resolve) => {
    execFile('ps', ['-axo', 'pid=,sess=,rss=,vsz=,time=,comm='], { maxBuffer: 16 * 1024 * 1024 }, (err, stdout) => {
      if (err) return resolve([]);
      resolve(stdout.split('\n').filter(Boolean).map((line) => {
        const m = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/.exec(line);
        const t = (m?.[5] ?? '0:0').split(/[:-]/).map(Number);
        const cpu = t.reduce((a, b) => a * 60 + b, 0);
        const comm = m?.[6] ?? '';
        return {
          id: Number(m?.[1] ?? 0), name: comm.split('/').pop() ?? comm, session: Number(m?.[2] ?? 0), rss: Number(m?.[3] ?? 0) * 1024,
          vsize: Number(m?.[4] ?? 0) * 1024, privateBytes: Number(m?.[3] ?? 0) * 1024, cpu, start: null, handles: 0,
          path: comm.startsWith('/') ? comm : null, commandLine: null,
        };
      }));
    });
  });
}

/** A System.Diagnostics.Process object. */
export function processObject(p: ProcInfo): PSObject {
  const adapted: [string, PSValue][] = [
    ['Id', p.id], ['ProcessName', p.name], ['HandleCount', p.handles], ['SessionId', p.session],
    ['WorkingSet64', ps.i64(p.rss)], ['PrivateMemorySize64', ps.i64(p.privateBytes)], ['VirtualMemorySize64', ps.i64(p.vsize)],
    ['NonpagedSystemMemorySize64', ps.i64(0)], ['PagedMemorySize64', ps.i64(p.privateBytes)],
    ['StartTime', p.start ? localDateTime(p.start) : null], ['TotalProcessorTime', { kind: 'TS', value: `PT${p.cpu}S`, ms: p.cpu * 1000 }],
    ['MachineName', '.'], ['HasExited', false],
  ];
  // The members PowerShell's types.ps1xml adds (Name, Handles, NPM, PM, WS, VM, CPU, SI, Path …).
  const extended: [string, PSValue][] = [
    ['Name', p.name], ['SI', p.session], ['Handles', p.handles], ['VM', ps.i64(p.vsize)], ['WS', ps.i64(p.rss)],
    ['PM', ps.i64(p.privateBytes)], ['NPM', ps.i64(0)], ['Path', p.path], ['CommandLine', p.commandLine], ['CPU', ps.double(p.cpu)],
  ];
  return new PSObject({
    typeNames: ['System.Diagnostics.Process', 'System.ComponentModel.Component', 'System.MarshalByRefObject', 'System.Object'],
    toStringText: `System.Diagnostics.Process (${p.name})`, adapted, extended,
  });
}

export const PROCESS_COMMANDS: CommandDef[] = [{
  name: 'Get-Process',
  params: [{ name: 'Name', type: 'string[]', position: 0, aliases: ['ProcessName'] }, { name: 'Id', type: 'any[]', aliases: ['PID'] }, { name: 'InputObject', type: 'any', pipeline: true }],
  create: (ctx) => ({
    process: async (input) => {
      if (ctx.inputOf(input) !== NO_INPUT && input !== NO_INPUT) return ctx.emit(input);
      const all = (process.platform === 'linux' ? await linuxProcesses() : await psProcesses()).sort((a, b) => a.name.localeCompare(b.name) || a.id - b.id);
      const ids = ctx.has('Id') ? (ctx.strs('Id') ?? []).map(Number) : null;
      if (ids) {
        for (const id of ids) {
          const p = all.find((x) => x.id === id);
          if (p) await ctx.emit(processObject(p));
          else await ctx.writeError({ message: `Cannot find a process with the process identifier ${id}.`, errorId: 'NoProcessFoundForGivenId,Microsoft.PowerShell.Commands.GetProcessCommand', category: 'ObjectNotFound', exceptionType: 'System.ArgumentException', targetObject: id });
        }
        return;
      }
      for (const name of ctx.strs('Name') ?? ['*']) {
        const re = wildcardRegExp(name);
        const hits = all.filter((p) => re.test(p.name));
        if (hits.length === 0 && !/[*?[]/.test(name)) {
          await ctx.writeError({ message: `Cannot find a process with the name "${name}". Verify the process name and call the cmdlet again.`, errorId: 'NoProcessFoundForGivenName,Microsoft.PowerShell.Commands.GetProcessCommand', category: 'ObjectNotFound', exceptionType: 'Microsoft.PowerShell.Commands.ProcessCommandException', targetObject: name });
        }
        for (const p of hits) await ctx.emit(processObject(p));
      }
    },
  }),
}];
