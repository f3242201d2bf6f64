/**
 * Where serve's OAuth acceptor gets the issuer's signing keys: a JWK set from a file, from a URL,
 * or from the `jwks_uri` of the issuer's OpenID Connect metadata
 * (`<issuer>/.well-known/openid-configuration`, OpenID Connect Discovery 1.0 section 4).
 *
 * Keys are loaded on first use and kept. A token whose `kid` is not in the set makes the store load
 * again, since issuers rotate keys (Entra ID does every few weeks), but at most once a minute: a
 * stream of tokens with made-up key ids must not turn serve into a request amplifier against the
 * authority.
 */
import { readFile } from 'node:fs/promises';
import { rootCertificates } from 'node:tls';
import { Agent, request } from 'undici';
import { importJwks, type VerificationKey } from './jwt.js';

export interface JwksSourceOptions {
  /** The token issuer; its metadata names the JWK set when `jwks` is absent. */
  issuer: string;
  /** A JWK set: an https URL or a file path. */
  jwks?: string | undefined;
  /** Extra trusted CAs (PEM text) for the issuer's TLS. */
  ca?: string | undefined;
  /** Least time between two loads; default 60 s. */
  minReloadMs?: number;
  /** Clock, for tests; default Date.now. */
  now?: () => number;
}

const MAX_BYTES = 1024 * 1024;
const TIMEOUT_MS = 10_000;
const FAILED_RETRY_MS = 5_000;

export class JwksStore {
  readonly #opts: JwksSourceOptions;
  readonly #agent: Agent;
  readonly #now: () => number;
  #keys: VerificationKey[] | undefined;
  #loadedAt = Number.NEGATIVE_INFINITY;
  #loading: Promise<VerificationKey[]> | undefined;
  #failure: Error | undefined;

  constructor(opts: JwksSourceOptions) {
    this.#opts = opts;
    this.#now = opts.now ?? Date.now;
    this.#agent = new Agent({
      connect: opts.ca === undefined ? { minVersion: 'TLSv1.2' } : { minVersion: 'TLSv1.2', ca: [...rootCertificates, opts.ca] },
    });
  }

  /**
   * The keys, loading them the first time. A failed load is not retried for FAILED_RETRY_MS, so an
   * unreachable issuer costs one attempt per few seconds, not one per request.
   * @throws Error when they cannot be loaded.
   */
  async keys(): Promise<VerificationKey[]> {
    if (this.#keys !== undefined) return this.#keys;
    if (this.#failure !== undefined && this.#now() - this.#loadedAt < FAILED_RETRY_MS) throw this.#failure;
    return this.#load();
  }

  /**
   * Loads the set again if the last load is older than `minReloadMs`.
   * @returns the keys, or undefined when it is too soon to ask again.
   */
  async reload(): Promise<VerificationKey[] | undefined> {
    if (this.#now() - this.#loadedAt < (this.#opts.minReloadMs ?? 60_000)) return undefined;
    return this.#load();
  }

  close(): Promise<void> {
    return this.#agent.close();
  }

  #load(): Promise<VerificationKey[]> {
    this.#loading ??= (async () => {
      this.#loadedAt = this.#now();
      try {
        const keys = importJwks(await this.#fetchSet());
        this.#keys = keys;
        this.#failure = undefined;
        return keys;
      } catch (err) {
        this.#failure = err instanceof Error ? err : new Error(String(err));
        throw this.#failure;
      } finally {
        this.#loading = undefined;
      }
    })();
    return this.#loading;
  }

  async #fetchSet(): Promise<unknown> {
    const { jwks, issuer } = this.#opts;
    if (jwks !== undefined && !/^https?:\/\//i.test(jwks)) return JSON.parse(await readFile(jwks, 'utf8')) as unknown;
    if (jwks !== undefined) return this.#getJson(jwks);
    const metadataUrl = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
    const metadata = await this.#getJson(metadataUrl);
    if (typeof metadata !== 'object' || metadata === null) throw new Error(`${metadataUrl}: not a JSON object`);
    const m = metadata as { issuer?: unknown; jwks_uri?: unknown };
    // Discovery section 4.3: the metadata must name the issuer it was fetched for.
    if (m.issuer !== issuer) throw new Error(`${metadataUrl}: issuer ${JSON.stringify(m.issuer)} is not ${issuer}`);
    if (typeof m.jwks_uri !== 'string' || !m.jwks_uri.startsWith('https://')) throw new Error(`${metadataUrl}: no https jwks_uri`);
    return this.#getJson(m.jwks_uri);
  }

  async #getJson(url: string): Promise<unknown> {
    if (!url.startsWith('https://')) throw new Error(`${url}: keys are fetched over https only`);
    const res = await request(url, { dispatcher: this.#agent, signal: AbortSignal.timeout(TIMEOUT_MS) });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BYTES) throw new Error(`${url}: larger than ${MAX_BYTES} bytes`);
      chunks.push(chunk);
    }
    if (res.statusCode !== 200) throw new Error(`${url}: HTTP ${res.statusCode}`);
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  }
}
