/**
 * What the client verbs share once flags are parsed: a plan per host (its settings after the config
 * file, its credential, its connect options), and Ctrl+C handling.
 *
 * For a fan-out, the reporting around the hosts: a tally, the status line, the summary, the retry file.
 *
 * Every host is planned before any is contacted, so a bad setting or an unknown profile stops the
 * run with one usage error (exit 64) instead of failing host after host, and passwords are asked
 * for up front, once per distinct user, never in the middle of streaming output.
 */
import { setMaxListeners } from 'node:events';
import type { AuthContext } from '../../auth/context.js';
import { Credential } from '../../auth/credential.js';
import type { KerberosSettings } from '../../auth/negotiate.js';
import type { KerberosPlanner } from '../kerberos-tickets.js';
import { HostTally, StatusLine, summaryLines, writeRetryFile } from '../../fanout/index.js';
import { InvalidArgumentError, TsrError } from '../../errors.js';
import { parseHostSpec } from '../../transport/index.js';
import { ExitCode, exitCodeForSignal, noteStopSignal, type StopSignal } from '../exit-codes.js';
export { isUnreachable } from '../exit-codes.js';
import type { ConnectOptions } from '../../session/connect.js';
import { configPath, loadConfig } from '../config.js';
import { selectedProfile, settingsResolver, type ResolvedSettings } from '../config-resolve.js';
import type { ConnectionOptions, ConnectionSettings } from '../connection-options.js';
import { formatTrace } from '../debug-trace.js';
import { readFirstLine, resolvePassword } from '../password.js';

/** Everything decided for one host before it is contacted. */
export interface HostPlan {
  settings: ResolvedSettings;
  connect: ConnectOptions;
}

export interface PlanOptions {
  /** The verb cannot work anonymously (everything but Identify). */
  credentialRequired: boolean;
  env?: NodeJS.ProcessEnv;
  stdin?: NodeJS.ReadStream;
  stderr?: NodeJS.WriteStream;
}

/** The host name a host spec names (no scheme, port or IPv6 brackets), for matching config entries. */
export function hostNameOf(spec: string): string {
  try {
    return parseHostSpec(spec, { https: false }).url.hostname.replace(/^\[(.*)\]$/, '$1');
  } catch {
    // connect() reports the malformed spec for this host alone, as it always has.
    return spec;
  }
}

/** ` (from hosts."*.lab")` when a setting came from the config file; empty from the command line. */
function from(settings: ResolvedSettings, key: keyof ConnectionSettings): string {
  const where = settings.origin[key];
  return where && where !== 'command line' ? ` (${key} from ${where})` : '';
}

/** The `--auth oauth` settings and their flags. */
const OAUTH_FLAGS: readonly (readonly [keyof ConnectionSettings, string])[] = [
  ['authority', '--authority'], ['tenant', '--tenant'], ['clientId', '--client-id'], ['scopes', '--scope'],
  ['oauthCertFile', '--oauth-cert-file'], ['oauthKeyFile', '--oauth-key-file'], ['oauthSecretFile', '--oauth-secret-file'], ['oauthBasic', '--oauth-basic'],
];

/**
 * Checks the combinations only the resolved settings can judge.
 * @throws InvalidArgumentError naming the host and, for config values, their entry.
 */
export function checkSettings(host: string, s: ResolvedSettings): void {
  if (s.auth !== 'oauth') {
    for (const [key, flag] of OAUTH_FLAGS) {
      if (s.origin[key] === 'command line') {
        throw new InvalidArgumentError(`${flag} goes with --auth oauth, not ${s.auth}${from(s, 'auth')}`, { hint: 'add --auth oauth' });
      }
    }
  }
  if (s.auth === 'certificate') {
    if (s.certFile === undefined || s.keyFile === undefined) {
      throw new InvalidArgumentError(`--auth certificate needs --cert-file and --key-file${from(s, 'auth')}`, {
        host,
        hint: 'give both PEM files (or certFile and keyFile in the config file)',
      });
    }
    if (!parseHostSpec(host, { https: s.https, port: s.port }).https) {
      throw new InvalidArgumentError(`--auth certificate works over HTTPS only${from(s, 'auth')}`, {
        host,
        hint: 'add --https (client certificates are a TLS feature)',
      });
    }
    return;
  }
  for (const key of ['certFile', 'keyFile'] as const) {
    if (s.origin[key] === 'command line') {
      const flag = key === 'certFile' ? '--cert-file' : '--key-file';
      throw new InvalidArgumentError(`${flag} goes with --auth certificate, not ${s.auth}${from(s, 'auth')}`, {
        hint: 'add --auth certificate',
      });
    }
  }
}

/** Finds passwords: once per distinct (user, password command); --password-stdin is read once for all. */
class CredentialCache {
  readonly #conn: ConnectionOptions;
  readonly #env: NodeJS.ProcessEnv;
  readonly #stdin: NodeJS.ReadStream;
  readonly #stderr: NodeJS.WriteStream;
  readonly #byUser = new Map<string, Credential>();
  #stdinPassword: Promise<string> | undefined;

  constructor(conn: ConnectionOptions, env: NodeJS.ProcessEnv, stdin: NodeJS.ReadStream, stderr: NodeJS.WriteStream) {
    this.#conn = conn;
    this.#env = env;
    this.#stdin = stdin;
    this.#stderr = stderr;
  }

  async get(username: string, s: ResolvedSettings): Promise<Credential> {
    const key = `${username}\u0000${s.passwordCommand ?? ''}`;
    const known = this.#byUser.get(key);
    if (known) return known;
    let password: string;
    if (this.#conn.passwordStdin) {
      if (this.#stdin.isTTY) throw new InvalidArgumentError('--password-stdin needs the password piped in, not a terminal');
      this.#stdinPassword ??= readFirstLine(this.#stdin);
      password = await this.#stdinPassword;
    } else {
      password = await resolvePassword(username, {
        passwordStdin: false,
        env: this.#env,
        stdin: this.#stdin,
        promptOut: this.#stderr,
        passwordCommand:
          s.passwordCommand === undefined ? undefined : { command: s.passwordCommand, origin: s.origin.passwordCommand ?? 'the config' },
      });
    }
    const credential = new Credential(username, password);
    this.#byUser.set(key, credential);
    return credential;
  }
}

/**
 * One OAuth client (token source) per distinct OAuth settings of a run, so hosts that share an
 * authority and app share one token. src/oauth (and msal-node) load only when a host uses it.
 */
class OAuthClients {
  readonly #byKey = new Map<string, () => AuthContext>();
  readonly #env: NodeJS.ProcessEnv;
  readonly #stderr: NodeJS.WriteStream;
  readonly #debug: boolean;

  constructor(env: NodeJS.ProcessEnv, stderr: NodeJS.WriteStream, debug: boolean) {
    this.#env = env;
    this.#stderr = stderr;
    this.#debug = debug;
  }

  async contextFor(s: ResolvedSettings): Promise<() => AuthContext> {
    const key = JSON.stringify([s.oauth, s.caFile, s.username]);
    const known = this.#byKey.get(key);
    if (known) return known;
    const { createOAuthClient } = await import('../../oauth/index.js');
    const stderr = this.#stderr;
    const client = createOAuthClient({ ...s.oauth, caFile: s.caFile }, {
      env: this.#env,
      username: s.username,
      showDeviceCode: (message) => void stderr.write(`${message}\n`),
      debug: this.#debug ? (line) => void stderr.write(`debug: ${line}\n`) : undefined,
    });
    this.#byKey.set(key, client.authContext);
    return client.authContext;
  }
}

/** The `--debug` hooks: protocol lines and HTTP exchanges on stderr, prefixed `debug: `. */
function debugHooks(out: NodeJS.WriteStream, credential: Credential | undefined): Pick<ConnectOptions, 'debug' | 'trace'> {
  const write = (line: string): void => void out.write(`debug: ${line}\n`);
  const secrets = credential
    ? [credential.revealPassword(), Buffer.from(`${credential.username}:${credential.revealPassword()}`).toString('base64')]
    : [];
  return {
    debug: write,
    trace: (event) => {
      for (const line of formatTrace(event, secrets)) write(line);
    },
  };
}

/**
 * Plans every host of `conn`: config file, precedence, checks, credentials, connect options.
 * Prints the --skip-cert-check warning once per source of that setting.
 * @throws TsrError ETSR_CONFIG for a bad config file or profile, InvalidArgumentError for bad
 *   combinations, ETSR_CREDENTIALS when a needed user name or password cannot be found.
 */
export async function planHosts(conn: ConnectionOptions, opts: PlanOptions): Promise<Map<string, HostPlan>> {
  const env = opts.env ?? process.env;
  const stderr = opts.stderr ?? process.stderr;
  const config = loadConfig({ env });
  const profile = selectedProfile(config, conn.profile, configPath(env));
  const settingsOf = settingsResolver(conn.settings, config, profile);
  const resolved = conn.hosts.map((host) => {
    const settings = settingsOf(hostNameOf(host));
    checkSettings(host, settings);
    return { host, settings };
  });

  const credentials = new CredentialCache(conn, env, opts.stdin ?? process.stdin, stderr);
  const plans = new Map<string, HostPlan>();
  const unverified = new Map<string, string[]>();
  const oauth = new OAuthClients(env, stderr, conn.debug);
  let kerberosPlanner: KerberosPlanner | undefined;
  for (const { host, settings: s } of resolved) {
    let credential: Credential | undefined;
    let kerberos: KerberosSettings | undefined;
    if (s.auth === 'kerberos' || s.auth === 'negotiate') {
      // A cached Kerberos ticket needs no password: the planner asks for one only when it must.
      kerberosPlanner ??= new (await import('../kerberos-tickets.js')).KerberosPlanner();
      const username = s.username;
      ({ credential, kerberos } = await kerberosPlanner.plan({
        auth: s.auth,
        username,
        ...s.kerberos,
        credential: () => credentials.get(username ?? '', s),
        env,
        debug: conn.debug ? (line) => void stderr.write(`debug: ${line}\n`) : undefined,
      }));
      if (kerberos === undefined && credential === undefined && opts.credentialRequired) {
        throw new TsrError('ETSR_CREDENTIALS', 'no user name', {
          hint: 'give -u USER (or set TSREMOTE_USERNAME, or username in the config file), or kinit for Kerberos',
        });
      }
    } else if (s.auth !== 'certificate' && s.auth !== 'oauth') {
      if (s.username !== undefined) credential = await credentials.get(s.username, s);
      else if (opts.credentialRequired) {
        throw new TsrError('ETSR_CREDENTIALS', 'no user name', {
          hint: 'give -u USER (or set TSREMOTE_USERNAME, or username in the config file)',
        });
      }
    }
    if (s.skipCertCheck) {
      const where = s.origin.skipCertCheck ?? 'command line';
      unverified.set(where, [...(unverified.get(where) ?? []), host]);
    }
    plans.set(host, {
      settings: s,
      connect: {
        https: s.https,
        port: s.port,
        auth: s.auth,
        credential,
        caFile: s.caFile,
        certFile: s.certFile,
        keyFile: s.keyFile,
        skipCertCheck: s.skipCertCheck,
        allowUnencrypted: conn.allowUnencrypted,
        operationTimeoutSec: s.operationTimeoutSec,
        connectTimeoutSec: s.connectTimeoutSec,
        ...(conn.debug ? debugHooks(stderr, credential) : {}),
        ...(s.auth === 'oauth' ? { authContext: await oauth.contextFor(s) } : {}),
        ...(kerberos ? { kerberos } : {}),
      },
    });
  }
  for (const [where, hosts] of unverified) {
    stderr.write(
      where === 'command line'
        ? 'warning: --skip-cert-check: server certificates are NOT verified\n'
        : `warning: skipCertCheck from ${where}: server certificates of ${hosts.join(', ')} are NOT verified\n`,
    );
  }
  return plans;
}

/** The plan of `host` (every host of the run was planned). */
export function planOf(plans: ReadonlyMap<string, HostPlan>, host: string): HostPlan {
  const plan = plans.get(host);
  if (!plan) throw new TsrError('ETSR_INVALID_ARGUMENT', `${host} was not planned`);
  return plan;
}

/** What `interruptible` hands a verb. */
export interface Interruptible {
  /** Aborted by the first SIGINT or SIGTERM, with a TsrError ETSR_ABORTED as its reason. */
  signal: AbortSignal;
  /** True once a signal came. */
  interrupted: () => boolean;
  /** The exit code for the signal that came: 130 for SIGINT, 143 for SIGTERM (128 + its number). */
  exitCode: () => number;
  dispose: () => void;
}

/**
 * Ctrl+C / SIGTERM handling for verbs that hold remote resources: the first signal aborts
 * `signal` (the verb stops remote work and cleans up), a second one quits at once. Either way the
 * exit code is 128 + the number of the (first) signal, the shell's convention: 130 after Ctrl+C,
 * 143 after SIGTERM.
 */
export function interruptible(what: string): Interruptible {
  const controller = new AbortController();
  // Every host of a fan-out listens to this one signal (more than Node's default of 10 listeners).
  setMaxListeners(0, controller.signal);
  let by: StopSignal | undefined;
  const onSignal = (signal: StopSignal): void => {
    if (by !== undefined) {
      process.stderr.write('tsremote: interrupted twice; quitting without cleanup\n');
      process.exit(exitCodeForSignal(by));
    }
    by = signal;
    noteStopSignal(signal);
    const again = signal === 'SIGINT' ? 'Ctrl+C' : signal;
    process.stderr.write(`tsremote: interrupted${signal === 'SIGINT' ? '' : ` by ${signal}`}; ${what} (${again} again to quit now)\n`);
    controller.abort(new TsrError('ETSR_ABORTED', signal === 'SIGINT' ? 'interrupted' : `interrupted by ${signal}`));
  };
  const onInt = (): void => onSignal('SIGINT');
  const onTerm = (): void => onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return {
    signal: controller.signal,
    interrupted: () => by !== undefined,
    exitCode: () => (by === undefined ? ExitCode.Interrupted : exitCodeForSignal(by)),
    dispose: () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    },
  };
}

/** The reporting around a fan-out run (hosts done/failed, status line, summary, retry file). */
export interface FanoutReporting {
  tally: HostTally;
  /** Where remote progress text goes when the status line shows it; undefined without one. */
  progress: ((text: string) => void) | undefined;
  /** Runs a terminal prompt with the status line off the screen. */
  paused<T>(work: () => Promise<T>): Promise<T>;
  /** Ends the run: status line off, the summary on stderr (text mode, when a host failed), the retry file. */
  finish(): Promise<void>;
  /** Takes the status line down (idempotent; for `finally`, so its timer never keeps the process alive). */
  dispose(): void;
}

export interface FanoutReportingOptions {
  json: boolean;
  retryFile: string | undefined;
  stderr?: NodeJS.WriteStream;
  color?: boolean;
}

/**
 * Starts the reporting for `hosts`. The status line shows only for several hosts, in text mode,
 * when stderr is a terminal (never in --json output, never in a pipe or a log file).
 */
export async function fanoutReporting(hosts: readonly string[], opts: FanoutReportingOptions): Promise<FanoutReporting> {
  const stderr = opts.stderr ?? process.stderr;
  const began = Date.now();
  let status: StatusLine | undefined;
  const tally = new HostTally(hosts, () => status?.update());
  if (hosts.length > 1 && !opts.json && stderr.isTTY) {
    status = await StatusLine.start(tally, { stream: stderr, color: opts.color ?? !process.env.NO_COLOR });
  }
  return {
    tally,
    progress: status ? (text) => status?.progress(text) : undefined,
    paused: (work) => (status ? status.paused(work) : work()),
    finish: async () => {
      status?.stop();
      const reports = tally.reports();
      // One host's error line already says it all; the summary is for many.
      if (!opts.json && hosts.length > 1) for (const line of summaryLines(reports, Date.now() - began)) stderr.write(`${line}\n`);
      if (opts.retryFile !== undefined) {
        try {
          await writeRetryFile(opts.retryFile, reports);
        } catch (err) {
          throw new TsrError('ETSR_INVALID_ARGUMENT', `cannot write --retry-file ${opts.retryFile}: ${(err as Error).message}`, { cause: err });
        }
      }
    },
    dispose: () => status?.stop(),
  };
}
