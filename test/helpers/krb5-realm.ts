/**
 * A throwaway MIT Kerberos realm on loopback, for the Kerberos tests (serve's acceptor and the
 * client). Needs Debian's krb5-kdc, krb5-admin-server (kadmin.local) and krb5-user (kinit).
 *
 * API (everything runs as the test user; nothing touches /etc/krb5.conf or the default ccache):
 *
 * ```ts
 * import { describeKrb5, startKrb5Realm, type Krb5Realm } from '../helpers/krb5-realm.js';
 *
 * describeKrb5('my kerberos tests', () => {       // skips visibly without krb5kdc/kdb5_util/kinit,
 *   let realm: Krb5Realm;                          // fails instead when TSREMOTE_REQUIRE_PEERS=1
 *   beforeAll(async () => { realm = await startKrb5Realm(); });
 *   afterAll(() => realm?.close());
 *   it('…', async () => {
 *     realm.realm;                  // 'TSREMOTE.TEST'
 *     realm.user;                   // { principal: 'alice@TSREMOTE.TEST', name: 'alice', password }
 *     realm.keytab;                 // keytab with HTTP/localhost and HTTP/127.0.0.1 (aes256 + aes128)
 *     realm.servicePrincipals;      // ['HTTP/localhost@TSREMOTE.TEST', 'HTTP/127.0.0.1@TSREMOTE.TEST']
 *     await realm.addPrincipal('bob', 'pw');               // another user
 *     await realm.addService('HTTP/other', '/tmp/x.kt');   // random key, exported to that keytab
 *     const ccache = await realm.kinit(realm.user.principal, realm.user.password); // FILE: path
 *     execFile('klist', [], { env: realm.env({ KRB5CCNAME: `FILE:${ccache}` }) });
 *   });
 * });
 * ```
 *
 * - `env(extra)` gives a child process KRB5_CONFIG (the realm's krb5.conf), KRB5CCNAME (the
 *   default ccache of the realm, filled by the last `kinit` without an explicit ccache),
 *   KRB5_KTNAME (the service keytab), KRB5_KDC_PROFILE and KRB5RCACHETYPE=none (no replay-cache
 *   files in /var/tmp), plus NO_PROXY for Python peers. Set `extra` keys to override or add.
 * - The KDC listens on 127.0.0.1 only, UDP and TCP on one free port (`kdcPort`); krb5.conf sets
 *   `udp_preference_limit = 1` so libraries use TCP. DNS lookups and reverse DNS are off, so
 *   `HTTP/localhost` is asked for as written.
 * - Enctypes default to aes256-cts-hmac-sha1-96 and aes128-cts-hmac-sha1-96 (what serve's acceptor
 *   implements); `startKrb5Realm({ enctypes })` changes them for every principal and ticket.
 * - `close()` stops the KDC (SIGTERM to its pid) and removes the directory; it is idempotent.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'vitest';

export const KRB5_REALM = 'TSREMOTE.TEST';
const SBIN = ['/usr/sbin', '/usr/bin', '/sbin', '/bin'];
const DEFAULT_ENCTYPES = ['aes256-cts-hmac-sha1-96', 'aes128-cts-hmac-sha1-96'];

function findTool(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(':'), ...SBIN].filter((d) => d !== '');
  for (const d of dirs) {
    const full = path.join(d, name);
    if (existsSync(full)) return full;
  }
  return undefined;
}

const TOOLS = { krb5kdc: findTool('krb5kdc'), kdb5_util: findTool('kdb5_util'), kadmin: findTool('kadmin.local'), kinit: findTool('kinit') };

/** True when the MIT KDC and its tools are installed. */
export const hasKrb5Kdc = Object.values(TOOLS).every((t) => t !== undefined);

/** The missing tools, for the skip message. */
export const missingKrb5Tools = Object.entries(TOOLS).filter(([, v]) => v === undefined).map(([k]) => k.replace('kadmin', 'kadmin.local'));

/**
 * `describe` that runs when the KDC tools exist; otherwise one visible skipped test (a failing one
 * when TSREMOTE_REQUIRE_PEERS=1) says what to install.
 */
export function describeKrb5(name: string, body: () => void): void {
  if (hasKrb5Kdc) {
    describe(name, body);
    return;
  }
  const why = `${missingKrb5Tools.join(', ')} not found (apt-get install krb5-kdc krb5-admin-server krb5-user)`;
  describe(name, () => {
    if (process.env.TSREMOTE_REQUIRE_PEERS === '1') {
      it('requires an MIT KDC (TSREMOTE_REQUIRE_PEERS=1)', () => {
        throw new Error(why);
      });
    } else {
      it.skip(`skipped: ${why}`, () => {});
    }
  });
}

export interface Krb5RealmOptions {
  /** Default `TSREMOTE.TEST`. */
  realm?: string;
  /** Enctypes of keys and tickets (MIT names); default aes256-cts-hmac-sha1-96, aes128-cts-hmac-sha1-96. */
  enctypes?: string[];
  /** Service principals put into `keytab`; default HTTP/localhost and HTTP/127.0.0.1. */
  services?: string[];
  /** The user principal's name and password; default `alice` / a random password. */
  user?: { name: string; password: string };
}

export interface Krb5Realm {
  readonly realm: string;
  /** The realm's directory (config, database, keytab, ccaches, kdc.log). */
  readonly dir: string;
  readonly kdcPort: number;
  /** Path of the realm's krb5.conf (KRB5_CONFIG). */
  readonly krb5Config: string;
  /** Path of the keytab holding the service principals. */
  readonly keytab: string;
  /** Fully qualified service principals in `keytab`. */
  readonly servicePrincipals: readonly string[];
  readonly enctypes: readonly string[];
  /** The user made at start. */
  readonly user: { principal: string; name: string; password: string };
  /** The default ccache path (`env().KRB5CCNAME` is `FILE:` + this). */
  readonly ccache: string;
  /** Adds a user principal with this password. */
  addPrincipal(name: string, password: string): Promise<void>;
  /** Adds (or re-keys) a service principal with a random key and exports it to `keytabPath`. */
  addService(name: string, keytabPath: string, enctypes?: readonly string[]): Promise<void>;
  /** Runs kadmin.local with one query (e.g. `modprinc -maxlife 1min alice`); resolves with stdout. */
  kadmin(query: string): Promise<string>;
  /** Gets a TGT with the password (on stdin); returns the ccache path (default: `ccache`). */
  kinit(principal: string, password: string, ccache?: string): Promise<string>;
  /** The environment for a child that uses this realm. */
  env(extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  /** Stops the KDC and removes the directory. */
  close(): Promise<void>;
}

/** A port free on 127.0.0.1 right now (TCP); the KDC binds UDP and TCP on it. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { env, timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${path.basename(file)} ${args.join(' ')} failed: ${err.message}\n${stderr}${stdout}`));
      else resolve(stdout);
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

function waitForPort(port: number, kdc: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  return new Promise((resolve, reject) => {
    const attempt = (): void => {
      if (kdc.exitCode !== null) return reject(new Error(`krb5kdc exited with ${kdc.exitCode}; see ${logFile}`));
      const sock = connect(port, '127.0.0.1');
      sock.once('connect', () => {
        sock.destroy();
        resolve();
      });
      sock.once('error', () => {
        sock.destroy();
        if (Date.now() > deadline) reject(new Error(`krb5kdc did not listen on ${port} within 15 s; see ${logFile}`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

/** Creates the realm, its principals and keytab, and starts the KDC. */
export async function startKrb5Realm(options: Krb5RealmOptions = {}): Promise<Krb5Realm> {
  if (!hasKrb5Kdc) throw new Error(`cannot start a KDC: ${missingKrb5Tools.join(', ')} not found`);
  const realm = options.realm ?? KRB5_REALM;
  const enctypes = options.enctypes ?? DEFAULT_ENCTYPES;
  const services = options.services ?? ['HTTP/localhost', 'HTTP/127.0.0.1'];
  const user = options.user ?? { name: 'alice', password: `Pw-${Math.random().toString(36).slice(2)}!` };
  const dir = mkdtempSync(path.join(tmpdir(), 'tsremote-krb5-'));
  const krb5Config = path.join(dir, 'krb5.conf');
  const kdcProfile = path.join(dir, 'kdc.conf');
  const keytab = path.join(dir, 'service.keytab');
  const ccache = path.join(dir, 'ccache');
  const logFile = path.join(dir, 'kdc.log');
  const port = await freePort();
  const lower = realm.toLowerCase();

  writeFileSync(
    krb5Config,
    [
      '[libdefaults]',
      `  default_realm = ${realm}`,
      '  dns_lookup_kdc = false',
      '  dns_lookup_realm = false',
      '  dns_canonicalize_hostname = false',
      '  rdns = false',
      '  udp_preference_limit = 1',
      '  ignore_acceptor_hostname = true',
      `  permitted_enctypes = ${enctypes.join(' ')}`,
      `  default_tkt_enctypes = ${enctypes.join(' ')}`,
      `  default_tgs_enctypes = ${enctypes.join(' ')}`,
      '  forwardable = true',
      '[realms]',
      `  ${realm} = {`,
      `    kdc = 127.0.0.1:${port}`,
      `    admin_server = 127.0.0.1:${port}`,
      '  }',
      '[domain_realm]',
      `  localhost = ${realm}`,
      `  127.0.0.1 = ${realm}`,
      `  .${lower} = ${realm}`,
      '[logging]',
      `  kdc = FILE:${logFile}`,
      `  default = FILE:${logFile}`,
      '',
    ].join('\n'),
  );
  writeFileSync(
    kdcProfile,
    [
      '[kdcdefaults]',
      `  kdc_listen = 127.0.0.1:${port}`,
      `  kdc_tcp_listen = 127.0.0.1:${port}`,
      '[realms]',
      `  ${realm} = {`,
      `    database_name = ${path.join(dir, 'principal')}`,
      `    key_stash_file = ${path.join(dir, 'stash')}`,
      `    acl_file = ${path.join(dir, 'kadm5.acl')}`,
      `    master_key_type = ${enctypes[0] ?? 'aes256-cts-hmac-sha1-96'}`,
      `    supported_enctypes = ${enctypes.map((e) => `${e}:normal`).join(' ')}`,
      '    max_life = 10h',
      '    max_renewable_life = 1d',
      '  }',
      '[logging]',
      `  kdc = FILE:${logFile}`,
      '',
    ].join('\n'),
  );
  writeFileSync(path.join(dir, 'kadm5.acl'), '');

  const baseEnv: NodeJS.ProcessEnv = {
    ...process.env,
    KRB5_CONFIG: krb5Config,
    KRB5_KDC_PROFILE: kdcProfile,
    KRB5CCNAME: `FILE:${ccache}`,
    KRB5_KTNAME: `FILE:${keytab}`,
    KRB5RCACHETYPE: 'none',
    KRB5_TRACE: process.env.TSREMOTE_KRB5_TRACE ?? '',
    NO_PROXY: '*',
    no_proxy: '*',
  };
  if (baseEnv.KRB5_TRACE === '') delete baseEnv.KRB5_TRACE;
  const kadmin = (query: string): Promise<string> => run(TOOLS.kadmin as string, ['-r', realm, '-q', query], baseEnv);

  let kdc: ChildProcess | undefined;
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    if (kdc !== undefined && kdc.exitCode === null) {
      const exited = new Promise<void>((resolve) => kdc?.once('exit', () => resolve()));
      kdc.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (kdc.exitCode === null) kdc.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    // The master password only protects the throwaway database; the stash file (-s) holds it.
    await run(TOOLS.kdb5_util as string, ['create', '-s', '-r', realm, '-P', 'tsremote-master-key'], baseEnv);
    const keyTypes = e(enctypes);
    await kadmin(`addprinc -e ${keyTypes} -pw ${user.password} ${user.name}`);
    for (const s of services) await kadmin(`addprinc -e ${keyTypes} -randkey ${s}`);
    await kadmin(`ktadd -k ${keytab} -e ${keyTypes} ${services.join(' ')}`);

    kdc = spawn(TOOLS.krb5kdc as string, ['-n', '-r', realm], { env: baseEnv, stdio: ['ignore', 'ignore', 'pipe'] });
    kdc.stderr?.resume();
    await waitForPort(port, kdc, logFile);
  } catch (err) {
    await close();
    throw err;
  }

  return {
    realm,
    dir,
    kdcPort: port,
    krb5Config,
    keytab,
    servicePrincipals: services.map((s) => `${s}@${realm}`),
    enctypes,
    user: { principal: `${user.name}@${realm}`, name: user.name, password: user.password },
    ccache,
    addPrincipal: async (name, password) => {
      await kadmin(`addprinc -e ${e(enctypes)} -pw ${password} ${name}`);
    },
    addService: async (name, keytabPath, types = enctypes) => {
      const have = (await kadmin(`getprinc ${name}`).catch(() => '')).includes('Principal:');
      if (!have) await kadmin(`addprinc -e ${e(types)} -randkey ${name}`);
      await kadmin(`ktadd -k ${keytabPath} -e ${e(types)} ${name}`);
    },
    kadmin,
    kinit: async (principal, password, cc = ccache) => {
      await run(TOOLS.kinit as string, ['-c', `FILE:${cc}`, principal], baseEnv, `${password}\n`);
      return cc;
    },
    env: (extra = {}) => ({ ...baseEnv, ...extra }),
    close,
  };
}

function e(enctypes: readonly string[]): string {
  return enctypes.map((x) => `${x}:normal`).join(',');
}

/**
 * Points this process's own GSSAPI (the `kerberos` binding runs in-process) at the realm: sets its
 * KRB5* variables, and returns the function that puts the previous values back.
 */
export function useRealmInThisProcess(realm: Krb5Realm): () => void {
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(realm.env())) {
    if (!k.startsWith('KRB5')) continue;
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  return () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}
