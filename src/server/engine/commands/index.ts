/**
 * The built-in command table, its aliases, and the commands that describe the engine itself:
 * Get-Command, TabExpansion2, Out-String, ConvertTo-Json.
 */
import { PSObject, type PSValue } from '../../../psrp/clixml/index.js';
import { complete, completionObject } from '../complete.js';
import { formatLines } from '../format.js';
import { toJson } from '../json.js';
import { wildcardRegExp } from '../operators.js';
import { makeArray, toStr } from '../values.js';
import { FILESYSTEM_COMMANDS } from './filesystem.js';
import { FILE_TRANSFER_COMMANDS } from './file-transfer.js';
import { HOST_IO_COMMANDS } from './host-io.js';
import { OBJECT_COMMANDS } from './objects.js';
import { OUTPUT_COMMANDS } from './output.js';
import { PROCESS_COMMANDS } from './process.js';
import { SERVICE_COMMANDS } from './service.js';
import { NO_INPUT, type CommandDef, type ParamSpec } from './types.js';
import { UTILITY_COMMANDS } from './utility.js';

/** Aliases of pwsh 7 (on Linux pwsh drops ls/cat/ps/sleep…; we keep them, as Windows has them). */
export const ALIASES: ReadonlyMap<string, string> = new Map(Object.entries({
  ls: 'Get-ChildItem', dir: 'Get-ChildItem', gci: 'Get-ChildItem', cat: 'Get-Content', gc: 'Get-Content', type: 'Get-Content',
  cd: 'Set-Location', sl: 'Set-Location', chdir: 'Set-Location', pwd: 'Get-Location', gl: 'Get-Location', echo: 'Write-Output', write: 'Write-Output',
  gps: 'Get-Process', ps: 'Get-Process', sleep: 'Start-Sleep', select: 'Select-Object', sort: 'Sort-Object', measure: 'Measure-Object',
  rm: 'Remove-Item', del: 'Remove-Item', erase: 'Remove-Item', rd: 'Remove-Item', rmdir: 'Remove-Item', ri: 'Remove-Item',
  '%': 'ForEach-Object', foreach: 'ForEach-Object', '?': 'Where-Object', where: 'Where-Object', gi: 'Get-Item', gv: 'Get-Variable',
  gsv: 'Get-Service', gcm: 'Get-Command', sc: 'Set-Content', ac: 'Add-Content',
}).map(([k, v]) => [k, v]));

function syntax(def: CommandDef): string {
  const parts = def.params.map((p) => {
    const type = p.type === 'switch' ? '' : ` <${p.type === 'any' ? 'Object' : p.type === 'any[]' ? 'Object[]' : p.type === 'scriptblock' ? 'scriptblock' : p.type}>`;
    const name = p.position !== undefined ? `[-${p.name}]` : `-${p.name}`;
    return p.type === 'switch' ? `[-${p.name}]` : `[${name}${type}]`;
  });
  return `${def.name} ${[...parts, '[<CommonParameters>]'].join(' ')}`;
}

function commandInfo(kind: 'Cmdlet' | 'Alias' | 'Function', name: string, definition: string, params: ParamSpec[]): PSObject {
  const typeName = kind === 'Cmdlet' ? 'System.Management.Automation.CmdletInfo' : kind === 'Alias' ? 'System.Management.Automation.AliasInfo' : 'System.Management.Automation.FunctionInfo';
  const commandType = new PSObject({ typeNames: ['System.Management.Automation.CommandTypes', 'System.Enum', 'System.ValueType', 'System.Object'], toStringText: kind, value: kind === 'Alias' ? 1 : kind === 'Function' ? 2 : 8 });
  return new PSObject({
    typeNames: [typeName, 'System.Management.Automation.CommandInfo', 'System.Object'], toStringText: name,
    adapted: [
      ['Name', name], ['CommandType', commandType], ['Definition', definition], ['Source', kind === 'Cmdlet' ? 'tsremote' : ''],
      ['Version', null], ['Visibility', 'Public'], ['ModuleName', kind === 'Cmdlet' ? 'tsremote' : ''],
      ['Parameters', makeArray(params.map((p) => p.name))],
    ],
  });
}

const META_COMMANDS: CommandDef[] = [
  {
    name: 'Get-Command',
    params: [{ name: 'Name', type: 'string[]', position: 0 }, { name: 'CommandType', type: 'string[]', aliases: ['Type'] }, { name: 'Syntax', type: 'switch' }],
    create: (ctx) => ({
      end: async () => {
        const types = (ctx.strs('CommandType') ?? ['Alias', 'Function', 'Cmdlet']).map((t) => t.toLowerCase());
        const all: PSObject[] = [];
        if (types.includes('cmdlet') || types.includes('all')) for (const d of BUILTINS.values()) all.push(commandInfo('Cmdlet', d.name, syntax(d), d.params));
        if (types.includes('alias') || types.includes('all')) for (const [a, t] of ALIASES) all.push(commandInfo('Alias', a, t, []));
        if (types.includes('function') || types.includes('all')) for (const f of ctx.session.functions.values()) all.push(commandInfo('Function', f.name, f.body.text, []));
        all.sort((a, b) => toStr(a.adapted.get('Name') ?? null).localeCompare(toStr(b.adapted.get('Name') ?? null), 'en', { sensitivity: 'base' }));
        for (const name of ctx.strs('Name') ?? ['*']) {
          const re = wildcardRegExp(name);
          const hits = all.filter((c) => re.test(toStr(c.adapted.get('Name') ?? null)));
          if (hits.length === 0 && !/[*?[]/.test(name)) {
            await ctx.writeError({
              message: `The term '${name}' is not recognized as a name of a cmdlet, function, script file, or executable program.\nCheck the spelling of the name, or if a path was included, verify that the path is correct and try again.`,
              errorId: 'CommandNotFoundException,Microsoft.PowerShell.Commands.GetCommandCommand', category: 'ObjectNotFound',
              exceptionType: 'System.Management.Automation.CommandNotFoundException', targetObject: name,
            });
          }
          for (const c of hits) await ctx.emit(ctx.switch('Syntax') ? toStr(c.adapted.get('Definition') ?? null) : c);
        }
      },
    }),
  },
  {
    name: 'TabExpansion2',
    params: [{ name: 'inputScript', type: 'string', position: 0 }, { name: 'cursorColumn', type: 'int', position: 1 }, { name: 'options', type: 'any', position: 2 }],
    create: (ctx) => ({
      end: async () => {
        const script = ctx.str('inputScript') ?? '';
        const cursor = ctx.has('cursorColumn') ? Number(ctx.get('cursorColumn')) : script.length;
        await ctx.emit(completionObject(complete(script, cursor, ctx.session)));
      },
    }),
  },
  {
    name: 'Out-String',
    params: [{ name: 'InputObject', type: 'any', pipeline: true }, { name: 'Stream', type: 'switch' }, { name: 'Width', type: 'int' }],
    create: (ctx) => {
      const items: PSValue[] = [];
      return {
        process: (input) => {
          const v = ctx.inputOf(input);
          if (v !== NO_INPUT) items.push(v);
        },
        end: async () => {
          const lines = formatLines(items);
          if (ctx.switch('Stream')) for (const l of lines) await ctx.emit(l);
          else await ctx.emit(lines.map((l) => `${l}\n`).join(''));
        },
      };
    },
  },
  {
    name: 'ConvertTo-Json',
    params: [{ name: 'InputObject', type: 'any', position: 0, pipeline: true }, { name: 'Depth', type: 'int' }, { name: 'Compress', type: 'switch' },
      { name: 'EnumsAsStrings', type: 'switch' }, { name: 'AsArray', type: 'switch' }, { name: 'EscapeHandling', type: 'string' }],
    create: (ctx) => {
      const items: PSValue[] = [];
      let fromPipeline = false;
      return {
        process: (input) => {
          if (input !== NO_INPUT) fromPipeline = true;
          const v = ctx.inputOf(input);
          if (v !== NO_INPUT) items.push(v);
        },
        end: async () => {
          if (items.length === 0) return;
          const depth = ctx.has('Depth') ? Number(ctx.get('Depth')) : 2;
          const value = items.length === 1 && !ctx.switch('AsArray') ? (items[0] ?? null) : makeArray(fromPipeline || items.length > 1 ? items : items);
          await ctx.emit(toJson(value, depth, ctx.switch('Compress')));
        },
      };
    },
  },
];

/** Every built-in command by lower-case name. */
export const BUILTINS: ReadonlyMap<string, CommandDef> = new Map(
  [...OUTPUT_COMMANDS, ...HOST_IO_COMMANDS, ...UTILITY_COMMANDS, ...OBJECT_COMMANDS, ...FILESYSTEM_COMMANDS, ...FILE_TRANSFER_COMMANDS, ...PROCESS_COMMANDS, ...SERVICE_COMMANDS, ...META_COMMANDS]
    .map((d) => [d.name.toLowerCase(), d]),
);

export { syntax };
