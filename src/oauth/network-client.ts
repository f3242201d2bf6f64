/**
 * msal-node's HTTP client, on our undici with tsremote's TLS policy.
 *
 * msal-node's own client uses the global fetch and so trusts only Node's roots (plus
 * NODE_EXTRA_CA_CERTS). An authority inside a company, or the loopback one our tests run, is often
 * signed by a private CA: this client adds `--ca-file` to the roots, exactly as the WinRM
 * connection does. Certificate checks are never skipped here, `--skip-cert-check` or not: the
 * authority receives client secrets and issues the tokens we send.
 */
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import { Agent, request } from 'undici';
import { tlsOptions } from '../transport/tls.js';

/** Authority requests are small; a stuck one should not hang the CLI. */
const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_BODY_BYTES = 1024 * 1024;

export class AuthorityHttpClient implements INetworkModule {
  readonly #agent: Agent;

  constructor(caFile: string | undefined) {
    this.#agent = new Agent({
      connect: tlsOptions({ ...(caFile === undefined ? {} : { caFile }), skipCertCheck: false }, 'authority'),
      keepAliveTimeout: 1_000,
    });
  }

  sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> {
    return this.#send<T>('GET', url, options, timeout);
  }

  sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.#send<T>('POST', url, options);
  }

  /** Lets go of the sockets, so the CLI can exit. */
  close(): Promise<void> {
    return this.#agent.close();
  }

  async #send<T>(method: 'GET' | 'POST', url: string, options: NetworkRequestOptions | undefined, timeout?: number): Promise<NetworkResponse<T>> {
    const res = await request(url, {
      method,
      dispatcher: this.#agent,
      headers: options?.headers ?? {},
      ...(method === 'POST' ? { body: options?.body ?? '' } : {}),
      signal: AbortSignal.timeout(timeout ?? DEFAULT_TIMEOUT_MS),
    });
    const text = await readBounded(res.body);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(res.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    let body: T;
    try {
      body = JSON.parse(text) as T;
    } catch {
      // msal reads `error` from the body; a non-JSON answer (a proxy's HTML page) becomes one.
      body = { error: 'invalid_response', error_description: `HTTP ${res.statusCode} with a body that is not JSON` } as T;
    }
    return { headers, body, status: res.statusCode };
  }
}

async function readBounded(body: AsyncIterable<Buffer>): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new Error(`authority response larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
