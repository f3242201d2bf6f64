/**
 * Mutations of real inputs, as fast-check arbitraries.
 *
 * A mutation is plain data (`{ op, a, b, n }`), so fast-check can shrink a failing list of them,
 * and `applyText` / `applyBytes` replay it deterministically. Positions are fractions of the input
 * (0..1) rather than offsets, so a mutation stays meaningful when shrinking swaps the seed.
 * Plain JavaScript: the vitest suite (against src/) and scripts/fuzz.mjs (against dist/) share it.
 */
import fc from 'fast-check';

/** Largest input any target is given: keeps every case well under 50 ms and memory flat. */
export const MAX_INPUT = 256 * 1024;

const at = (len, f) => Math.min(len, Math.max(0, Math.floor(f * (len + 1))));

const TOKENS = [
  '&', '&amp', '&#0;', '&#x110000;', '&#xD800;', '&#99999999;', '&lol;', '&amp;amp;', ']]>', '<![CDATA[', '<![CDATA[x]]>',
  '<?xml version="1.0"?>', '<!--', '-->', '<!-- c -->', '\uE000', '\uE0000\uE001', '\uE0009\uE001', '\uFEFF', '\u0000',
  '\uD800', '\uDFFF', 'xmlns=""', ' xmlns:s="urn:x"', ' xmlns:q="" ', ' q:a="1"', '<q:x/>', '</', '<', '>', '/>', '"', "'",
  '=', '__proto__', ' __proto__="1"', ' constructor="x"', '<__proto__>x</__proto__>', '_x0000_', '_xD800_', '_x', 'RefId="0"',
  '<Ref RefId="0"/>', '<Ref N="r" RefId="0" />', '<TNRef RefId="0"/>', '<Nil/>', '<S>s</S>', '<Obj RefId="0"/>',
  '<LST>', '</LST>', '<!DOCTYPE', '<![CDATA[<!DOCTYPE', '<a>', '</a>', '<a/>', '<S N="k">v</S>', '&amp;', '&#x41;', '_x0041_', '<DCT><En><S N="Key">k</S><Ref N="Value" RefId="0"/></En></DCT>', '<I32>-2147483649</I32>',
  '<Db>1e309</Db>', '<DT>0000-00-00T00:00:00</DT>', '<TS>P99999999999999999999DT1S</TS>', '<U64>99999999999999999999999999999</U64>',
  '<C>65536</C>', '<BA>====</BA>', '<BA>A</BA>', '<G>x</G>', '<PR><AI>99999999999</AI></PR>', 'NaN', '-INF', '1e-400',
  '\r\n', '\r', '\t', ' ', '<s:Fault/>', 'End="true"', 'State="x"', '<rsp:ExitCode>99999999999999999999</rsp:ExitCode>',
  'PT99999999999999999999S', 'P1Y2M3DT4H5M6.7S', '-PT1S', 'PTS', 'P', 'T',
];

const BILLION_LAUGHS =
  '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' +
  Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('') +
  ']>';

function tagStarts(s) {
  const out = [];
  for (let i = s.indexOf('<'); i >= 0 && out.length < 4096; i = s.indexOf('<', i + 1)) out.push(i);
  return out;
}

function pickTag(s, f) {
  const starts = tagStarts(s);
  return starts.length === 0 ? at(s.length, f) : (starts[Math.min(starts.length - 1, Math.floor(f * starts.length))] ?? 0);
}

/** One mutation of text; `other` is a second seed for splicing. */
function mutateText(s, m, other) {
  const { op, a, b, n } = m;
  switch (op) {
    case 'flip': {
      const i = at(s.length - 1, a);
      if (s.length === 0) return s;
      return s.slice(0, i) + String.fromCharCode(s.charCodeAt(i) ^ (1 << (n % 16))) + s.slice(i + 1);
    }
    case 'truncate': return s.slice(0, at(s.length, a));
    case 'splice': return s.slice(0, at(s.length, a)) + other.slice(at(other.length, b));
    case 'duplicate': {
      const i = pickTag(s, Math.min(a, b));
      const j = pickTag(s, Math.max(a, b));
      return s.slice(0, j) + s.slice(i, j) + s.slice(i, j) + s.slice(j);
    }
    case 'remove': {
      const i = pickTag(s, Math.min(a, b));
      const j = pickTag(s, Math.max(a, b));
      return s.slice(0, i) + s.slice(j);
    }
    case 'nest': {
      const i = pickTag(s, a);
      const depth = 1 + (n % 3000);
      const names = ['a', 'Obj', 'LST', 's:Body', 'MS'];
      const name = names[n % names.length];
      return `${s.slice(0, i)}${`<${name}>`.repeat(depth)}${s.slice(i, pickTag(s, b))}${`</${name}>`.repeat(depth)}${s.slice(pickTag(s, b))}`;
    }
    case 'entity': {
      const body = n % 2 === 0 ? '<!ENTITY e "boom">' : '<!ENTITY e SYSTEM "file:///etc/passwd">';
      const i = at(s.length, a);
      return `<!DOCTYPE x [${body}]>${s.slice(0, i)}&e;${s.slice(i)}`;
    }
    case 'laughs': {
      const i = at(s.length, a);
      return `${BILLION_LAUGHS}${s.slice(0, i)}&lol9;${s.slice(i)}`;
    }
    case 'longattr': {
      const i = pickTag(s, a);
      const end = s.indexOf(' ', i);
      const cut = end < 0 ? i : end;
      return `${s.slice(0, cut)} x${n}="${'A'.repeat(1 + ((n * 977) % 65536))}"${s.slice(cut)}`;
    }
    case 'number': {
      const digits = [...s.matchAll(/\d+/g)];
      const d = digits[Math.floor(a * digits.length)];
      if (!d) return s;
      const huge = ['9'.repeat(1 + (n % 400)), '-1', '0', '4294967296', '18446744073709551616', '1e309', '-0', '00000001', 'NaN'][n % 9];
      return s.slice(0, d.index) + huge + s.slice(d.index + d[0].length);
    }
    case 'base64': {
      const runs = [...s.matchAll(/[A-Za-z0-9+/]{16,}={0,2}/g)];
      const r = runs[Math.floor(a * runs.length)];
      if (!r) return s;
      const i = r.index + at(r[0].length - 1, b);
      const junk = ['!', '=', '', '==', '\u00e9', ' ', 'A'][n % 7];
      return s.slice(0, i) + junk + s.slice(i + (n % 3 === 0 ? 1 : 0));
    }
    case 'token': {
      const i = at(s.length, a);
      return s.slice(0, i) + TOKENS[n % TOKENS.length] + s.slice(i);
    }
    case 'repeat': {
      // Many copies of one token: finds work that grows faster than the input (rescans, backtracking).
      const i = at(s.length, a);
      const token = TOKENS[n % TOKENS.length];
      return s.slice(0, i) + token.repeat(1 + Math.floor((b * 64 * 1024) / token.length)) + s.slice(i);
    }
    case 'refid': {
      const refs = [...s.matchAll(/RefId="[^"]*"/g)];
      const r = refs[Math.floor(a * refs.length)];
      if (!r) return s;
      return `${s.slice(0, r.index)}RefId="${['0', '1', String(n), '', '-1', '999999999999999999999'][n % 6]}"${s.slice(r.index + r[0].length)}`;
    }
    default: return s;
  }
}

const TEXT_OPS = ['flip', 'truncate', 'splice', 'duplicate', 'remove', 'nest', 'entity', 'laughs', 'longattr', 'number', 'base64', 'token', 'repeat', 'refid'];

const fraction = fc.double({ min: 0, max: 1, noNaN: true });
const mutation = (ops) => fc.record({ op: fc.constantFrom(...ops), a: fraction, b: fraction, n: fc.nat({ max: 1_000_000 }) });

/** Applies mutations in order to text, keeping it under MAX_INPUT. */
export function applyText(seed, mutations, other) {
  let s = seed;
  for (const m of mutations) s = mutateText(s, m, other).slice(0, MAX_INPUT);
  return s;
}

/** Mutated seeds: `seeds[i]` with up to `max` mutations. */
export function mutatedText(seeds, max = 4) {
  return fc
    .record({ i: fc.nat(), j: fc.nat(), ms: fc.array(mutation(TEXT_OPS), { minLength: 1, maxLength: max }) })
    .map(({ i, j, ms }) => applyText(seeds[i % seeds.length], ms, seeds[j % seeds.length]));
}

// ---- bytes ---------------------------------------------------------------------------------------

const EXTREMES = [0, 1, 0x7f, 0x80, 0xff, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff];

function mutateBytes(s, m, other) {
  const { op, a, b, n } = m;
  const copy = () => Uint8Array.from(s);
  switch (op) {
    case 'flip': {
      if (s.length === 0) return s;
      const out = copy();
      const i = at(s.length - 1, a);
      out[i] ^= 1 << (n % 8);
      return out;
    }
    case 'truncate': return s.subarray(0, at(s.length, a));
    case 'splice': return concat(s.subarray(0, at(s.length, a)), other.subarray(at(other.length, b)));
    case 'duplicate': {
      const i = at(s.length, Math.min(a, b));
      const j = at(s.length, Math.max(a, b));
      return concat(s.subarray(0, j), s.subarray(i, j), s.subarray(j));
    }
    case 'remove': return concat(s.subarray(0, at(s.length, Math.min(a, b))), s.subarray(at(s.length, Math.max(a, b))));
    case 'u16': case 'u32': case 'u64': {
      const width = op === 'u16' ? 2 : op === 'u32' ? 4 : 8;
      if (s.length < width) return s;
      const out = copy();
      const i = at(s.length - width, a);
      const v = n % 3 === 0 ? s.length + (n % 5) - 2 : EXTREMES[n % EXTREMES.length];
      const little = n % 2 === 0;
      for (let k = 0; k < width; k++) {
        const shift = 8 * (little ? k : width - 1 - k);
        out[i + k] = shift < 32 ? (v >>> shift) & 0xff : 0;
      }
      return out;
    }
    case 'insert': {
      const i = at(s.length, a);
      const junk = Uint8Array.from({ length: 1 + (n % 64) }, (_, k) => (n * (k + 7)) & 0xff);
      return concat(s.subarray(0, i), junk, s.subarray(i));
    }
    default: return s;
  }
}

const BYTE_OPS = ['flip', 'truncate', 'splice', 'duplicate', 'remove', 'u16', 'u32', 'u64', 'insert'];

export function concat(...parts) {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Applies byte mutations in order, keeping the result under MAX_INPUT. */
export function applyBytes(seed, mutations, other) {
  let s = seed;
  for (const m of mutations) {
    s = mutateBytes(s, m, other);
    if (s.length > MAX_INPUT) s = s.subarray(0, MAX_INPUT);
  }
  return s;
}

/** Mutated byte seeds. */
export function mutatedBytes(seeds, max = 4) {
  return fc
    .record({ i: fc.nat(), j: fc.nat(), ms: fc.array(mutation(BYTE_OPS), { minLength: 1, maxLength: max }) })
    .map(({ i, j, ms }) => applyBytes(seeds[i % seeds.length], ms, seeds[j % seeds.length]));
}
