/** The unauthenticated Identify (Test-WSMan without credentials). */
import { afterEach, expect, it } from 'vitest';
import { WSManTransport, parseHostSpec } from '../../src/transport/index.js';
import { closeAll, envelope, startHttp } from './servers.js';

afterEach(closeAll);

it('sends no Authorization, marks the request WSMANIDENTIFY: unauthenticated, and is allowed over plain HTTP', async () => {
  const srv = await startHttp((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/soap+xml;charset=UTF-8' });
    res.end(envelope());
  });
  const transport = new WSManTransport({ endpoint: parseHostSpec(`127.0.0.1:${srv.port}`, { https: false }), auth: 'none' });
  try {
    await transport.post(envelope());
  } finally {
    await transport.close();
  }
  expect(srv.requests.map((r) => [r.headers.authorization, r.headers.wsmanidentify])).toEqual([[undefined, 'unauthenticated']]);
});
