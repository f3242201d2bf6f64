import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { Credential } from '../../src/auth/index.js';
import { WSManTransport, parseHostSpec } from '../../src/transport/index.js';
import { WSManFault } from '../../src/wsman/index.js';
import { describeFixtures, readPypsrpYaml } from '../helpers/fixtures.js';
import { closeAll, startHttp } from './servers.js';

const transports: WSManTransport[] = [];

afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
  await closeAll();
});

async function postAgainst(status: number, body: string | Buffer, contentType: string): Promise<unknown> {
  const srv = await startHttp((_req, res) => {
    res.writeHead(status, { 'content-type': contentType });
    res.end(body);
  });
  const t = new WSManTransport({
    endpoint: parseHostSpec(`127.0.0.1:${srv.port}`, { https: false }),
    credential: new Credential('vagrant', 'vagrant'),
    auth: 'basic',
    allowUnencrypted: true,
  });
  transports.push(t);
  try {
    await t.post('<x/>');
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describeFixtures('HTTP 500 carrying a recorded WS-Man fault', (dir) => {
  it('throws the WSManFault of pypsrp test_winrs_operation_timeout, with the host set', async () => {
    const file = path.join(dir, 'pypsrp/tests/tests_pypsrp/responses/test_winrs_operation_timeout.yml');
    const exchange = readPypsrpYaml(file).find((m) => m.transport_error !== undefined);
    expect(exchange).toBeDefined();
    const err = (await postAgainst(500, exchange!.response, 'application/soap+xml;charset=UTF-8')) as WSManFault;
    expect(err).toBeInstanceOf(WSManFault);
    expect([err.code, err.subcode, err.wsmanFaultCode, err.host?.startsWith('127.0.0.1:')]).toEqual([
      'ETSR_WSMAN_FAULT', 'TimedOut', 2150858793, true,
    ]);
  });

  it('throws the WSManFault of winrb-winrm soap_fault_v2.xml, sent as UTF-16', async () => {
    const xml = readFileSync(path.join(dir, 'winrb-winrm/tests/spec/stubs/responses/soap_fault_v2.xml'), 'utf8');
    const body = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml, 'utf16le')]);
    const err = (await postAgainst(500, body, 'application/soap+xml;charset=UTF-16')) as WSManFault;
    expect(err).toBeInstanceOf(WSManFault);
    expect([err.subcode, err.wsmanFaultCode]).toEqual(['CannotProcessFilter', 2150858778]);
  });

  it('reads a fault sent with HTTP 400 too', async () => {
    const file = path.join(dir, 'pypsrp/tests/tests_pypsrp/responses/test_winrs_operation_timeout.yml');
    const exchange = readPypsrpYaml(file).find((m) => m.transport_error !== undefined);
    const err = (await postAgainst(400, exchange!.response, 'application/soap+xml')) as WSManFault;
    expect(err).toBeInstanceOf(WSManFault);
  });
});

it('keeps a 500 whose body is XML but no SOAP fault as HttpStatusError', async () => {
  const err = (await postAgainst(500, '<html><body>oops</body></html>', 'text/html')) as { code: string; status: number };
  expect([err.code, err.status]).toEqual(['ETSR_HTTP_STATUS', 500]);
});
