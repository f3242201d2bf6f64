/**
 * Turns what a user types after `-c`/`--computer` into the URL of a WinRM listener.
 *
 *   web1                    -> http://web1:5985/wsman      (https://web1:5986/wsman with --https)
 *   web1:8080               -> http://web1:8080/wsman
 *   10.0.0.5 / ::1          -> bare IPv4 / IPv6 (IPv6 with a port needs brackets: [::1]:5985)
 *   https://web1/wsman      -> taken as written; no port means 5986 (WinRM's, not 443)
 *
 * The ports are WinRM 2.0's defaults (MS-WSMV 2.2.1: 5985 for HTTP, 5986 for HTTPS).
 */
import { isIP, isIPv6 } from 'node:net';
import { InvalidArgumentError } from '../errors.js';

/** A WinRM listener to talk to. */
export interface Endpoint {
  /** The host as the user named it; every error about this endpoint carries it. */
  label: string;
  /** Full URL of the listener, path included (`/wsman` unless the user gave another). */
  url: URL;
  https: boolean;
}

export interface HostSpecDefaults {
  /** Use HTTPS when the spec does not say (`--https`). */
  https: boolean;
  /** Port when the spec does not say (`--port`); otherwise 5985 / 5986. */
  port?: number;
}

export const DEFAULT_HTTP_PORT = 5985;
export const DEFAULT_HTTPS_PORT = 5986;
export const DEFAULT_PATH = '/wsman';

const HOSTNAME = /^(?=.{1,253}\.?$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62})(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62}))*\.?$/;
const URL_AUTHORITY = /^(https?):\/\/([^/?#]*)/i;

/**
 * Parses a host spec (`name`, `name:port`, `[v6]:port`, bare `v6`, or an `http(s)://` URL).
 * @throws InvalidArgumentError naming the spec when it is none of those.
 */
export function parseHostSpec(spec: string, defaults: HostSpecDefaults): Endpoint {
  const label = spec.trim();
  if (defaults.port !== undefined && !validPort(defaults.port)) {
    throw new InvalidArgumentError(`invalid port ${defaults.port}: expected 1-65535`);
  }
  if (label === '') throw invalid(spec, 'empty host name');
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(label)) return parseUrlSpec(label);

  let host: string;
  let port: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(label);
  if (bracketed?.[1] !== undefined) {
    if (!isIPv6(bracketed[1])) throw invalid(label, 'not an IPv6 address inside [ ]');
    host = bracketed[1];
    port = bracketed[2];
  } else if (isIPv6(label)) {
    host = label;
  } else {
    const m = /^([^:]+)(?::(\d+))?$/.exec(label);
    if (!m?.[1]) throw invalid(label, 'expected NAME, NAME:PORT, [IPv6]:PORT or a URL');
    if (!HOSTNAME.test(m[1]) && isIP(m[1]) !== 4) throw invalid(label, 'not a valid host name');
    host = m[1];
    port = m[2];
  }
  const https = defaults.https;
  const portNumber = port !== undefined ? parsePort(label, port) : defaultPort(defaults);
  return { label, url: buildUrl(https, host, portNumber, DEFAULT_PATH, label), https };
}

function parseUrlSpec(label: string): Endpoint {
  const authority = URL_AUTHORITY.exec(label);
  if (!authority?.[1]) throw invalid(label, 'only http:// and https:// URLs are supported');
  if (authority[2]?.includes('@')) {
    // Never echo the spec here: it may hold a password.
    throw new InvalidArgumentError('credentials in the URL are not supported', { hint: 'pass the user with -u' });
  }
  const https = authority[1].toLowerCase() === 'https';
  // WHATWG URL hides a port equal to the scheme's default, so read the typed one from the authority.
  const typedPort = /:(\d*)$/.exec(authority[2]?.replace(/^\[[^\]]*\]/, '') ?? '')?.[1];
  if (typedPort === '') throw invalid(label, 'empty port');
  const port = typedPort !== undefined ? parsePort(label, typedPort) : https ? DEFAULT_HTTPS_PORT : DEFAULT_HTTP_PORT;
  let url: URL;
  try {
    url = new URL(label);
  } catch (err) {
    throw invalid(label, 'not a valid URL', err);
  }
  if (url.hostname === '') throw invalid(label, 'missing host name');
  const path = url.pathname === '/' || url.pathname === '' ? DEFAULT_PATH : url.pathname;
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return { label, url: buildUrl(https, host, port, path + url.search, label), https };
}

function buildUrl(https: boolean, host: string, port: number, pathAndQuery: string, label: string): URL {
  const hostPart = isIPv6(host) ? `[${host}]` : host;
  try {
    return new URL(`${https ? 'https' : 'http'}://${hostPart}:${port}${pathAndQuery}`);
  } catch (err) {
    throw invalid(label, 'not a valid address', err);
  }
}

function defaultPort(defaults: HostSpecDefaults): number {
  return defaults.port ?? (defaults.https ? DEFAULT_HTTPS_PORT : DEFAULT_HTTP_PORT);
}

function parsePort(label: string, text: string): number {
  const port = Number(text);
  if (!/^\d{1,5}$/.test(text) || !validPort(port)) throw invalid(label, `invalid port ${text}: expected 1-65535`);
  return port;
}

function validPort(port: number): boolean {
  return Number.isInteger(port) && port >= 1 && port <= 65535;
}

function invalid(spec: string, why: string, cause?: unknown): InvalidArgumentError {
  return new InvalidArgumentError(`invalid host "${spec}": ${why}`, { cause });
}
