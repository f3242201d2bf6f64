/**
 * Kerberos tickets for a CLI run (I/O: klist, kinit, a private ccache), and the plan of each
 * host's Kerberos settings before it is contacted.
 *
 * - A TGT in the ticket cache (KRB5CCNAME, or the default) is used as it is: no password needed.
 * - Otherwise, with a user name `user@REALM` and a password from tsremote's usual sources, tsremote
 *   runs `kinit` with the password on its standard input (never in argv or the environment) into a
 *   private credential cache: a DIR collection in a fresh 0700 temporary directory, one member per
 *   principal, which the process then uses (KRB5CCNAME) and removes when it exits. Your own cache
 *   is never written. While that private cache is in use, the run sees only its tickets.
 * - `--auth negotiate` (the default) tries Kerberos only when the `kerberos` package is installed
 *   and a ticket is at hand or can be had (chooseNegotiate), and falls back to NTLM when kinit says
 *   the KDC does not know the user or cannot be reached; `--debug` says which and why. On the NTLM
 *   path no native module is loaded.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Credential } from '../auth/credential.js';
import type { KerberosSettings } from '../auth/negotiate.js';
import { AuthError } from '../auth/errors.js';
import { chooseNegotiate, principalOf, realmOf } from '../auth/negotiate-choice.js';
import { gssBindingInstalled, loadGssBinding } from '../auth/kerberos/binding.js';
import { KerberosError, classifyKerberosFailure, gssReason } from '../auth/kerberos/failure.js';
import { InvalidArgumentError } from '../errors.js';

const KINIT_TIMEOUT_MS = 30_000;
const KINIT_HINT =
  'install the MIT Kerberos tools (Debian/Ubuntu: apt-get install krb5-user; Fedora/RHEL: dnf install krb5-workstation; macOS has kinit), or kinit yourself first';

/** Runs a Kerberos tool; resolves with its exit status and output (ENOENT: status null). */
function run(file: string, args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<{ status: number | null; stdout: string; stderr: string; missing: boolean }> {
  return new Promise((resolve) => {
    const child = execFile(file, args, { env, timeout: KINIT_TIMEOUT_MS, encoding: 'utf8' }, (err, stdout, stderr) => {
      const missing = (err as NodeJS.ErrnoException | null)?.code === 'ENOENT';
      resolve({ status: err ? (typeof err.code === 'number' ? err.code : missing ? null : 1) : 0, stdout, stderr, missing });
    });
    child.stdin?.on('error', () => {});
    child.stdin?.end(input ?? '');
  });
}

/**
 * True when the ticket cache of `env` holds an unexpired TGT, for `principal` when given (a bare
 * name matches any realm). Without klist, false.
 */
export async function haveTicket(principal: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const valid = await run('klist', ['-s'], env);
  if (valid.status !== 0) return false;
  if (principal === undefined) return true;
  const list = await run('klist', [], env);
  const cached = /^Default principal:\s*(\S+)/m.exec(list.stdout)?.[1];
  if (cached === undefined) return false;
  return principal.includes('@') ? cached === principal : cached.slice(0, cached.lastIndexOf('@')) === principal;
}

/** The process's private ccache collection: created on first use, removed at exit. */
class PrivateCcache {
  #dir: string | undefined;
  #members = 0;

  /** `DIR:` collection path, created 0700. */
  get collection(): string {
    if (this.#dir === undefined) {
      this.#dir = mkdtempSync(path.join(tmpdir(), 'tsremote-krb5cc-'));
      mkdirSync(path.join(this.#dir, 'cc'), { mode: 0o700 });
      const dir = this.#dir;
      process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    }
    return path.join(this.#dir, 'cc');
  }

  /**
   * Gets a TGT for `principal` with `password` (on kinit's stdin) into a new member of the
   * collection, and points this process's GSSAPI at the collection.
   * @throws KerberosError (kind from kinit's message) or AuthError when kinit is missing.
   */
  async kinit(principal: string, password: string, env: NodeJS.ProcessEnv): Promise<void> {
    const member = path.join(this.collection, `tkt${this.#members++}`);
    const childEnv = { ...env };
    delete childEnv.KRB5CCNAME;
    const result = await run('kinit', ['-c', `DIR::${member}`, principal], childEnv, `${password}\n`);
    if (result.missing) throw new AuthError('ETSR_AUTH_UNSUPPORTED', 'kinit was not found, so no ticket can be had with the password', { hint: KINIT_HINT });
    if (result.status !== 0) {
      const text = (result.stderr || result.stdout).trim().split('\n').filter((l) => !/^Password for /.test(l)).join(' ');
      const kind = classifyKerberosFailure(text);
      const wrong = /password incorrect|preauthentication failed/i.test(text);
      throw new KerberosError(kind, `kinit for ${principal} failed: ${wrong ? 'password incorrect' : gssReason(text) || `exit status ${result.status}`}`, {
        hint: wrong ? 'check the password for the Kerberos principal' : kind === 'unknown-client' ? 'check -u user@REALM' : KINIT_HINT,
      });
    }
    process.env.KRB5CCNAME = `DIR:${this.collection}`;
  }
}

/** What the CLI knows of one host before connecting, for its Kerberos plan. */
export interface KerberosPlanInput {
  auth: string;
  username: string | undefined;
  spnService: string | undefined;
  spnHostname: string | undefined;
  delegate: boolean;
  /** Finds the password (prompting at most once per user): the usual sources. */
  credential: () => Promise<Credential>;
  env: NodeJS.ProcessEnv;
  debug: ((line: string) => void) | undefined;
}

export interface KerberosPlan {
  /** Settings for the transport; undefined: plain NTLM. */
  kerberos: KerberosSettings | undefined;
  /** The credential to give the transport (NTLM, or Negotiate's fallback). */
  credential: Credential | undefined;
}

/** Plans Kerberos for the hosts of one run: tickets are checked and kinit runs once per principal. */
export class KerberosPlanner {
  readonly #cache = new PrivateCcache();
  readonly #kinits = new Map<string, Promise<void>>();
  readonly #tickets = new Map<string, Promise<boolean>>();

  #haveTicket(principal: string | undefined, env: NodeJS.ProcessEnv): Promise<boolean> {
    const key = principal ?? '';
    let known = this.#tickets.get(key);
    if (!known) this.#tickets.set(key, (known = haveTicket(principal, env)));
    return known;
  }

  #kinit(principal: string, credential: Credential, env: NodeJS.ProcessEnv): Promise<void> {
    let known = this.#kinits.get(principal);
    if (!known) this.#kinits.set(principal, (known = this.#cache.kinit(principal, credential.revealPassword(), env)));
    return known;
  }

  /**
   * The plan of one host using `kerberos` or `negotiate` (others: undefined settings).
   * @throws AuthError / KerberosError for `--auth kerberos` without the package, a ticket or a way
   *   to get one; InvalidArgumentError for a `DOMAIN\user` name with `--auth kerberos`.
   */
  async plan(input: KerberosPlanInput): Promise<KerberosPlan> {
    const base: KerberosSettings = { spnService: input.spnService, spnHostname: input.spnHostname, delegate: input.delegate, memo: {} };
    if (input.auth === 'kerberos') return this.#planKerberos(input, base);
    if (input.auth === 'negotiate') return this.#planNegotiate(input, base);
    return { kerberos: undefined, credential: input.username === undefined ? undefined : await input.credential() };
  }

  async #planKerberos(input: KerberosPlanInput, base: KerberosSettings): Promise<KerberosPlan> {
    await loadGssBinding(); // a missing package is one clear error now, not one per host later
    if (input.username?.includes('\\')) {
      throw new InvalidArgumentError(`--auth kerberos needs a Kerberos principal, not ${input.username}`, {
        hint: 'give -u user@REALM (the AD domain in capitals), or leave -u out to use the ticket cache',
      });
    }
    const principal = principalOf(input.username);
    if (await this.#haveTicket(principal, input.env)) return { kerberos: { ...base, principal }, credential: undefined };
    if (principal === undefined) {
      throw new KerberosError('no-credentials', 'no Kerberos ticket in the ticket cache, and no user name to get one', {
        hint: 'run kinit user@REALM first, or give -u user@REALM (the password then comes from --password-stdin, TSREMOTE_PASSWORD, the config or a prompt)',
      });
    }
    const credential = await input.credential();
    await this.#kinit(principal, credential, input.env);
    input.debug?.(`kerberos: got a ticket-granting ticket for ${principal} with kinit (private ccache)`);
    return { kerberos: { ...base, principal }, credential: undefined };
  }

  async #planNegotiate(input: KerberosPlanInput, base: KerberosSettings): Promise<KerberosPlan> {
    const ntlm = async (why: string): Promise<KerberosPlan> => {
      input.debug?.(`negotiate: using NTLM: ${why}`);
      return { kerberos: undefined, credential: input.username === undefined ? undefined : await input.credential() };
    };
    // No native code and no klist on the common NTLM paths: only with the package and a name
    // that can be a Kerberos principal (or none at all, where a cached TGT may name the user).
    if (input.username !== undefined && realmOf(input.username) === undefined) {
      return ntlm(`${input.username} names no Kerberos realm (user@REALM)`);
    }
    if (!gssBindingInstalled()) return ntlm('the optional "kerberos" package is not installed');
    const principal = principalOf(input.username);
    const ticket = await this.#haveTicket(principal, input.env);
    const credential = input.username === undefined ? undefined : await input.credential();
    const choice = chooseNegotiate({ bindingInstalled: true, ticket, username: input.username, password: credential !== undefined });
    if (choice.mechanism === 'ntlm') return ntlm(choice.why);
    const settings: KerberosSettings = {
      ...base,
      principal,
      negotiateKerberos: true,
      onFallback: (why) => input.debug?.(`negotiate: Kerberos failed, using NTLM: ${why}`),
    };
    if (choice.kinit && principal !== undefined && credential !== undefined) {
      try {
        await this.#kinit(principal, credential, input.env);
      } catch (err) {
        if (err instanceof KerberosError && ['unknown-client', 'kdc-unreachable', 'no-credentials'].includes(err.kind)) return ntlm(err.message);
        if (err instanceof AuthError && err.code === 'ETSR_AUTH_UNSUPPORTED') return ntlm(err.message);
        throw err;
      }
    }
    input.debug?.(`negotiate: trying Kerberos (${choice.why})`);
    return { kerberos: settings, credential };
  }
}
