/**
 * Replays every CLIENT request pypsrp recorded in a PowerShell conversation (resource
 * …/powershell/…) to `serve`, in order, keeping the recorded ShellId / CommandId / RPID / PID (the
 * client's choice) and rewriting only wsa:To and the OperationTimeout (PT20S → PT0.2S, so a Receive
 * with nothing to say times out quickly).
 *
 * What is compared, per request:
 * - every answer is well-formed: a SOAP envelope (200) or a WS-Man fault (500) that our readers
 *   parse, and every rsp:Stream of a ReceiveResponse is whole PSRP fragments;
 * - its kind equals the recorded one: the same response wsa:Action, or a fault with the same
 *   subcode where the recording has a fault — except a Receive, which may legitimately hold
 *   different data or time out (ReceiveResponse and w:TimedOut are interchangeable there);
 * - a CommandResponse echoes the recorded CommandId.
 * The PSRP content (output values, host calls) differs by design: the engine is not Windows
 * PowerShell. Exchanges the recording marks as never reaching a server (http_error, auth_error)
 * are skipped. Conversations that cannot match, and why, are listed in EXPECTED_MISMATCHES.
 */
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeFixtures, listFiles, readPypsrpYaml } from '../../helpers/fixtures.js';
import { startServer, type RunningServer } from '../../../src/server/index.js';
import { decodeFragments } from '../../../src/psrp/fragment.js';
import { NS, child, parseFault, parseResponse, parseXml, readReceiveResponse, textOf } from '../../../src/wsman/index.js';
import { TestClient } from '../client.js';

/**
 * Exchanges whose answer differs in kind from the recording, with the reason; key `file#index`.
 * Filled from the replay's own findings; each entry states why serve answers differently.
 */
const EXPECTED_MISMATCHES: Record<string, string> = {
  'test_psrp_is_alive_invalid_selectors.yml#4': 'the recorded shell had been removed on the server out of band; ours still exists',
  'test_psrp_small_msg_size.yml#0': 'Get winrm/config: the dispatcher serves no config resource (DestinationUnreachable)',
  'test_psrp_disconnect_runspaces.yml#12': 'Enumerate of …/windows/shell/Command (a shell\'s commands): not served by the dispatcher',
  'test_psrp_disconnect_runspaces.yml#13': 'Enumerate of …/windows/shell/Command: not served by the dispatcher',
  'test_psrp_disconnected_commands.yml#11': 'Enumerate of …/windows/shell/Command: not served by the dispatcher',
  'test_psrp_disconnected_commands.yml#12': 'Enumerate of …/windows/shell/Command: not served by the dispatcher',
};

/** Conversations not replayed, and why (none at present). */
const NOT_REPLAYED: Record<string, string> = {};

/** The response's wsa:Action tail, or `fault:<subcode>`. */
function outcome(status: number, body: string): string {
  if (status !== 200) return `fault:${parseFault(body)?.subcode ?? `HTTP ${status}`}`;
  const action = textOf(child(child(parseXml(body), NS.s, 'Header'), NS.wsa, 'Action'));
  return action.slice(action.lastIndexOf('/') + 1);
}

/** The ShellId of a CreateResponse, the CommandId of a CommandResponse. */
function ids(body: string): string[] {
  return [...body.matchAll(/<(?:rsp:ShellId|rsp:CommandId|w:Selector Name="ShellId")>([^<]+)</g)].map((m) => m[1] as string);
}

function requestAction(xml: string): string {
  const a = /<wsa:Action[^>]*>([^<]+)</.exec(xml)?.[1] ?? '';
  return a.slice(a.lastIndexOf('/') + 1);
}

/** Throws unless the answer parses (and, for a PowerShell shell, its streams are whole PSRP fragments). */
function checkWellFormed(status: number, body: string, psrp: boolean): void {
  if (status !== 200) {
    if (parseFault(body) === null) throw new Error(`HTTP ${status} without a WS-Man fault body`);
    return;
  }
  const res = parseResponse(body);
  if (psrp && /ReceiveResponse$/.test(res.action)) {
    for (const s of readReceiveResponse(res).streams) decodeFragments(s.data);
  }
}

function sameKind(requestKind: string, recorded: string, ours: string): boolean {
  if (recorded === ours) return true;
  const receiveOutcomes = new Set(['ReceiveResponse', 'fault:TimedOut']);
  return requestKind === 'Receive' && receiveOutcomes.has(recorded) && receiveOutcomes.has(ours);
}

describeFixtures('serve answers pypsrp PowerShell conversations request by request', (dir) => {
  const files = listFiles(path.join(dir, 'pypsrp/tests/tests_pypsrp/responses'), /^test_.*\.yml$/).filter((f) =>
    readPypsrpYaml(f).some((m) => m.request.includes('http://schemas.microsoft.com/powershell/')),
  );
  let server: RunningServer;
  let client: TestClient;
  const summary: { file: string; requests: number; matched: number; mismatches: string[] }[] = [];
  beforeAll(async () => {
    server = await startServer({ listen: ['127.0.0.1:0'], users: [{ username: 'vagrant', password: 'pw' }], allowUnencrypted: true });
    client = new TestClient(server.urls[0] as URL, 'vagrant', 'pw');
  });
  afterAll(async () => {
    await client.close();
    await server.close();
    const total = summary.reduce((n, s) => n + s.requests, 0);
    const matched = summary.reduce((n, s) => n + s.matched, 0);
    const clean = summary.filter((s) => s.mismatches.length === 0).length;
    process.stdout.write(`pypsrp replay: ${clean}/${summary.length} files and ${matched}/${total} requests answered in kind\n`);
  });

  it('finds the PowerShell conversations', () => {
    expect(files.length).toBe(49);
  });

  for (const file of files) {
    const name = path.basename(file);
    if (NOT_REPLAYED[name] !== undefined) {
      it.skip(`${name}: ${NOT_REPLAYED[name]}`, () => {});
      continue;
    }
    it(`answers ${name} in kind, well-formed`, async () => {
      const url = (server.urls[0] as URL).toString();
      const mismatches: string[] = [];
      let requests = 0;
      let matched = 0;
      // Ids the SERVER chose (a cmd shell's ShellId, a 2008 R2 host ignoring the client's): ours replace them.
      const idMap = new Map<string, string>();
      for (const [i, ex] of readPypsrpYaml(file).entries()) {
        if (ex.http_error !== undefined || ex.auth_error !== undefined) continue;
        let body = ex.request;
        for (const [from, to] of idMap) body = body.split(from).join(to);
        body = body
          .replace(/<wsa:To>[^<]*<\/wsa:To>/, `<wsa:To>${url}</wsa:To>`)
          .replace(/<wsman:OperationTimeout>PT\d+(\.\d+)?S<\/wsman:OperationTimeout>/, '<wsman:OperationTimeout>PT0.2S</wsman:OperationTimeout>');
        const t0 = Date.now();
        const reply = await client.post(body);
        if (process.env.REPLAY_TRACE) process.stderr.write(`${name}#${i} ${requestAction(ex.request)} ${Date.now() - t0}ms ${outcome(reply.status, reply.body)}\n`);
        checkWellFormed(reply.status, reply.body, body.includes('<wsman:ResourceURI s:mustUnderstand="true">http://schemas.microsoft.com/powershell/'));
        requests++;
        const kind = requestAction(ex.request);
        const recorded = outcome(/<s:Fault>|:Fault>/.test(ex.response) ? 500 : 200, ex.response);
        const ours = outcome(reply.status, reply.body);
        const key = `${name}#${i}`;
        if (reply.status === 200 && (kind === 'Create' || kind === 'Command')) {
          const theirs = ids(ex.response);
          ids(reply.body).forEach((mine, k) => theirs[k] !== undefined && theirs[k] !== mine && idMap.set(theirs[k] as string, mine));
        }
        if (sameKind(kind, recorded, ours)) {
          matched++;
          // The client's CommandId (= PipelineId) is echoed, as Windows does.
          const sent = /<rsp:CommandLine CommandId="([^"]+)"/.exec(body)?.[1];
          if (recorded === 'CommandResponse' && sent !== undefined) expect(reply.body).toContain(`<rsp:CommandId>${sent}</rsp:CommandId>`);
        } else if (EXPECTED_MISMATCHES[key] === undefined) {
          mismatches.push(`${key} ${kind}: recorded ${recorded}, serve ${ours}${reply.status !== 200 ? ` (${parseFault(reply.body)?.message?.slice(0, 120) ?? ''})` : ''}`);
        }
      }
      summary.push({ file: name, requests, matched, mismatches });
      expect(mismatches).toEqual([]);
    }, 60_000);
  }
});
