import http from 'node:http';
import https from 'node:https';

/** A response read whole, with the local port of the socket it came on (equal ports: one connection). */
export interface RawReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  port: number;
}

/**
 * One POST with exactly these headers (plus Content-Length), for tests that drive serve's HTTP
 * legs by hand; pass a keep-alive agent with maxSockets 1 to stay on one connection.
 */
export function rawPost(agent: http.Agent | undefined, url: URL, headers: Record<string, string>, body: Uint8Array = Buffer.alloc(0)): Promise<RawReply> {
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(url, { method: 'POST', ...(agent ? { agent } : {}), headers: { ...headers, 'content-length': String(body.length) } }, (res) => {
      const chunks: Buffer[] = [];
      const port = res.socket.localPort ?? -1;
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), port }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
