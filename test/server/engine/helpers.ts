/** A recording EngineHost and a `run` helper for the engine tests. */
import { HostMethodIdentifier } from '../../../src/psrp/constants.js';
import type { PSObject, PSValue } from '../../../src/psrp/clixml/index.js';
import { EngineSession, runCommands, runScript, type CommandSpec, type EngineHost, type ProgressRecordData } from '../../../src/server/engine/index.js';

export interface Recorded {
  output: PSValue[];
  errors: PSObject[];
  warnings: string[];
  verbose: string[];
  debug: string[];
  information: PSObject[];
  progress: ProgressRecordData[];
  hostCalls: { method: HostMethodIdentifier; params: PSValue[] }[];
  /** The terminating error, if the run threw. */
  thrown?: unknown;
}

export type HostAnswer = (method: HostMethodIdentifier, params: PSValue[]) => PSValue | Promise<PSValue>;

export function recordingHost(answer: HostAnswer = () => null): { host: EngineHost; rec: Recorded } {
  const rec: Recorded = { output: [], errors: [], warnings: [], verbose: [], debug: [], information: [], progress: [], hostCalls: [] };
  const host: EngineHost = {
    output: (v) => { rec.output.push(v); },
    error: (r) => { rec.errors.push(r); },
    warning: (m) => { rec.warnings.push(m); },
    verbose: (m) => { rec.verbose.push(m); },
    debug: (m) => { rec.debug.push(m); },
    information: (r) => { rec.information.push(r); },
    progress: (p) => { rec.progress.push(p); },
    hostCall: async (method, params) => {
      rec.hostCalls.push({ method, params });
      return answer(method, params);
    },
  };
  return { host, rec };
}

export interface RunOpts { session?: EngineSession; answer?: HostAnswer; signal?: AbortSignal; input?: PSValue[]; args?: PSValue[] }

async function* iterate(values: PSValue[]): AsyncIterable<PSValue> {
  for (const v of values) yield v;
}

/** Runs a script; never throws (the terminating error lands in `thrown`). */
export async function run(script: string, o: RunOpts = {}): Promise<Recorded> {
  const { host, rec } = recordingHost(o.answer);
  try {
    await runScript(script, {
      host, session: o.session ?? new EngineSession(), signal: o.signal ?? new AbortController().signal,
      ...(o.input ? { input: iterate(o.input) } : {}), ...(o.args ? { args: o.args } : {}),
    });
  } catch (err) {
    rec.thrown = err;
  }
  return rec;
}

export async function runList(commands: CommandSpec[], o: RunOpts = {}): Promise<Recorded> {
  const { host, rec } = recordingHost(o.answer);
  try {
    await runCommands(commands, { host, session: o.session ?? new EngineSession(), signal: o.signal ?? new AbortController().signal, ...(o.input ? { input: iterate(o.input) } : {}) });
  } catch (err) {
    rec.thrown = err;
  }
  return rec;
}

/** Output values as plain JS for comparison (strings, numbers, booleans, null, arrays). */
export function plain(v: PSValue): unknown {
  if (v === null || typeof v !== 'object') return v;
  if ('kind' in v && !('typeNames' in v)) {
    if (v.kind === 'I64' || v.kind === 'U64') return Number(v.value);
    if ('value' in v && typeof v.value === 'number') return v.value;
    if (v.kind === 'LST') return v.items.map(plain);
    return 'value' in v ? v.value : v;
  }
  const o = v as PSObject;
  if (o.value !== undefined && typeof o.value === 'object' && o.value !== null && 'kind' in o.value && o.value.kind === 'LST') return o.value.items.map(plain);
  return o.toString();
}

export { HostMethodIdentifier };
