/**
 * The work behind `tsremote completion`: render the script for one shell from the program tree,
 * or list host or session names for the scripts' TAB-time callbacks.
 *
 * Host names are the config file's `hosts` keys that are exact names: a glob (`*.lab.example`) is
 * a rule, not a host one can type. A missing config file or registry lists nothing; a broken one
 * is an error like anywhere else (the scripts discard stderr, so TAB stays quiet either way).
 */
import type { CompletionOptions } from '../completion.js';
import { loadConfig } from '../config.js';
import { commandSpec } from '../completion/spec.js';
import { bashScript } from '../completion/bash.js';
import { zshScript } from '../completion/zsh.js';
import { pwshScript } from '../completion/pwsh.js';

export interface CompletionIo {
  stdout: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

/** The config file's exact host names, in file order. */
export function configHostNames(env: NodeJS.ProcessEnv = process.env): string[] {
  const config = loadConfig({ env });
  return (config?.hosts ?? []).map((h) => h.pattern).filter((p) => !/[*?[\]]/.test(p));
}

/** The recorded session names, in creation order. */
export async function sessionNames(env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const { loadRegistry } = await import('../../session/registry.js');
  return (await loadRegistry({ env })).map((r) => r.name);
}

/**
 * Prints a completion script or a list of names.
 * @returns the exit code (0).
 * @throws TsrError ETSR_CONFIG when the config file or session registry is malformed.
 */
export async function runCompletion(opts: CompletionOptions, io: CompletionIo = { stdout: process.stdout, env: process.env }): Promise<number> {
  if (opts.mode === 'script') {
    const spec = commandSpec(opts.program);
    const render = { bash: bashScript, zsh: zshScript, pwsh: pwshScript }[opts.shell];
    io.stdout.write(render(spec));
    return 0;
  }
  const names = opts.mode === 'hosts' ? configHostNames(io.env) : await sessionNames(io.env);
  if (names.length > 0) io.stdout.write(`${names.join('\n')}\n`);
  return 0;
}
