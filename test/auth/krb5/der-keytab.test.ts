/**
 * The DER reader/writer (round trips, bounds, the negative INTEGERs some Kerberos implementations
 * write for UInt32 fields) and the keytab parser on a keytab written by MIT's kadmin `ktadd`.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as der from '../../../src/auth/der.js';
import { findKey, parseKeytab, type KeytabEntry } from '../../../src/auth/krb5/keytab.js';
import { describeKrb5, startKrb5Realm, type Krb5Realm } from '../../helpers/krb5-realm.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('DER', () => {
  it('round-trips integers, including negative and 5-byte ones', () => {
    for (const n of [0, 1, 127, 128, 255, 256, -1, -128, -129, 0x7fffffff, 0xffffffff, -0x80000000]) {
      expect(der.readInteger(der.readTlv(der.integer(n)).tlv, 'n')).toBe(n);
    }
    expect(hex(der.integer(128))).toBe('02020080');
    expect(hex(der.integer(-1))).toBe('0201ff');
  });

  it('round-trips OIDs, times and long lengths', () => {
    for (const o of ['1.2.840.113554.1.2.2', '1.3.6.1.5.5.2', '1.2.840.48018.1.2.2', '1.3.6.1.4.1.311.2.2.10']) {
      expect(der.readOid(der.readTlv(der.oid(o)).tlv, 'oid')).toBe(o);
    }
    expect(hex(der.oid('1.2.840.113554.1.2.2'))).toBe('06092a864886f712010202');
    const t = Date.UTC(2026, 10, 24, 23, 52, 5);
    expect(Buffer.from(der.readTlv(der.generalizedTime(t + 999)).tlv.value).toString()).toBe('20261124235205Z');
    expect(der.readTime(der.readTlv(der.generalizedTime(t)).tlv, 't')).toBe(t);
    const big = der.octets(new Uint8Array(70000));
    expect(hex(big.subarray(0, 5))).toBe('0483011170');
    expect(der.readTlv(big).tlv.value.length).toBe(70000);
  });

  it('refuses lengths past the end, out-of-order fields and trailing bytes', () => {
    expect(() => der.readTlv(Uint8Array.of(0x30, 0x05, 0x01))).toThrow(/runs past the end/);
    expect(() => der.readTlv(Uint8Array.of(0x30, 0x85, 1, 1, 1, 1, 1))).toThrow(/unsupported length form/);
    const swapped = der.sequence(der.field(1, der.integer(1)), der.field(0, der.integer(0)));
    expect(() => der.fields(der.readTlv(swapped).tlv, 'X')).toThrow(/field \[0\] out of order/);
    expect(() => der.expectTlv(Uint8Array.of(0x02, 0x01, 0x00, 0x00), der.TAG.INTEGER, 'X')).toThrow(/1 trailing bytes/);
  });
});

describeKrb5('keytab written by kadmin ktadd', () => {
  let realm: Krb5Realm;
  let entries: KeytabEntry[];
  beforeAll(async () => {
    realm = await startKrb5Realm();
    entries = parseKeytab(readFileSync(realm.keytab));
  });
  afterAll(async () => {
    await realm?.close();
  });

  it('holds both service principals with aes256 and aes128 keys', () => {
    const seen = entries.map((e) => `${e.principal}@${e.realm} ${e.key.enctype} ${e.key.value.length}`).sort();
    expect(seen).toEqual([
      'HTTP/127.0.0.1@TSREMOTE.TEST 17 16',
      'HTTP/127.0.0.1@TSREMOTE.TEST 18 32',
      'HTTP/localhost@TSREMOTE.TEST 17 16',
      'HTTP/localhost@TSREMOTE.TEST 18 32',
    ]);
    const kvno = entries[0]?.kvno ?? 0;
    expect(kvno).toBeGreaterThan(0);
    const found = findKey(entries, { principal: 'HTTP/localhost', realm: 'TSREMOTE.TEST', kvno, enctype: 18 });
    expect(typeof found === 'string' ? found : found.key.value.length).toBe(32);
    expect(findKey(entries, { principal: 'HTTP/other', realm: 'TSREMOTE.TEST', kvno, enctype: 18 })).toBe('the keytab has no key for HTTP/other@TSREMOTE.TEST');
  });

  it('refuses what is not a 0x0502 keytab', () => {
    expect(() => parseKeytab(Uint8Array.of(0x05, 0x01, 0, 0))).toThrow(/not an MIT keytab \(version 0x0502\): starts with 0x501/);
    const cut = readFileSync(realm.keytab).subarray(0, 20);
    expect(() => parseKeytab(cut)).toThrow(/truncated keytab entry/);
  });
});
