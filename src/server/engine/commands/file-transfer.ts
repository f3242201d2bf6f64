/**
 * The commands a file transfer needs beyond reading and listing (filesystem.ts): New-Item and
 * Move-Item to create and place, Get-FileHash to verify, New-Object for read buffers.
 * FileSystem provider only, with PowerShell's messages and error ids.
 */
import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { PSObject, type PSValue } from '../../../psrp/clixml/index.js';
import { newByteArray } from '../dotnet-io.js';
import { enumerate, toStr } from '../values.js';
import { fileItem } from './filesystem.js';
import { NO_INPUT, type CommandContext, type CommandDef } from './types.js';

const HASHES: Record<string, string> = { sha1: 'sha1', sha256: 'sha256', sha384: 'sha384', sha512: 'sha512', md5: 'md5' };

function hashFile(file: string, algorithm: string, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash(algorithm);
    createReadStream(file, { signal })
      .on('data', (chunk) => h.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex').toUpperCase()));
  });
}

function notFound(ctx: CommandContext, p: string, command: string): Promise<void> {
  return ctx.writeError({
    message: `Cannot find path '${p}' because it does not exist.`, errorId: `PathNotFound,Microsoft.PowerShell.Commands.${command}`,
    category: 'ObjectNotFound', exceptionType: 'System.Management.Automation.ItemNotFoundException', targetObject: p,
  });
}

function pathsOf(ctx: CommandContext, input: PSValue | typeof NO_INPUT): string[] {
  if (input !== NO_INPUT) return enumerate(input).map((x) => toStr(x instanceof PSObject ? (x.adapted.get('FullName') ?? x) : x));
  return ctx.strs('LiteralPath') ?? ctx.strs('Path') ?? [];
}

/**
 * A PowerShell provider drive other than a one-letter filesystem drive (`env:`, `variable:`,
 * `HKLM:`, `Cert:`): on Linux such a path is never a file, so it must not become one in the cwd.
 */
function providerDrive(p: string): string | undefined {
  return /^([A-Za-z][\w]+):/.exec(p)?.[1];
}

/** New-Item on the Environment provider: `New-Item -Path env: -Name X -Value V` or `New-Item env:X`. */
async function newEnvItem(ctx: CommandContext, p: string): Promise<void> {
  const rest = p.slice(p.indexOf(':') + 1).replace(/^[\\/]+/, '');
  const name = ctx.has('Name') ? (ctx.str('Name') ?? '') : rest;
  if (name === '') {
    ctx.fail({ message: 'Cannot create an environment variable without a name.', errorId: 'Argument,Microsoft.PowerShell.Commands.NewItemCommand', category: 'InvalidArgument' });
  }
  if (ctx.session.env.has(name) && !ctx.switch('Force')) {
    await ctx.writeError({ message: `The item at path '${name}' already exists.`, errorId: 'NewItemIOError,Microsoft.PowerShell.Commands.NewItemCommand', category: 'ResourceExists', targetObject: name });
    return;
  }
  const value = ctx.get('Value');
  const text = value === undefined || value === null ? '' : toStr(value);
  ctx.session.env.set(name, text);
  await ctx.emit(new PSObject({
    typeNames: ['System.Collections.DictionaryEntry', 'System.ValueType', 'System.Object'],
    toStringText: 'System.Collections.DictionaryEntry',
    adapted: [['Name', name], ['Key', name], ['Value', text]],
  }));
}

const PATH_PARAMS = [{ name: 'Path', type: 'string[]' as const, position: 0, pipeline: true }, { name: 'LiteralPath', type: 'string[]' as const, aliases: ['PSPath', 'LP'] }];

export const FILE_TRANSFER_COMMANDS: CommandDef[] = [
  {
    name: 'Get-FileHash',
    params: [...PATH_PARAMS, { name: 'Algorithm', type: 'string' }],
    create: (ctx) => ({
      process: async (input) => {
        const name = (ctx.str('Algorithm') ?? 'SHA256').toUpperCase();
        const algorithm = HASHES[name.toLowerCase()] ?? '';
        if (!algorithm) ctx.fail({ message: `Cannot validate argument on parameter 'Algorithm'. The argument "${name}" does not belong to the set "SHA1,SHA256,SHA384,SHA512,MD5".`, errorId: 'ParameterArgumentValidationError,Microsoft.PowerShell.Commands.GetFileHashCommand', category: 'InvalidData' });
        for (const p of pathsOf(ctx, input === NO_INPUT ? NO_INPUT : ctx.inputOf(input))) {
          const full = ctx.resolvePath(p);
          let hash: string;
          try { hash = await hashFile(full, algorithm, ctx.signal); } catch { await notFound(ctx, full, 'GetFileHashCommand'); continue; }
          await ctx.emit(new PSObject({
            typeNames: ['Microsoft.PowerShell.Commands.FileHashInfo', 'System.Object'], toStringText: 'Microsoft.PowerShell.Commands.FileHashInfo',
            adapted: [['Algorithm', name], ['Hash', hash], ['Path', full]],
          }));
        }
      },
    }),
  },
  {
    name: 'New-Item',
    params: [{ name: 'Path', type: 'string[]', position: 0 }, { name: 'Name', type: 'string' }, { name: 'ItemType', type: 'string', aliases: ['Type'] },
      { name: 'Value', type: 'any', pipeline: true }, { name: 'Force', type: 'switch' }],
    create: (ctx) => ({
      process: async () => {
        const type = (ctx.str('ItemType') ?? 'File').toLowerCase();
        for (const p of ctx.strs('Path') ?? ['.']) {
          const drive = providerDrive(p);
          if (drive?.toLowerCase() === 'env') {
            await newEnvItem(ctx, p);
            continue;
          }
          if (drive !== undefined) {
            await ctx.writeError({ message: `Cannot find drive. A drive with the name '${drive}' does not exist.`, errorId: 'DriveNotFound,Microsoft.PowerShell.Commands.NewItemCommand', category: 'ObjectNotFound', exceptionType: 'System.Management.Automation.DriveNotFoundException', targetObject: drive });
            continue;
          }
          const full = ctx.resolvePath(ctx.has('Name') ? path.join(p, ctx.str('Name') ?? '') : p);
          const existing = await fs.stat(full).catch(() => null);
          try {
            if (type === 'directory') {
              if (existing && !ctx.switch('Force')) throw Object.assign(new Error('exists'), { code: 'EEXIST' });
              if (existing && !existing.isDirectory()) throw Object.assign(new Error('file'), { code: 'EEXIST' });
              await fs.mkdir(full, { recursive: ctx.switch('Force') });
            } else if (type === 'file') {
              if (existing && !ctx.switch('Force')) throw Object.assign(new Error('exists'), { code: 'EEXIST' });
              if (ctx.switch('Force')) await fs.mkdir(path.dirname(full), { recursive: true });
              const value = ctx.get('Value');
              await fs.writeFile(full, value === undefined || value === null ? '' : toStr(value), 'utf8');
            } else {
              ctx.fail({ message: `The '${ctx.str('ItemType') ?? ''}' item type is not supported here: use File or Directory.`, errorId: 'Argument,Microsoft.PowerShell.Commands.NewItemCommand', category: 'InvalidArgument' });
            }
          } catch (err) {
            const code = (err as NodeJS.ErrnoException).code;
            await ctx.writeError(code === 'EEXIST'
              ? { message: `An item with the specified name ${full} already exists.`, errorId: 'DirectoryExist,Microsoft.PowerShell.Commands.NewItemCommand', category: 'ResourceExists', exceptionType: 'System.IO.IOException', targetObject: full }
              : { message: `Could not find a part of the path '${full}'.`, errorId: 'NewItemIOError,Microsoft.PowerShell.Commands.NewItemCommand', category: 'WriteError', exceptionType: 'System.IO.IOException', targetObject: full });
            continue;
          }
          await ctx.emit(fileItem(full, await fs.stat(full)));
        }
      },
    }),
  },
  {
    name: 'Move-Item',
    params: [...PATH_PARAMS, { name: 'Destination', type: 'string', position: 1 }, { name: 'Force', type: 'switch' }, { name: 'PassThru', type: 'switch' }],
    create: (ctx) => ({
      process: async (input) => {
        const dest = ctx.resolvePath(ctx.str('Destination') ?? '.');
        for (const p of pathsOf(ctx, input === NO_INPUT ? NO_INPUT : ctx.inputOf(input))) {
          const src = ctx.resolvePath(p);
          if (!(await fs.lstat(src).catch(() => null))) { await notFound(ctx, src, 'MoveItemCommand'); continue; }
          const into = await fs.stat(dest).catch(() => null);
          const target = into?.isDirectory() ? path.join(dest, path.basename(src)) : dest;
          const there = target === dest ? into : await fs.stat(target).catch(() => null);
          if (there && !there.isDirectory() && !ctx.switch('Force')) {
            await ctx.writeError({ message: 'Cannot create a file when that file already exists.', errorId: 'MoveFileInfoItemIOError,Microsoft.PowerShell.Commands.MoveItemCommand', category: 'WriteError', exceptionType: 'System.IO.IOException', targetObject: src });
            continue;
          }
          // rename(2) replaces a file atomically: a reader sees the old file or the new one, never half.
          await fs.rename(src, target);
          if (ctx.switch('PassThru')) await ctx.emit(fileItem(target, await fs.stat(target)));
        }
      },
    }),
  },
  {
    name: 'New-Object',
    params: [{ name: 'TypeName', type: 'string', position: 0 }, { name: 'ArgumentList', type: 'any[]', position: 1, aliases: ['Args'] }],
    create: (ctx) => ({
      end: async () => {
        const type = (ctx.str('TypeName') ?? '').toLowerCase().replace(/^system\./, '');
        const args = enumerate(ctx.get('ArgumentList') ?? null);
        if (type === 'byte[]') { await ctx.emit(newByteArray(args[0] ?? null)); return; }
        ctx.fail({
          message: `Cannot find type [${ctx.str('TypeName') ?? ''}]: verify that the assembly containing this type is loaded.`,
          errorId: 'TypeNotFound,Microsoft.PowerShell.Commands.NewObjectCommand', category: 'InvalidType', exceptionType: 'System.Management.Automation.PSArgumentException',
        });
      },
    }),
  },
];
