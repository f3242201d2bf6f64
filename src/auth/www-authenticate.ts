/**
 * Reads `WWW-Authenticate` (RFC 9110 section 11.6.1): a comma-separated list of challenges, each an
 * auth-scheme followed by a token68 (`Negotiate TlRMTVNT...`) or by auth-params (`Basic realm="x"`).
 * Commas also separate auth-params, so a piece starts a new challenge only when its first word is
 * not followed by `=`. WinRM sends one header per scheme; proxies may fold them into one line.
 */

export interface Challenge {
  /** The auth-scheme as the server spelled it. */
  scheme: string;
  /** The token68 that follows the scheme (e.g. an NTLM CHALLENGE_MESSAGE), if any. */
  token?: string;
}

const SCHEME = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)(?:\s+(.*))?$/s;

/** Parses one or more `WWW-Authenticate` header values into challenges, in order. */
export function parseWwwAuthenticate(values: string | readonly string[] | undefined): Challenge[] {
  if (values === undefined) return [];
  const list = typeof values === 'string' ? [values] : values;
  const out: Challenge[] = [];
  for (const value of list) {
    // Quoted strings may hold commas; blank them out before splitting.
    const unquoted = value.replace(/"(?:[^"\\]|\\.)*"/g, '""');
    for (const piece of unquoted.split(',')) {
      const m = SCHEME.exec(piece.trim());
      if (!m?.[1]) continue;
      const rest = m[2]?.trim() ?? '';
      if (rest.startsWith('=')) continue; // an auth-param of the previous challenge
      const challenge: Challenge = { scheme: m[1] };
      if (/^[A-Za-z0-9\-._~+/]+=*$/.test(rest)) challenge.token = rest;
      out.push(challenge);
    }
  }
  return out;
}

/** The scheme names offered, without duplicates, in order. */
export function offeredSchemes(values: string | readonly string[] | undefined): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const { scheme } of parseWwwAuthenticate(values)) {
    const key = scheme.toLowerCase();
    if (!seen.has(key)) {
      seen.add(key);
      out.push(scheme);
    }
  }
  return out;
}
