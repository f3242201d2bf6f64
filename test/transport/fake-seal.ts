/**
 * A toy connection-bound, sealing mechanism and a node:http server speaking it, so the transport's
 * slot, handshake and MS-WSMV framing logic can be tested apart from the NTLM maths.
 *
 *   step()          -> 'NEG'                          (first leg, empty body)
 *   401 Negotiate <nonce>
 *   step(nonce)     -> JSON { user, proof, cb }       proof = sha256(password:nonce), cb = hex bindings
 *   keys            = sha256('key' + password + nonce)
 *   wrap(data)      -> header = u32le seq | hmac(key, dir|seq|data)[0..12], data XOR sha256 keystream
 *
 * Each direction has its own sequence number, as NTLM's do, so a message sealed for another
 * connection (or replayed) fails the check.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import type { AuthContext, SealedMessage } from '../../src/auth/index.js';
import { AuthError } from '../../src/auth/index.js';
import { ENCRYPTED_CONTENT_TYPE, openBody, sealBody } from '../../src/transport/index.js';
import { envelope, type Handler } from './servers.js';

const sha256 = (...parts: (string | Uint8Array)[]): Buffer => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

/** One direction pair of the toy session security. */
export class ToySession {
  sendSeq = 0;
  recvSeq = 0;
  readonly #key: Buffer;
  readonly #out: string;
  readonly #in: string;

  constructor(key: Buffer, out: string, inbound: string) {
    this.#key = key;
    this.#out = out;
    this.#in = inbound;
  }

  wrap(data: Uint8Array): SealedMessage {
    const seq = this.sendSeq++;
    return { header: this.#header(this.#out, seq, data), data: this.#xor(this.#out, seq, data) };
  }

  unwrap(header: Uint8Array, data: Uint8Array): Uint8Array {
    const seq = this.recvSeq++;
    const plain = this.#xor(this.#in, seq, data);
    if (!Buffer.from(header).equals(this.#header(this.#in, seq, plain))) {
      throw new AuthError('ETSR_AUTH_INTEGRITY', 'toy signature mismatch');
    }
    return plain;
  }

  #header(dir: string, seq: number, plain: Uint8Array): Buffer {
    const head = Buffer.alloc(16);
    head.writeUInt32LE(seq, 0);
    createHmac('sha256', this.#key).update(`${dir}:${seq}:`).update(plain).digest().copy(head, 4, 0, 12);
    return head;
  }

  #xor(dir: string, seq: number, data: Uint8Array): Buffer {
    const out = Buffer.alloc(data.length);
    for (let block = 0; block * 32 < data.length; block++) {
      const ks = sha256(this.#key, `${dir}:${seq}:${block}`);
      for (let i = 0; i < 32 && block * 32 + i < data.length; i++) out[block * 32 + i] = (data[block * 32 + i] as number) ^ (ks[i] as number);
    }
    return out;
  }
}

/** The client side: what `authContext` returns for each connection. */
export class ToyClientContext implements AuthContext {
  readonly scheme = 'Negotiate';
  readonly encrypts = true;
  readonly revealsSecret = false;
  readonly everyRequest = false;
  readonly #user: string;
  readonly #password: string;
  readonly #bindings: () => Uint8Array | undefined;
  #session: ToySession | undefined;

  constructor(user: string, password: string, bindings: () => Uint8Array | undefined = () => undefined) {
    this.#user = user;
    this.#password = password;
    this.#bindings = bindings;
  }

  get complete(): boolean {
    return this.#session !== undefined;
  }

  step(challenge?: Uint8Array): Uint8Array {
    if (!challenge) return Buffer.from('NEG');
    const nonce = Buffer.from(challenge).toString('utf8');
    this.#session = new ToySession(sha256('key', this.#password, nonce), 'c2s', 's2c');
    const cb = this.#bindings();
    const proof = sha256(`${this.#password}:${nonce}`).toString('hex');
    return Buffer.from(JSON.stringify({ user: this.#user, proof, cb: cb ? Buffer.from(cb).toString('hex') : null }));
  }

  wrap(data: Uint8Array): SealedMessage {
    if (!this.#session) throw new Error('not complete');
    return this.#session.wrap(data);
  }

  unwrap(header: Uint8Array, data: Uint8Array): Uint8Array {
    if (!this.#session) throw new Error('not complete');
    return this.#session.unwrap(header, data);
  }
}

/** What the server saw on one connection. */
export interface ToyConnection {
  index: number;
  nonce?: string;
  session?: ToySession;
  /** Hex of the channel bindings the client sent in its final token (null when none). */
  bindings?: string | null;
  /** Every request: its token ('NEG', 'AUTH', or the raw header / undefined), body length, content type. */
  legs: { auth: string | undefined; length: number; contentLength: string | undefined; contentType: string | undefined }[];
  /** Plaintexts of the sealed requests. */
  plaintexts: string[];
}

export interface ToyServerOptions {
  password?: string;
  /** Answer the n-th sealed request (1-based, over all connections) this way instead of sealing. */
  misbehave?: (n: number) => 'plain200' | 'plain500' | 'tamper' | 'forget' | 'wrong-length' | undefined;
  /** Delay before answering sealed requests (ms). */
  delayMs?: number;
  /** False on HTTPS: bodies travel in the clear both ways (default true). */
  sealed?: boolean;
}

/** A handler for servers.ts that speaks the toy mechanism, and what it saw per connection. */
export function toyServer(opts: ToyServerOptions = {}): { handler: Handler; connections: ToyConnection[] } {
  const password = opts.password ?? 'toy-password';
  const bySocket = new WeakMap<Socket, ToyConnection>();
  const connections: ToyConnection[] = [];
  let sealedCount = 0;
  const unauthorized = (res: Parameters<Handler>[1], token?: string): void => {
    res.writeHead(401, { 'www-authenticate': token ? `Negotiate ${token}` : 'Negotiate', 'content-length': '0' });
    res.end();
  };
  const handler: Handler = (req, res, seen) => {
    const socket = req.socket as Socket;
    let conn = bySocket.get(socket);
    if (!conn) {
      conn = { index: seen.connection, legs: [], plaintexts: [] };
      bySocket.set(socket, conn);
      connections.push(conn);
    }
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Negotiate ') ? Buffer.from(auth.slice(10), 'base64').toString('utf8') : undefined;
    conn.legs.push({
      auth: token === undefined ? auth : token === 'NEG' ? 'NEG' : 'AUTH',
      length: seen.body.length,
      contentLength: req.headers['content-length'],
      contentType: req.headers['content-type'],
    });
    if (token !== undefined) {
      if (token === 'NEG') {
        conn.session = undefined;
        conn.nonce = randomBytes(8).toString('hex');
        unauthorized(res, Buffer.from(conn.nonce).toString('base64'));
        return;
      }
      const msg = JSON.parse(token) as { proof: string; cb: string | null };
      if (!conn.nonce || msg.proof !== sha256(`${password}:${conn.nonce}`).toString('hex')) {
        unauthorized(res);
        return;
      }
      conn.bindings = msg.cb;
      conn.session = new ToySession(sha256('key', password, conn.nonce), 's2c', 'c2s');
    }
    const session = conn.session;
    if (!session) {
      unauthorized(res);
      return;
    }
    sealedCount += 1;
    const n = sealedCount;
    const how = opts.misbehave?.(n);
    if (how === 'forget') {
      conn.session = undefined;
      unauthorized(res);
      return;
    }
    const sealed = opts.sealed ?? true;
    const plain = sealed ? openBody(session, seen.body).toString('utf8') : seen.body.toString('utf8');
    conn.plaintexts.push(plain);
    const reply = envelope(`<r conn="${conn.index}" n="${n}" recv="${session.recvSeq}">${plain}</r>`);
    const answer = (): void => {
      if (how === 'plain200' || how === 'plain500' || !sealed) {
        res.writeHead(how === 'plain500' ? 500 : 200, { 'content-type': 'application/soap+xml;charset=UTF-8' });
        res.end(reply);
        return;
      }
      let body = sealBody(session, Buffer.from(reply, 'utf8'));
      if (how === 'tamper') body[body.length - 30] = (body[body.length - 30] as number) ^ 0x01;
      if (how === 'wrong-length') body = Buffer.from(body.toString('latin1').replace(/Length=\d+/, 'Length=7'), 'latin1');
      res.writeHead(200, { 'content-type': ENCRYPTED_CONTENT_TYPE });
      res.end(body);
    };
    if (opts.delayMs) setTimeout(answer, opts.delayMs);
    else answer();
  };
  return { handler, connections };
}
