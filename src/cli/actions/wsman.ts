/** `wsman identify|get|enumerate`: one host, raw WS-Man resources, as text or JSON. */
import { connect, type WSManClient } from '../../session/index.js';
import { InvalidArgumentError } from '../../errors.js';
import { xmlToJson, xmlToText } from '../../render/xml-view.js';
import { ExitCode } from '../exit-codes.js';
import { printError } from '../print-error.js';
import { resolveResourceUri } from '../resource-alias.js';
import type { WSManVerbOptions } from '../wsman.js';
import { isUnreachable, planHosts, planOf } from './common.js';

export async function runWSMan(opts: WSManVerbOptions): Promise<number> {
  const host = opts.hosts[0];
  if (!host) throw new InvalidArgumentError('no host given');
  const plans = await planHosts(opts, { credentialRequired: opts.operation !== 'identify' });
  const out = process.stdout;
  let client: WSManClient | undefined;
  try {
    client = connect(host, planOf(plans, host).connect);
    if (opts.operation === 'identify') {
      const id = await client.identify();
      const view = {
        ProtocolVersion: id.protocolVersion,
        ProductVendor: id.productVendor,
        ProductVersion: id.productVersion,
        SecurityProfiles: id.securityProfiles,
      };
      out.write(opts.json ? `${JSON.stringify(view)}\n` : xmlToText(id.raw));
      return ExitCode.Ok;
    }
    const resourceUri = resolveResourceUri(opts.resourceUri ?? '');
    if (opts.operation === 'get') {
      const item = await client.get(resourceUri, opts.selectors);
      out.write(opts.json ? `${JSON.stringify({ [item.local]: xmlToJson(item) }, null, 2)}\n` : xmlToText(item));
      return ExitCode.Ok;
    }
    const items = [];
    const filter = opts.filter ? { query: opts.filter } : undefined;
    for await (const item of client.enumerate(resourceUri, { filter })) {
      if (opts.json) items.push(xmlToJson(item));
      else out.write(`${xmlToText(item)}\n`);
    }
    if (opts.json) out.write(`${JSON.stringify(items, null, 2)}\n`);
    return ExitCode.Ok;
  } catch (err) {
    printError(process.stderr, err, { debug: opts.debug, host });
    return isUnreachable(err) ? ExitCode.Unreachable : ExitCode.Failure;
  } finally {
    await client?.close();
  }
}
