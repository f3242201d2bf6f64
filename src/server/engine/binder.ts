/**
 * Parameter binding for built-in commands (about_Parameters): named parameters by unique prefix,
 * switches, `-Name:value`, positional arguments by position, and the common parameters.
 */
import type { PSValue } from '../../psrp/clixml/index.js';
import type { ParamSpec, ParamType } from './commands/types.js';
import { toNum } from './operators.js';
import { RuntimeFailure } from './runtime-error.js';
import { arrayItems, enumerate, makeArray, ScriptBlock, toBool, toStr } from './values.js';

/** One argument as the command line gave it. */
export interface RawArg {
  /** The parameter name for `-Name`, undefined for a positional value. */
  name?: string;
  /** The value; undefined for a bare switch. */
  value?: PSValue;
  /** The source text (`-Name`), used when a native command gets it. */
  text?: string;
  /** A named value given by a command list (PSRP): `null` for a switch means present. */
  explicit?: boolean;
}

/** The common parameters (about_CommonParameters) every built-in command accepts. */
export const COMMON_PARAMETERS: ParamSpec[] = [
  { name: 'Verbose', type: 'switch', aliases: ['vb'] },
  { name: 'Debug', type: 'switch', aliases: ['db'] },
  { name: 'ErrorAction', type: 'string', aliases: ['ea'] },
  { name: 'WarningAction', type: 'string', aliases: ['wa'] },
  { name: 'InformationAction', type: 'string', aliases: ['infa'] },
  { name: 'ProgressAction', type: 'string', aliases: ['proga'] },
  { name: 'ErrorVariable', type: 'string', aliases: ['ev'] },
  { name: 'WarningVariable', type: 'string', aliases: ['wv'] },
  { name: 'InformationVariable', type: 'string', aliases: ['iv'] },
  { name: 'OutVariable', type: 'string', aliases: ['ov'] },
  { name: 'OutBuffer', type: 'int', aliases: ['ob'] },
  { name: 'PipelineVariable', type: 'string', aliases: ['pv'] },
];

function bindingError(id: string, message: string, command: string): RuntimeFailure {
  return new RuntimeFailure(`${id},${command}`, message, 'InvalidArgument', 'System.Management.Automation.ParameterBindingException');
}

/** Finds the parameter a (possibly abbreviated) name means. */
export function findParameter(params: ParamSpec[], name: string, command: string): ParamSpec {
  const lower = name.toLowerCase();
  const all = [...params, ...COMMON_PARAMETERS];
  const exact = all.find((p) => p.name.toLowerCase() === lower || p.aliases?.some((a) => a.toLowerCase() === lower));
  if (exact) return exact;
  const prefix = all.filter((p) => p.name.toLowerCase().startsWith(lower));
  if (prefix.length === 1 && prefix[0]) return prefix[0];
  if (prefix.length > 1) {
    throw bindingError('AmbiguousParameter', `Parameter cannot be processed because the parameter name '${name}' is ambiguous. Possible matches include: ${prefix.map((p) => `-${p.name}`).join(' ')}.`, command);
  }
  throw bindingError('NamedParameterNotFound', `A parameter cannot be found that matches parameter name '${name}'.`, command);
}

/** Converts an argument to a parameter's type. */
export function convertArg(type: ParamType, v: PSValue, param: string, command: string): PSValue {
  switch (type) {
    case 'switch': case 'bool': return toBool(v);
    case 'string': return v === null ? null : toStr(arrayItems(v)?.length === 1 ? (arrayItems(v)?.[0] ?? null) : v);
    case 'string[]': return makeArray(enumerate(v).map((x) => toStr(x)));
    case 'int': case 'double': {
      const n = toNum(v);
      if (!n) {
        throw bindingError('ParameterArgumentTransformationError', `Cannot process argument transformation on parameter '${param}'. Cannot convert value "${toStr(v)}" to type "System.${type === 'int' ? 'Int32' : 'Double'}". Error: "The input string '${toStr(v)}' was not in a correct format."`, command);
      }
      return type === 'int' ? Math.trunc(n.n) : n.n;
    }
    case 'any[]': return arrayItems(v) ? v : makeArray([v]);
    case 'scriptblock': case 'scriptblock[]':
      if (type === 'scriptblock' && !(v instanceof ScriptBlock)) {
        throw bindingError('CannotConvertArgumentNoMessage', `Cannot bind parameter '${param}'. Cannot convert the "${toStr(v)}" value of type "${typeof v === 'string' ? 'System.String' : 'System.Object'}" to type "System.Management.Automation.ScriptBlock".`, command);
      }
      return v;
    default: return v;
  }
}

/** Binds a command line to a command's parameters; returns the bound values by canonical name. */
export function bindParameters(params: ParamSpec[], args: RawArg[], command: string): Map<string, PSValue> {
  const bound = new Map<string, PSValue>();
  const positional: PSValue[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a) continue;
    if (a.name === undefined) {
      positional.push(a.value ?? null);
      continue;
    }
    const p = findParameter(params, a.name, command);
    if (bound.has(p.name)) throw bindingError('ParameterAlreadyBound', `Cannot bind parameter because parameter '${p.name}' is specified more than once. To provide multiple values to parameters that can accept multiple values, use the array syntax. For example, "-parameter value1,value2,value3".`, command);
    let value = a.value;
    if (a.explicit && value === null && p.type === 'switch') value = true;
    if (value === undefined && p.type !== 'switch' && !a.explicit) {
      const nextArg = args[i + 1];
      if (!nextArg || nextArg.name !== undefined) {
        const typeText = p.type === 'string' ? 'System.String' : p.type === 'int' ? 'System.Int32' : p.type.endsWith('[]') ? 'System.String[]' : 'System.Object';
        throw bindingError('MissingArgument', `Missing an argument for parameter '${p.name}'. Specify a parameter of type '${typeText}' and try again.`, command);
      }
      value = nextArg.value ?? null;
      i++;
    }
    bound.set(p.name, convertArg(p.type, value === undefined ? true : value, p.name, command));
  }
  const byPosition = params.filter((p) => p.position !== undefined && !bound.has(p.name)).sort((x, y) => (x.position ?? 0) - (y.position ?? 0));
  for (const v of positional) {
    const p = byPosition.shift();
    if (!p) throw bindingError('PositionalParameterNotFound', `A positional parameter cannot be found that accepts argument '${toStr(v)}'.`, command);
    bound.set(p.name, convertArg(p.type, v, p.name, command));
  }
  return bound;
}
