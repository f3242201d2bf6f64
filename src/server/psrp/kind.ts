/**
 * The PowerShell shell kind: resource `http://schemas.microsoft.com/powershell/<configuration>`
 * (MS-PSRP §3.1.5.3.1). Any configuration name is served the same way — Microsoft.PowerShell, a
 * JEA endpoint's name, anything — by the built-in engine; the name is kept on the shell and
 * visible to scripts as `$PSSenderInfo.ConfigurationName`.
 *
 * Create carries the pool's opening in creationXml (base64 SESSION_CAPABILITY + INIT_RUNSPACEPOOL)
 * and the client's version in the `protocolversion` option; the ShellId is the RunspacePoolId the
 * client chose. The CreateResponse's rsp:Shell has the extra facts Windows reports for PowerShell
 * shells (pypsrp test_psrp_open_runspace.yml: MaxIdleTimeOut, Locale, BufferMode, State …).
 */
import { readShellCreateRequest, type ShellCreateRequest, type ShellCreatedInfo, type WSManRequest } from '../../wsman/index.js';
import { ServerRunspacePool } from '../../psrp/server/index.js';
import type { ShellKind } from '../dispatcher.js';
import { fault } from '../faults.js';
import type { RequestContext, ShellImpl } from '../shells.js';
import { PowerShellShell, type PowerShellShellConfig } from './shell.js';

const PREFIX = 'http://schemas.microsoft.com/powershell/';

/** The configuration name of a PowerShell resource URI, or undefined for any other URI. */
export function configurationNameOf(resourceUri: string): string | undefined {
  if (!resourceUri.toLowerCase().startsWith(PREFIX)) return undefined;
  const name = resourceUri.slice(PREFIX.length);
  return name === '' || name.includes('/') ? undefined : name;
}

/** The PowerShell endpoint kind for the dispatcher. */
export class PowerShellShellKind implements ShellKind {
  readonly #config: PowerShellShellConfig;

  constructor(config: PowerShellShellConfig) {
    this.#config = config;
  }

  matches(resourceUri: string): boolean {
    return configurationNameOf(resourceUri) !== undefined;
  }

  async create(req: WSManRequest, ctx: RequestContext): Promise<{ impl: ShellImpl; create: ShellCreateRequest; info: Partial<ShellCreatedInfo> }> {
    const create = readShellCreateRequest(req);
    if (create.creationXml === undefined || create.creationXml.trim() === '') {
      throw fault('invalidParameter', 'The PowerShell shell Create carries no creationXml. ');
    }
    const configurationName = configurationNameOf(req.resourceUri ?? '') ?? 'Microsoft.PowerShell';
    const pool = new ServerRunspacePool(create.shellId === undefined ? {} : { runspacePoolId: create.shellId });
    const shell = new PowerShellShell(pool, configurationName, this.#config, ctx.maxEnvelopeSize);
    shell.openWith(Buffer.from(create.creationXml, 'base64'));
    const clientVersion = req.options.protocolversion;
    this.#config.log(`PowerShell shell ${pool.runspacePoolId} (${configurationName}), client protocol ${clientVersion ?? pool.clientProtocolVersion ?? '?'}`);
    return {
      impl: shell,
      create: {
        ...create,
        shellId: create.shellId ?? pool.runspacePoolId,
        inputStreams: create.inputStreams.length > 0 ? create.inputStreams : ['stdin', 'pr'],
        outputStreams: create.outputStreams.length > 0 ? create.outputStreams : ['stdout'],
      },
      info: {
        processId: process.pid,
        maxIdleTimeoutSec: 2147483.647,
        locale: req.locale ?? 'en-US',
        dataLocale: req.dataLocale ?? req.locale ?? 'en-US',
        compressionMode: 'NoCompression',
        profileLoaded: 'Yes',
        encoding: 'UTF8',
        bufferMode: 'Block',
        state: 'Connected',
      },
    };
  }
}
