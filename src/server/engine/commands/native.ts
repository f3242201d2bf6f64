/**
 * Programs found on PATH run as native commands: arguments become strings, stdout lines come
 * back as strings, stderr lines as NativeCommandError ErrorRecords, the exit code goes to
 * $LASTEXITCODE, and the process is killed when the pipeline stops.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { PSValue } from '../../../psrp/clixml/index.js';
import type { RawArg } from '../binder.js';
import type { Emit, Frame, Runtime } from '../evaluator.js';
import { PipelineStoppedError } from '../runtime-error.js';
import { enumerate, toStr } from '../values.js';
import { NO_INPUT, type Input, type Processor } from './types.js';

function executable(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    if (process.platform !== 'win32') accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The program a name means: a path (relative to the location) or a file on PATH; null if none. */
export function findOnPath(name: string, pathVar: string, cwd: string): string | null {
  if (!name || /[*?]/.test(name)) return null;
  const exts = process.platform === 'win32' ? ['', '.exe', '.cmd', '.bat'] : [''];
  if (name.includes('/') || name.includes('\\')) {
    const full = path.resolve(cwd, name);
    return exts.map((e) => full + e).find(executable) ?? null;
  }
  for (const dir of pathVar.split(path.delimiter)) {
    if (!dir) continue;
    for (const e of exts) {
      const full = path.join(dir, name + e);
      if (executable(full)) return full;
    }
  }
  return null;
}

/** The arguments as strings, the way PowerShell passes them to a native program. */
function argv(args: RawArg[]): string[] {
  const out: string[] = [];
  for (const a of args) {
    if (a.name !== undefined) {
      out.push(a.value === undefined ? (a.text ?? `-${a.name}`) : `${a.text ?? `-${a.name}`}:${toStr(a.value)}`);
      continue;
    }
    for (const v of enumerate(a.value ?? null)) out.push(toStr(v));
  }
  return out;
}

/** A native program as a pipeline stage. */
export function nativeCommand(rt: Runtime, file: string, name: string, args: RawArg[], frame: Frame, sink: Emit): Processor {
  const input: string[] = [];
  return {
    process: (item: Input) => {
      if (item !== NO_INPUT) input.push(toStr(item as PSValue));
    },
    end: async () => {
      rt.checkStop();
      const env = Object.fromEntries(rt.session.env);
      const child = spawn(file, argv(args), { cwd: rt.session.location, env, stdio: ['pipe', 'pipe', 'pipe'] });
      const onAbort = (): void => { child.kill('SIGKILL'); };
      rt.signal.addEventListener('abort', onAbort, { once: true });
      const exited = new Promise<number>((resolve) => {
        child.on('error', () => resolve(-1));
        child.on('close', (code, sig) => resolve(code ?? (sig ? 128 + 9 : -1)));
      });
      child.stdin.on('error', () => undefined);
      child.stdin.end(input.length ? `${input.join('\n')}\n` : undefined);
      const errLines = createInterface({ input: child.stderr });
      let firstErr = true;
      const errorsDone = (async () => {
        for await (const line of errLines) {
          const record = rt.record({
            message: line, errorId: firstErr ? 'NativeCommandError' : 'NativeCommandErrorMessage', category: 'NotSpecified',
            exceptionType: 'System.Management.Automation.RemoteException', targetObject: line, activity: name,
          }, frame, 0, 0, name);
          firstErr = false;
          await frame.streams.error(record);
        }
      })();
      try {
        for await (const line of createInterface({ input: child.stdout })) {
          if (rt.signal.aborted) break;
          await sink(line);
        }
        await errorsDone;
        const code = await exited;
        rt.checkStop();
        rt.session.variables.set('LASTEXITCODE', code);
      } finally {
        rt.signal.removeEventListener('abort', onAbort);
        if (rt.signal.aborted) {
          child.kill('SIGKILL');
          throw new PipelineStoppedError();
        }
      }
    },
  };
}
