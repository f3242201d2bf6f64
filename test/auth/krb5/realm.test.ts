/**
 * The throwaway realm of test/helpers/krb5-realm.ts works: a user gets a TGT with its password and
 * a service ticket for HTTP/localhost from the loopback KDC; a wrong password gets none.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeKrb5, startKrb5Realm, type Krb5Realm } from '../../helpers/krb5-realm.js';

function klist(realm: Krb5Realm, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('klist', args, { env: realm.env() }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)));
  });
}

describeKrb5('throwaway MIT realm', () => {
  let realm: Krb5Realm | undefined;
  beforeAll(async () => {
    realm = await startKrb5Realm();
  });
  afterAll(async () => {
    const dir = realm?.dir;
    await realm?.close();
    if (dir !== undefined) expect(existsSync(dir)).toBe(false);
  });

  it('issues a TGT and an HTTP/localhost ticket', async () => {
    const r = realm as Krb5Realm;
    await r.kinit(r.user.principal, r.user.password);
    await new Promise<void>((resolve, reject) => {
      execFile('kvno', ['HTTP/localhost'], { env: r.env() }, (err, _o, stderr) => (err ? reject(new Error(stderr)) : resolve()));
    });
    const list = await klist(r, []);
    expect(list).toContain(`krbtgt/${r.realm}@${r.realm}`);
    expect(list).toContain(`HTTP/localhost@${r.realm}`);
    const keys = await klist(r, ['-k', '-e', r.keytab]);
    expect(keys).toContain('HTTP/localhost@TSREMOTE.TEST (aes256-cts-hmac-sha1-96)');
    expect(keys).toContain('HTTP/127.0.0.1@TSREMOTE.TEST (aes128-cts-hmac-sha1-96)');
  });

  it('refuses a wrong password', async () => {
    const r = realm as Krb5Realm;
    await expect(r.kinit(r.user.principal, 'wrong', `${r.dir}/other`)).rejects.toThrow(/kinit/);
  });
});
