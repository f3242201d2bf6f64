/**
 * Drives test/peers/gss_krb5_initiator.py: MIT's GSS-API initiator (python3-gssapi), one JSON
 * command a line, for tests that need real Kerberos tokens and wrap tokens made by someone else.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const PYTHON = '/usr/bin/python3';
const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../peers/gss_krb5_initiator.py');

/** True when Debian's Python has python3-gssapi. */
export const hasPythonGssapi = spawnSync(PYTHON, ['-c', 'import gssapi'], { stdio: 'ignore' }).status === 0;

type Answer = Record<string, string | boolean | null>;
const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');
const bytes = (s: unknown): Uint8Array => new Uint8Array(Buffer.from(typeof s === 'string' ? s : '', 'base64'));

export class GssInitiator {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #waiting: { resolve: (line: string) => void; reject: (err: Error) => void }[] = [];
  #stderr = '';

  /** Starts the peer with this environment (a realm's `env()`, with KRB5CCNAME set). */
  constructor(env: NodeJS.ProcessEnv) {
    this.#child = spawn(PYTHON, [SCRIPT], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.#child.stderr.on('data', (d: Buffer) => {
      this.#stderr += d.toString();
    });
    createInterface({ input: this.#child.stdout }).on('line', (line) => this.#waiting.shift()?.resolve(line));
    this.#child.on('exit', (code) => {
      for (const w of this.#waiting.splice(0)) w.reject(new Error(`initiator exited (${code}): ${this.#stderr}`));
    });
  }

  async #call(cmd: Record<string, unknown>): Promise<Answer> {
    const line = await new Promise<string>((resolve, reject) => {
      this.#waiting.push({ resolve, reject });
      this.#child.stdin.write(`${JSON.stringify(cmd)}\n`);
    });
    const answer = JSON.parse(line) as Answer;
    if (typeof answer.error === 'string') throw new Error(`initiator: ${answer.error}`);
    return answer;
  }

  /** `bindings`: the channel-binding application data to bind the context to (HTTPS). */
  async init(target: string, opts: { mech?: 'spnego' | 'krb5'; mutual?: boolean; delegate?: boolean; bindings?: Uint8Array } = {}): Promise<Uint8Array> {
    const cmd = { op: 'init', target, mech: opts.mech ?? 'spnego', mutual: opts.mutual ?? true, delegate: opts.delegate ?? false };
    return bytes((await this.#call(opts.bindings === undefined ? cmd : { ...cmd, bindings: b64(opts.bindings) })).token);
  }

  /** Feeds the acceptor's token; resolves with whether the context is complete. */
  async step(token: Uint8Array): Promise<boolean> {
    return (await this.#call({ op: 'step', token: b64(token) })).complete === true;
  }

  async wrapIov(data: Uint8Array): Promise<{ header: Uint8Array; data: Uint8Array }> {
    const a = await this.#call({ op: 'wrap_iov', data: b64(data) });
    return { header: bytes(a.header), data: bytes(a.data) };
  }

  async wrap(data: Uint8Array, conf = true): Promise<Uint8Array> {
    return bytes((await this.#call({ op: 'wrap', data: b64(data), conf })).token);
  }

  async unwrapIov(header: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
    return bytes((await this.#call({ op: 'unwrap_iov', header: b64(header), data: b64(data) })).data);
  }

  async unwrap(token: Uint8Array): Promise<Uint8Array> {
    return bytes((await this.#call({ op: 'unwrap', token: b64(token) })).data);
  }

  close(): void {
    this.#child.stdin.end();
    this.#child.kill();
  }
}
