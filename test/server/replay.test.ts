/**
 * Replays the requests WinRMSharp recorded against a real Windows host (winrmsharp fixtures) to
 * `serve`, substituting our ShellId/CommandId for the recorded ones, and checks that each answer has
 * the recorded HTTP status and the recorded response action (or fault subcode).
 */
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeFixtures, readWinrmSharpYaml } from '../helpers/fixtures.js';
import { startServer, type RunningServer } from '../../src/server/index.js';
import { NS, child, parseFault, parseXml, textOf } from '../../src/wsman/index.js';
import { TestClient } from './client.js';

/** Windows programs in the recordings, mapped to POSIX ones with the same observable outcome. */
const REWRITE: Record<string, [RegExp, string][]> = {
  'ProtocolRunCommandExceedingOperationTimeout.yml': [
    [/powershell -Command Start-Sleep -s 10/, 'sleep 10'],
    [/PT5S/g, 'PT1S'],
  ],
  'ProtocolRunCommandWithCommandTimeout.yml': [[/powershell -Command Start-Sleep -s 10/, 'sleep 1']],
};

const FILES = [
  'ProtocolOpenCloseShell.yml',
  'ProtocolGetCommandState.yml',
  'ProtocolGetCommandStateBeforeRun.yml',
  'ProtocolRunCommandWithArgsAndCleanup.yml',
  'ProtocolRunCommandWithoutArgsAndCleanup.yml',
  'ProtocolRunCommandWithCommandInput.yml',
  'ProtocolRunCommandWithEnv.yml',
  'ProtocolRunCommandWithNoProfile.yml',
  'ProtocolRunCommandWithUnicode.yml',
  'ProtocolRunCommandExceedingOperationTimeout.yml',
  'ProtocolRunCommandWithCommandTimeout.yml',
];

/** The response's wsa:Action, or `fault:<subcode>` for a fault. */
function outcome(status: number, body: string): string {
  if (status !== 200) return `${status} fault:${parseFault(body)?.subcode ?? '?'}`;
  const root = parseXml(body);
  const action = textOf(child(child(root, NS.s, 'Header'), NS.wsa, 'Action'));
  return `${status} ${action.slice(action.lastIndexOf('/') + 1)}`;
}

/** Recorded ids in a response: the ShellId of a CreateResponse, the CommandId of a CommandResponse. */
function ids(body: string): string[] {
  return [...body.matchAll(/<rsp:(?:ShellId|CommandId)>([^<]+)</g)].map((m) => m[1] as string);
}

describeFixtures('serve replays WinRMSharp recordings of a real Windows host', (dir) => {
  let server: RunningServer;
  let client: TestClient;
  beforeAll(async () => {
    server = await startServer({ listen: ['127.0.0.1:0'], users: [{ username: 'exampleUser', password: 'pw' }], allowUnencrypted: true });
    client = new TestClient(server.urls[0] as URL, 'exampleUser', 'pw');
  });
  afterAll(async () => {
    await client.close();
    await server.close();
  });

  for (const name of FILES) {
    it(`answers ${name} with the recorded statuses and actions`, async () => {
      const exchanges = readWinrmSharpYaml(path.join(dir, 'winrmsharp/src/WinRMSharp.Tests/Data/Sessions', name));
      const idMap = new Map<string, string>();
      const expected: string[] = [];
      const actual: string[] = [];
      for (const ex of exchanges) {
        let body = ex.Request.Body;
        for (const [from, to] of REWRITE[name] ?? []) body = body.replace(from, to);
        for (const [from, to] of idMap) body = body.split(from).join(to);
        const reply = await client.post(body);
        expected.push(outcome(ex.Response.StatusCode, ex.Response.Body));
        actual.push(outcome(reply.status, reply.body));
        if (reply.status === 200) {
          const recorded = ids(ex.Response.Body);
          ids(reply.body).forEach((ours, i) => recorded[i] !== undefined && idMap.set(recorded[i] as string, ours));
        }
      }
      expect(actual).toEqual(expected);
    });
  }

  it('leaves open only the shell whose recording never deletes it (GetCommandStateBeforeRun)', () => {
    expect(server.stats().shells).toBe(1);
  });
});
