/**
 * tsremote's loopback WinRM endpoint (`tsremote serve`): a stand-in WS-Management server for demos,
 * tests and benchmarks that runs real commands as the serving user. Not a production WinRM server.
 * See docs/serve.md.
 */
import { setMaxListeners } from 'node:events';
import { Authenticator, KerberosAcceptor, BasicAcceptor, BasicBearerAcceptor, BearerAcceptor, CertificateAcceptor, NtlmAcceptor, type Acceptor } from './auth/index.js';
import { Dispatcher } from './dispatcher.js';
import { FaultInjector } from './fault-injection/index.js';
import { Listener } from './listener.js';
import { resolveOptions, type ServeOptions } from './options.js';
import { RequestCounter, type RequestStats } from './request-stats.js';
import { ShellRegistry } from './shells.js';
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { TsrError } from '../errors.js';
import { enctypeName, isSupportedEnctype, parseKeytab, type KeytabEntry } from '../auth/krb5/index.js';
import { loadTls } from './tls.js';
import { CredSspAcceptor } from './auth/credssp.js';
import type { BufferStats } from './winrs/command.js';
import { WinrsShellKind } from './winrs/shell.js';
import { PowerShellShellKind } from './psrp/index.js';

export type { ServeOptions, ServeAuth, ListenAddress } from './options.js';
export { parseListen, parseAuthList, parseCbt, parseLatency } from './options.js';
export type { ServeUser, PasswordUser, StoredUser, Acceptor, AcceptResult, AuthConnection, CbtLevel } from './auth/index.js';
export {
  DEFAULT_SCRYPT,
  hashUser,
  loadServeUsers,
  readUsersFile,
  upsertUser,
  verifyPassword,
  writeUsersFile,
  type ScryptParams,
  type UserEntry,
  type UsersFile,
} from './users-file.js';
export type { ShellKind } from './dispatcher.js';
export type { RequestStats, CountedOp } from './request-stats.js';
export type { FaultHook } from './faults.js';

/** A snapshot of the server's state, for tests and `serve --debug`. */
export interface ServerStats {
  shells: number;
  /** Live child processes of all shells. */
  pids: number[];
  /** Output bytes held for Receive right now, over all commands. */
  bufferedBytes: number;
  /** The most ever held at once (the backpressure bound). */
  bufferedHighWater: number;
  /** Responses kept for robust-connection retransmissions (docs/serve.md). */
  operationCache: { entries: number; bytes: number };
  /** HTTP requests per port (401 legs included) and WS-Man requests by operation, since start. */
  requests: RequestStats;
}

export interface RunningServer {
  /** One `http(s)://host:port/wsman` per bound port. */
  urls: URL[];
  /** The generated self-signed certificate (PEM), when https was asked without cert/key. */
  certPem?: string;
  stats(): ServerStats;
  /** Faults injected so far per kind (`faultSpec`); {} without a spec. */
  faultCounts(): Record<string, number>;
  /** The fault-injection PRNG seed in use (the spec's `seed=`, else a random one); undefined without a spec. */
  faultSeed?: number;
  /** Stops the listeners, kills every child process and ends pending long-polls. */
  close(): Promise<void>;
}

/** The server's own environment variables a child must never see. */
const HIDDEN_ENV = ['TSREMOTE_SERVE_PASSWORD'];

/**
 * Starts serving.
 * @throws TsrError ETSR_SERVER without users or with unusable TLS material;
 *   InvalidArgumentError for a bad listen address; the OS error (EADDRINUSE …) when a port cannot be bound.
 */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const opts = resolveOptions(options);
  const plan = opts.faultPlan;
  const wrongCert = plan?.rules.some((r) => r.kind === 'wrong-cert') ?? false;
  const tls = opts.https ? await loadTls(opts.cert, opts.key, opts.clientCa, wrongCert) : undefined;
  const injector = plan === undefined ? undefined : new FaultInjector(plan, randomInt(0, 2 ** 32 - 1), opts.log);
  const stats: BufferStats = { bufferedBytes: 0, bufferedHighWater: 0 };
  const registry = new ShellRegistry(opts.maxShellsPerUser, opts.idleTimeoutMs, opts.log);
  const kinds = [new WinrsShellKind({ posixShell: opts.posixShell, stats, hiddenEnv: HIDDEN_ENV }), new PowerShellShellKind({ stats, log: opts.log })];
  const counter = new RequestCounter();
  const dispatcher = new Dispatcher(opts, registry, kinds, { counter, ...(injector === undefined ? {} : { injector }) });
  const closing = new AbortController();
  // Every request in flight listens for the close: far more than Node's default of 10 listeners.
  setMaxListeners(0, closing.signal);
  // NTLM first: Windows lists Negotiate before Basic, and clients take the first they support.
  const acceptors: Acceptor[] = [];
  if (opts.auth.has('ntlm')) acceptors.push(new NtlmAcceptor({ users: opts.users, cbt: opts.cbt, ...(tls?.channelBindings ? { channelBindings: tls.channelBindings } : {}) }));
  if (opts.auth.has('kerberos') && opts.keytab !== undefined) {
    const keytab = loadKeytab(opts.keytab, opts.spn);
    opts.log(`kerberos: keytab keys for ${[...new Set(keytab.map((k) => `${k.principal}@${k.realm}`))].join(', ')}${opts.spn === undefined ? '' : ` (accepting ${opts.spn} only)`}`);
    acceptors.push(new KerberosAcceptor({ keytab, users: opts.users, ...(opts.spn === undefined ? {} : { spn: opts.spn }), ...(tls?.channelBindings ? { channelBindings: tls.channelBindings } : {}) }));
  }
  const basic = opts.auth.has('basic') ? new BasicAcceptor(opts.users, opts.allowUnencrypted) : undefined;
  // OAuth: `Bearer <JWT>`, and `Basic user:Bearer <JWT>` (Exchange style) ahead of plain Basic.
  const bearer = opts.auth.has('oauth') && opts.oauth
    ? new BearerAcceptor({ ...opts.oauth, users: opts.users, allowUnencrypted: opts.allowUnencrypted })
    : undefined;
  if (bearer) acceptors.push(new BasicBearerAcceptor(bearer, basic), bearer);
  else if (basic) acceptors.push(basic);
  if (opts.auth.has('certificate')) acceptors.push(new CertificateAcceptor(opts.users));
  if (opts.auth.has('credssp')) {
    // The inner TLS presents serve's certificate on HTTPS, else a self-signed one made now.
    const inner = tls ?? (await CredSspAcceptor.generateCertificate());
    acceptors.push(new CredSspAcceptor({ users: opts.users, cert: inner.cert, key: inner.key }));
  }
  if (tls !== undefined && tls.channelBindings === undefined && opts.cbt !== 'none' && opts.auth.has('ntlm')) {
    opts.log('warning: the certificate\'s signature algorithm has no tls-server-end-point hash: NTLM channel bindings cannot be checked');
  }
  const listener = new Listener({
    authenticator: new Authenticator(acceptors),
    allowUnencrypted: opts.allowUnencrypted,
    dispatcher,
    maxEnvelopeSize: opts.maxEnvelopeSize,
    tls,
    log: opts.log,
    closing: closing.signal,
    ...(injector === undefined ? {} : { injector }),
    wrongCert,
    counter,
    latencyMs: opts.latencyMs,
  });
  let urls: URL[];
  try {
    urls = await listener.listen(opts.listen);
  } catch (err) {
    await registry.closeAll();
    throw err;
  }
  if (!opts.https && opts.allowUnencrypted) {
    opts.log('warning: unencrypted traffic over plain HTTP is allowed (allowUnencrypted): Basic credentials and unsealed bodies cross the wire in clear text');
    // On loopback the clear text never leaves the machine; anywhere else anyone on the path reads it.
    const exposed = opts.auth.has('basic') ? urls.filter((u) => !isLoopbackHost(u.hostname)) : [];
    for (const u of exposed) opts.log(`warning: Basic credentials cross the network in clear text on ${u.host} (not loopback); use --https`);
  }
  opts.log(`authentication: ${[...opts.auth].join(', ')}${opts.https && opts.auth.has('ntlm') ? ` (channel binding ${opts.cbt})` : ''}`);
  if (plan !== undefined && injector !== undefined) {
    opts.log(`fault injection: ${plan.rules.map((r) => r.text).join('; ')} (seed ${injector.seed})`);
  }
  if (opts.latencyMs > 0) opts.log(`every request is held ${opts.latencyMs} ms before it is handled (simulated latency)`);
  opts.log(`listening on ${urls.map(String).join(', ')}`);

  let closed: Promise<void> | undefined;
  const server: RunningServer = {
    urls,
    stats: () => {
      const shells = registry.all();
      return {
        shells: shells.length,
        pids: shells.flatMap((s) => s.impl.pids),
        bufferedBytes: stats.bufferedBytes,
        bufferedHighWater: stats.bufferedHighWater,
        operationCache: dispatcher.robust.cache.stats(),
        requests: counter.snapshot(),
      };
    },
    faultCounts: () => injector?.counts() ?? {},
    close: () => {
      closed ??= (async () => {
        closing.abort();
        await Promise.all([listener.close(), registry.closeAll(), bearer?.close()]);
        opts.log('stopped');
      })();
      return closed;
    },
  };
  if (tls?.generated === true) server.certPem = tls.cert;
  if (injector !== undefined) server.faultSeed = injector.seed;
  return server;
}

/**
 * Reads and parses the keytab (a path or its bytes); keeps the keys serve can use.
 * @throws TsrError ETSR_SERVER when it cannot be read or holds no AES key (for `spn`, when given).
 */
function loadKeytab(source: string | Uint8Array, spn: string | undefined): KeytabEntry[] {
  let entries: KeytabEntry[];
  try {
    entries = parseKeytab(typeof source === 'string' ? readFileSync(source) : source);
  } catch (err) {
    throw new TsrError('ETSR_SERVER', `cannot read the keytab${typeof source === 'string' ? ` ${source}` : ''}: ${(err as Error).message}`, {
      hint: 'export one with kadmin: ktadd -k FILE HTTP/<host>',
    });
  }
  const [spnName, spnRealm] = (spn ?? '').split('@');
  const usable = entries.filter((k) => isSupportedEnctype(k.key.enctype) && (spn === undefined || (k.principal.toLowerCase() === spnName?.toLowerCase() && (spnRealm === undefined || k.realm === spnRealm))));
  if (usable.length === 0) {
    const have = entries.map((k) => `${k.principal}@${k.realm} (${enctypeName(k.key.enctype)})`).join(', ') || 'no keys';
    throw new TsrError('ETSR_SERVER', `the keytab has no aes256/aes128-cts-hmac-sha1-96 key${spn === undefined ? '' : ` for ${spn}`}: it has ${have}`, {
      hint: 'export the service key with -e aes256-cts-hmac-sha1-96:normal,aes128-cts-hmac-sha1-96:normal',
    });
  }
  return usable;
}

/** 127.0.0.0/8, ::1 and localhost: addresses whose traffic stays on this machine. */
function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h) || /^::ffff:127\./.test(h);
}
