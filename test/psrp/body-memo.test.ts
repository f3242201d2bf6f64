/**
 * Bodies encoded once per distinct content (src/psrp/body-memo.ts): the key tells apart everything
 * the writer's output depends on, and encodeBody through the memo always equals a fresh encoding,
 * also after the objects in a body were changed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contentKey, memoizedEncoder } from '../../src/psrp/body-memo.js';
import { PSObject, ps, type PSValue } from '../../src/psrp/clixml/index.js';
import { consoleHostInfo, defaultApplicationArguments } from '../../src/psrp/client/index.js';
import { ApartmentState, MessageType, PSThreadOptions, RemoteStreamOptions } from '../../src/psrp/constants.js';
import { BODY_CODECS, encodeBody, type BodyOf, type PsrpMessageBody } from '../../src/psrp/message-body.js';
import { newCommand, type CommandParameter } from '../../src/psrp/messages/pipeline.js';
import { NO_HOST } from '../../src/psrp/messages/host-info.js';

const fresh = (body: PsrpMessageBody): string => (BODY_CODECS[body.type] as { encode: (b: PsrpMessageBody) => string }).encode(body);

function initBody(hostInfo = consoleHostInfo(), applicationArguments: PSValue = defaultApplicationArguments()): BodyOf<MessageType.INIT_RUNSPACEPOOL> {
  return {
    type: MessageType.INIT_RUNSPACEPOOL,
    minRunspaces: 1,
    maxRunspaces: 1,
    threadOptions: PSThreadOptions.Default,
    apartmentState: ApartmentState.Unknown,
    hostInfo,
    applicationArguments: applicationArguments as PSObject,
  };
}

function pipelineBody(script: string, args: CommandParameter[] = []): BodyOf<MessageType.CREATE_PIPELINE> {
  return {
    type: MessageType.CREATE_PIPELINE,
    noInput: true,
    apartmentState: ApartmentState.Unknown,
    remoteStreamOptions: RemoteStreamOptions.None,
    addToHistory: false,
    hostInfo: NO_HOST,
    isNested: false,
    powerShell: { cmds: [newCommand(script, true, args)], extraCmds: null, isNested: false, history: null, redirectShellErrorOutputPipe: true },
  };
}

describe('contentKey', () => {
  it('tells apart values the writer writes differently', () => {
    const o = (names: string[], props: [string, PSValue][], toStringText?: string): PSObject =>
      new PSObject({ typeNames: names, adapted: props, ...(toStringText === undefined ? {} : { toStringText }) });
    const distinct: unknown[] = [
      null, undefined, '', 'a', '1', 1, -0, 0, 1n, true, false, [], [[]], ['ab', 'c'], ['a', 'bc'], {}, { a: 1 }, { b: 1 }, { a: '1' },
      new Map([['a', 1], ['b', 2]]), new Map([['b', 2], ['a', 1]]), new Uint8Array([1, 2]), new Uint8Array([1, 3]), new Date(0), new Date(1),
      o(['T'], [['a', 1]]), o(['T'], [['a', 2]]), o(['U'], [['a', 1]]), o(['T'], [['b', 1]]), o(['T'], [['a', 1]], 'text'),
      new PSObject({ typeNames: ['T'], extended: [['a', 1]] }), new PSObject({ value: ps.list([1]) }), new PSObject({ value: ps.list([2]) }),
    ];
    const keys = distinct.map((v) => contentKey(v));
    expect(keys.every((k) => k !== undefined)).toBe(true);
    expect(new Set(keys).size).toBe(distinct.length);
  });

  it('tells one object used twice from two equal objects (the writer writes a <Ref> for the first)', () => {
    const a = new PSObject({ typeNames: ['T'], adapted: [['x', 1]] });
    const b = new PSObject({ typeNames: ['T'], adapted: [['x', 1]] });
    expect(contentKey([a, b])).toBe(contentKey([b, a]));
    expect(contentKey([a, a])).not.toBe(contentKey([a, b]));
  });

  it('follows changes to an object: the same instance gets a new key after it changed', () => {
    const a = new PSObject({ typeNames: ['T'], adapted: [['x', 1]] });
    const before = contentKey({ v: a });
    a.adapted.set('x', 2);
    expect(contentKey({ v: a })).not.toBe(before);
    a.adapted.set('x', 1);
    expect(contentKey({ v: a })).toBe(before);
    a.typeNames.push('U');
    expect(contentKey({ v: a })).not.toBe(before);
  });

  it('gives no key for what it cannot vouch for, or for a body too big to keep', () => {
    class Other {
      readonly x = 1;
    }
    expect(contentKey({ v: new Other() })).toBeUndefined();
    expect(contentKey({ v: () => 1 })).toBeUndefined();
    expect(contentKey([Symbol('s')])).toBeUndefined();
    expect(contentKey({ script: 'x'.repeat(20_000) })).toBeUndefined();
    // A SecureString (encrypted with the session key, still a secret) is never kept.
    expect(contentKey({ args: [{ name: 'Credential', value: new PSObject({ adapted: [['Password', { kind: 'SS', value: 'AAAA' }]] }) }] })).toBeUndefined();
  });
});

describe('memoizedEncoder', () => {
  it('encodes a body of new content, returns the kept text for the same content, and keeps at most 64', () => {
    let calls = 0;
    const encode = memoizedEncoder((b: { n: number }) => `${++calls}:${b.n}`);
    expect([encode({ n: 1 }), encode({ n: 1 }), encode({ n: 2 })]).toEqual(['1:1', '1:1', '2:2']);
    for (let n = 3; n <= 66; n++) encode({ n });
    expect(encode({ n: 66 })).toBe('66:66'); // still kept
    expect(encode({ n: 1 })).toBe('67:1'); // the oldest went first
    // Unkeyed bodies are encoded every time.
    const f = (): number => 1;
    expect([encode({ n: 1, f } as { n: number }), encode({ n: 1, f } as { n: number })]).toEqual(['68:1', '69:1']);
  });
});

describe('encodeBody through the memo', () => {
  it('equals a fresh encoding for the pool opening, also when a HostInfo object changed in between', () => {
    const host = consoleHostInfo({ windowSize: { width: 100, height: 40 } });
    const first = initBody(host);
    const firstText = fresh(first);
    expect(encodeBody(first)).toBe(firstText);
    expect(encodeBody(initBody(consoleHostInfo({ windowSize: { width: 100, height: 40 } })))).toBe(firstText);
    const windowSize = host.hostDefaultData?.find((e) => e.key === 6)?.value as PSObject;
    windowSize.extended.set('width', 80);
    const changed = initBody(host);
    expect(fresh(changed)).not.toBe(firstText);
    expect(encodeBody(changed)).toBe(fresh(changed));
  });

  it('equals a fresh encoding for any command, arguments and sharing of argument objects', () => {
    const shared = new PSObject({ typeNames: ['T'], adapted: [['x', 1]] });
    const argValue = fc.oneof(
      fc.constant<PSValue>(shared),
      fc.string().map((s) => new PSObject({ typeNames: ['T'], adapted: [['x', s]] }) as PSValue),
      fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null)) as fc.Arbitrary<PSValue>,
    );
    const args = fc.array(fc.record({ name: fc.option(fc.constantFrom('Name', 'Path', 'x'), { nil: null }), value: argValue }), { maxLength: 4 });
    fc.assert(
      fc.property(fc.constantFrom('Get-Process', '$env:COMPUTERNAME', '1+1', 'x'), args, (script, a) => {
        const body = pipelineBody(script, a);
        expect(encodeBody(body)).toBe(fresh(body));
        expect(encodeBody(body)).toBe(fresh(body));
      }),
      { numRuns: 300 },
    );
    // The shared object changes: the next encoding says so.
    const body = pipelineBody('x', [{ name: 'a', value: shared }]);
    const before = encodeBody(body);
    shared.adapted.set('x', 'changed');
    expect(encodeBody(body)).not.toBe(before);
    expect(encodeBody(body)).toBe(fresh(body));
  });
});
