/**
 * `startServer` options: their types, defaults (the WinRM service defaults, see DESIGN.md) and checks.
 */
import { InvalidArgumentError, TsrError } from '../errors.js';
import type { CbtLevel, ServeUser } from './auth/index.js';
import { parseFaultSpec, type FaultPlan } from './fault-injection/index.js';
import type { FaultHook } from './faults.js';

/** Options of {@link startServer}. */
export interface ServeOptions {
  /** Addresses to listen on: `host:port`, `host:lo-hi` (a port range), IPv6 as `[::1]:5985`. Default `['127.0.0.1:5985']`. */
  listen?: string[];
  /** Accounts that may log on; at least one is required. */
  users: ServeUser[];
  /** Serve HTTPS instead of HTTP. */
  https?: boolean;
  /** PEM text or a path to a PEM file. With `https` and neither cert nor key, a self-signed cert is generated. */
  cert?: string;
  key?: string;
  /**
   * Accept unsealed bodies over plain HTTP (WinRM's `Service/AllowUnencrypted`): Basic, and NTLM
   * without message encryption. Default false: on HTTP only sealed NTLM is served.
   */
  allowUnencrypted?: boolean;
  /**
   * Mechanisms offered (WinRM's `Service/Auth`): `basic`, `ntlm` (alias `negotiate`), `certificate`.
   * Default `basic` + `ntlm`, plus `certificate` when `clientCa` is given.
   */
  auth?: readonly ServeAuth[];
  /** Channel binding on HTTPS (WinRM's CbtHardeningLevel): default `relaxed`. */
  cbt?: CbtLevel;
  /** PEM text or path of the CA that client certificates must chain to (HTTPS only). */
  clientCa?: string;
  /** OAuth bearer tokens (docs/serve.md "OAuth"): given, `oauth` joins the default mechanisms. */
  oauth?: ServeOAuthOptions;
  /**
   * A keytab (file path, or its bytes) with the service's Kerberos keys: given, `kerberos` joins the
   * default mechanisms and `negotiate` means NTLM + Kerberos (docs/authentication.md "Kerberos on serve").
   */
  keytab?: string | Uint8Array;
  /** The keytab principal tickets must be for (`HTTP/host[@REALM]`); default any HTTP/ or WSMAN/ key. */
  spn?: string;
  /** Open shells per user (WinRM's MaxShellsPerUser, 30). */
  maxShellsPerUser?: number;
  /** Largest request envelope in bytes, and the default response budget (MaxEnvelopeSizekb 500 → 512000). */
  maxEnvelopeSize?: number;
  /** OperationTimeout used when a request carries none (60 s). */
  defaultOperationTimeoutMs?: number;
  /** A shell with no request for this long is deleted (IdleTimeout, 2 h). */
  idleTimeoutMs?: number;
  /** The POSIX shell that runs WinRS commands (`/bin/sh`). */
  shell?: { posix?: string };
  /** Receives one line per notable event (never a password). */
  log?: (line: string) => void;
  /** Test hook: return a fault to answer a request with instead of handling it. */
  faults?: FaultHook;
  /** Fault injection rules (`serve --faults`), see docs/serve.md "Fault injection". */
  faultSpec?: string;
  /**
   * Milliseconds every HTTP response (401 legs included) is held back, standing for a WAN round
   * trip in benchmarks (`serve --latency`). Default 0.
   */
  latencyMs?: number;
}

/** How serve validates bearer JWTs. */
export interface ServeOAuthOptions {
  /** The `iss` tokens must carry; its OpenID metadata names the keys unless `jwks` does. */
  issuer: string;
  /** The `aud` tokens must carry. */
  audience: string;
  /** A JWK set: https URL or file path. */
  jwks?: string;
  /** The claim naming the serve user; default upn, preferred_username, appid, azp, sub (first present). */
  userClaim?: string;
  /** Extra trusted CA (PEM text) for fetching the issuer's metadata and keys. */
  ca?: string;
  /** Least time between two loads of the keys when a token names an unknown key id; default 60 s. */
  minReloadMs?: number;
}

/** {@link ServeOptions} with every default filled in. */
export interface ResolvedOptions {
  listen: ListenAddress[];
  users: ServeUser[];
  https: boolean;
  cert: string | undefined;
  key: string | undefined;
  allowUnencrypted: boolean;
  auth: ReadonlySet<ServeMechanism>;
  cbt: CbtLevel;
  clientCa: string | undefined;
  keytab: string | Uint8Array | undefined;
  spn: string | undefined;
  oauth: ServeOAuthOptions | undefined;
  maxShellsPerUser: number;
  maxEnvelopeSize: number;
  defaultOperationTimeoutMs: number;
  idleTimeoutMs: number;
  posixShell: string;
  log: (line: string) => void;
  faults: FaultHook | undefined;
  faultPlan: FaultPlan | undefined;
  latencyMs: number;
}

/** What `auth` accepts; `negotiate` is NTLM, plus Kerberos when a keytab is given. */
export type ServeAuth = 'basic' | 'ntlm' | 'negotiate' | 'certificate' | 'oauth' | 'kerberos' | 'credssp';
export type ServeMechanism = 'basic' | 'ntlm' | 'certificate' | 'oauth' | 'kerberos' | 'credssp';
const AUTH_NAMES: Record<string, ServeMechanism> = { basic: 'basic', ntlm: 'ntlm', negotiate: 'ntlm', certificate: 'certificate', oauth: 'oauth', kerberos: 'kerberos', credssp: 'credssp' };
const CBT_LEVELS: readonly CbtLevel[] = ['strict', 'relaxed', 'none'];

/** Parses `--auth basic,ntlm,certificate`. @throws InvalidArgumentError for an unknown name. */
export function parseAuthList(spec: string): ServeAuth[] {
  const names = spec.split(',').map((n) => n.trim().toLowerCase()).filter((n) => n !== '');
  for (const n of names) {
    if (!(n in AUTH_NAMES)) throw new InvalidArgumentError(`unknown auth mechanism '${n}'`, { hint: 'use a comma list of basic, ntlm (or negotiate), certificate, oauth, credssp' });
  }
  if (names.length === 0) throw new InvalidArgumentError('--auth needs at least one mechanism', { hint: 'e.g. --auth basic,ntlm' });
  return names as ServeAuth[];
}

/** Parses `--cbt`. @throws InvalidArgumentError for anything but strict, relaxed, none. */
export function parseCbt(value: string): CbtLevel {
  const v = value.trim().toLowerCase();
  if (!(CBT_LEVELS as readonly string[]).includes(v)) throw new InvalidArgumentError(`unknown --cbt level '${value}'`, { hint: 'use strict, relaxed or none' });
  return v as CbtLevel;
}

function resolveAuth(opts: ServeOptions, https: boolean): ReadonlySet<ServeMechanism> {
  const names = opts.auth ?? [
    ...(opts.clientCa === undefined ? ['basic', 'ntlm'] : ['basic', 'ntlm', 'certificate']),
    ...(opts.oauth === undefined ? [] : ['oauth']),
    ...(opts.keytab === undefined ? [] : ['kerberos']),
  ];
  const auth = new Set<ServeMechanism>();
  for (const n of names) {
    const m = AUTH_NAMES[n.toLowerCase()];
    if (m === undefined) throw new InvalidArgumentError(`unknown auth mechanism '${n}'`, { hint: 'use basic, ntlm (or negotiate), certificate' });
    auth.add(m);
    // With a keytab, Negotiate is what Windows' Negotiate package is: Kerberos, and NTLM.
    if (n.toLowerCase() === 'negotiate' && opts.keytab !== undefined) auth.add('kerberos');
  }
  if (auth.has('kerberos') && opts.keytab === undefined) {
    throw new InvalidArgumentError('kerberos authentication needs a keytab', { hint: 'pass --keytab FILE (kadmin: ktadd -k FILE HTTP/host)' });
  }
  if (auth.size === 0) throw new InvalidArgumentError('auth needs at least one mechanism', { hint: 'e.g. basic,ntlm' });
  if (auth.has('certificate') && (!https || opts.clientCa === undefined)) {
    throw new InvalidArgumentError('certificate authentication needs HTTPS and a client CA', { hint: 'pass --https and --client-ca <pem>' });
  }
  if (auth.has('oauth') && opts.oauth === undefined) {
    throw new InvalidArgumentError('oauth authentication needs an issuer and an audience', { hint: 'pass --oauth-issuer URL and --oauth-audience AUD' });
  }
  if (opts.clientCa !== undefined && !https) {
    throw new InvalidArgumentError('--client-ca needs --https: client certificates travel in the TLS handshake');
  }
  return auth;
}

export interface ListenAddress {
  host: string;
  port: number;
}

/** Parses `host:port`, `host:lo-hi` and `[v6]:port`; port 0 asks the OS for a free port. */
export function parseListen(spec: string): ListenAddress[] {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d+)(?:-(\d+))?$/.exec(spec.trim());
  if (m === null) throw new InvalidArgumentError(`invalid listen address '${spec}'`, { hint: "use host:port, host:lo-hi or [::1]:port" });
  const host = m[1] ?? m[2] ?? '';
  const lo = Number(m[3]);
  const hi = m[4] === undefined ? lo : Number(m[4]);
  if (lo > 65535 || hi > 65535 || hi < lo || (lo === 0 && hi !== 0)) {
    throw new InvalidArgumentError(`invalid port range in '${spec}'`, { hint: 'ports are 0-65535, lo <= hi' });
  }
  const out: ListenAddress[] = [];
  for (let p = lo; p <= hi; p++) out.push({ host, port: p });
  return out;
}

function positive(name: string, value: number | undefined, dflt: number): number {
  if (value === undefined) return dflt;
  if (!Number.isFinite(value) || value <= 0) throw new InvalidArgumentError(`${name} must be a positive number, got ${value}`);
  return value;
}

function nonNegative(name: string, value: number | undefined, dflt: number): number {
  if (value === undefined) return dflt;
  if (!Number.isFinite(value) || value < 0) throw new InvalidArgumentError(`${name} must be a number >= 0, got ${value}`);
  return value;
}

/**
 * Parses `--latency`: `20ms`, `0.5s` or a plain number of milliseconds.
 * @returns milliseconds. @throws InvalidArgumentError for anything else or a negative value.
 */
export function parseLatency(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(ms|s)?\s*$/i.exec(text);
  if (m === null) throw new InvalidArgumentError(`invalid latency '${text}'`, { hint: 'use milliseconds (20, 20ms) or seconds (0.5s)' });
  const n = Number(m[1]);
  return m[2]?.toLowerCase() === 's' ? n * 1000 : n;
}

function resolveFaultPlan(spec: string | undefined, https: boolean): FaultPlan | undefined {
  if (spec === undefined) return undefined;
  const plan = parseFaultSpec(spec);
  if (!https && plan.rules.some((r) => r.kind === 'wrong-cert')) {
    throw new InvalidArgumentError('the wrong-cert fault needs HTTPS', { hint: 'add --https, or drop wrong-cert from --faults' });
  }
  return plan;
}

/** Fills in defaults and refuses what cannot work. @throws TsrError ETSR_SERVER without users. */
export function resolveOptions(opts: ServeOptions): ResolvedOptions {
  const users = (opts.users ?? []).filter((u) => u.username !== '' && (!('password' in u) || u.password !== ''));
  if (users.length === 0) {
    throw new TsrError('ETSR_SERVER', 'refusing to serve without a user to log on as', {
      hint: 'set TSREMOTE_SERVE_PASSWORD (and --user) so clients have credentials; serve never runs without authentication',
    });
  }
  const https = opts.https ?? false;
  const listen = (opts.listen === undefined || opts.listen.length === 0 ? ['127.0.0.1:5985'] : opts.listen).flatMap(parseListen);
  return {
    listen,
    users,
    https,
    cert: opts.cert,
    key: opts.key,
    allowUnencrypted: opts.allowUnencrypted ?? false,
    auth: resolveAuth(opts, https),
    cbt: opts.cbt === undefined ? 'relaxed' : parseCbt(opts.cbt),
    clientCa: opts.clientCa,
    keytab: opts.keytab,
    spn: opts.spn,
    oauth: opts.oauth,
    maxShellsPerUser: positive('maxShellsPerUser', opts.maxShellsPerUser, 30),
    maxEnvelopeSize: Math.max(8192, positive('maxEnvelopeSize', opts.maxEnvelopeSize, 512_000)),
    defaultOperationTimeoutMs: positive('defaultOperationTimeoutMs', opts.defaultOperationTimeoutMs, 60_000),
    idleTimeoutMs: positive('idleTimeoutMs', opts.idleTimeoutMs, 7_200_000),
    posixShell: opts.shell?.posix ?? '/bin/sh',
    log: opts.log ?? (() => {}),
    faults: opts.faults,
    faultPlan: resolveFaultPlan(opts.faultSpec, https),
    latencyMs: nonNegative('latencyMs', opts.latencyMs, 0),
  };
}
