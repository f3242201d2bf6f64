/**
 * Dispatch of binary and unary operators onto operators.ts, including the array-filtering form of
 * comparisons and `$matches` after a scalar `-match`.
 */
import type { PSValue } from '../../psrp/clixml/index.js';
import type { Frame, Runtime } from './evaluator.js';
import {
  arithmetic, compare, dotnetRegExp, equals, formatOperator, fromNum, negate, replace, split, toNum, wildcardRegExp,
} from './operators.js';
import { RuntimeFailure } from './runtime-error.js';
import { asType, isType } from './types.js';
import { arrayItems, enumerate, makeArray, makeHashtable, toBool, toStr } from './values.js';

function scalarTest(op: string, l: PSValue, r: PSValue, cs: boolean, rt: Runtime | null, frame: Frame | null): boolean {
  switch (op) {
    case 'eq': return equals(l, r, cs);
    case 'ne': return !equals(l, r, cs);
    case 'gt': return compare(l, r, cs) > 0;
    case 'ge': return compare(l, r, cs) >= 0;
    case 'lt': return compare(l, r, cs) < 0;
    case 'le': return compare(l, r, cs) <= 0;
    case 'like': return wildcardRegExp(toStr(r), cs).test(toStr(l));
    case 'notlike': return !wildcardRegExp(toStr(r), cs).test(toStr(l));
    case 'match': case 'notmatch': {
      const m = dotnetRegExp(toStr(r), cs).exec(toStr(l));
      if (m && rt && frame) frame.scope.set('matches', matchesTable(m));
      return op === 'match' ? m !== null : m === null;
    }
    default: throw new RuntimeFailure('OperatorNotSupported', `The operator '-${op}' is not supported.`, 'InvalidOperation');
  }
}

function matchesTable(m: RegExpExecArray): PSValue {
  const entries: [PSValue, PSValue][] = [];
  for (let i = m.length - 1; i >= 0; i--) if (m[i] !== undefined) entries.push([i, m[i] ?? '']);
  for (const [k, v] of Object.entries(m.groups ?? {})) if (v !== undefined) entries.unshift([k, v]);
  return makeHashtable(entries);
}

/** `left -op right` (op without the dash: `eq`, `ceq`, `+`, `..` …). */
export function applyBinary(rt: Runtime | null, frame: Frame | null, op: string, left: PSValue, right: PSValue): PSValue {
  if (op === '+' || op === '-' || op === '*' || op === '/' || op === '%') return arithmetic(op, left, right);
  if (op === '..') return range(left, right);
  if (op === 'f') return formatOperator(toStr(left), enumerate(right));
  if (op === 'and') return toBool(left) && toBool(right);
  if (op === 'or') return toBool(left) || toBool(right);
  if (op === 'xor') return toBool(left) !== toBool(right);
  if (op === 'is') return isType(left, toStr(right));
  if (op === 'isnot') return !isType(left, toStr(right));
  if (op === 'as') return asType(left, toStr(right));
  if (op === 'join') return enumerate(left).map((x) => toStr(x)).join(toStr(right));
  if (['band', 'bor', 'bxor', 'shl', 'shr'].includes(op)) return bitwise(op, left, right);
  const cs = op.startsWith('c') && op !== 'contains';
  const base = op.length > 2 && (op.startsWith('c') || op.startsWith('i')) && !['contains', 'in'].includes(op) ? op.slice(1) : op;
  if (base === 'replace') {
    const [pattern, replacement] = arrayItems(right) ?? [right, ''];
    const one = (x: PSValue): PSValue => replace(toStr(x), toStr(pattern ?? null), toStr(replacement ?? null), cs);
    const items = arrayItems(left);
    return items ? makeArray(items.map(one)) : one(left);
  }
  if (base === 'split') {
    const [pattern, max] = arrayItems(right) ?? [right, 0];
    const out = enumerate(left).flatMap((x) => split(toStr(x), toStr(pattern ?? null), toNum(max ?? 0)?.n ?? 0, cs));
    return makeArray(out);
  }
  if (base === 'contains' || base === 'notcontains') {
    const has = enumerate(left).some((x) => equals(x, right, cs));
    return base === 'contains' ? has : !has;
  }
  if (base === 'in' || base === 'notin') {
    const has = enumerate(right).some((x) => equals(x, left, cs));
    return base === 'in' ? has : !has;
  }
  const items = arrayItems(left);
  if (items) {
    // A collection on the left filters (about_Comparison_Operators).
    return makeArray(items.filter((x) => scalarTest(base, x, right, cs, null, null)));
  }
  return scalarTest(base, left, right, cs, rt, frame);
}

function range(left: PSValue, right: PSValue): PSValue {
  const a = toNum(left);
  const b = toNum(right);
  if (!a || !b) throw new RuntimeFailure('InvalidCastFromStringToInteger', `Cannot convert value "${toStr(a ? right : left)}" to type "System.Int32".`, 'InvalidArgument');
  const from = Math.round(a.n);
  const to = Math.round(b.n);
  if (Math.abs(to - from) > 50_000_000) throw new RuntimeFailure('RangeTooBig', 'The range is too large.', 'InvalidOperation');
  const out: PSValue[] = new Array(Math.abs(to - from) + 1);
  const step = from <= to ? 1 : -1;
  for (let i = 0, v = from; i < out.length; i++, v += step) out[i] = v;
  return makeArray(out);
}

function bitwise(op: string, left: PSValue, right: PSValue): PSValue {
  const a = toNum(left)?.n ?? 0;
  const b = toNum(right)?.n ?? 0;
  const big = (x: number): bigint => BigInt(Math.trunc(x));
  let r: bigint;
  switch (op) {
    case 'band': r = big(a) & big(b); break;
    case 'bor': r = big(a) | big(b); break;
    case 'bxor': r = big(a) ^ big(b); break;
    case 'shl': r = big(a) << big(b); break;
    default: r = big(a) >> big(b);
  }
  return fromNum({ t: 'int', n: Number(r) });
}

/** Unary `-`, `+`, `!`, `-not`, `-bnot`, `-split`, `-join`. */
export function applyUnary(op: string, v: PSValue): PSValue {
  switch (op) {
    case '-': return negate(v);
    case '+': return fromNum(toNum(v) ?? { t: 'int', n: 0 });
    case '!': case 'not': return !toBool(v);
    case 'bnot': return fromNum({ t: 'int', n: ~Math.trunc(toNum(v)?.n ?? 0) });
    case 'split': return makeArray(enumerate(v).flatMap((x) => toStr(x).trim().split(/\s+/)));
    case 'join': return enumerate(v).map((x) => toStr(x)).join('');
    default: throw new RuntimeFailure('OperatorNotSupported', `The unary operator '${op}' is not supported.`, 'InvalidOperation');
  }
}
