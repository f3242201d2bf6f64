import { describe, expect, it } from 'vitest';
import { deserialize, PSObject, ps, timeSpanFromMs, toJSON, type PSValue } from '../../../src/psrp/clixml/index.js';

describe('toJSON projection for --json', () => {
  it.each<[string, PSValue, unknown]>([
    ['null', null, null],
    ['a string', 'x', 'x'],
    ['an Int32', 5, 5],
    ['a Double', ps.double(1.5), 1.5],
    ['NaN', ps.double(Number.NaN), 'NaN'],
    ['a Char', ps.num('C', 97), 'a'],
    ['a safe Int64', ps.i64(-42n), -42],
    ['an unsafe Int64', ps.i64(9007199254740993n), '9007199254740993'],
    ['a big UInt64', ps.u64(18446744073709551615n), '18446744073709551615'],
    ['a Decimal', ps.text('D', '0.10'), '0.10'],
    ['a Guid', ps.guid('792e5b37-4505-47ef-b7d2-8711bb7affa8'), '792e5b37-4505-47ef-b7d2-8711bb7affa8'],
    ['a Version', ps.version('5.1'), '5.1'],
    ['a DateTime', deserialize('<DT>2018-06-13T23:46:27.9270288+00:00</DT>'), '2018-06-13T23:46:27.9270288+00:00'],
    ['a TimeSpan', timeSpanFromMs(90_000), 'PT1M30S'],
    ['a byte[]', ps.bytes(new Uint8Array([1, 2, 3])), 'AQID'],
    ['a SecureString', ps.text('SS', 'AAAA'), '<SecureString>'],
    ['a list', ps.list([1, 'a', null]), [1, 'a', null]],
    ['a string-keyed dict', ps.dict([['a', 1], ['__proto__', 2]]), Object.assign(Object.create(null) as object, { a: 1, ['__proto__']: 2 })],
    ['a dict with other keys', ps.dict([[1, 'one'], ['b', 2]]), [{ key: 1, value: 'one' }, { key: 'b', value: 2 }]],
  ])('projects %s', (_name, value, expected) => {
    expect(toJSON(value)).toEqual(expected);
  });

  it('keeps a "__proto__" key as data', () => {
    const out = toJSON(ps.dict([['__proto__', 'x']])) as Record<string, unknown>;
    expect(Object.keys(out)).toEqual(['__proto__']);
    expect(JSON.stringify(out)).toBe('{"__proto__":"x"}');
  });

  it('projects an object to its adapted then extended properties, extended winning', () => {
    const obj = new PSObject({ typeNames: ['T'], toStringText: 'ignored', adapted: [['a', 1], ['b', 2]], extended: [['b', 3], ['c', 'x']] });
    expect(JSON.stringify(toJSON(obj))).toBe('{"a":1,"b":3,"c":"x"}');
  });

  it('projects a wrapper to what it wraps, an enum to its name, an empty object to its ToString', () => {
    expect(toJSON(new PSObject({ typeNames: ['System.Collections.Hashtable'], value: ps.dict([['k', 'v']]) }))).toEqual({ k: 'v' });
    const status = deserialize('<Obj RefId="0"><TN RefId="0"><T>System.ServiceProcess.ServiceControllerStatus</T><T>System.Enum</T>'
      + '<T>System.ValueType</T><T>System.Object</T></TN><ToString>Running</ToString><I32>4</I32></Obj>');
    expect(toJSON(status)).toBe('Running');
    expect(toJSON(new PSObject({ typeNames: ['X'], toStringText: 'shown' }))).toBe('shown');
    expect(toJSON(new PSObject())).toEqual({});
  });

  it('projects a progress record with PowerShell property names', () => {
    const pr = deserialize('<PR><AV>a</AV><AI>1</AI><Nil /><PI>-1</PI><PC>5</PC><T>Processing</T><SR>-1</SR><SD>s</SD></PR>');
    expect(toJSON(pr)).toEqual({
      Activity: 'a', ActivityId: 1, CurrentOperation: null, ParentActivityId: -1, PercentComplete: 5,
      RecordType: 'Processing', SecondsRemaining: -1, StatusDescription: 's',
    });
  });

  it('decrypts a SecureString through the caller', () => {
    expect(toJSON(ps.text('SS', 'QUJD'), { secureString: (c) => Buffer.from(c, 'base64').toString() })).toBe('ABC');
  });

  it('writes [circular] for a reference back to an ancestor, and expands shared siblings', () => {
    const root = deserialize('<Obj RefId="0"><MS><Obj N="a" RefId="1"><MS><Ref N="up" RefId="0" /><S N="v">x</S></MS></Obj>'
      + '<Ref N="b" RefId="1" /></MS></Obj>');
    expect(toJSON(root)).toEqual({ a: { up: '[circular]', v: 'x' }, b: { up: '[circular]', v: 'x' } });
    const list = ps.list([]);
    list.items.push(list);
    expect(toJSON(list)).toEqual(['[circular]']);
  });

  it('bounds the work on exponentially shared graphs', () => {
    let node = new PSObject({ extended: [['leaf', 1]] });
    for (let i = 0; i < 40; i++) node = new PSObject({ extended: [['l', node], ['r', node]] });
    const text = JSON.stringify(toJSON(node, { maxNodes: 10_000 }));
    expect(text).toContain('[truncated]');
    expect(text.length).toBeLessThan(200_000);
  });
});
