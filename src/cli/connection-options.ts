/**
 * The connection flags every client verb shares, and their typed form.
 *
 * Passwords never come from a flag: they come from TSREMOTE_PASSWORD, --password-stdin, or a hidden
 * prompt on a terminal (see credentials.ts).
 */
import { Command, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from '../errors.js';

export type AuthName = 'basic';

export interface ConnectionOptions {
  /** Hosts as the user typed them (after @FILE expansion), in order, without duplicates. */
  hosts: string[];
  username: string | undefined;
  auth: AuthName;
  port: number | undefined;
  https: boolean;
  caFile: string | undefined;
  skipCertCheck: boolean;
  allowUnencrypted: boolean;
  operationTimeoutSec: number;
  connectTimeoutSec: number;
  passwordStdin: boolean;
  json: boolean;
  debug: boolean;
}

/** Raw commander values, before validation. */
interface RawConnectionFlags {
  computerName?: string[];
  username?: string;
  auth?: string;
  port?: string;
  https?: boolean;
  caFile?: string;
  skipCertCheck?: boolean;
  allowUnencrypted?: boolean;
  operationTimeout?: string;
  connectTimeout?: string;
  passwordStdin?: boolean;
  json?: boolean;
  debug?: boolean;
}

const collect = (value: string, prev: string[] = []): string[] => [...prev, value];

/** Adds the shared connection flags. `hostsFlag` is false for verbs that take HOST as an argument. */
export function addConnectionOptions(cmd: Command, hostsFlag = true): Command {
  if (hostsFlag) {
    cmd.option('-c, --computer-name <hosts>', 'hosts: comma list, or @FILE with one per line', collect);
  }
  return cmd
    .option('-u, --username <user>', 'user name (DOMAIN\\user or user@domain); default $TSREMOTE_USERNAME')
    .addOption(new Option('--auth <scheme>', 'authentication scheme').choices(['basic']).default('basic'))
    .option('--port <n>', 'port (default 5985, or 5986 with --https)')
    .option('--https', 'use HTTPS (alias --use-ssl)')
    .addOption(new Option('--use-ssl', 'same as --https').hideHelp())
    .option('--ca-file <pem>', 'trust the CA certificates in this PEM file')
    .option('--skip-cert-check', 'do not verify the server certificate (prints a warning)')
    .option('--allow-unencrypted', 'allow Basic credentials over plain HTTP (unsafe)')
    .option('--operation-timeout <sec>', 'WS-Man OperationTimeout in seconds', '20')
    .option('--connect-timeout <sec>', 'TCP/TLS connect timeout in seconds', '30')
    .option('--password-stdin', 'read the password from the first line of standard input')
    .option('--json', 'machine-readable output (JSON / NDJSON)');
}

function positiveNumber(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) {
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

/** Validates the raw flags (and positional hosts) into ConnectionOptions. */
export function readConnectionOptions(
  raw: RawConnectionFlags,
  positionalHosts: string[] = [],
  env: NodeJS.ProcessEnv = process.env,
): ConnectionOptions {
  const hosts = expandHosts([...(raw.computerName ?? []), ...positionalHosts]);
  const https = Boolean(raw.https || (raw as { useSsl?: boolean }).useSsl);
  let port: number | undefined;
  if (raw.port !== undefined) {
    port = Number(raw.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new InvalidArgumentError(`--port must be 1-65535, got '${raw.port}'`);
    }
  }
  return {
    hosts,
    username: raw.username ?? env.TSREMOTE_USERNAME,
    auth: (raw.auth ?? 'basic') as AuthName,
    port,
    https,
    caFile: raw.caFile,
    skipCertCheck: Boolean(raw.skipCertCheck),
    allowUnencrypted: Boolean(raw.allowUnencrypted),
    operationTimeoutSec: positiveNumber('--operation-timeout', raw.operationTimeout, 20),
    connectTimeoutSec: positiveNumber('--connect-timeout', raw.connectTimeout, 30),
    passwordStdin: Boolean(raw.passwordStdin),
    json: Boolean(raw.json),
    debug: Boolean(raw.debug),
  };
}
