import { describe, expect, it } from 'vitest';
import { jsonOutput, prefixedOutput, rawOutput, type Sink } from '../../src/render/text-streams.js';

function memorySink(): Sink & { text(): string } {
  const parts: Buffer[] = [];
  return {
    write(chunk) {
      parts.push(Buffer.from(chunk));
      return true;
    },
    once() {
      return undefined;
    },
    text: () => Buffer.concat(parts).toString('utf8'),
  };
}

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('prefixedOutput', () => {
  it('prefixes whole lines, holds partial lines, and decodes UTF-8 split across chunks', () => {
    const term = { stdout: memorySink(), stderr: memorySink() };
    const errors: string[] = [];
    const out = prefixedOutput(term, 'web1', (l) => errors.push(l));
    const bytes = utf8('héllo\r\nこんにちは\npartial');
    out.data('stdout', bytes.subarray(0, 2)); // splits the é
    out.data('stdout', bytes.subarray(2, 12)); // splits こ
    out.data('stdout', bytes.subarray(12));
    out.data('stderr', utf8('oops\n'));
    out.end('failed', 1, 'web1: something');
    expect(term.stdout.text()).toBe('[web1] héllo\n[web1] こんにちは\n[web1] partial\n');
    expect(term.stderr.text()).toBe('[web1] oops\n');
    expect(errors).toEqual(['web1: something']);
  });
});

describe('rawOutput', () => {
  it('passes bytes through untouched', () => {
    const term = { stdout: memorySink(), stderr: memorySink() };
    const out = rawOutput(term, () => {});
    out.data('stdout', utf8('a\r\nb'));
    out.data('stderr', utf8('e'));
    out.end('ok', 0, undefined);
    expect([term.stdout.text(), term.stderr.text()]).toEqual(['a\r\nb', 'e']);
  });
});

describe('jsonOutput', () => {
  it('emits NDJSON records with per-host seq and one end record', () => {
    const term = { stdout: memorySink(), stderr: memorySink() };
    const out = jsonOutput(term, 'h1');
    const bytes = utf8('é');
    out.data('stdout', bytes.subarray(0, 1));
    out.data('stdout', bytes.subarray(1));
    out.data('stderr', utf8('warn'));
    out.end('failed', 3, undefined);
    const lines = term.stdout.text().trim().split('\n').map((l) => JSON.parse(l) as unknown);
    expect(lines).toEqual([
      { host: 'h1', stream: 'stdout', seq: 1, value: 'é' },
      { host: 'h1', stream: 'stderr', seq: 2, value: 'warn' },
      { host: 'h1', stream: 'end', status: 'failed', exitCode: 3, error: null },
    ]);
  });
});

describe('UTF-8 across chunks when the output starts as ASCII', () => {
  // The decoder is made only at the first byte above 0x7f (text-streams.ts, Utf8Stream): the
  // chunks before it are read alone, the ones after it through the decoder, sequences kept whole.
  it('joins a sequence split after ASCII chunks, and ends a cut one with U+FFFD', () => {
    const term = { stdout: memorySink(), stderr: memorySink() };
    const out = prefixedOutput(term, 'h', () => {});
    const bytes = utf8('ab\ncd é€\nxy');
    out.data('stdout', bytes.subarray(0, 3)); // "ab\n": ASCII, no decoder
    out.data('stdout', bytes.subarray(3, 7)); // "cd " and the first byte of é
    out.data('stdout', bytes.subarray(7, 10)); // the rest of é, two bytes of €
    out.data('stdout', bytes.subarray(10)); // the last byte of €, "\nxy"
    out.data('stdout', Uint8Array.of(0x21, 0xe2, 0x82)); // "!" and a € cut short by the end
    out.end('ok', 0, undefined);
    expect(term.stdout.text()).toBe('[h] ab\n[h] cd é€\n[h] xy!\uFFFD\n');
  });

  it('drops a byte order mark only at the very start of the output, as one decoder would', () => {
    const bom = Uint8Array.of(0xef, 0xbb, 0xbf);
    const decode = (chunks: Uint8Array[]): string => {
      const term = { stdout: memorySink(), stderr: memorySink() };
      const out = jsonOutput(term, 'h');
      for (const c of chunks) out.data('stdout', c);
      out.end('ok', 0, undefined);
      return term.stdout.text().trim().split('\n').map((l) => JSON.parse(l) as { stream: string; value?: string })
        .filter((r) => r.stream === 'stdout').map((r) => r.value).join('');
    };
    const atStart = [bom, utf8('a\n')];
    const afterAscii = [utf8('a'), bom, utf8('b')];
    expect([decode(atStart), decode(afterAscii)]).toEqual([
      new TextDecoder().decode(Buffer.concat(atStart)),
      new TextDecoder().decode(Buffer.concat(afterAscii)),
    ]);
    expect(decode(afterAscii)).toBe('a\uFEFFb');
  });

  it('gives the same records in JSON as one decoder over the whole output', () => {
    const term = { stdout: memorySink(), stderr: memorySink() };
    const out = jsonOutput(term, 'h');
    const chunks = [utf8('plain '), Uint8Array.of(0xc3), Uint8Array.of(0xa9, 0x20, 0xff), utf8(' end')];
    for (const c of chunks) out.data('stdout', c);
    out.end('ok', 0, undefined);
    const values = term.stdout.text().trim().split('\n').map((l) => JSON.parse(l) as { stream: string; value?: string })
      .filter((r) => r.stream === 'stdout').map((r) => r.value).join('');
    expect(values).toBe(new TextDecoder().decode(Buffer.concat(chunks)));
  });
});
