/** Start-Sleep, Get-Date, Get-Variable, Get-Location, Set-Location. */
import { statSync } from 'node:fs';
import { formatDate } from '../format-string.js';
import { pathInfo } from '../evaluator.js';
import { wildcardRegExp } from '../operators.js';
import { PipelineStoppedError } from '../runtime-error.js';
import { convertTo } from '../types.js';
import { localDateTime, makeCustomObject, toStr } from '../values.js';
import { kindOf, type PSValue } from '../../../psrp/clixml/index.js';
import type { CommandDef } from './types.js';

/** Resolves after `ms`, or rejects with PipelineStoppedError as soon as the signal aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new PipelineStoppedError());
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new PipelineStoppedError());
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export const UTILITY_COMMANDS: CommandDef[] = [
  {
    name: 'Start-Sleep',
    params: [{ name: 'Seconds', type: 'double', position: 0, aliases: ['s'] }, { name: 'Milliseconds', type: 'int', aliases: ['ms'] }, { name: 'Duration', type: 'any' }],
    create: (ctx) => ({
      end: () => sleep(ctx.has('Milliseconds') ? Number(ctx.get('Milliseconds')) : Number(ctx.get('Seconds') ?? 0) * 1000, ctx.signal),
    }),
  },
  {
    name: 'Get-Date',
    params: [
      { name: 'Date', type: 'any', position: 0, pipeline: true }, { name: 'Format', type: 'string' }, { name: 'UFormat', type: 'string' },
      { name: 'AsUTC', type: 'switch' }, { name: 'Year', type: 'int' }, { name: 'Month', type: 'int' }, { name: 'Day', type: 'int' },
      { name: 'Hour', type: 'int' }, { name: 'Minute', type: 'int' }, { name: 'Second', type: 'int' },
    ],
    create: (ctx) => ({
      end: async () => {
        const given = ctx.get('Date');
        const base = given === undefined ? localDateTime(new Date()) : convertTo('datetime', given);
        const d = new Date(kindOf(base) === 'DT' && typeof base === 'object' && base && 'date' in base ? base.date : new Date());
        const set: [string, (n: number) => void][] = [
          ['Year', (n) => d.setFullYear(n)], ['Month', (n) => d.setMonth(n - 1)], ['Day', (n) => d.setDate(n)],
          ['Hour', (n) => d.setHours(n)], ['Minute', (n) => d.setMinutes(n)], ['Second', (n) => d.setSeconds(n)],
        ];
        for (const [k, f] of set) if (ctx.has(k)) f(Number(ctx.get(k)));
        const shown = ctx.switch('AsUTC') ? new Date(d.getTime() + d.getTimezoneOffset() * 60000) : d;
        const fmt = ctx.str('Format');
        if (fmt !== undefined) return ctx.emit(formatDate(shown, fmt));
        if (ctx.has('UFormat')) return ctx.emit(uformat(shown, ctx.str('UFormat') ?? ''));
        const v = localDateTime(d);
        return ctx.emit(ctx.switch('AsUTC') ? { kind: 'DT', value: d.toISOString(), date: d } : v);
      },
    }),
  },
  {
    name: 'Get-Variable',
    params: [{ name: 'Name', type: 'string[]', position: 0 }, { name: 'ValueOnly', type: 'switch' }, { name: 'Scope', type: 'string' }],
    create: (ctx) => ({
      end: async () => {
        const names = ctx.strs('Name') ?? ['*'];
        const all = ctx.scope.all();
        for (const pattern of names) {
          const re = wildcardRegExp(pattern);
          const hits = all.filter((v) => re.test(v.name));
          if (hits.length === 0 && !/[*?[]/.test(pattern)) {
            await ctx.writeError({
              message: `Cannot find a variable with the name '${pattern}'.`, errorId: 'VariableNotFound,Microsoft.PowerShell.Commands.GetVariableCommand',
              category: 'ObjectNotFound', exceptionType: 'System.Management.Automation.ItemNotFoundException', targetObject: pattern,
            });
          }
          for (const v of hits) {
            if (ctx.switch('ValueOnly')) await ctx.emit(v.value);
            else {
              const o = makeCustomObject([]);
              o.typeNames = ['System.Management.Automation.PSVariable', 'System.Object'];
              o.toStringText = `System.Management.Automation.PSVariable`;
              o.adapted.set('Name', v.name);
              o.adapted.set('Value', v.value as PSValue);
              o.adapted.set('Description', '');
              o.adapted.set('Options', 'None');
              await ctx.emit(o);
            }
          }
        }
      },
    }),
  },
  {
    name: 'Get-Location',
    params: [],
    create: (ctx) => ({ end: () => ctx.emit(pathInfo(ctx.session.location)) }),
  },
  {
    name: 'Set-Location',
    params: [{ name: 'Path', type: 'string', position: 0, pipeline: true }, { name: 'LiteralPath', type: 'string' }, { name: 'PassThru', type: 'switch' }],
    create: (ctx) => ({
      end: async () => {
        const target = ctx.resolvePath(ctx.str('LiteralPath') ?? ctx.str('Path') ?? '~');
        let ok = false;
        try { ok = statSync(target).isDirectory(); } catch { ok = false; }
        if (!ok) {
          return ctx.fail({
            message: `Cannot find path '${target}' because it does not exist.`, errorId: 'PathNotFound,Microsoft.PowerShell.Commands.SetLocationCommand',
            category: 'ObjectNotFound', exceptionType: 'System.Management.Automation.ItemNotFoundException', targetObject: target,
          });
        }
        ctx.session.location = target;
        if (ctx.switch('PassThru')) await ctx.emit(pathInfo(target));
      },
    }),
  },
];

/** The few -UFormat specifiers people use (%Y %m %d %H %M %S %s). */
function uformat(d: Date, f: string): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  const map: Record<string, string> = {
    Y: String(d.getFullYear()), m: p(d.getMonth() + 1), d: p(d.getDate()), H: p(d.getHours()), M: p(d.getMinutes()), S: p(d.getSeconds()),
    s: String(Math.floor(d.getTime() / 1000)), y: p(d.getFullYear() % 100), '%': '%',
  };
  return f.replace(/%(.)/g, (m, c: string) => map[c] ?? toStr(m));
}
