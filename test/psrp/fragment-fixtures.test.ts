/**
 * Every PSRP fragment stream recorded from real servers (fixtures/pypsrp, fixtures/ironposh)
 * defragments and every message header decodes. Totals are asserted exactly, so a payload that
 * goes missing from the extraction, or a fragment that is miscounted, fails the run.
 */
import path from 'node:path';
import { expect, it } from 'vitest';
import { describeFixtures } from '../helpers/fixtures.js';
import { concatBytes, decodeFragments, encodeFragment, fragmentMessage, type Fragment } from '../../src/psrp/fragment.js';
import { Defragmenter } from '../../src/psrp/fragment-defragmenter.js';
import { decodeMessage, NIL_GUID, type PsrpMessage } from '../../src/psrp/message.js';
import { Destination, MessageType, messageTypeName } from '../../src/psrp/constants.js';
import { ironposhCreationXml, ironposhReceiveStdout, pypsrpFiles, pypsrpPayloads } from './fragment-fixtures.js';

interface Tally {
  fragments: number;
  messages: number;
}

interface FileResult {
  client: Tally;
  server: Tally;
  messages: { direction: 'client' | 'server'; shell: string; message: PsrpMessage; fragments: number }[];
}

/**
 * The pypsrp build that made these recordings wrote the RPID in RFC 4122 byte order (Python's
 * uuid.bytes) where .NET, MS-DTYP §2.3.4.2, psrpcore, the WinRM gem and pypsrp today write
 * Guid.ToByteArray() order; the server echoes the 16 bytes verbatim. So read in .NET order, the
 * recorded RPID is the ShellId with its first three groups byte-swapped.
 */
function rfcOrder(guid: string): string {
  const h = guid.replace(/-/g, '');
  const sw = (s: string): string => s.match(/../g)?.reverse().join('') ?? s;
  return [sw(h.slice(0, 8)), sw(h.slice(8, 12)), sw(h.slice(12, 16)), h.slice(16, 20), h.slice(20)].join('-');
}

function replay(file: string): FileResult {
  const result: FileResult = { client: { fragments: 0, messages: 0 }, server: { fragments: 0, messages: 0 }, messages: [] };
  // One defragmenter per direction and shell: ObjectIds are unique within a pool only (§2.2.4).
  const defrags = new Map<string, Defragmenter>();
  const counts = new Map<string, number>();
  for (const p of pypsrpPayloads(file)) {
    const key = `${p.direction}/${p.shell}`;
    let d = defrags.get(key);
    if (d === undefined) {
      d = new Defragmenter();
      defrags.set(key, d);
    }
    for (const fragment of decodeFragments(p.bytes)) {
      result[p.direction].fragments += 1;
      const ck = `${key}/${fragment.objectId}`;
      counts.set(ck, (counts.get(ck) ?? 0) + 1);
      const bytes = d.push(fragment);
      if (bytes === null) continue;
      result[p.direction].messages += 1;
      result.messages.push({ direction: p.direction, shell: p.shell, message: decodeMessage(bytes), fragments: counts.get(ck) ?? 0 });
      counts.delete(ck);
    }
  }
  for (const [key, d] of defrags) expect(d.pendingObjects, `${path.basename(file)} ${key} left half-assembled`).toBe(0);
  return result;
}

describeFixtures('PSRP fragments recorded by pypsrp', (dir) => {
  const files = pypsrpFiles(dir);
  const results = new Map(files.map((f) => [path.basename(f), replay(f)]));

  it('finds all 67 recordings', () => {
    expect(files).toHaveLength(67);
  });

  it('defragments every stream to the exact totals per direction', () => {
    const total = { client: { fragments: 0, messages: 0 }, server: { fragments: 0, messages: 0 } };
    let filesWithPsrp = 0;
    for (const r of results.values()) {
      total.client.fragments += r.client.fragments;
      total.client.messages += r.client.messages;
      total.server.fragments += r.server.fragments;
      total.server.messages += r.server.messages;
      if (r.messages.length > 0) filesWithPsrp += 1;
    }
    expect(filesWithPsrp).toBe(49);
    expect(total).toEqual({ client: { fragments: 231, messages: 230 }, server: { fragments: 481, messages: 471 } });
  });

  it('reassembles the multi-fragment messages', () => {
    const multi = [...results].flatMap(([name, r]) =>
      r.messages.filter((m) => m.fragments > 1).map((m) => `${name} ${m.direction} ${messageTypeName(m.message.type)} ${m.fragments}`),
    );
    expect(multi).toEqual([
      'test_client_fetch_file.yml server PIPELINE_OUTPUT 11',
      'test_psrp_small_msg_size.yml client CREATE_PIPELINE 2',
    ]);
  });

  it('re-encodes every recorded payload byte for byte', () => {
    let payloads = 0;
    const differ: string[] = [];
    for (const file of files) {
      for (const p of pypsrpPayloads(file)) {
        payloads += 1;
        const again = concatBytes(decodeFragments(p.bytes).map(encodeFragment));
        if (Buffer.compare(again, p.bytes) !== 0) differ.push(`${path.basename(file)} #${p.exchange}`);
      }
    }
    expect(payloads).toBe(621);
    expect(differ).toEqual([]);
  });

  it('cuts the recorded multi-fragment messages exactly as pypsrp and Windows did', () => {
    const cases: [string, 'client' | 'server'][] = [
      ['test_psrp_small_msg_size.yml', 'client'],
      ['test_client_fetch_file.yml', 'server'],
    ];
    for (const [name, direction] of cases) {
      const file = files.find((f) => path.basename(f) === name) ?? '';
      const recorded: Fragment[] = pypsrpPayloads(file)
        .filter((p) => p.direction === direction)
        .flatMap((p) => decodeFragments(p.bytes))
        .filter((f) => !(f.start && f.end));
      const first = recorded[0];
      if (first === undefined) throw new Error(`${name}: no multi-fragment message`);
      const whole = concatBytes(recorded.map((f) => f.blob));
      const ours = fragmentMessage(whole, first.objectId, first.blob.length);
      expect(ours.map((b) => Buffer.from(b).toString('hex'))).toEqual(recorded.map((f) => Buffer.from(encodeFragment(f)).toString('hex')));
    }
  });

  it('decodes every header: destination matches direction, RPID names the shell, PID only on pipeline messages', () => {
    // GET_COMMAND_METADATA runs as a pipeline: it carries a PID, and its answer is pipeline output.
    const poolTypes = new Set([
      MessageType.SESSION_CAPABILITY, MessageType.INIT_RUNSPACEPOOL, MessageType.PUBLIC_KEY,
      MessageType.ENCRYPTED_SESSION_KEY, MessageType.CONNECT_RUNSPACEPOOL, MessageType.RUNSPACEPOOL_INIT_DATA,
      MessageType.APPLICATION_PRIVATE_DATA, MessageType.RUNSPACEPOOL_STATE, MessageType.RUNSPACE_AVAILABILITY,
      MessageType.SET_MAX_RUNSPACES, MessageType.SET_MIN_RUNSPACES, MessageType.GET_AVAILABLE_RUNSPACES,
      MessageType.RESET_RUNSPACE_STATE,
    ]);
    const problems: string[] = [];
    const order = { dotnet: 0, rfc: 0 };
    const nilRpid = new Map<string, number>();
    const foreign: string[] = [];
    let checked = 0;
    for (const [name, r] of results) {
      const orders = new Set<string>();
      const shells = new Set(r.messages.map((m) => m.shell));
      for (const { direction, message } of r.messages) {
        checked += 1;
        const type = messageTypeName(message.type);
        const want = direction === 'client' ? Destination.Server : Destination.Client;
        if (message.destination !== want) problems.push(`${name}: destination ${message.destination}`);
        if (message.rpid === NIL_GUID) {
          const k = `${direction} ${type}`;
          nilRpid.set(k, (nilRpid.get(k) ?? 0) + 1);
        } else if (shells.has(message.rpid)) orders.add('dotnet');
        else if ([...shells].some((s) => rfcOrder(s) === message.rpid)) orders.add('rfc');
        else foreign.push(`${name}: ${direction} ${type}`);
        const pipelineMessage = !poolTypes.has(message.type) && message.type !== MessageType.CREATE_PIPELINE;
        if (poolTypes.has(message.type) && message.pid !== NIL_GUID) problems.push(`${name}: ${type} has a PID`);
        if (pipelineMessage && message.pid === NIL_GUID) problems.push(`${name}: ${type} without PID`);
        if (message.type !== MessageType.END_OF_PIPELINE_INPUT && !message.data.startsWith('<')) {
          problems.push(`${name}: ${type} data does not start with '<'`);
        }
      }
      if (orders.size > 1) problems.push(`${name}: RPIDs in both byte orders`);
      if (orders.has('dotnet')) order.dotnet += 1;
      if (orders.has('rfc')) order.rfc += 1;
    }
    expect(checked).toBe(701);
    expect(problems).toEqual([]);
    // 18 recordings were made by a pypsrp that wrote .NET order, 31 by one that wrote RFC order.
    expect(order).toEqual({ dotnet: 18, rfc: 31 });
    // Windows answers the key exchange and its own SESSION_CAPABILITY with a nil RPID.
    expect(Object.fromEntries(nilRpid)).toEqual({ 'server SESSION_CAPABILITY': 53, 'server ENCRYPTED_SESSION_KEY': 2 });
    // Hand-edited by pypsrp's authors to inject a warning: ids from another session.
    expect(foreign).toEqual(['test_client_copy_file_warning.yml: server WARNING_RECORD']);
  });

  it('sees exactly these 27 message types', () => {
    const seen = new Map<string, number>();
    for (const r of results.values()) {
      for (const { message } of r.messages) {
        const n = messageTypeName(message.type);
        seen.set(n, (seen.get(n) ?? 0) + 1);
      }
    }
    expect(Object.fromEntries([...seen].sort())).toEqual({
      APPLICATION_PRIVATE_DATA: 55,
      CONNECT_RUNSPACEPOOL: 4,
      CREATE_PIPELINE: 47,
      DEBUG_RECORD: 12,
      ENCRYPTED_SESSION_KEY: 2,
      END_OF_PIPELINE_INPUT: 13,
      ERROR_RECORD: 4,
      GET_AVAILABLE_RUNSPACES: 2,
      GET_COMMAND_METADATA: 3,
      INFORMATION_RECORD: 3,
      INIT_RUNSPACEPOOL: 53,
      PIPELINE_HOST_CALL: 31,
      PIPELINE_HOST_RESPONSE: 6,
      PIPELINE_INPUT: 36,
      PIPELINE_OUTPUT: 149,
      PIPELINE_STATE: 49,
      PROGRESS_RECORD: 33,
      PUBLIC_KEY: 3,
      RESET_RUNSPACE_STATE: 2,
      RUNSPACEPOOL_INIT_DATA: 4,
      RUNSPACEPOOL_STATE: 55,
      RUNSPACE_AVAILABILITY: 8,
      SESSION_CAPABILITY: 114,
      SET_MAX_RUNSPACES: 2,
      SET_MIN_RUNSPACES: 2,
      VERBOSE_RECORD: 4,
      WARNING_RECORD: 5,
    });
  });
});

describeFixtures('PSRP fragments recorded by ironPosh (pwsh 7.4)', (dir) => {
  it('creationXml holds SESSION_CAPABILITY then INIT_RUNSPACEPOOL, each one fragment', () => {
    const fragments = decodeFragments(ironposhCreationXml(dir));
    expect(fragments.map((f) => [f.objectId, f.fragmentId, f.start, f.end])).toEqual([
      [1, 0, true, true],
      [2, 0, true, true],
    ]);
    const d = new Defragmenter();
    const messages = fragments.map((f) => d.push(f)).map((m) => decodeMessage(m ?? new Uint8Array(0)));
    expect(messages.map((m) => [m.destination, messageTypeName(m.type), m.pid])).toEqual([
      [Destination.Server, 'SESSION_CAPABILITY', NIL_GUID],
      [Destination.Server, 'INIT_RUNSPACEPOOL', NIL_GUID],
    ]);
    expect(messages[0]?.rpid).toBe(messages[1]?.rpid);
    expect(messages[0]?.data).toContain('<Version N="protocolversion">2.3</Version>');
  });

  it('receive_response.xml holds one RUNSPACEPOOL_STATE', () => {
    const d = new Defragmenter();
    const messages = ironposhReceiveStdout(dir).flatMap((b) => d.add(b)).map(decodeMessage);
    expect(messages.map((m) => [m.destination, messageTypeName(m.type)])).toEqual([[Destination.Client, 'RUNSPACEPOOL_STATE']]);
  });
});
