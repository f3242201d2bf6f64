/**
 * decodeBase64's fast path (decode, then check the length) must accept and refuse exactly what the
 * strict reference — whitespace removed, the base64 alphabet checked by regex — does, and decode to
 * the same bytes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase64, WSManProtocolError } from '../../src/wsman/index.js';

/** The decoder as it was before the fast path: the reference. */
function strictReference(text: string): Uint8Array | 'invalid' {
  const compact = text.replace(/\s+/g, '');
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return 'invalid';
  return new Uint8Array(Buffer.from(compact, 'base64'));
}

function outcome(text: string): Uint8Array | 'invalid' {
  try {
    return new Uint8Array(decodeBase64(text, 'stream'));
  } catch (err) {
    expect(err).toBeInstanceOf(WSManProtocolError);
    return 'invalid';
  }
}

/** Base64 text, then perhaps spoiled: characters from outside the alphabet, `=`, base64url, spaces. */
const spoiler = fc.constantFrom('=', '==', '-', '_', ' ', '\n', '\t', '$', '.', 'é', '\u00a0', 'A', '+', '/', '\u{1F600}');
const candidates = fc
  .tuple(fc.uint8Array({ maxLength: 64 }), fc.array(fc.tuple(fc.nat(), spoiler), { maxLength: 3 }), fc.nat({ max: 3 }))
  .map(([bytes, spoils, cut]) => {
    let text = Buffer.from(bytes).toString('base64');
    for (const [at, s] of spoils) {
      const i = text.length === 0 ? 0 : at % (text.length + 1);
      text = text.slice(0, i) + s + text.slice(i);
    }
    return cut > 0 && text.length >= cut && spoils.length === 0 ? text.slice(0, text.length - cut) : text;
  });

describe('decodeBase64', () => {
  it('accepts, refuses and decodes exactly as the strict reference does', () => {
    fc.assert(
      fc.property(fc.oneof(candidates, fc.string({ maxLength: 24 })), (text) => {
        expect(outcome(text)).toEqual(strictReference(text));
      }),
      { numRuns: 5000 },
    );
  });

  it.each(['====', 'A===', 'AB=C', 'AB==CDEF', 'AB-_', 'ABC', 'AB\u00e9=', '=AAA', 'AAAA=', 'AAA==='])('refuses %j', (text) => {
    expect(outcome(text)).toBe('invalid');
    expect(strictReference(text)).toBe('invalid');
  });

  it('decodes a large unbroken stream, and the same stream wrapped in lines', () => {
    const bytes = new Uint8Array(Buffer.alloc(150_001, 'line of output\n'));
    const text = Buffer.from(bytes).toString('base64');
    expect(outcome(text)).toEqual(bytes);
    expect(outcome(text.replace(/.{76}/g, '$&\r\n'))).toEqual(bytes);
  });
});
