/**
 * The client's PowerShell host for remote pipelines: what `Read-Host`, `Get-Credential` and
 * friends on the remote side ask of the user here. Output-only calls (Write*, WriteProgress) are
 * rendered from the record stream and need no answer. Prompts are serialised across hosts (one
 * question on the terminal at a time) and refused cleanly when there is no terminal.
 */
import { createInterface } from 'node:readline/promises';
import { HostMethodIdentifier, PSObject, type PSValue } from '../psrp/index.js';
import { credentialResult, secureStringResult, type HostResult } from '../psrp/client/index.js';
import type { HostCallEvent } from '../psrp/events.js';
import type { HostHandler } from '../session/powershell.js';
import { promptHidden } from './password.js';

export interface ConsoleHostOptions {
  stdin: NodeJS.ReadStream;
  /** Where questions are written (stderr, keeping stdout for data). */
  prompt: NodeJS.WriteStream;
  /** Several hosts: prefix questions with the host's name. */
  label?: (call: HostCallEvent) => string;
  columns?: number;
  rows?: number;
}

const text = (v: PSValue | undefined): string => (v === null || v === undefined ? '' : typeof v === 'string' ? v : String(v));

/** Items of a Collection<T> parameter (FieldDescription, ChoiceDescription …). */
function items(v: PSValue | undefined): PSValue[] {
  if (v instanceof PSObject) return items(v.value);
  if (v !== null && typeof v === 'object' && 'items' in v && Array.isArray(v.items)) return v.items as PSValue[];
  return [];
}

function prop(v: PSValue, name: string): PSValue | undefined {
  return v instanceof PSObject ? v.get(name) : undefined;
}

/** Makes the host handler; `serial` keeps concurrent prompts from different hosts apart. */
export function consoleHost(opts: ConsoleHostOptions): HostHandler {
  let serial: Promise<unknown> = Promise.resolve();
  const interactive = Boolean(opts.stdin.isTTY);

  const ask = async (question: string): Promise<string> => {
    const rl = createInterface({ input: opts.stdin, output: opts.prompt, terminal: true });
    try {
      return await rl.question(question);
    } finally {
      rl.close();
    }
  };
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = serial.then(fn, fn);
    serial = next.catch(() => undefined);
    return next;
  };
  const needTerminal = (call: HostCallEvent): HostResult => ({
    error: `${call.methodName} needs an interactive terminal, and tsremote's standard input is not one`,
  });

  return async (call: HostCallEvent): Promise<HostResult | null> => {
    const who = opts.label ? opts.label(call) : '';
    const p = call.parameters;
    switch (call.methodId) {
      case HostMethodIdentifier.ReadLine:
        if (!interactive) return needTerminal(call);
        return exclusive(async () => ({ value: await ask(who) }));
      case HostMethodIdentifier.ReadLineAsSecureString:
        if (!interactive) return needTerminal(call);
        return exclusive(async () => secureStringResult(await promptHidden(who, opts.stdin, opts.prompt)));
      case HostMethodIdentifier.PromptForCredential1:
      case HostMethodIdentifier.PromptForCredential2: {
        if (!interactive) return needTerminal(call);
        return exclusive(async () => {
          const [caption, message, userName] = [text(p[0]), text(p[1]), text(p[2])];
          if (caption || message) opts.prompt.write(`${who}${[caption, message].filter(Boolean).join('\n')}\n`);
          const user = userName || (await ask(`${who}User: `));
          return credentialResult(user, await promptHidden(`${who}Password for user ${user}: `, opts.stdin, opts.prompt));
        });
      }
      case HostMethodIdentifier.Prompt: {
        if (!interactive) return needTerminal(call);
        return exclusive(async () => {
          const [caption, message] = [text(p[0]), text(p[1])];
          if (caption || message) opts.prompt.write(`${who}${[caption, message].filter(Boolean).join('\n')}\n`);
          const answers = new Map<PSValue, PSValue>();
          for (const field of items(p[2])) {
            const name = text(prop(field, 'Name'));
            answers.set(name, await ask(`${who}${name}: `));
          }
          return { value: { kind: 'DCT', entries: answers } as PSValue };
        });
      }
      case HostMethodIdentifier.PromptForChoice: {
        if (!interactive) return needTerminal(call);
        return exclusive(async () => {
          const [caption, message] = [text(p[0]), text(p[1])];
          const choices = items(p[2]).map((c) => text(prop(c, 'Label')).replace('&', ''));
          const def = typeof p[3] === 'number' ? p[3] : 0;
          if (caption || message) opts.prompt.write(`${who}${[caption, message].filter(Boolean).join('\n')}\n`);
          const menu = choices.map((c, i) => `[${i}] ${c}`).join('  ');
          const answer = (await ask(`${who}${menu} (default ${def}): `)).trim();
          const n = answer === '' ? def : Number(answer);
          return Number.isInteger(n) && n >= 0 && n < choices.length ? { value: n } : { value: def };
        });
      }
      case HostMethodIdentifier.GetName:
        return { value: 'tsremote' };
      case HostMethodIdentifier.GetBufferSize:
      case HostMethodIdentifier.GetWindowSize:
      case HostMethodIdentifier.GetMaxWindowSize:
      case HostMethodIdentifier.GetMaxPhysicalWindowSize:
        return { value: hostSize(opts.columns ?? 120, opts.rows ?? 30) };
      case HostMethodIdentifier.GetKeyAvailable:
        return { value: false };
      default:
        // Void methods (Write*, SetShouldExit, progress …) get no answer; the record stream shows them.
        return call.ci < 0n ? null : { error: `tsremote's host does not implement ${call.methodName}` };
    }
  };
}

function hostSize(width: number, height: number): PSValue {
  return new PSObject({
    typeNames: ['System.Management.Automation.Host.Size', 'System.ValueType', 'System.Object'],
    toStringText: `${width},${height}`,
    adapted: [
      ['Width', width],
      ['Height', height],
    ],
  });
}
