/** Read-Host and Get-Credential: host calls answered by the client (MS-PSRP §2.2.3.17). */
import { HostMethodIdentifier } from '../../../psrp/constants.js';
import { toStr } from '../values.js';
import type { CommandDef } from './types.js';

export const HOST_IO_COMMANDS: CommandDef[] = [
  {
    name: 'Read-Host',
    params: [{ name: 'Prompt', type: 'any', position: 0 }, { name: 'AsSecureString', type: 'switch' }, { name: 'MaskInput', type: 'switch' }],
    create: (ctx) => ({
      end: async () => {
        // PowerShell writes the prompt followed by ': ' before reading (Write1 host call, void: the host resolves it at once).
        if (ctx.has('Prompt')) await ctx.hostCall(HostMethodIdentifier.Write1, [`${toStr(ctx.get('Prompt') ?? null)}: `]);
        const secure = ctx.switch('AsSecureString');
        const value = await ctx.hostCall(secure ? HostMethodIdentifier.ReadLineAsSecureString : HostMethodIdentifier.ReadLine, []);
        await ctx.emit(value);
      },
    }),
  },
  {
    name: 'Get-Credential',
    params: [{ name: 'Credential', type: 'any', position: 0 }, { name: 'UserName', type: 'string' }, { name: 'Message', type: 'string' }, { name: 'Title', type: 'string' }],
    create: (ctx) => ({
      end: async () => {
        const user = ctx.str('UserName') ?? (typeof ctx.get('Credential') === 'string' ? toStr(ctx.get('Credential') ?? null) : '');
        // PromptForCredential1(caption, message, userName, targetName), as Get-Credential calls it.
        const value = await ctx.hostCall(HostMethodIdentifier.PromptForCredential1, [
          ctx.str('Title') ?? 'PowerShell credential request', ctx.str('Message') ?? 'Enter your credentials.', user, '',
        ]);
        await ctx.emit(value);
      },
    }),
  },
];
