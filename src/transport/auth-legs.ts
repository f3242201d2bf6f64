/**
 * The HTTP legs of authentication, apart from sockets and slots: which body and token each leg
 * carries, and what a 401 means at each point. The transport supplies `send` (one POST on the
 * request's slot) and gets back the response to the real request, still to be opened and read.
 *
 * Per-request mechanisms (Basic, certificate; the anonymous Identify carries nothing):
 * ```
 *   POST body   Authorization: <scheme> <token>     -> 200/500, or 401 = rejected
 * ```
 * Kerberos answers its one leg with a 200 carrying the server's AP-REP (mutual authentication):
 * ```
 *   POST (empty)  Authorization: Negotiate <AP-REQ>        -> 200 WWW-Authenticate: Negotiate <AP-REP>
 *   POST body     (no Authorization: the connection is logged on)
 * ```
 * Connection-bound mechanisms (NTLM), once per socket. The first leg has an empty body, so a large
 * envelope is not uploaded only to be refused, and because nothing can be sealed before the keys
 * exist; the last leg carries the real body, sealed on plain HTTP:
 * ```
 *   POST (empty)  Authorization: Negotiate <NEGOTIATE>     -> 401 WWW-Authenticate: Negotiate <CHALLENGE>
 *   POST body     Authorization: Negotiate <AUTHENTICATE>  -> 200/500, or 401 = rejected
 * ```
 * A context with `emptyLastLeg` (CredSSP) sends its last token with an empty body too, and the real
 * body, sealed, in a request of its own once the server has answered 200.
 */
import type { AuthContext, MaybePromise } from '../auth/context.js';
import { CertificateAuthContext } from '../auth/certificate.js';
import { AuthError, authUnsupported, logonRejected } from '../auth/errors.js';
import { offeredSchemes, parseWwwAuthenticate } from '../auth/www-authenticate.js';
import { sealBody } from './encrypted-body.js';
import type { RawResponse } from './response.js';

/** What goes on the wire for one leg, and what a trace may show of it. */
export interface Outgoing {
  wire: Buffer;
  /** The plaintext of `wire` (the same bytes unless sealed). */
  plain: Buffer;
  sealed: boolean;
  /** The Authorization token: null for none; empty for the scheme alone (certificate). */
  token: Uint8Array | null;
}

/** A response to one leg, with whether its request went sealed. */
export interface Sent {
  res: RawResponse;
  sealed: boolean;
  /** performance.now() when the request went out. */
  started: number;
}

export type Send = (out: Outgoing) => Promise<Sent>;

const MAX_AUTH_LEGS = 5;
const EMPTY = Buffer.alloc(0);
const CERTIFICATE_HINT =
  'map the certificate to a local account (winrm create winrm/config/service/certmapping/...) and enable Auth/Certificate on the server';

/**
 * The body as it goes out under `context`: sealed (MS-WSMV 2.2.9.1) on plain HTTP whenever the
 * context can seal and has its keys, whatever `--allow-unencrypted` says.
 */
export function outgoing(context: AuthContext, body: Buffer, token: Uint8Array | null, https: boolean): MaybePromise<Outgoing> {
  const sealed = !https && context.encrypts && context.complete;
  if (!sealed) return { wire: body, plain: body, sealed, token };
  const wire = sealBody(context, body);
  return wire instanceof Promise ? wire.then((w) => ({ wire: w, plain: body, sealed, token })) : { wire, plain: body, sealed, token };
}

/** Basic, certificate and anonymous: the token (if any) with the body, more legs only if the mechanism asks. */
export async function perRequestLegs(context: AuthContext, body: Buffer, send: Send, host: string, https: boolean): Promise<Sent> {
  let token = context.everyRequest || !context.complete ? await context.step() : null;
  for (let leg = 1; ; leg++) {
    const sent = await send(await outgoing(context, body, token, https));
    if (sent.res.status !== 401) return sent;
    // A bearer token the server calls invalid: the context fetches a fresh one, once per request.
    if (leg === 1 && context.renew && (await context.renew(sent.res.headers['www-authenticate']))) {
      token = await context.step();
      continue;
    }
    const mine = challengeToken(context, sent.res, host);
    if (context.complete || mine === undefined || leg >= MAX_AUTH_LEGS) throw rejected(context, sent.res, host);
    token = await context.step(fromBase64(mine));
    if (token === null) throw rejected(context, sent.res, host);
  }
}

/**
 * Logs a fresh connection-bound context on: empty-bodied legs until the context is complete, then
 * the real body with the final token.
 * @throws AuthError: ETSR_AUTH_REJECTED for a 401 on the last leg (wrong password) or a server that
 *   does not challenge; ETSR_AUTH_UNSUPPORTED when the server does not offer the scheme.
 */
export async function handshakeLegs(context: AuthContext, body: Buffer, send: Send, host: string, https: boolean): Promise<Sent> {
  let token = await context.step();
  for (let leg = 1; ; leg++) {
    if (context.complete) {
      if (context.emptyLastLeg === true && token !== null) {
        const logon = await send({ wire: EMPTY, plain: EMPTY, sealed: false, token });
        if (logon.res.status === 401) throw rejected(context, logon.res, host);
        if (logon.res.status !== 200) return logon;
        token = null;
      }
      const last = await send(await outgoing(context, body, token, https));
      if (last.res.status === 401) throw rejected(context, last.res, host);
      return last;
    }
    const sent = await send({ wire: EMPTY, plain: EMPTY, sealed: false, token });
    if (sent.res.status === 200) {
      // Kerberos: the server's last token (the AP-REP of mutual authentication) rides on the 200;
      // the context verifies it, then the real body goes on the logged-on connection.
      const final = successToken(context, sent.res);
      if (final !== undefined && leg < MAX_AUTH_LEGS) {
        token = await context.step(fromBase64(final));
        if (context.complete) continue;
      }
      throw new AuthError('ETSR_AUTH_REJECTED', `the server answered the ${context.scheme} handshake without a challenge`, {
        host,
        hint: 'is this a WinRM listener? check the URL, or try another --auth',
      });
    }
    if (sent.res.status !== 401) return sent; // a 404 or 5xx says more than an auth error would
    const mine = challengeToken(context, sent.res, host);
    if (mine === undefined || leg >= MAX_AUTH_LEGS) throw rejected(context, sent.res, host);
    token = await context.step(fromBase64(mine));
  }
}

/** The token of our scheme in a 200's WWW-Authenticate (undefined: none). */
function successToken(context: AuthContext, res: RawResponse): string | undefined {
  const mine = parseWwwAuthenticate(res.headers['www-authenticate']).find((c) => c.scheme.toLowerCase() === context.scheme.toLowerCase());
  return mine?.token;
}

/** The bytes of a `WWW-Authenticate` token. */
function fromBase64(token: string): Uint8Array {
  return Buffer.from(token, 'base64');
}

/** The token of our scheme in a 401's WWW-Authenticate (undefined: offered without one). */
function challengeToken(context: AuthContext, res: RawResponse, host: string): string | undefined {
  const header = res.headers['www-authenticate'];
  const mine = parseWwwAuthenticate(header).find((c) => c.scheme.toLowerCase() === context.scheme.toLowerCase());
  if (mine) return mine.token;
  const offered = offeredSchemes(header);
  if (offered.length > 0 && !(context instanceof CertificateAuthContext)) {
    throw authUnsupported(context.scheme, offered, { host });
  }
  throw rejected(context, res, host);
}

/** The 401 that ends a logon: names the mechanism and what the server offers. */
export function rejected(context: AuthContext, res: RawResponse, host: string): AuthError {
  const offered = offeredSchemes(res.headers['www-authenticate']);
  return context instanceof CertificateAuthContext
    ? logonRejected('certificate', offered, { host, hint: CERTIFICATE_HINT })
    : logonRejected(context.scheme, offered, { host });
}
