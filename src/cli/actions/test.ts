/** Test-WSMan for each host: Identify, authenticated when a user is given. */
import { fanout } from '../../fanout/index.js';
import { connect, type WSManClient } from '../../session/index.js';
import { InvalidArgumentError } from '../../errors.js';
import { ExitCode } from '../exit-codes.js';
import { formatError, printError } from '../print-error.js';
import type { TestOptions } from '../test.js';
import { isUnreachable, planHosts, planOf } from './common.js';

export async function runTest(opts: TestOptions): Promise<number> {
  if (opts.hosts.length === 0) throw new InvalidArgumentError('no hosts: give HOST or -c HOST[,HOST…]');
  const plans = await planHosts(opts, { credentialRequired: false });
  const outcomes = await fanout(opts.hosts, async (host) => {
    let client: WSManClient | undefined;
    try {
      client = connect(host, planOf(plans, host).connect);
      return await client.identify();
    } finally {
      await client?.close();
    }
  });
  let code: number = ExitCode.Ok;
  for (const o of outcomes) {
    if (o.ok) {
      const v = o.value;
      if (opts.json) {
        process.stdout.write(
          `${JSON.stringify({ host: o.host, ok: true, protocolVersion: v.protocolVersion, productVendor: v.productVendor, productVersion: v.productVersion, securityProfiles: v.securityProfiles })}\n`,
        );
      } else {
        if (outcomes.length > 1) process.stdout.write(`${o.host}\n`);
        const pad = outcomes.length > 1 ? '  ' : '';
        process.stdout.write(
          `${pad}wsmid           : http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd\n` +
            `${pad}ProtocolVersion : ${v.protocolVersion}\n` +
            `${pad}ProductVendor   : ${v.productVendor}\n` +
            `${pad}ProductVersion  : ${v.productVersion}\n` +
            (v.securityProfiles.length ? `${pad}SecurityProfiles: ${v.securityProfiles.join(' ')}\n` : '') +
            (outcomes.length > 1 ? '\n' : ''),
        );
      }
    } else {
      code = Math.max(code, isUnreachable(o.error) ? ExitCode.Unreachable : ExitCode.Failure);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ host: o.host, ok: false, error: formatError(o.error, o.host) })}\n`);
      }
      printError(process.stderr, o.error, { debug: opts.debug, host: o.host });
    }
  }
  return code;
}
