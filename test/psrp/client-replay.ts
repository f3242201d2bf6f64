/**
 * Drives our client RunspacePool with the traffic pypsrp recorded against real Windows servers.
 *
 * For each recorded client message we take the action a caller would (open, invoke a pipeline
 * with the recorded commands, send input, exchange keys …) and keep the messages our client
 * queues; each recorded server payload goes to `receiveData`, and the events come out of
 * `nextEvent`. Host calls are answered by a ScriptedHost. Our messages and pypsrp's are then
 * compared structurally (see canonical()), ids ignored.
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { deserialize, isEnum, isPSObject, type PSValue } from '../../src/psrp/clixml/index.js';
import { MessageType } from '../../src/psrp/constants.js';
import { RunspacePool, type Pipeline } from '../../src/psrp/client/index.js';
import type { HostCallEvent, PsrpEvent } from '../../src/psrp/events.js';
import { Defragmenter } from '../../src/psrp/fragment-defragmenter.js';
import { respondToHostCall, ScriptedHost } from '../../src/psrp/host/index.js';
import { decodeMessage, type PsrpMessage } from '../../src/psrp/message.js';
import { decodeBody, type BodyOf } from '../../src/psrp/message-body.js';
import { ClientKeyExchange } from '../../src/psrp/securestring/index.js';
import { pypsrpFiles, pypsrpPayloads } from './fragment-fixtures.js';

/** A message in comparable form: type and the canonical text of its CLIXML. */
export interface Comparable {
  type: string;
  pipeline: boolean;
  data: string;
}

export interface ReplayResult {
  events: PsrpEvent[];
  ours: Comparable[];
  recorded: Comparable[];
  pool: RunspacePool;
}

function b64url(decimal: string): string {
  let hex = BigInt(decimal).toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  return Buffer.from(hex, 'hex').toString('base64url');
}

/** pypsrp's fixed test RSA key (fixtures/pypsrp/secure_string_test_key.json). */
export function pypsrpKey(dir: string): ClientKeyExchange {
  const rsa = (JSON.parse(readFileSync(path.join(dir, 'pypsrp/secure_string_test_key.json'), 'utf8')) as { rsa: Record<string, string> }).rsa;
  const get = (k: string): string => b64url(rsa[k] ?? '0');
  const jwk = { kty: 'RSA', n: get('n'), e: get('e'), d: get('d'), p: get('p'), q: get('q'), dp: get('dmp1'), dq: get('dmq1'), qi: get('iqmp') };
  return new ClientKeyExchange(createPrivateKey({ key: jwk, format: 'jwk' }), createPublicKey({ key: jwk, format: 'jwk' }));
}

/**
 * A canonical text of a value: RefIds gone (references expanded), an enum reduced to its number
 * (pypsrp names some enum types differently from .NET: Runspaces.ApartmentState "UNKNOWN" for
 * System.Threading.ApartmentState "Unknown"; it sends GET_COMMAND_METADATA's CommandType as a bare
 * I32), array type names alike (pypsrp: Object[] where we write String[]), properties by lower-cased name in order (MS order
 * carries no meaning, PowerShell matches names case-insensitively; pypsrp writes a host response's
 * mr last where we write it first, and `CI` for SET_MAX_RUNSPACES' `ci`), and <SS> ciphertext kept as is.
 */
export function canonical(v: PSValue): unknown {
  if (isPSObject(v)) {
    if (isEnum(v)) return canonical(v.value ?? null);
    const props = (m: Map<string, PSValue>): [string, unknown][] => [...m].map(([k, x]): [string, unknown] => [k.toLowerCase(), canonical(x)]).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return { tn: v.typeNames.map((t) => (t.endsWith('[]') ? 'array' : t)), str: v.toStringText ?? null, adapted: props(v.adapted), extended: props(v.extended), value: v.value === undefined ? null : canonical(v.value) };
  }
  if (v === null || typeof v !== 'object') return v;
  if ('items' in v) return { [v.kind]: v.items.map(canonical) };
  if ('entries' in v) return { DCT: [...v.entries].map(([k, x]) => [canonical(k), canonical(x)]) };
  if ('value' in v) return { [v.kind]: typeof v.value === 'bigint' ? String(v.value) : v.value instanceof Uint8Array ? Buffer.from(v.value).toString('base64') : v.value };
  return { [v.kind]: JSON.stringify(v) };
}

const NIL = '00000000-0000-0000-0000-000000000000';

function comparable(m: PsrpMessage): Comparable {
  const data = m.data === '' ? '' : JSON.stringify(canonical(deserialize(m.data)));
  return { type: MessageType[m.type], pipeline: m.pid !== NIL, data };
}

export function fixtureFile(dir: string, name: string): string {
  const f = pypsrpFiles(dir).find((x) => path.basename(x) === `${name}.yml`);
  if (f === undefined) throw new Error(`no fixture ${name}`);
  return f;
}

/** Replays one recording; see the file comment. */
export async function replayClient(dir: string, name: string, host: ScriptedHost = new ScriptedHost()): Promise<ReplayResult> {
  const events: PsrpEvent[] = [];
  const ours: Comparable[] = [];
  const recorded: Comparable[] = [];
  const recordedDefrag = new Map<string, Defragmenter>();
  const pipelines = new Map<string, Pipeline>();
  let pool: RunspacePool | undefined;
  const key = pypsrpKey(dir);
  const peek = new Defragmenter();
  let connected = false;
  const need = (): RunspacePool => {
    if (pool === undefined) throw new Error('no pool yet');
    return pool;
  };
  const collectOurs = (): void => {
    const own = new Defragmenter();
    for (let p = pool?.dataToSend(); p !== undefined && p !== null; p = pool?.dataToSend()) {
      for (const m of own.add(p.data)) ours.push(comparable(decodeMessage(m)));
    }
  };
  const drain = async (): Promise<void> => {
    for (let e = need().nextEvent(); e !== null; e = need().nextEvent()) {
      events.push(e);
      if (e.type === 'PipelineHostCall' || e.type === 'RunspacePoolHostCall') await respondToHostCall(need(), e as HostCallEvent, host);
    }
  };
  for (const payload of pypsrpPayloads(fixtureFile(dir, name))) {
    if (payload.direction === 'server') {
      // After a connect, pipelines started by the earlier client are attached (pypsrp found them
      // with Enumerate): peek at the PIDs this payload completes.
      for (const bytes of peek.add(payload.bytes)) {
        const pid = decodeMessage(bytes).pid;
        if (pid !== NIL && connected && !need().pipelines.has(pid)) pipelines.set(pid, need().connectPipeline(pid));
      }
      need().receiveData(payload.bytes);
      await drain();
      continue;
    }
    const dk = payload.shell;
    if (!recordedDefrag.has(dk)) recordedDefrag.set(dk, new Defragmenter());
    for (const bytes of recordedDefrag.get(dk)?.add(payload.bytes) ?? []) {
      const m = decodeMessage(bytes);
      recorded.push(comparable(m));
      const body = decodeBody(m);
      act(m, body);
    }
    collectOurs();
  }
  collectOurs();
  return { events, ours, recorded, pool: need() };

  function act(m: PsrpMessage, body: ReturnType<typeof decodeBody>): void {
    switch (body.type) {
      case MessageType.SESSION_CAPABILITY:
        return; // queued by open() / connect() with the message that follows it
      case MessageType.INIT_RUNSPACEPOOL: {
        const init = body as BodyOf<MessageType.INIT_RUNSPACEPOOL>;
        pool = new RunspacePool({
          runspacePoolId: m.rpid, minRunspaces: init.minRunspaces, maxRunspaces: init.maxRunspaces,
          host: init.hostInfo, applicationArguments: init.applicationArguments, threadOptions: init.threadOptions,
          apartmentState: init.apartmentState, keyExchange: () => key,
        });
        pool.open();
        return;
      }
      case MessageType.CONNECT_RUNSPACEPOOL:
        pool = new RunspacePool({ runspacePoolId: m.rpid, keyExchange: () => key });
        pool.connect();
        connected = true;
        return;
      case MessageType.PUBLIC_KEY:
        need().exchangeKey();
        return;
      case MessageType.CREATE_PIPELINE: {
        const c = body as BodyOf<MessageType.CREATE_PIPELINE>;
        const p = pipelines.get(m.pid) ?? need().createPipeline(m.pid);
        if (p.commands.length > 0) {
          // pypsrp invokes the same PowerShell again (same PID, same commands).
          p.invoke({ noInput: c.noInput, addToHistory: c.addToHistory, isNested: c.isNested, hostInfo: c.hostInfo, apartmentState: c.apartmentState, remoteStreamOptions: c.remoteStreamOptions });
          return;
        }
        const statements = c.powerShell.extraCmds ?? [c.powerShell.cmds];
        statements.forEach((st, i) => {
          if (i > 0) p.addStatement();
          for (const cmd of st) {
            if (cmd.isScript) p.addScript(cmd.cmd);
            else p.addCommand(cmd.cmd);
            const { cmd: _c, isScript: _s, args, ...merges } = cmd;
            p.mergeResults({ ...merges, useLocalScope: cmd.useLocalScope ?? undefined });
            for (const a of args) {
              if (a.name === null) p.addArgument(a.value);
              else p.addParameter(a.name, a.value);
            }
          }
        });
        p.invoke({
          noInput: c.noInput, addToHistory: c.addToHistory, isNested: c.isNested, hostInfo: c.hostInfo,
          apartmentState: c.apartmentState, remoteStreamOptions: c.remoteStreamOptions,
          ...(c.powerShell.history === null ? {} : { history: c.powerShell.history }),
        });
        pipelines.set(m.pid, p);
        return;
      }
      case MessageType.GET_COMMAND_METADATA: {
        const g = body as BodyOf<MessageType.GET_COMMAND_METADATA>;
        pipelines.set(m.pid, need().getCommandMetadata({
          pipelineId: m.pid, commandType: g.commandType, name: g.name, namespace: g.namespace, argumentList: g.argumentList,
        }));
        return;
      }
      case MessageType.PIPELINE_INPUT:
        pipelines.get(m.pid)?.sendInput([(body as BodyOf<MessageType.PIPELINE_INPUT>).value]);
        return;
      case MessageType.END_OF_PIPELINE_INPUT:
        pipelines.get(m.pid)?.endInput();
        return;
      case MessageType.SET_MAX_RUNSPACES:
        need().setMaxRunspaces((body as BodyOf<MessageType.SET_MAX_RUNSPACES>).count);
        return;
      case MessageType.SET_MIN_RUNSPACES:
        need().setMinRunspaces((body as BodyOf<MessageType.SET_MIN_RUNSPACES>).count);
        return;
      case MessageType.GET_AVAILABLE_RUNSPACES:
        need().getAvailableRunspaces();
        return;
      case MessageType.RESET_RUNSPACE_STATE:
        need().resetRunspaceState();
        return;
      default:
        // Host responses come from our ScriptedHost when the call arrives.
        return;
    }
  }
}
