import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeFixtures } from '../helpers/fixtures.js';
import { decodeMessage, encodeMessage, NIL_GUID, readGuid, writeGuid, type PsrpMessage } from '../../src/psrp/message.js';
import { Destination, MESSAGE_TYPES, MessageType, isMessageType, messageTypeName } from '../../src/psrp/constants.js';
import { Defragmenter } from '../../src/psrp/fragment-defragmenter.js';
import { PsrpProtocolError } from '../../src/psrp/errors.js';
import { pypsrpFiles, pypsrpPayloads } from './fragment-fixtures.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('MessageType', () => {
  it('has the 31 codes of §2.2.1', () => {
    expect(MESSAGE_TYPES).toHaveLength(31);
    expect(new Set(MESSAGE_TYPES).size).toBe(31);
    expect(MessageType.SESSION_CAPABILITY).toBe(0x00010002);
    expect(MessageType.RUNSPACEPOOL_INIT_DATA).toBe(0x0002100b);
    expect(MessageType.PROGRESS_RECORD).toBe(0x00041010);
    expect(MessageType.PIPELINE_HOST_RESPONSE).toBe(0x00041101);
    expect(isMessageType(0x00041012)).toBe(false);
    expect(messageTypeName(0x00041006)).toBe('PIPELINE_STATE');
    expect(messageTypeName(0xdeadbeef)).toBe('0xdeadbeef');
  });
});

describe('GUIDs in .NET byte order', () => {
  it('swaps the first three groups (known answer)', () => {
    const out = new Uint8Array(16);
    writeGuid('76056A84-51DC-4F24-9262-CA2A55464B2B', out, 0);
    expect(hex(out)).toBe('846a0576dc51244f9262ca2a55464b2b');
    expect(readGuid(out, 0)).toBe('76056A84-51DC-4F24-9262-CA2A55464B2B');
    writeGuid('{00112233-4455-6677-8899-aabbccddeeff}', out, 0);
    expect(hex(out)).toBe('33221100554477668899aabbccddeeff');
  });

  it('round trips any GUID (fast-check)', () => {
    fc.assert(
      fc.property(fc.uuid(), (g) => {
        const out = new Uint8Array(16);
        writeGuid(g, out, 0);
        expect(readGuid(out, 0)).toBe(g.toUpperCase());
      }),
    );
  });

  it('refuses text that is not a GUID', () => {
    expect(() => writeGuid('not-a-guid', new Uint8Array(16), 0)).toThrow(RangeError);
  });
});

describe('encodeMessage / decodeMessage', () => {
  const sample: PsrpMessage = {
    destination: Destination.Server,
    type: MessageType.SESSION_CAPABILITY,
    rpid: '76056A84-51DC-4F24-9262-CA2A55464B2B',
    pid: NIL_GUID,
    data: '<Obj RefId="0"/>',
  };

  it('lays out the §2.2.1 header little-endian, then BOM and UTF-8 data', () => {
    const bytes = encodeMessage(sample);
    expect(hex(bytes.subarray(0, 8))).toBe('02000000' + '02000100');
    expect(hex(bytes.subarray(8, 24))).toBe('846a0576dc51244f9262ca2a55464b2b');
    expect(hex(bytes.subarray(24, 40))).toBe('00'.repeat(16));
    expect(hex(bytes.subarray(40, 43))).toBe('efbbbf');
    expect(Buffer.from(bytes.subarray(43)).toString('utf8')).toBe('<Obj RefId="0"/>');
    expect(encodeMessage(sample, { bom: false })).toHaveLength(40 + 16);
  });

  it('sends no BOM on an empty Data field (END_OF_PIPELINE_INPUT)', () => {
    const eop = encodeMessage({ ...sample, type: MessageType.END_OF_PIPELINE_INPUT, pid: sample.rpid, data: '' });
    expect(eop).toHaveLength(40);
    expect(decodeMessage(eop).data).toBe('');
  });

  it('round trips any header and text (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(Destination.Client, Destination.Server),
        fc.constantFrom(...MESSAGE_TYPES),
        fc.uuid(),
        fc.uuid(),
        fc.string({ unit: 'grapheme', maxLength: 200 }),
        fc.boolean(),
        (destination, type, rpid, pid, data, bom) => {
          // A leading U+FEFF in the text would be read back as the BOM; CLIXML never starts with one.
          fc.pre(!data.startsWith('\ufeff'));
          const msg = { destination, type, rpid: rpid.toUpperCase(), pid: pid.toUpperCase(), data };
          expect(decodeMessage(encodeMessage(msg, { bom }))).toEqual(msg);
        },
      ),
    );
  });

  it('refuses to encode an unknown destination or type', () => {
    expect(() => encodeMessage({ ...sample, destination: 3 as Destination })).toThrow(RangeError);
    expect(() => encodeMessage({ ...sample, type: 0x1234 as MessageType })).toThrow(RangeError);
  });

  it('rejects hostile messages with PsrpProtocolError', () => {
    const good = encodeMessage(sample);
    expect(() => decodeMessage(good.subarray(0, 39))).toThrow(/shorter than its 40-byte header/);
    const badDest = Uint8Array.from(good);
    badDest[0] = 7;
    expect(() => decodeMessage(badDest)).toThrow(/unknown Destination 7/);
    const badType = Uint8Array.from(good);
    badType[4] = 0x99;
    expect(() => decodeMessage(badType)).toThrow(/unknown MessageType 0x00010099/);
    const badUtf8 = Uint8Array.from([...good, 0xc3, 0x28]);
    expect(() => decodeMessage(badUtf8)).toThrow(PsrpProtocolError);
    expect(() => decodeMessage(badUtf8)).toThrow(/SESSION_CAPABILITY Data is not valid UTF-8/);
  });
});

describeFixtures('PSRP message headers recorded by pypsrp', (dir) => {
  it('re-encode byte for byte (with the BOM exactly where the peer put one)', () => {
    let total = 0;
    let withBom = 0;
    const differ: string[] = [];
    for (const file of pypsrpFiles(dir)) {
      const defrags = new Map<string, Defragmenter>();
      for (const p of pypsrpPayloads(file)) {
        const key = `${p.direction}/${p.shell}`;
        const d = defrags.get(key) ?? new Defragmenter();
        defrags.set(key, d);
        for (const bytes of d.add(p.bytes)) {
          total += 1;
          const bom = bytes[40] === 0xef && bytes[41] === 0xbb && bytes[42] === 0xbf;
          if (bom) withBom += 1;
          const again = encodeMessage(decodeMessage(bytes), { bom });
          if (Buffer.compare(again, bytes) !== 0) differ.push(`${file} #${p.exchange}`);
        }
      }
    }
    expect(total).toBe(701);
    // Windows prefixes every server message with the BOM; pypsrp sends none.
    expect(withBom).toBe(471);
    expect(differ).toEqual([]);
  });
});
