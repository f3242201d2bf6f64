/**
 * The fault-injection SPEC of `serve --faults` / `startServer({ faultSpec })`: rules separated by
 * ';', each `KIND[@OPS][:key=value,…]`, plus an optional `seed=N` rule (docs/serve.md, "Fault
 * injection"). Parsing is strict: every bad rule is an InvalidArgumentError that quotes the rule
 * and says what would be accepted, so a typo never silently injects nothing.
 *
 *   reset@receive|command:rate=0.2,at=100,port=5985-5990;seed=7
 *   ^kind ^ops                ^keys
 */
import { InvalidArgumentError } from '../../errors.js';

export const FAULT_KINDS = [
  'refuse', 'reset', 'stall', 'drip', 'http500', '401', 'malformed', 'truncated', 'timeout', 'vanish',
  'quota', 'restart', 'oversized', 'content-type', 'wrong-cert',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Request kinds a rule can be limited to (the WS-Man operation of the request's Action URI). */
export const REQUEST_OPS = [
  'identify', 'get', 'put', 'enumerate', 'pull', 'release', 'create', 'delete', 'command', 'send', 'receive',
  'signal', 'disconnect', 'reconnect', 'connect',
] as const;
export type RequestOp = (typeof REQUEST_OPS)[number];

export type ShellFamily = 'psrp' | 'winrs';

/** One parsed rule. Absent optional fields mean "no restriction" or the kind's default. */
export interface FaultRule {
  /** The rule as written (for messages). */
  readonly text: string;
  readonly kind: FaultKind;
  /** undefined: every operation. */
  readonly ops: ReadonlySet<RequestOp> | undefined;
  readonly rate: number | undefined;
  readonly nth: number | undefined;
  readonly every: number | undefined;
  readonly after: number;
  readonly count: number | undefined;
  readonly ports: { lo: number; hi: number } | undefined;
  readonly shell: ShellFamily | undefined;
  readonly ms: number | undefined;
  readonly at: number | undefined;
  readonly bytes: number | undefined;
  readonly bps: number | undefined;
}

export interface FaultPlan {
  /** The `seed=N` rule; undefined when the spec has none (the server picks one and logs it). */
  seed: number | undefined;
  rules: FaultRule[];
}

type Key = 'rate' | 'nth' | 'every' | 'after' | 'count' | 'port' | 'shell' | 'ms' | 'at' | 'bytes' | 'bps';
const MATCH_KEYS: readonly Key[] = ['rate', 'nth', 'every', 'after', 'count', 'port', 'shell'];
/** The keys that tune one kind's action; a key given to a kind it means nothing to is refused. */
const ACTION_KEYS: Readonly<Record<FaultKind, readonly Key[]>> = {
  refuse: ['ms'],
  reset: ['at'],
  stall: [],
  drip: ['bps'],
  http500: [],
  '401': [],
  malformed: [],
  truncated: ['at'],
  timeout: [],
  vanish: [],
  quota: [],
  restart: ['ms'],
  oversized: ['bytes'],
  'content-type': [],
  'wrong-cert': [],
};

const SPEC_HINT = 'rules are KIND[@OPS][:key=value,...] separated by ";" (see docs/serve.md, Fault injection)';

function bad(rule: string, problem: string, hint: string = SPEC_HINT): InvalidArgumentError {
  return new InvalidArgumentError(`invalid fault rule '${rule}': ${problem}`, { hint });
}

function integer(rule: string, key: string, value: string, min: number): number {
  if (!/^\d+$/.test(value) || Number(value) < min || !Number.isSafeInteger(Number(value))) {
    throw bad(rule, `${key}=${value} is not an integer >= ${min}`, `give ${key} a whole number of at least ${min}`);
  }
  return Number(value);
}

function probability(rule: string, value: string): number {
  const p = Number(value);
  if (value.trim() === '' || !/^[\d.eE+-]+$/.test(value) || !Number.isFinite(p) || p < 0 || p > 1) {
    throw bad(rule, `rate=${value} is not a probability`, 'rate is a number from 0 to 1, e.g. rate=0.25');
  }
  return p;
}

function portRange(rule: string, value: string): { lo: number; hi: number } {
  const m = /^(\d+)(?:-(\d+))?$/.exec(value);
  const lo = Number(m?.[1]);
  const hi = m?.[2] === undefined ? lo : Number(m[2]);
  if (m === null || lo < 1 || hi > 65535 || hi < lo) {
    throw bad(rule, `port=${value} is not a port or LO-HI range`, 'use port=5985 or port=5985-5990 (1-65535, LO <= HI)');
  }
  return { lo, hi };
}

function parseOps(rule: string, text: string): Set<RequestOp> {
  const ops = new Set<RequestOp>();
  for (const raw of text.split('|')) {
    const op = raw.trim().toLowerCase();
    if (!(REQUEST_OPS as readonly string[]).includes(op)) {
      throw bad(rule, `unknown operation '${raw}'`, `OPS is a '|' list of ${REQUEST_OPS.join(', ')}`);
    }
    ops.add(op as RequestOp);
  }
  return ops;
}

/** Parses one rule (not `seed=`). @throws InvalidArgumentError naming the rule and the problem. */
export function parseFaultRule(text: string): FaultRule {
  const rule = text.trim();
  const colon = rule.indexOf(':');
  const head = colon < 0 ? rule : rule.slice(0, colon);
  const keyText = colon < 0 ? undefined : rule.slice(colon + 1);
  const at = head.indexOf('@');
  const kindText = (at < 0 ? head : head.slice(0, at)).trim().toLowerCase();
  if (!(FAULT_KINDS as readonly string[]).includes(kindText)) {
    throw bad(rule, `unknown fault kind '${kindText}'`, `KIND is one of ${FAULT_KINDS.join(', ')}`);
  }
  const kind = kindText as FaultKind;
  const ops = at < 0 ? undefined : parseOps(rule, head.slice(at + 1));
  if (kind === 'wrong-cert' && (ops !== undefined || keyText !== undefined)) {
    throw bad(rule, 'wrong-cert applies to the whole listener and takes no OPS or keys', 'write just wrong-cert (with --https)');
  }

  const values = new Map<Key, string>();
  if (keyText !== undefined) {
    if (keyText.trim() === '') throw bad(rule, 'nothing after ":"', 'drop the ":" or add key=value pairs');
    const allowed: readonly Key[] = [...MATCH_KEYS, ...ACTION_KEYS[kind]];
    for (const pair of keyText.split(',')) {
      const eq = pair.indexOf('=');
      const key = (eq < 0 ? pair : pair.slice(0, eq)).trim().toLowerCase();
      const value = eq < 0 ? '' : pair.slice(eq + 1).trim();
      if (eq < 0 || value === '') throw bad(rule, `'${pair.trim()}' is not key=value`);
      if (!(allowed as readonly string[]).includes(key)) {
        throw bad(rule, `key '${key}' means nothing to ${kind}`, `${kind} takes ${allowed.join(', ')}`);
      }
      if (values.has(key as Key)) throw bad(rule, `key '${key}' given twice`, 'give each key once');
      values.set(key as Key, value);
    }
  }
  if (values.has('nth') && values.has('every')) {
    throw bad(rule, 'nth and every exclude each other', 'nth=N fires once on the Nth match; every=N fires on every Nth');
  }
  const int = (key: Key, min: number): number | undefined => {
    const v = values.get(key);
    return v === undefined ? undefined : integer(rule, key, v, min);
  };
  const shellText = values.get('shell')?.toLowerCase();
  if (shellText !== undefined && shellText !== 'psrp' && shellText !== 'winrs') {
    throw bad(rule, `shell=${values.get('shell')} is not psrp or winrs`, 'shell=psrp (PowerShell endpoints) or shell=winrs (cmd shells)');
  }
  const rate = values.get('rate');
  const port = values.get('port');
  return {
    text: rule,
    kind,
    ops,
    rate: rate === undefined ? undefined : probability(rule, rate),
    nth: int('nth', 1),
    every: int('every', 1),
    after: int('after', 0) ?? 0,
    count: int('count', 1),
    ports: port === undefined ? undefined : portRange(rule, port),
    shell: shellText,
    ms: int('ms', 0),
    at: int('at', 0),
    bytes: int('bytes', 1),
    bps: int('bps', 1),
  };
}

/**
 * Parses a whole SPEC.
 * @throws InvalidArgumentError for an empty spec, a bad rule, a bad or repeated seed, or two wrong-cert rules.
 */
export function parseFaultSpec(spec: string): FaultPlan {
  const parts = spec.split(';').map((p) => p.trim()).filter((p) => p !== '');
  if (parts.length === 0) throw new InvalidArgumentError('the fault spec has no rule', { hint: `e.g. reset@receive:rate=0.1;seed=1 — ${SPEC_HINT}` });
  let seed: number | undefined;
  const rules: FaultRule[] = [];
  for (const part of parts) {
    const m = /^seed\s*=\s*(.*)$/i.exec(part);
    if (m !== null) {
      if (seed !== undefined) throw bad(part, 'seed given twice', 'give one seed=N');
      seed = integer(part, 'seed', (m[1] ?? '').trim(), 0);
      if (seed > 0xffffffff) throw bad(part, 'seed is larger than 32 bits', 'use a seed from 0 to 4294967295');
      continue;
    }
    rules.push(parseFaultRule(part));
  }
  if (rules.filter((r) => r.kind === 'wrong-cert').length > 1) throw bad('wrong-cert', 'given twice', 'give wrong-cert once');
  if (rules.length === 0) throw new InvalidArgumentError('the fault spec has a seed but no rule', { hint: SPEC_HINT });
  return { seed, rules };
}
