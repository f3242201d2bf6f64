/** ForEach-Object, Where-Object, Select-Object, Sort-Object, Measure-Object. */
import { isPSObject, ps, type PSValue } from '../../../psrp/clixml/index.js';
import { applyBinary } from '../binary.js';
import { getMember } from '../members.js';
import { compare, equals, toNum } from '../operators.js';
import { RuntimeFailure } from '../runtime-error.js';
import {
  arrayItems, collapse, dictGet, dictOf, enumerate, makeCustomObject, propertyNames, ScriptBlock, toBool, toStr,
} from '../values.js';
import { NO_INPUT, type CommandContext, type CommandDef } from './types.js';

const WHERE_OPS = ['EQ', 'NE', 'GT', 'GE', 'LT', 'LE', 'Like', 'NotLike', 'Match', 'NotMatch', 'Contains', 'NotContains', 'In', 'NotIn',
  'CEQ', 'CNE', 'CLike', 'CMatch', 'Is', 'IsNot', 'Not'];

/** A property value or a calculated property (`{ $_.x }` or `@{n=; e=}`) of one object. */
async function propertyValue(ctx: CommandContext, item: PSValue, prop: PSValue): Promise<PSValue> {
  if (prop instanceof ScriptBlock) return collapse(await ctx.invokeCollect(prop, item));
  const d = dictOf(prop);
  if (d) {
    const e = dictGet(d, 'Expression') ?? dictGet(d, 'e') ?? null;
    return propertyValue(ctx, item, e);
  }
  return getMember(item, toStr(prop));
}

function calculatedName(prop: PSValue): string {
  const d = dictOf(prop);
  if (d) return toStr(dictGet(d, 'Name') ?? dictGet(d, 'n') ?? dictGet(d, 'Label') ?? dictGet(d, 'l') ?? null);
  if (prop instanceof ScriptBlock) return prop.ast.text.trim();
  return toStr(prop);
}

export const OBJECT_COMMANDS: CommandDef[] = [
  {
    name: 'ForEach-Object',
    params: [
      { name: 'Process', type: 'any', position: 0 }, { name: 'Begin', type: 'scriptblock' }, { name: 'End', type: 'scriptblock' },
      { name: 'MemberName', type: 'string' }, { name: 'InputObject', type: 'any', pipeline: true }, { name: 'ArgumentList', type: 'any[]' },
    ],
    create: (ctx) => {
      const blocks = enumerate(ctx.get('Process') ?? null);
      return {
        begin: async () => {
          const b = ctx.get('Begin');
          if (b instanceof ScriptBlock) await ctx.invoke(b, NO_INPUT, ctx.emit);
        },
        process: async (input) => {
          const item = ctx.inputOf(input, 'InputObject');
          if (item === NO_INPUT) return;
          const member = ctx.str('MemberName') ?? (blocks.length === 1 && typeof blocks[0] === 'string' ? blocks[0] : undefined);
          if (member !== undefined) {
            for (const v of enumerate(getMember(item, member))) await ctx.emit(v);
            return;
          }
          for (const b of blocks) if (b instanceof ScriptBlock) await ctx.invoke(b, item, ctx.emit);
        },
        end: async () => {
          const e = ctx.get('End');
          if (e instanceof ScriptBlock) await ctx.invoke(e, NO_INPUT, ctx.emit);
        },
      };
    },
  },
  {
    name: 'Where-Object',
    params: [
      { name: 'FilterScript', type: 'any', position: 0 }, { name: 'Value', type: 'any', position: 1 }, { name: 'InputObject', type: 'any', pipeline: true },
      ...WHERE_OPS.map((name) => ({ name, type: 'switch' as const })),
    ],
    create: (ctx) => ({
      process: async (input) => {
        const item = ctx.inputOf(input, 'InputObject');
        if (item === NO_INPUT) return;
        const filter = ctx.get('FilterScript') ?? null;
        let keep: boolean;
        if (filter instanceof ScriptBlock) keep = toBool(collapse(await ctx.invokeCollect(filter, item)));
        else {
          const value = getMember(item, toStr(filter));
          const op = WHERE_OPS.find((o) => ctx.switch(o));
          if (!op) keep = toBool(value);
          else if (op === 'Not') keep = !toBool(value);
          else keep = toBool(applyBinary(null, null, op.toLowerCase(), value, ctx.get('Value') ?? null));
        }
        if (keep) await ctx.emit(item);
      },
    }),
  },
  {
    name: 'Select-Object',
    params: [
      { name: 'Property', type: 'any[]', position: 0 }, { name: 'ExpandProperty', type: 'string' }, { name: 'First', type: 'int' },
      { name: 'Last', type: 'int' }, { name: 'Skip', type: 'int' }, { name: 'Unique', type: 'switch' }, { name: 'ExcludeProperty', type: 'string[]' },
      { name: 'Index', type: 'any[]' }, { name: 'InputObject', type: 'any', pipeline: true },
    ],
    create: (ctx) => {
      const first = ctx.has('First') ? Number(ctx.get('First')) : undefined;
      const last = ctx.has('Last') ? Number(ctx.get('Last')) : undefined;
      let skip = ctx.has('Skip') ? Number(ctx.get('Skip')) : 0;
      const props = arrayItems(ctx.get('Property') ?? null) ?? [];
      const expand = ctx.str('ExpandProperty');
      const tail: PSValue[] = [];
      const seen: PSValue[] = [];
      let taken = 0;
      const shape = async (item: PSValue): Promise<PSValue[]> => {
        if (expand !== undefined) {
          const v = getMember(item, expand);
          if (v === null && !(isPSObject(item) && propertyNames(item).some((n) => n.toLowerCase() === expand.toLowerCase())) && !dictOf(item)) {
            throw new RuntimeFailure('ExpandPropertyNotFound,Microsoft.PowerShell.Commands.SelectObjectCommand', `Property "${expand}" cannot be found.`, 'InvalidArgument', 'System.Management.Automation.PSArgumentException', { targetObject: item });
          }
          return enumerate(v);
        }
        if (props.length === 0) return [item];
        const names = props.flatMap((p) => (typeof p === 'string' && /[*?]/.test(p) ? propertyNames(item).filter((n) => new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i').test(n)) : [p]));
        const out: [string, PSValue][] = [];
        for (const p of names) out.push([calculatedName(p), await propertyValue(ctx, item, p)]);
        const obj = makeCustomObject(out);
        obj.typeNames = [`Selected.${isPSObject(item) ? item.typeNames[0] : 'System.Object'}`, ...obj.typeNames];
        return [obj];
      };
      const emitShaped = async (item: PSValue): Promise<void> => {
        if (ctx.switch('Unique')) {
          if (seen.some((s) => equals(s, item))) return;
          seen.push(item);
        }
        for (const v of await shape(item)) await ctx.emit(v);
      };
      return {
        process: async (input) => {
          const item = ctx.inputOf(input, 'InputObject');
          if (item === NO_INPUT) return;
          if (skip > 0) { skip--; return; }
          if (last !== undefined && first === undefined) {
            tail.push(item);
            if (tail.length > last) tail.shift();
            return;
          }
          if (first !== undefined) {
            if (taken >= first) ctx.stopUpstream();
            taken++;
            await emitShaped(item);
            if (taken >= first && last === undefined) ctx.stopUpstream();
            return;
          }
          await emitShaped(item);
        },
        end: async () => {
          for (const item of tail) await emitShaped(item);
        },
      };
    },
  },
  {
    name: 'Sort-Object',
    params: [
      { name: 'Property', type: 'any[]', position: 0 }, { name: 'Descending', type: 'switch' }, { name: 'Unique', type: 'switch' },
      { name: 'CaseSensitive', type: 'switch' }, { name: 'InputObject', type: 'any', pipeline: true },
    ],
    create: (ctx) => {
      const items: PSValue[] = [];
      return {
        process: (input) => {
          const item = ctx.inputOf(input, 'InputObject');
          if (item !== NO_INPUT) items.push(item);
        },
        end: async () => {
          const props = arrayItems(ctx.get('Property') ?? null) ?? [];
          const keyed: { item: PSValue; keys: PSValue[] }[] = [];
          for (const item of items) {
            const keys: PSValue[] = [];
            for (const p of props) keys.push(await propertyValue(ctx, item, p));
            keyed.push({ item, keys: props.length ? keys : [item] });
          }
          const desc = ctx.switch('Descending') ? -1 : 1;
          const cs = ctx.switch('CaseSensitive');
          keyed.sort((a, b) => {
            for (let i = 0; i < a.keys.length; i++) {
              const c = compare(a.keys[i] ?? null, b.keys[i] ?? null, cs);
              if (c !== 0) return c * desc;
            }
            return 0;
          });
          let prev: PSValue[] | null = null;
          for (const k of keyed) {
            if (ctx.switch('Unique') && prev && k.keys.every((x, i) => equals(x, prev?.[i] ?? null, cs))) continue;
            prev = k.keys;
            await ctx.emit(k.item);
          }
        },
      };
    },
  },
  {
    name: 'Measure-Object',
    params: [
      { name: 'Property', type: 'string[]', position: 0 }, { name: 'Sum', type: 'switch' }, { name: 'Average', type: 'switch' },
      { name: 'Maximum', type: 'switch' }, { name: 'Minimum', type: 'switch' }, { name: 'AllStats', type: 'switch' }, { name: 'InputObject', type: 'any', pipeline: true },
    ],
    create: (ctx) => {
      const values: PSValue[] = [];
      let count = 0;
      const prop = ctx.strs('Property')?.[0];
      return {
        process: (input) => {
          const item = ctx.inputOf(input, 'InputObject');
          if (item === NO_INPUT) return;
          count++;
          values.push(prop ? getMember(item, prop) : item);
        },
        end: async () => {
          const all = ctx.switch('AllStats');
          const nums = values.map((v) => toNum(v)?.n ?? 0);
          const sum = nums.reduce((a, b) => a + b, 0);
          const num = (on: boolean, v: number): PSValue => (on && count > 0 ? ps.double(v) : null);
          const obj = makeCustomObject([
            ['Count', count], ['Average', num(ctx.switch('Average') || all, sum / count)], ['Sum', num(ctx.switch('Sum') || all, sum)],
            ['Maximum', num(ctx.switch('Maximum') || all, Math.max(...nums))], ['Minimum', num(ctx.switch('Minimum') || all, Math.min(...nums))],
            ['StandardDeviation', null], ['Property', prop ?? null],
          ]);
          obj.typeNames = ['Microsoft.PowerShell.Commands.GenericMeasureInfo', 'Microsoft.PowerShell.Commands.MeasureInfo', 'System.Object'];
          obj.toStringText = 'Microsoft.PowerShell.Commands.GenericMeasureInfo';
          // PowerShell's GenericMeasureInfo properties are adapted (.NET) ones.
          for (const [k, v] of obj.extended) obj.adapted.set(k, v);
          obj.extended.clear();
          await ctx.emit(obj);
        },
      };
    },
  },
];
