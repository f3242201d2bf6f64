import { describe, expect, it } from 'vitest';
import { envelopeBytes } from '../../src/server/envelope-bytes.js';
import { buildReceiveResponse, withOperationId } from '../../src/wsman/index.js';

const sameMessageId = (xml: string): string => xml.replace(/<a:MessageID>[^<]*<\/a:MessageID>/, '<a:MessageID>M</a:MessageID>');

describe('envelopeBytes', () => {
  it('gives the UTF-8 bytes of any text', () => {
    for (const text of ['', '<s:Envelope>abc</s:Envelope>', 'é', 'Ł (U+0141: its low byte is ASCII A)', 'ß\u00ff', '€ 日本', '😀 pair', 'lone \ud800 surrogate', '\u0000\u007f\u0080']) {
      expect(envelopeBytes(text).equals(Buffer.from(text, 'utf8')), JSON.stringify(text)).toBe(true);
    }
  });
});

describe('buildReceiveResponse with an OperationID', () => {
  it('writes the same envelope as withOperationId on the finished one', () => {
    const data = Buffer.alloc(200_000, 0x61);
    const infos = [
      { streams: [{ name: 'stdout', commandId: 'C1', data }], commandState: { commandId: 'C1', state: 'Running' } },
      { streams: [{ name: 'stdout', commandId: 'C1', end: true }, { name: 'stderr', commandId: 'C1', end: true }], commandState: { commandId: 'C1', state: 'Done', exitCode: 3 } },
      { streams: [{ name: 'stdout', data: Buffer.from('x') }], sequenceId: 4 },
    ];
    for (const info of infos) {
      const built = buildReceiveResponse('uuid:REL<&>', info, 'uuid:OP-1');
      const after = withOperationId(buildReceiveResponse('uuid:REL<&>', info), 'uuid:OP-1');
      expect(sameMessageId(built)).toBe(sameMessageId(after));
      expect(sameMessageId(buildReceiveResponse('uuid:R', info, undefined))).toBe(sameMessageId(buildReceiveResponse('uuid:R', info)));
    }
  });
});
