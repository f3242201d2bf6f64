/** Get-ChildItem, Get-Item, Test-Path, Remove-Item, Get-Content, Set-Content, Add-Content (FileSystem provider only). */
import { promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import { PSObject, ps, type PSValue } from '../../../psrp/clixml/index.js';
import { hasWildcard, wildcardRegExp } from '../operators.js';
import { enumerate, localDateTime, toStr } from '../values.js';
import { NO_INPUT, type CommandContext, type CommandDef } from './types.js';

/** A FileInfo / DirectoryInfo object with the properties PowerShell's default view shows. */
export function fileItem(full: string, st: Stats): PSObject {
  const dir = st.isDirectory();
  const name = path.basename(full) || full;
  const mode = `${dir ? 'd' : '-'}${st.isSymbolicLink() ? 'l' : '-'}---`;
  const unixMode = `${dir ? 'd' : '-'}${[6, 3, 0].map((s) => { const b = (st.mode >> s) & 7; return `${b & 4 ? 'r' : '-'}${b & 2 ? 'w' : '-'}${b & 1 ? 'x' : '-'}`; }).join('')}`;
  const adapted: [string, PSValue][] = [
    ['Name', name], ['FullName', full], ['Exists', true], ['Extension', dir ? '' : path.extname(name)],
    ['CreationTime', localDateTime(st.birthtime)], ['LastWriteTime', localDateTime(st.mtime)], ['LastAccessTime', localDateTime(st.atime)],
    ['Attributes', dir ? 'Directory' : 'Normal'], ['UnixFileMode', unixMode],
  ];
  if (dir) adapted.push(['Parent', path.dirname(full)], ['Root', path.parse(full).root]);
  else adapted.push(['Length', ps.i64(st.size)], ['DirectoryName', path.dirname(full)], ['IsReadOnly', (st.mode & 0o200) === 0]);
  return new PSObject({
    typeNames: dir ? ['System.IO.DirectoryInfo', 'System.IO.FileSystemInfo', 'System.MarshalByRefObject', 'System.Object']
      : ['System.IO.FileInfo', 'System.IO.FileSystemInfo', 'System.MarshalByRefObject', 'System.Object'],
    toStringText: full,
    adapted,
    extended: [
      ['PSPath', `Microsoft.PowerShell.Core\\FileSystem::${full}`], ['PSParentPath', `Microsoft.PowerShell.Core\\FileSystem::${path.dirname(full)}`],
      ['PSChildName', name], ['PSIsContainer', dir], ['Mode', mode], ['BaseName', dir ? name : path.basename(name, path.extname(name))],
    ],
  });
}

function notFound(ctx: CommandContext, p: string, command: string): Promise<void> {
  return ctx.writeError({
    message: `Cannot find path '${p}' because it does not exist.`, errorId: `PathNotFound,Microsoft.PowerShell.Commands.${command}`,
    category: 'ObjectNotFound', exceptionType: 'System.Management.Automation.ItemNotFoundException', targetObject: p,
  });
}

/** The paths a -Path argument names (wildcards expanded in the last segment). */
async function expand(ctx: CommandContext, p: string): Promise<string[]> {
  const full = ctx.resolvePath(p);
  if (!hasWildcard(path.basename(full))) return [full];
  const dir = path.dirname(full);
  const re = wildcardRegExp(path.basename(full));
  try {
    return (await fs.readdir(dir)).filter((n) => re.test(n)).sort().map((n) => path.join(dir, n));
  } catch {
    return [];
  }
}

function pathsOf(ctx: CommandContext, input: PSValue | typeof NO_INPUT): string[] {
  if (input !== NO_INPUT) return enumerate(input).map((x) => toStr(x instanceof PSObject ? (x.adapted.get('FullName') ?? x) : x));
  return ctx.strs('LiteralPath') ?? ctx.strs('Path') ?? ['.'];
}

const PATH_PARAMS = [{ name: 'Path', type: 'string[]' as const, position: 0, pipeline: true }, { name: 'LiteralPath', type: 'string[]' as const, aliases: ['PSPath', 'LP'] }];

async function walk(ctx: CommandContext, dir: string, recurse: boolean, visit: (full: string, st: Stats) => Promise<void>): Promise<void> {
  const names = (await fs.readdir(dir)).sort((a, b) => a.localeCompare(b, 'en', { sensitivity: 'base' }));
  const entries: { full: string; st: Stats }[] = [];
  for (const n of names) {
    const full = path.join(dir, n);
    try { entries.push({ full, st: await fs.lstat(full) }); } catch { /* vanished */ }
  }
  // PowerShell lists directories first, then files.
  entries.sort((a, b) => Number(b.st.isDirectory()) - Number(a.st.isDirectory()));
  // A directory's own entries come before those of its subdirectories, as in PowerShell.
  for (const e of entries) {
    ctx.signal.throwIfAborted?.();
    await visit(e.full, e.st);
  }
  if (recurse) for (const e of entries) if (e.st.isDirectory()) await walk(ctx, e.full, true, visit);
}

export const FILESYSTEM_COMMANDS: CommandDef[] = [
  {
    name: 'Get-ChildItem',
    params: [...PATH_PARAMS, { name: 'Filter', type: 'string', position: 1 }, { name: 'Recurse', type: 'switch', aliases: ['s'] },
      { name: 'File', type: 'switch' }, { name: 'Directory', type: 'switch', aliases: ['ad'] }, { name: 'Force', type: 'switch' },
      { name: 'Name', type: 'switch' }, { name: 'Include', type: 'string[]' }, { name: 'Exclude', type: 'string[]' }, { name: 'Depth', type: 'int' }],
    create: (ctx) => ({
      process: async (input) => {
        const filter = ctx.str('Filter');
        const re = filter ? wildcardRegExp(filter) : null;
        for (const p of pathsOf(ctx, input === NO_INPUT ? NO_INPUT : ctx.inputOf(input))) {
          const targets = await expand(ctx, p);
          if (targets.length === 0) { await notFound(ctx, ctx.resolvePath(p), 'GetChildItemCommand'); continue; }
          for (const t of targets) {
            let st: Stats;
            try { st = await fs.stat(t); } catch { await notFound(ctx, t, 'GetChildItemCommand'); continue; }
            const visit = async (full: string, s: Stats): Promise<void> => {
              const name = path.basename(full);
              if (!ctx.switch('Force') && name.startsWith('.')) return;
              if (re && !re.test(name)) return;
              if (ctx.switch('File') && s.isDirectory()) return;
              if (ctx.switch('Directory') && !s.isDirectory()) return;
              await ctx.emit(ctx.switch('Name') ? path.relative(t, full) : fileItem(full, s));
            };
            if (st.isDirectory()) await walk(ctx, t, ctx.switch('Recurse'), visit);
            else await visit(t, st);
          }
        }
      },
    }),
  },
  {
    name: 'Get-Item',
    params: [...PATH_PARAMS, { name: 'Force', type: 'switch' }],
    create: (ctx) => ({
      process: async (input) => {
        for (const p of pathsOf(ctx, input === NO_INPUT ? NO_INPUT : ctx.inputOf(input))) {
          const targets = await expand(ctx, p);
          if (targets.length === 0) await notFound(ctx, ctx.resolvePath(p), 'GetItemCommand');
          for (const t of targets) {
            try { await ctx.emit(fileItem(t, await fs.stat(t))); } catch { await notFound(ctx, t, 'GetItemCommand'); }
          }
        }
      },
    }),
  },
  {
    name: 'Test-Path',
    params: [...PATH_PARAMS, { name: 'PathType', type: 'string' }, { name: 'IsValid', type: 'switch' }],
    create: (ctx) => ({
      process: async (input) => {
        for (const p of pathsOf(ctx, input === NO_INPUT ? NO_INPUT : ctx.inputOf(input))) {
          const targets = await expand(ctx, p);
          let ok = targets.length > 0;
          for (const t of targets) {
            try {
              const st = await fs.stat(t);
              const want = (ctx.str('PathType') ?? 'Any').toLowerCase();
              if (want === 'leaf' && st.isDirectory()) ok = false;
              if (want === 'container' && !st.isDirectory()) ok = false;
            } catch { ok = false; }
          }
          await ctx.emit(ok);
        }
      },
    }),
  },
  {
    name: 'Remove-Item',
    params: [...PATH_PARAMS, { name: 'Recurse', type: 'switch' }, { name: 'Force', type: 'switch' }],
    create: (ctx) => ({
      process: async (input) => {
        for (const p of pathsOf(ctx, input === NO_INPUT ? NO_INPUT : ctx.inputOf(input))) {
          const targets = await expand(ctx, p);
          if (targets.length === 0) await notFound(ctx, ctx.resolvePath(p), 'RemoveItemCommand');
          for (const t of targets) {
            const st = await fs.lstat(t).catch(() => null);
            if (!st) { await notFound(ctx, t, 'RemoveItemCommand'); continue; }
            if (st.isDirectory() && !ctx.switch('Recurse') && (await fs.readdir(t)).length > 0) {
              await ctx.writeError({
                message: `The item at ${t} has children and the Recurse parameter was not specified. If you continue, all children will be removed with the item. Are you sure you want to continue?`,
                errorId: 'DirectoryNotEmpty,Microsoft.PowerShell.Commands.RemoveItemCommand', category: 'WriteError', exceptionType: 'System.IO.IOException', targetObject: t,
              });
              continue;
            }
            await fs.rm(t, { recursive: true, force: true });
          }
        }
      },
    }),
  },
  {
    name: 'Get-Content',
    params: [...PATH_PARAMS, { name: 'Raw', type: 'switch' }, { name: 'TotalCount', type: 'int', aliases: ['First', 'Head'] },
      { name: 'Tail', type: 'int', aliases: ['Last'] }, { name: 'Encoding', type: 'string' }],
    create: (ctx) => ({
      process: async (input) => {
        for (const p of pathsOf(ctx, input === NO_INPUT ? NO_INPUT : ctx.inputOf(input))) {
          const targets = await expand(ctx, p);
          if (targets.length === 0) { await notFound(ctx, ctx.resolvePath(p), 'GetContentCommand'); continue; }
          for (const t of targets) {
            let text: string;
            try { text = (await fs.readFile(t, 'utf8')).replace(/^\uFEFF/, ''); } catch { await notFound(ctx, t, 'GetContentCommand'); continue; }
            if (ctx.switch('Raw')) { await ctx.emit(text); continue; }
            let lines = text.split(/\r?\n/);
            if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
            if (ctx.has('TotalCount')) lines = lines.slice(0, Math.max(0, Number(ctx.get('TotalCount'))));
            if (ctx.has('Tail')) lines = lines.slice(Math.max(0, lines.length - Number(ctx.get('Tail'))));
            for (const l of lines) await ctx.emit(l);
          }
        }
      },
    }),
  },
  ...(['Set-Content', 'Add-Content'] as const).map((name): CommandDef => ({
    name,
    params: [...PATH_PARAMS.map((p) => ({ ...p, pipeline: false })), { name: 'Value', type: 'any', position: 1, pipeline: true },
      { name: 'NoNewline', type: 'switch' }, { name: 'Encoding', type: 'string' }, { name: 'PassThru', type: 'switch' }],
    create: (ctx) => {
      const lines: string[] = [];
      return {
        process: (input) => {
          const v = ctx.inputOf(input, 'Value');
          if (v !== NO_INPUT) for (const x of enumerate(v)) lines.push(toStr(x));
        },
        end: async () => {
          const text = ctx.switch('NoNewline') ? lines.join('') : lines.map((l) => `${l}\n`).join('');
          for (const p of ctx.strs('LiteralPath') ?? ctx.strs('Path') ?? []) {
            const full = ctx.resolvePath(p);
            try {
              if (name === 'Set-Content') await fs.writeFile(full, text, 'utf8');
              else await fs.appendFile(full, text, 'utf8');
            } catch (err) {
              await ctx.writeError({
                message: `Could not find a part of the path '${full}'.`, errorId: `GetContentWriterDirectoryNotFoundError,Microsoft.PowerShell.Commands.${name.replace('-', '')}Command`,
                category: 'ObjectNotFound', exceptionType: 'System.IO.IOException', targetObject: full, reason: String((err as Error).message),
              });
            }
            if (ctx.switch('PassThru')) for (const l of lines) await ctx.emit(l);
          }
        },
      };
    },
  })),
];
