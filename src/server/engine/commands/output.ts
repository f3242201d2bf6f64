/** Write-Output, Write-Error, Write-Warning/Verbose/Debug/Information, Write-Host, Write-Progress, Out-Null. */
import { PSObject } from '../../../psrp/clixml/index.js';
import { hostInformationMessage } from '../records.js';
import { enumerate, toStr } from '../values.js';
import { NO_INPUT, type CommandDef } from './types.js';

const message = (name: string): CommandDef => ({
  name,
  params: [{ name: 'Message', type: 'string', position: 0, pipeline: true, aliases: ['Msg'] }],
  create: (ctx) => ({
    process: (input) => {
      const v = ctx.inputOf(input, 'Message');
      const text = v === NO_INPUT ? '' : toStr(v);
      if (name === 'Write-Warning') ctx.warning(text);
      else if (name === 'Write-Verbose') ctx.verbose(text);
      else ctx.debug(text);
    },
  }),
});

export const OUTPUT_COMMANDS: CommandDef[] = [
  {
    name: 'Write-Output',
    params: [{ name: 'InputObject', type: 'any', position: 0, pipeline: true }, { name: 'NoEnumerate', type: 'switch' }],
    create: (ctx) => ({
      process: async (input) => {
        const v = ctx.inputOf(input, 'InputObject');
        if (v === NO_INPUT) return;
        if (input !== NO_INPUT || ctx.switch('NoEnumerate')) await ctx.emit(v);
        else for (const x of enumerate(v)) await ctx.emit(x);
      },
    }),
  },
  {
    name: 'Write-Error',
    params: [
      { name: 'Message', type: 'string', position: 0, pipeline: true, aliases: ['Msg'] },
      { name: 'Category', type: 'string' }, { name: 'ErrorId', type: 'string' }, { name: 'TargetObject', type: 'any' },
      { name: 'ErrorRecord', type: 'any' }, { name: 'Exception', type: 'any' }, { name: 'CategoryActivity', type: 'string' },
      { name: 'CategoryReason', type: 'string' }, { name: 'CategoryTargetName', type: 'string' }, { name: 'RecommendedAction', type: 'string' },
    ],
    create: (ctx) => ({
      process: async (input) => {
        const rec = ctx.get('ErrorRecord');
        if (rec instanceof PSObject) {
          await ctx.writeError(rec);
          return;
        }
        const v = ctx.inputOf(input, 'Message');
        const text = v === NO_INPUT ? toStr(ctx.get('Exception') ?? null) : toStr(v);
        // As recorded from Windows (pypsrp test_psrp_error_failed): WriteErrorException, FQID
        // Microsoft.PowerShell.Commands.WriteErrorException, activity Write-Error.
        const spec = {
          message: text, exceptionType: 'Microsoft.PowerShell.Commands.WriteErrorException',
          errorId: ctx.str('ErrorId') ?? 'Microsoft.PowerShell.Commands.WriteErrorException',
          category: ctx.str('Category') ?? 'NotSpecified', targetObject: ctx.get('TargetObject') ?? null,
          activity: ctx.str('CategoryActivity') ?? 'Write-Error',
        };
        await ctx.writeError(ctx.has('CategoryReason') ? { ...spec, reason: ctx.str('CategoryReason') } : spec);
      },
    }),
  },
  message('Write-Warning'),
  message('Write-Verbose'),
  message('Write-Debug'),
  {
    name: 'Write-Information',
    params: [{ name: 'MessageData', type: 'any', position: 0, pipeline: true, aliases: ['Msg', 'Message'] }, { name: 'Tags', type: 'string[]', position: 1 }],
    create: (ctx) => ({
      process: (input) => {
        const v = ctx.inputOf(input, 'MessageData');
        ctx.information(v === NO_INPUT ? null : v, ctx.strs('Tags') ?? []);
      },
    }),
  },
  {
    name: 'Write-Host',
    params: [
      { name: 'Object', type: 'any', position: 0, pipeline: true, aliases: ['Msg', 'Message'] }, { name: 'NoNewline', type: 'switch' },
      { name: 'Separator', type: 'any' }, { name: 'ForegroundColor', type: 'string' }, { name: 'BackgroundColor', type: 'string' },
    ],
    create: (ctx) => ({
      process: (input) => {
        const v = ctx.inputOf(input, 'Object');
        const sep = ctx.has('Separator') ? toStr(ctx.get('Separator') ?? null) : ' ';
        const text = v === NO_INPUT ? '' : enumerate(v).map((x) => toStr(x)).join(sep);
        const data = hostInformationMessage(text, ctx.switch('NoNewline'), ctx.str('ForegroundColor') ?? null, ctx.str('BackgroundColor') ?? null);
        ctx.information(data, ['PSHOST'], 'Write-Host');
      },
    }),
  },
  {
    name: 'Write-Progress',
    params: [
      { name: 'Activity', type: 'string', position: 0 }, { name: 'Status', type: 'string', position: 1 }, { name: 'Id', type: 'int', position: 2 },
      { name: 'PercentComplete', type: 'int' }, { name: 'SecondsRemaining', type: 'int' }, { name: 'CurrentOperation', type: 'string' },
      { name: 'ParentId', type: 'int' }, { name: 'Completed', type: 'switch' },
    ],
    create: (ctx) => ({
      process: () => {
        ctx.progress({
          activity: ctx.str('Activity') ?? '', activityId: Number(ctx.get('Id') ?? 0), statusDescription: ctx.str('Status') ?? 'Processing',
          currentOperation: ctx.str('CurrentOperation') ?? null, parentActivityId: Number(ctx.get('ParentId') ?? -1),
          percentComplete: Number(ctx.get('PercentComplete') ?? -1), recordType: ctx.switch('Completed') ? 1 : 0,
          secondsRemaining: Number(ctx.get('SecondsRemaining') ?? -1),
        });
      },
    }),
  },
  { name: 'Out-Null', params: [{ name: 'InputObject', type: 'any', pipeline: true }], create: () => ({ process: () => undefined }) },
];
