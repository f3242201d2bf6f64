/**
 * The connection flags every client verb shares, and their typed form.
 *
 * What the command line says is one layer of settings among several: a flag left out stays
 * `undefined` here, so the config file (config.ts) can fill it per host, and the built-in defaults
 * come last (see config-resolve.ts for the order). That is why no flag below has a commander
 * default: a default would hide "not given".
 *
 * Passwords never come from a flag: they come from --password-stdin, TSREMOTE_PASSWORD, the
 * config's passwordCommand, or a hidden prompt on a terminal (see password.ts).
 *
 * This file is on the start-up path of every verb: it imports types only from the layers below.
 */
import { Command, Option } from 'commander';
import { readFileSync } from 'node:fs';
import type { AuthMechanism } from '../auth/context.js';
import { InvalidArgumentError } from '../errors.js';

/** The `--auth` choices; the same list as auth's AUTH_MECHANISMS, kept here so --help loads no auth code. */
export const AUTH_NAMES = ['negotiate', 'ntlm', 'basic', 'certificate', 'oauth', 'credssp', 'kerberos'] as const satisfies readonly AuthMechanism[];
export type AuthName = (typeof AUTH_NAMES)[number];

/**
 * The settings the command line, a config host entry, a profile or the config defaults can give.
 * `undefined` means "not said here": the next layer decides.
 */
export interface ConnectionSettings {
  /** `user`, `DOMAIN\user` or `user@domain`. */
  username?: string | undefined;
  auth?: AuthName | undefined;
  port?: number | undefined;
  https?: boolean | undefined;
  caFile?: string | undefined;
  /** Client certificate and its key (PEM) for `--auth certificate`. */
  certFile?: string | undefined;
  keyFile?: string | undefined;
  /** PowerShell session configuration (JEA endpoint) for `invoke -s/-f`. */
  configurationName?: string | undefined;
  /** A shell command whose first line of output is the password (config file only). */
  passwordCommand?: string | undefined;
  skipCertCheck?: boolean | undefined;
  /** Seconds. */
  operationTimeout?: number | undefined;
  /** Seconds. */
  connectTimeout?: number | undefined;
  /** `--auth oauth` (docs/authentication.md "OAuth"): the authority base URL, tenant, app and scopes. */
  authority?: string | undefined;
  tenant?: string | undefined;
  clientId?: string | undefined;
  scopes?: string[] | undefined;
  /** Client credentials by certificate (PEM), or a file holding the client secret. */
  oauthCertFile?: string | undefined;
  oauthKeyFile?: string | undefined;
  oauthSecretFile?: string | undefined;
  /** Send the token as `Basic base64(user:Bearer <token>)` (Exchange Online). */
  oauthBasic?: boolean | undefined;
  /** Kerberos (`--auth kerberos`, and negotiate's Kerberos leg): the SPN's service class and host. */
  spnService?: string | undefined;
  spnHostname?: string | undefined;
  /** Kerberos: delegate a forwardable TGT to the host (the double hop). */
  delegate?: boolean | undefined;
}

export interface ConnectionOptions {
  /** Hosts as the user typed them (after @FILE expansion), in order, without duplicates. */
  hosts: string[];
  /** The command-line layer of the settings (TSREMOTE_USERNAME counts as `-u`). */
  settings: ConnectionSettings;
  /** `--profile NAME`: a named profile of the config file. */
  profile: string | undefined;
  /** Plain HTTP without message encryption (Basic, or a mechanism that does not seal) is allowed. */
  allowUnencrypted: boolean;
  passwordStdin: boolean;
  json: boolean;
  /** Stack traces, and each HTTP exchange (secrets redacted) on stderr. */
  debug: boolean;
}

/** Raw commander values, before validation. */
export interface RawConnectionFlags {
  computerName?: string[];
  username?: string;
  auth?: string;
  port?: string;
  https?: boolean;
  useSsl?: boolean;
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  skipCertCheck?: boolean;
  allowUnencrypted?: boolean;
  operationTimeout?: string;
  connectTimeout?: string;
  passwordStdin?: boolean;
  profile?: string;
  configurationName?: string;
  json?: boolean;
  debug?: boolean;
  authority?: string;
  tenant?: string;
  clientId?: string;
  scope?: string[];
  oauthCertFile?: string;
  oauthKeyFile?: string;
  oauthSecretFile?: string;
  oauthBasic?: boolean;
  spnService?: string;
  spnHostname?: string;
  delegate?: boolean;
}

const collect = (value: string, prev: string[] = []): string[] => [...prev, value];

/** Adds the shared connection flags. `hostsFlag` is false for verbs that take HOST as an argument. */
export function addConnectionOptions(cmd: Command, hostsFlag = true): Command {
  if (hostsFlag) {
    cmd.option('-c, --computer-name <hosts>', 'hosts: comma list, or @FILE with one per line', collect);
  }
  return cmd
    .option('-u, --username <user>', 'user, DOMAIN\\user or user@domain; default $TSREMOTE_USERNAME')
    .addOption(
      new Option('--auth <scheme>', 'authentication (default: negotiate: Kerberos with a ticket or user@REALM, else NTLM)').choices(AUTH_NAMES),
    )
    .option('--cert-file <pem>', 'client certificate (PEM) for --auth certificate (HTTPS only)')
    .option('--key-file <pem>', 'private key (PEM) of --cert-file')
    .option('--port <n>', 'port (default 5985, or 5986 with --https)')
    .option('--https', 'use HTTPS (alias --use-ssl)')
    .addOption(new Option('--use-ssl', 'same as --https').hideHelp())
    .option('--ca-file <pem>', 'trust the CA certificates in this PEM file')
    .option('--skip-cert-check', 'do not verify the server certificate (prints a warning)')
    .option('--allow-unencrypted', 'allow Basic credentials and unsealed messages over plain HTTP (unsafe)')
    .option('--operation-timeout <sec>', 'WS-Man OperationTimeout in seconds (default 20)')
    .option('--connect-timeout <sec>', 'TCP/TLS connect timeout in seconds (default 30)')
    .option('--password-stdin', 'read the password from the first line of standard input')
    .option('--profile <name>', 'use this profile of the config file ($TSREMOTE_CONFIG)')
    .option('--json', 'machine-readable output (JSON / NDJSON)')
    .option('--debug', 'print stack traces and each HTTP exchange on stderr (secrets redacted)')
    .option('--authority <url>', '--auth oauth: the authority (default https://login.microsoftonline.com)')
    .option('--tenant <id>', '--auth oauth: tenant id or domain, appended to --authority')
    .option('--client-id <id>', '--auth oauth: the application (client) id')
    .option('--scope <scopes>', '--auth oauth: scope(s), comma list or repeated (client credentials: <resource>/.default)', collect)
    .option('--oauth-cert-file <pem>', '--auth oauth: client certificate (PEM) for the client-credentials grant')
    .option('--oauth-key-file <pem>', '--auth oauth: private key (PEM) of --oauth-cert-file')
    .option('--oauth-secret-file <file>', '--auth oauth: file holding the client secret (or $TSREMOTE_OAUTH_CLIENT_SECRET)')
    .option('--oauth-basic', '--auth oauth: send the token as Basic user:Bearer <token> (Exchange Online)')
    .option('--spn-service <class>', 'Kerberos: service class of the SPN (default HTTP)')
    .option('--spn-hostname <host>', 'Kerberos: host part of the SPN (default the host as typed)')
    .option('--delegate', 'Kerberos: delegate your TGT to the host, for a second hop');
}

function positiveNumber(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw new InvalidArgumentError(`${name} must be a positive number, got '${raw}'`);
  }
  return n;
}

/** Expands `a,b` lists and `@FILE` (one host per line, `#` comments) into a host list. */
export function expandHosts(values: string[], readFile: (p: string) => string = (p) => readFileSync(p, 'utf8')): string[] {
  const hosts: string[] = [];
  for (const value of values) {
    for (const part of value.split(',')) {
      const item = part.trim();
      if (!item) continue;
      if (item.startsWith('@')) {
        let text: string;
        try {
          text = readFile(item.slice(1));
        } catch (err) {
          throw new InvalidArgumentError(`cannot read host list ${item.slice(1)}`, { cause: err });
        }
        for (const line of text.split(/\r?\n/)) {
          const host = line.replace(/#.*/, '').trim();
          if (host) hosts.push(host);
        }
      } else {
        hosts.push(item);
      }
    }
  }
  return [...new Set(hosts)];
}

/**
 * Validates the raw flags (and positional hosts) into ConnectionOptions. Only what the flags say
 * by themselves is checked here; combinations that the config file may complete (certificate auth
 * and its files) are checked per host once the settings are resolved.
 * @throws InvalidArgumentError for a malformed value.
 */
export function readConnectionOptions(
  raw: RawConnectionFlags,
  positionalHosts: string[] = [],
  env: NodeJS.ProcessEnv = process.env,
): ConnectionOptions {
  const hosts = expandHosts([...(raw.computerName ?? []), ...positionalHosts]);
  let port: number | undefined;
  if (raw.port !== undefined) {
    port = Number(raw.port);
    if (!/^\d+$/.test(raw.port) || port < 1 || port > 65535) {
      throw new InvalidArgumentError(`--port must be 1-65535, got '${raw.port}'`);
    }
  }
  if (raw.auth !== undefined && !(AUTH_NAMES as readonly string[]).includes(raw.auth)) {
    throw new InvalidArgumentError(`--auth must be one of ${AUTH_NAMES.join(', ')}, got '${raw.auth}'`);
  }
  if (raw.certFile !== undefined && raw.auth !== undefined && raw.auth !== 'certificate') {
    throw new InvalidArgumentError(`--cert-file goes with --auth certificate, not --auth ${raw.auth}`);
  }
  const profile = raw.profile;
  if (profile === '') throw new InvalidArgumentError('--profile needs a profile name');
  const username = raw.username ?? (env.TSREMOTE_USERNAME || undefined);
  return {
    hosts,
    settings: {
      username,
      auth: raw.auth as AuthName | undefined,
      port,
      https: raw.https || raw.useSsl ? true : undefined,
      caFile: raw.caFile,
      certFile: raw.certFile,
      keyFile: raw.keyFile,
      configurationName: raw.configurationName,
      skipCertCheck: raw.skipCertCheck ? true : undefined,
      operationTimeout: positiveNumber('--operation-timeout', raw.operationTimeout),
      connectTimeout: positiveNumber('--connect-timeout', raw.connectTimeout),
      authority: raw.authority,
      tenant: raw.tenant,
      clientId: raw.clientId,
      scopes: raw.scope,
      oauthCertFile: raw.oauthCertFile,
      oauthKeyFile: raw.oauthKeyFile,
      oauthSecretFile: raw.oauthSecretFile,
      oauthBasic: raw.oauthBasic ? true : undefined,
      spnService: raw.spnService,
      spnHostname: raw.spnHostname,
      delegate: raw.delegate ? true : undefined,
    },
    profile,
    allowUnencrypted: Boolean(raw.allowUnencrypted),
    passwordStdin: Boolean(raw.passwordStdin),
    json: Boolean(raw.json),
    debug: Boolean(raw.debug),
  };
}
