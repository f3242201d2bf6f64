/**
 * Drives our client (RunspacePool + Pipeline + PsrpShell) through one recorded pypsrp conversation.
 *
 * For each recorded exchange it first takes the user action the recorded request implies (open,
 * invoke the pipeline the recorded CREATE_PIPELINE describes, send the recorded input, stop,
 * close, disconnect …), then asks the shell for its next request, compares it with the recorded
 * one (test/helpers/replay.ts), and feeds the recorded response back. Host calls are answered with
 * the values pypsrp's host answered (a scripted host). Anything that keeps us from replaying an
 * exchange is recorded in the result, never skipped silently.
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { MessageType } from '../../../src/psrp/constants.js';
import { RunspacePool, type Pipeline } from '../../../src/psrp/client/index.js';
import type { PsrpEvent } from '../../../src/psrp/events.js';
import { decodeFragments, concatBytes } from '../../../src/psrp/fragment.js';
import { decodeMessage } from '../../../src/psrp/message.js';
import { decodeBody, type BodyOf, type PsrpMessageBody } from '../../../src/psrp/message-body.js';
import { ClientKeyExchange } from '../../../src/psrp/securestring/index.js';
import { PsrpShell, type PsrpRequestKind } from '../../../src/psrp/wsman/index.js';
import { defaultContext, parseDuration, type WSManContext } from '../../../src/wsman/index.js';
import {
  PayloadLog, compareMessages, compareRequest, fragmentLayout, loadConversation, payloadsOf, rewriteIds, swapGuid,
  type ClixmlCompareOptions, type Exchange,
} from '../../helpers/replay.js';

/** A client message of the recording, reassembled, with the exchanges it started and ended in. */
interface RecordedMessage {
  start: number;
  end: number;
  body: PsrpMessageBody;
  /** The PID as our .NET-order reader sees it. */
  pid: string;
  /** The recorded CommandId of the request that started it (pipeline messages). */
  commandId?: string;
}

export interface Step {
  index: number;
  action: string;
  kind?: PsrpRequestKind;
  /** WS-Man differences (ours vs recorded), payload texts excluded. */
  wsman: string[];
  /** PSRP message differences in what this request completed. */
  messages: string[];
  layout: { ours: string; recorded: string };
  /** A 'state' request's answer. */
  shellState?: string;
  /** What handleResponse threw, if anything. */
  threw?: string;
}

export interface ReplayResult {
  file: string;
  exchanges: number;
  steps: Step[];
  /** Exchanges not the binding's business (e.g. Enumerate), with why. */
  notBinding: { index: number; action: string; reason: string }[];
  /** Where and why the replay could not go on. */
  stoppedAt?: { index: number; reason: string };
  /** The server->client PSRP message types the recording holds, by recorded ShellId, in order. */
  serverMessages: Map<string, string[]>;
  /** Every event each pool handed out, by recorded ShellId. */
  events: Map<string, PsrpEvent[]>;
  /** Requests our client still wanted to send after the last exchange. */
  pending: string[];
  shells: Map<string, PsrpShell>;
}

const ACTION_KIND: Record<string, PsrpRequestKind[]> = {
  Get: ['config', 'state'], Create: ['create'], Receive: ['receive'], Command: ['command'], Send: ['send'], Signal: ['signal'],
  Delete: ['delete'], Disconnect: ['disconnect'], Reconnect: ['reconnect'], Connect: ['connect', 'connectCommand'],
};

export const RESPONSES_DIR = (fixtures: string): string => path.join(fixtures, 'pypsrp/tests/tests_pypsrp/responses');

let pypsrpKey: { privateKey: ReturnType<typeof createPrivateKey>; publicKey: ReturnType<typeof createPublicKey> } | undefined;
/** pypsrp's fixed test RSA key, so PUBLIC_KEY matches and the recorded session key unwraps. */
function pypsrpKeyExchange(fixtures: string): ClientKeyExchange {
  if (pypsrpKey === undefined) {
    const { rsa } = JSON.parse(readFileSync(path.join(fixtures, 'pypsrp/secure_string_test_key.json'), 'utf8')) as { rsa: Record<string, string> };
    const b64url = (dec: string | undefined): string => {
      const hex = BigInt(dec ?? '0').toString(16);
      return Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, 'hex').toString('base64url');
    };
    const jwk = { kty: 'RSA', n: b64url(rsa.n), e: b64url(rsa.e), d: b64url(rsa.d), p: b64url(rsa.p), q: b64url(rsa.q), dp: b64url(rsa.dmp1), dq: b64url(rsa.dmq1), qi: b64url(rsa.iqmp) };
    const privateKey = createPrivateKey({ key: jwk, format: 'jwk' });
    pypsrpKey = { privateKey, publicKey: createPublicKey(privateKey) };
  }
  return new ClientKeyExchange(pypsrpKey.privateKey, pypsrpKey.publicKey);
}

/** Reassembles the client->server messages of one shell's recorded requests. */
function recordedMessages(exchanges: Exchange[], shellId: string, canon: (id: string) => string): RecordedMessage[] {
  const partial = new Map<number, { start: number; parts: Uint8Array[]; commandId?: string }>();
  const out: RecordedMessage[] = [];
  for (const ex of exchanges) {
    if (canon(ex.shellId) !== shellId) continue;
    for (const payload of payloadsOf(ex.request)) {
      for (const f of decodeFragments(payload)) {
        if (f.start) partial.set(f.objectId, { start: ex.index, parts: [], ...(ex.commandId === undefined ? {} : { commandId: ex.commandId }) });
        const p = partial.get(f.objectId);
        if (p === undefined) continue;
        p.parts.push(f.blob);
        if (!f.end) continue;
        partial.delete(f.objectId);
        const message = decodeMessage(concatBytes(p.parts));
        out.push({ start: p.start, end: ex.index, body: decodeBody(message), pid: message.pid, ...(p.commandId === undefined ? {} : { commandId: p.commandId }) });
      }
    }
  }
  return out;
}

/** The OperationTimeout of a recorded probe; undefined for one we would not send (pypsrp's PT-1S fault test). */
function probeTimeout(request: string): number | undefined {
  try {
    return parseDuration(/<wsman:OperationTimeout>([^<]*)</.exec(request)?.[1] ?? 'PT20S');
  } catch {
    return undefined;
  }
}

const bodyAs = <K extends MessageType>(b: PsrpMessageBody, k: K): BodyOf<K> | undefined => (b.type === k ? (b as BodyOf<K>) : undefined);

/** Builds the pipeline the recorded CREATE_PIPELINE describes and invokes it. */
function invokeRecorded(pool: RunspacePool, id: string, m: BodyOf<MessageType.CREATE_PIPELINE>): Pipeline {
  const p = pool.createPipeline(id);
  // pypsrp, like PowerShell, sends every statement in ExtraCmds and repeats the first in Cmds for
  // servers that ignore ExtraCmds; Windows then runs the ExtraCmds (test_psrp_merge_commands).
  const statements = m.powerShell.extraCmds ?? [m.powerShell.cmds];
  statements.forEach((cmds, i) => {
    if (i > 0) p.addStatement();
    for (const c of cmds) {
      const opts = {
        ...(c.useLocalScope === null ? {} : { useLocalScope: c.useLocalScope }),
        mergeMyResult: c.mergeMyResult, mergeToResult: c.mergeToResult, mergePreviousResults: c.mergePreviousResults,
        ...(c.mergeError === undefined ? {} : { mergeError: c.mergeError }),
        ...(c.mergeWarning === undefined ? {} : { mergeWarning: c.mergeWarning }),
        ...(c.mergeVerbose === undefined ? {} : { mergeVerbose: c.mergeVerbose }),
        ...(c.mergeDebug === undefined ? {} : { mergeDebug: c.mergeDebug }),
        ...(c.mergeInformation === undefined ? {} : { mergeInformation: c.mergeInformation }),
      };
      if (c.isScript) p.addScript(c.cmd, opts);
      else p.addCommand(c.cmd, opts);
      for (const a of c.args) {
        if (a.name === null) p.addArgument(a.value);
        else p.addParameter(a.name, a.value);
      }
    }
  });
  p.invoke({
    noInput: m.noInput, addToHistory: m.addToHistory, isNested: m.isNested, apartmentState: m.apartmentState,
    remoteStreamOptions: m.remoteStreamOptions, hostInfo: m.hostInfo,
    ...(m.powerShell.history === null ? {} : { history: m.powerShell.history }),
  });
  return p;
}

export interface ReplayOptions {
  /** CLIXML comparison options (e.g. properties a legitimate difference makes unequal). */
  clixml?: ClixmlCompareOptions;
  /** Session configuration name (JEA). */
  configurationName?: string;
}

/** Replays one conversation; see the file comment. */
export function replayConversation(fixtures: string, name: string, opts: ReplayOptions = {}): ReplayResult {
  const file = path.join(RESPONSES_DIR(fixtures), name);
  const exchanges = loadConversation(file);
  const result: ReplayResult = {
    file: name, exchanges: exchanges.length, steps: [], notBinding: [], serverMessages: new Map(), events: new Map(), pending: [], shells: new Map(),
  };
  const idMap = new Map<string, string>();
  const oursLog = new Map<string, PayloadLog>();
  const recLog = new Map<string, PayloadLog>();
  /** The WS-Man context pypsrp used for a request: its To, SessionId and OperationTimeout. */
  const contextOf = (request: string): WSManContext => {
    const to = /<wsa:To>([^<]*)</.exec(request)?.[1] ?? 'http://localhost:5985/wsman';
    const sessionId = /<wsmv:SessionId[^>]*>([^<]*)</.exec(request)?.[1];
    const timeout = parseDuration(/<wsman:OperationTimeout>([^<]*)</.exec(request)?.[1] ?? 'PT20S');
    return defaultContext(to, { operationTimeoutSec: timeout > 0 ? timeout : 20, ...(sessionId === undefined ? {} : { sessionId }) });
  };
  let lastShell: PsrpShell | undefined;
  let lastSessionId: string | undefined;

  /** Server-chosen ShellId -> the recorded Create's (2008 R2 ignores the client's ShellId). */
  const aliases = new Map<string, string>();
  const canon = (id: string): string => aliases.get(id) ?? id;
  const messagesOf = (shellId: string): RecordedMessage[] => recordedMessages(exchanges, shellId, canon);
  /**
   * Our id for a recorded pipeline: pypsrp wrote the PID in RFC byte order in most recordings
   * (then ours is swapGuid(CommandId)), in .NET order in some (then it is the CommandId itself).
   */
  /** Server-chosen CommandId -> the one the recorded Command proposed (2008 R2 ignores it too). */
  const commandAliases = new Map<string, string>();
  for (const e of exchanges) {
    const answered = e.action === 'Command' ? /<rsp:CommandId>([^<]+)</.exec(e.response)?.[1] : undefined;
    if (answered !== undefined && e.commandId !== undefined && answered.toUpperCase() !== e.commandId.toUpperCase()) {
      commandAliases.set(answered.toUpperCase(), e.commandId.toUpperCase());
    }
  }
  const pipelineIdFor = (shellId: string, commandId: string): string => {
    const id = commandAliases.get(commandId.toUpperCase()) ?? commandId.toUpperCase();
    const pid = messagesOf(shellId).find((m) => m.commandId?.toUpperCase() === id)?.pid;
    const ours = pid === id ? id : swapGuid(id);
    if (ours !== id) idMap.set(id, ours);
    return ours;
  };
  const newShell = (shellId: string, at: Exchange, shellOpts: { query?: boolean; connect?: boolean }): PsrpShell => {
    const init = messagesOf(shellId).map((m) => bodyAs(m.body, MessageType.INIT_RUNSPACEPOOL)).find((b) => b !== undefined);
    const pool = new RunspacePool({
      runspacePoolId: shellId,
      keyExchange: () => pypsrpKeyExchange(fixtures),
      ...(init === undefined ? {} : {
        minRunspaces: init.minRunspaces, maxRunspaces: init.maxRunspaces, host: init.hostInfo,
        applicationArguments: init.applicationArguments, threadOptions: init.threadOptions, apartmentState: init.apartmentState,
      }),
    });
    const create = exchanges.find((e) => e.action === 'Create' && e.shellId === shellId)?.request ?? '';
    const idle = /<rsp:IdleTimeOut>([^<]*)</.exec(create)?.[1];
    const createOpts = {
      ...(idle === undefined ? {} : { idleTimeoutSec: parseDuration(idle) }),
      ...(/Name="WINRS_NOPROFILE">TRUE</i.test(create) ? { noProfile: true } : {}),
    };
    // The session layer passes on what an earlier pool learned of the server's envelope size.
    // (per WS-Man connection: pypsrp's Connect from a new client starts again at 153600).
    const ctx = contextOf(at.request);
    const sameConnection = lastShell !== undefined && lastSessionId === ctx.sessionId;
    const known = sameConnection && lastShell !== undefined && lastShell.maxEnvelopeSize > 153600 ? { maxEnvelopeSize: lastShell.maxEnvelopeSize } : {};
    lastSessionId = ctx.sessionId;
    const shell = new PsrpShell(pool, {
      ctx, ...(opts.configurationName === undefined ? {} : { configurationName: opts.configurationName }),
      ...(shellOpts.query === true ? { queryMaxEnvelopeSize: true } : {}), create: createOpts, ...known,
    });
    lastShell = shell;
    result.shells.set(shellId, shell);
    result.events.set(shellId, []);
    result.serverMessages.set(shellId, []);
    oursLog.set(shellId, new PayloadLog());
    recLog.set(shellId, new PayloadLog());
    return shell;
  };
  const hostResponses = (shellId: string): Map<bigint, BodyOf<MessageType.PIPELINE_HOST_RESPONSE>> => {
    const map = new Map<bigint, BodyOf<MessageType.PIPELINE_HOST_RESPONSE>>();
    for (const m of messagesOf(shellId)) {
      const b = bodyAs(m.body, MessageType.PIPELINE_HOST_RESPONSE);
      if (b !== undefined) map.set(b.ci, b);
    }
    return map;
  };
  const drain = (shellId: string, shell: PsrpShell): void => {
    const answers = hostResponses(shellId);
    for (let e = shell.pool.nextEvent(); e !== null; e = shell.pool.nextEvent()) {
      result.events.get(shellId)?.push(e);
      if (e.type !== 'PipelineHostCall' || e.ci < 0n) continue;
      const answer = answers.get(e.ci);
      if (answer === undefined) continue;
      const pipeline = shell.pool.pipelines.get(e.pipelineId);
      if (answer.error !== undefined) pipeline?.hostResponse(e, { error: answer.error });
      else pipeline?.hostResponse(e, { value: answer.result ?? null });
    }
  };

  for (const ex of exchanges) {
    const stop = (reason: string): ReplayResult => {
      result.stoppedAt = { index: ex.index, reason };
      return result;
    };
    if (ex.action === 'Enumerate') {
      result.notBinding.push({ index: ex.index, action: ex.action, reason: 'listing shells/commands is the session layer\'s (Enumerate), not the binding\'s' });
      continue;
    }
    const isConfig = ex.action === 'Get' && ex.request.includes('wsman/1/config<');
    const shellId = isConfig
      ? exchanges.find((e) => e.index > ex.index && e.action === 'Create')?.shellId ?? ''
      : canon(ex.shellId);
    let shell = result.shells.get(shellId);
    const msgs = messagesOf(shellId).filter((m) => m.start === ex.index);
    try {
      switch (ex.action) {
        case 'Get':
          if (isConfig) shell ??= newShell(shellId, ex, { query: true });
          else shell?.queryState(probeTimeout(ex.request));
          break;
        case 'Create':
          shell ??= newShell(shellId, ex, {});
          shell.open();
          break;
        case 'Connect':
          if (ex.commandId === undefined) {
            shell = newShell(shellId, ex, { connect: true });
            shell.connect();
          } else {
            if (shell === undefined) return stop('Connect to a pipeline of an unknown shell');
            pipelineIdFor(shellId, ex.commandId);
            return stop('connecting to a running pipeline needs a Running Pipeline object for an existing id (requested from helper 6: pool.attachPipeline)');
          }
          break;
        case 'Command': {
          if (shell === undefined || ex.commandId === undefined) return stop('Command without a shell or CommandId');
          const id = pipelineIdFor(shellId, ex.commandId);
          const create = msgs.map((m) => bodyAs(m.body, MessageType.CREATE_PIPELINE)).find((b) => b !== undefined);
          if (create === undefined) return stop(`Command carries ${msgs.map((m) => MessageType[m.body.type]).join(',')}, not CREATE_PIPELINE (GET_COMMAND_METADATA needs a caller-chosen pipeline id)`);
          invokeRecorded(shell.pool, id, create);
          break;
        }
        case 'Send': {
          if (shell === undefined) return stop('Send without a shell');
          const input = msgs.map((m) => bodyAs(m.body, MessageType.PIPELINE_INPUT)).filter((b) => b !== undefined);
          const pid = ex.commandId === undefined ? undefined : pipelineIdFor(shellId, ex.commandId);
          const pipeline = pid === undefined ? undefined : shell.pool.pipelines.get(pid);
          if (input.length > 0) pipeline?.sendInput(input.map((b) => b.value));
          if (msgs.some((m) => m.body.type === MessageType.END_OF_PIPELINE_INPUT)) pipeline?.endInput();
          for (const m of msgs) {
            if (m.body.type === MessageType.PUBLIC_KEY) shell.pool.exchangeKey();
            else if (m.body.type === MessageType.SET_MAX_RUNSPACES) shell.pool.setMaxRunspaces(m.body.count);
            else if (m.body.type === MessageType.SET_MIN_RUNSPACES) shell.pool.setMinRunspaces(m.body.count);
            else if (m.body.type === MessageType.GET_AVAILABLE_RUNSPACES) shell.pool.getAvailableRunspaces();
            else if (m.body.type === MessageType.RESET_RUNSPACE_STATE) shell.pool.resetRunspaceState();
          }
          break;
        }
        case 'Signal': {
          if (shell === undefined || ex.commandId === undefined) return stop('Signal without a shell or CommandId');
          const id = pipelineIdFor(shellId, ex.commandId);
          // PSRP stop: 'powershell/signal/crtl_c'; old pypsrp wrote the relative 'powershell/signal/ctrl_c'.
          if (/powershell\/signal\/c(rt|tr)l_c/.test(ex.request)) shell.pool.pipelines.get(id)?.stop();
          else shell.terminatePipeline(id);
          break;
        }
        case 'Delete':
          shell?.close();
          break;
        case 'Disconnect': {
          const idle = /<rsp:IdleTimeOut>([^<]*)</.exec(ex.request)?.[1];
          shell?.disconnect(idle === undefined ? undefined : parseDuration(idle));
          break;
        }
        case 'Reconnect':
          shell?.reconnect();
          break;
        default:
          break;
      }
    } catch (err) {
      return stop(`user action for ${ex.action} threw: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (shell === undefined) return stop(`no shell for ${ex.action} (ShellId ${shellId})`);

    const req = shell.nextRequest();
    if (req === null) return stop(`our client had nothing to send where pypsrp sent ${ex.action}`);
    const step: Step = { index: ex.index, action: ex.action, kind: req.kind, wsman: [], messages: [], layout: { ours: '', recorded: '' } };
    result.steps.push(step);
    if (!(ACTION_KIND[ex.action] ?? []).includes(req.kind)) {
      return stop(`we sent ${req.kind} where pypsrp sent ${ex.action}`);
    }
    const recordedXml = rewriteIds(ex.request, idMap);
    step.wsman = compareRequest(req.xml, recordedXml);
    const ourPayloads = payloadsOf(req.xml);
    const recPayloads = payloadsOf(ex.request);
    step.layout = { ours: ourPayloads.map(fragmentLayout).join(' | '), recorded: recPayloads.map(fragmentLayout).join(' | ') };
    const oursDone = oursLog.get(shellId)?.add(ourPayloads) ?? [];
    const recDone = recLog.get(shellId)?.add(recPayloads) ?? [];
    step.messages = compareMessages(oursDone, recDone, opts.clixml);
    try {
      // The server echoes the client's CommandId: answer with ours where pypsrp's differed.
      const info = shell.handleResponse(req, rewriteIds(ex.response, idMap));
      if (info.shellState !== undefined) step.shellState = info.shellState;
      if (shell.shellId !== shellId) aliases.set(shell.shellId, shellId);
    } catch (err) {
      step.threw = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    }
    result.serverMessages.set(shellId, [...(result.serverMessages.get(shellId) ?? []), ...serverTypes(ex.response)]);
    try {
      drain(shellId, shell);
    } catch (err) {
      return stop(`draining events threw: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  for (const [id, shell] of result.shells) {
    const next = shell.phase === 'closed' ? null : shell.nextRequest();
    if (next !== null) result.pending.push(`${id}: ${next.kind}${next.pipelineId === undefined ? '' : ` ${next.pipelineId}`}`);
  }
  return result;
}

/** The PSRP message types that start in a response's stdout streams and connectResponseXml. */
function serverTypes(response: string): string[] {
  const out: string[] = [];
  for (const [, b64] of response.matchAll(/<(?:\w+:)?(?:Stream|connectResponseXml)[^>]*>([^<]+)</g)) {
    for (const f of decodeFragments(new Uint8Array(Buffer.from(b64 ?? '', 'base64')))) {
      if (f.start) out.push(MessageType[new DataView(f.blob.buffer, f.blob.byteOffset).getUint32(4, true)] ?? '?');
    }
  }
  return out;
}

/** Steps with any difference, as lines (for readable failures). */
export function differences(r: ReplayResult): string[] {
  return r.steps.flatMap((s) => [...s.wsman.map((d) => `#${s.index} ${s.action} wsman ${d}`), ...s.messages.map((d) => `#${s.index} ${s.action} psrp ${d}`)]);
}
