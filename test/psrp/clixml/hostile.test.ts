import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClixmlError, deserialize, deserializeAll, PSObject, serialize } from '../../../src/psrp/clixml/index.js';
import { TsrError } from '../../../src/errors.js';

function errorOf(fn: () => unknown): ClixmlError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ClixmlError);
    expect(err).toBeInstanceOf(TsrError);
    return err as ClixmlError;
  }
  throw new Error('expected a ClixmlError');
}

const nest = (n: number): string => '<Obj RefId="0"><MS>' + Array.from({ length: n }, (_, i) => `<Obj N="c" RefId="${i + 1}"><MS>`).join('')
  + '<I32 N="x">1</I32>' + '</MS></Obj>'.repeat(n) + '</MS></Obj>';

describe('hostile CLIXML gives typed errors', () => {
  it.each([
    ['a Ref to a RefId never defined', '<Obj RefId="0"><MS><Ref N="x" RefId="7" /></MS></Obj>', 'ETSR_PSRP_PROTOCOL', /names no earlier object/],
    ['a Ref before its Obj', '<Obj RefId="0"><MS><Ref N="x" RefId="1" /><Obj N="y" RefId="1" /></MS></Obj>', 'ETSR_PSRP_PROTOCOL', /RefId="1"/],
    ['a TNRef to a missing TN', '<Obj RefId="0"><TNRef RefId="3" /></Obj>', 'ETSR_PSRP_PROTOCOL', /TNRef/],
    ['a RefId used twice', '<Obj RefId="0"><MS><Obj N="a" RefId="0" /></MS></Obj>', 'ETSR_PSRP_PROTOCOL', /used twice/],
    ['an unknown element', '<Obj RefId="0"><MS><Foo N="x">1</Foo></MS></Obj>', 'ETSR_PSRP_PROTOCOL', /unknown CLIXML element <Foo>/],
    ['a non-numeric I32', '<I32>12a</I32>', 'ETSR_PSRP_PROTOCOL', /invalid <I32>/],
    ['an I32 out of range', '<I32>2147483648</I32>', 'ETSR_PSRP_PROTOCOL', /invalid <I32>/],
    ['a U64 out of range', '<U64>18446744073709551616</U64>', 'ETSR_PSRP_PROTOCOL', /invalid <U64>/],
    ['a negative byte', '<By>-1</By>', 'ETSR_PSRP_PROTOCOL', /invalid <By>/],
    ['a bad boolean', '<B>yes</B>', 'ETSR_PSRP_PROTOCOL', /invalid <B>/],
    ['a bad Double', '<Db>1.2.3</Db>', 'ETSR_PSRP_PROTOCOL', /invalid <Db>/],
    ['a bad DateTime', '<DT>yesterday</DT>', 'ETSR_PSRP_PROTOCOL', /invalid <DT>/],
    ['a TimeSpan with months', '<TS>P1M</TS>', 'ETSR_PSRP_PROTOCOL', /invalid <TS>/],
    ['bad base64', '<BA>@@@@</BA>', 'ETSR_PSRP_PROTOCOL', /invalid <BA>/],
    ['a bad Guid', '<G>not-a-guid</G>', 'ETSR_PSRP_PROTOCOL', /invalid <G>/],
    ['a member without N', '<Obj RefId="0"><MS><S>x</S></MS></Obj>', 'ETSR_PSRP_PROTOCOL', /has no N/],
    ['a DCT entry without Value', '<Obj RefId="0"><DCT><En><S N="Key">k</S></En></DCT></Obj>', 'ETSR_PSRP_PROTOCOL', /Key and a Value/],
    ['two TN in one Obj', '<Obj RefId="0"><TN RefId="0"><T>a</T></TN><TN RefId="1"><T>b</T></TN></Obj>', 'ETSR_PSRP_PROTOCOL', /second <TN>/],
    ['elements inside a primitive', '<S><S>x</S></S>', 'ETSR_PSRP_PROTOCOL', /must not contain elements/],
    ['text inside an Obj', '<Obj RefId="0">hello</Obj>', 'ETSR_PSRP_PROTOCOL', /text directly inside/],
    ['mismatched tags', '<Obj RefId="0"><MS></Obj></MS>', 'ETSR_XML_MALFORMED', /closing tag/],
    ['an unclosed element', '<Obj RefId="0"><MS>', 'ETSR_XML_MALFORMED', /unclosed/],
    ['a DOCTYPE with entities', '<!DOCTYPE x [<!ENTITY e "boom">]><S>&e;</S>', 'ETSR_XML_MALFORMED', /DTD/],
    ['an unknown entity', '<S>&nbsp;</S>', 'ETSR_XML_MALFORMED', /entity/],
    ['an unquoted attribute', '<Obj RefId=0 />', 'ETSR_XML_MALFORMED', /not quoted/],
    ['a duplicate attribute', '<S N="a" N="b">x</S>', 'ETSR_XML_MALFORMED', /duplicate/],
    ['text outside the root', 'junk<S>x</S>', 'ETSR_XML_MALFORMED', /outside the root/],
    ['an empty input', '', 'ETSR_PSRP_PROTOCOL', /found 0/],
  ])('%s', (_name, xml, code, message) => {
    const err = errorOf(() => deserialize(xml));
    expect(err.code).toBe(code);
    expect(err.message).toMatch(message);
  });

  it('says where a bad value sits', () => {
    const err = errorOf(() => deserialize('<Obj RefId="0"><MS><Obj N="Inner" RefId="1"><Props><I32 N="Id">x</I32></Props></Obj></MS></Obj>'));
    expect(err.path).toBe('Obj/MS/Obj[N=Inner]/Props/I32[N=Id]');
  });

  it('stops deep nesting at maxDepth, before the stack can overflow', () => {
    expect(() => deserialize(nest(20), { maxDepth: 30 })).not.toThrow();
    expect(errorOf(() => deserialize(nest(40), { maxDepth: 30 })).code).toBe('ETSR_XML_LIMIT');
    expect(errorOf(() => deserialize(nest(100_000))).code).toBe('ETSR_XML_LIMIT');
    expect(errorOf(() => deserialize('<LST>'.repeat(200_000))).code).toBe('ETSR_XML_LIMIT');
  });

  it('stops huge object and RefId counts at maxObjects', () => {
    const many = `<Obj RefId="0"><LST>${Array.from({ length: 5000 }, (_, i) => `<Obj RefId="${i + 1}" />`).join('')}</LST></Obj>`;
    expect((deserialize(many, { maxObjects: 6000 }) as PSObject).value).toMatchObject({ kind: 'LST' });
    expect(errorOf(() => deserialize(many, { maxObjects: 1000 })).code).toBe('ETSR_XML_LIMIT');
    const refs = `<Obj RefId="0"><LST>${'<Ref RefId="0" />'.repeat(5000)}</LST></Obj>`;
    expect(errorOf(() => deserialize(refs, { maxObjects: 1000 })).code).toBe('ETSR_XML_LIMIT');
    expect((deserialize('<Obj RefId="99999999999999999999999" />') as PSObject).typeNames).toEqual([]);
  });

  it('stops long strings at maxStringLength', () => {
    expect(deserialize(`<S>${'a'.repeat(100)}</S>`, { maxStringLength: 100 })).toHaveLength(100);
    expect(errorOf(() => deserialize(`<S>${'a'.repeat(101)}</S>`, { maxStringLength: 100 })).code).toBe('ETSR_XML_LIMIT');
  });

  it('asks for deserializeAll when an <Objs> holds several values', () => {
    const err = errorOf(() => deserialize('<Objs><S>a</S><S>b</S></Objs>'));
    expect(err.hint).toMatch(/deserializeAll/);
    expect(deserializeAll('<Objs><S>a</S><S>b</S></Objs>')).toEqual(['a', 'b']);
  });

  it('never throws anything but a ClixmlError on mutated real CLIXML (fuzz)', () => {
    const seed = serialize(new PSObject({
      typeNames: ['T', 'System.Object'], toStringText: 'x',
      extended: [['a', 1], ['b', 'two_x000A_'], ['c', new PSObject({ value: { kind: 'DCT', entries: new Map([['k', null]]) } })]],
    }));
    const mutation = fc.tuple(fc.nat(seed.length), fc.nat(8), fc.string({ unit: 'binary', maxLength: 6 }));
    fc.assert(fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (edits) => {
      let xml = seed;
      for (const [at, del, ins] of edits) xml = xml.slice(0, at) + ins + xml.slice(at + del);
      try {
        deserialize(xml);
      } catch (err) {
        expect(err).toBeInstanceOf(ClixmlError);
      }
    }), { numRuns: 2000 });
  });
});
