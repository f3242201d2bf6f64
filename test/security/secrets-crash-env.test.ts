/**
 * The CLI's last locks on secrets: an exception nothing handled prints one line without the
 * password (the stack only with --debug); TSREMOTE_PASSWORD is taken out of the environment, so
 * the shells `tsremote serve` starts never inherit it; error lines blank every password read; and
 * the leak detector the suites rely on does find each form it looks for.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { environmentPassword, rememberSecret, scrubSecrets, takeEnvironmentPassword } from '../../src/cli/password.js';
import { formatCrash, formatError } from '../../src/cli/print-error.js';
import { TsrError } from '../../src/errors.js';
import { binPath, repoRoot } from '../helpers/cli.js';
import { leakForms, leaksIn, leaksOfRun, runRaw } from './secrets-helpers.js';

const USER = 'crashy';
const PASSWORD = `Crash-${randomBytes(6).toString('hex')}-ö`;
const forms = leakForms(USER, PASSWORD);

/** A module preloaded into the CLI that throws, 600 ms in, an error whose message holds the password. */
const crasher = (kind: 'throw' | 'reject'): string => {
  const code =
    kind === 'throw'
      ? 'const p = process.env.TSREMOTE_PASSWORD; setTimeout(() => { throw new Error("boom " + p + "\\nsecond line " + p); }, 600);'
      : 'const p = process.env.TSREMOTE_PASSWORD; setTimeout(() => { Promise.reject(new TypeError("rejected " + Buffer.from(p).toString("base64"))); }, 600);';
  return `--import=data:text/javascript,${encodeURIComponent(code)}`;
};

describe('an unexpected exception in the CLI', () => {
  // A host that accepts and never answers keeps the CLI busy while the preloaded timer fires.
  const sockets = new Set<Socket>();
  const silent = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  const args: string[] = [];
  beforeAll(async () => {
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    args.push('invoke', '-c', `127.0.0.1:${port}`, '-u', USER, '--cmd', 'true');
  });
  afterAll(() => {
    for (const s of sockets) s.destroy();
    silent.close();
  });

  it('prints one line, exit 70, no password and no stack without --debug', async () => {
    const res = await runRaw(args, { env: { TSREMOTE_PASSWORD: PASSWORD, NODE_OPTIONS: crasher('throw') } });
    const stderr = res.stderr.toString();
    expect(stderr).toBe('tsremote: internal error: Error: boom *** (run with --debug for the stack)\n');
    expect(res.code).toBe(70);
    expect(leaksOfRun(res, forms)).toEqual([]);
  });

  it('with --debug adds the stack, still without the password (an unhandled rejection, base64 in its message)', async () => {
    const res = await runRaw([...args, '--debug'], { env: { TSREMOTE_PASSWORD: PASSWORD, NODE_OPTIONS: crasher('reject') } });
    const lines = res.stderr.toString().split('\n').filter((l) => !l.startsWith('debug: '));
    expect(lines[0]).toBe('tsremote: internal error: TypeError: rejected ***');
    expect(lines.some((l) => /^\s+at /.test(l))).toBe(true);
    expect(res.code).toBe(70);
    expect(leaksOfRun(res, forms)).toEqual([]);
  });
});

describe('TSREMOTE_PASSWORD is taken out of the environment', () => {
  let serve: ReturnType<typeof spawn> | undefined;
  afterAll(() => {
    if (serve?.pid !== undefined && serve.exitCode === null) serve.kill('SIGTERM');
  });

  it('a serve started with it set runs its shells without it (nor its own TSREMOTE_SERVE_PASSWORD)', async () => {
    const servePassword = `Serve-${randomBytes(6).toString('hex')}`;
    serve = spawn(process.execPath, [binPath, 'serve', '--listen', '127.0.0.1:0', '--user', USER], {
      cwd: repoRoot,
      env: { ...process.env, TSREMOTE_PASSWORD: PASSWORD, TSREMOTE_SERVE_PASSWORD: servePassword },
    });
    const url = await new Promise<string>((resolve, reject) => {
      let text = '';
      const timer = setTimeout(() => reject(new Error(`serve did not start: ${text}`)), 30_000);
      const onData = (d: Buffer): void => {
        text += d.toString();
        const m = /listening on (http:\/\/[^\s,]+)/.exec(text);
        if (m?.[1]) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      };
      serve!.stdout!.on('data', onData);
      serve!.stderr!.on('data', onData);
    });
    const res = await runRaw(['invoke', '-c', new URL(url).host, '-u', USER, '--cmd', 'env; sleep 0.3'], {
      env: { TSREMOTE_PASSWORD: servePassword },
      alsoWatch: serve.pid!,
    });
    const out = res.stdout.toString();
    expect(res.code).toBe(0);
    expect(out).toContain('PATH=');
    expect(out).not.toMatch(/TSREMOTE_(SERVE_)?PASSWORD/);
    expect(leaksIn(out, forms)).toEqual([]);
    // serve's own shells (its descendants) were watched while they ran: none carried either password.
    expect(res.procs.some((p) => p.cmdline.includes('sleep 0.3'))).toBe(true);
    const serveForms = [...forms, ...leakForms(USER, servePassword)];
    const shells = res.procs.filter((p) => p.environ.length > 0);
    expect(shells.length).toBeGreaterThan(0);
    expect(shells.flatMap((p) => leaksIn(p.environ, serveForms).map((f) => `${p.pid} ${p.cmdline.toString().replace(/\0/g, ' ')}: ${f}`))).toEqual([]);
  });

  it('takeEnvironmentPassword moves it out; environmentPassword still finds it for process.env only', () => {
    const before = process.env.TSREMOTE_PASSWORD;
    process.env.TSREMOTE_PASSWORD = 'moved-out-1';
    try {
      takeEnvironmentPassword();
      expect(process.env.TSREMOTE_PASSWORD).toBeUndefined();
      expect('TSREMOTE_PASSWORD' in process.env).toBe(false);
      expect(environmentPassword(process.env)).toBe('moved-out-1');
      expect(environmentPassword({})).toBeUndefined();
      expect(environmentPassword({ TSREMOTE_PASSWORD: 'given' })).toBe('given');
    } finally {
      if (before === undefined) delete process.env.TSREMOTE_PASSWORD;
      else process.env.TSREMOTE_PASSWORD = before;
    }
  });
});

describe('error lines blank remembered passwords', () => {
  it('in one-line errors, crash lines and their encodings', () => {
    const secret = `Remember-${randomBytes(4).toString('hex')}-ü`;
    rememberSecret(secret);
    const b64 = Buffer.from(secret).toString('base64');
    expect(formatError(new TsrError('ETSR_CREDENTIALS', `bad ${secret}`, { hint: `was ${b64}` }), 'h')).toMatch(/^h: bad \*\*\*; hint: was \*\*\*=*$/);
    expect(formatError(new Error(Buffer.from(secret, 'utf16le').toString('hex')))).toBe('tsremote: ***');
    expect(formatCrash(new Error(`x ${secret}\nmore`), false)).toBe('tsremote: internal error: Error: x *** (run with --debug for the stack)\n');
    expect(scrubSecrets('nothing here')).toBe('nothing here');
  });
});

describe('the leak detector', () => {
  it('finds every form it lists when embedded in noise', () => {
    for (const f of forms) {
      const haystack = Buffer.concat([randomBytes(50), f.bytes, randomBytes(50)]);
      expect(leaksIn(haystack, forms)).toContain(f.name);
    }
    expect(leaksIn(Buffer.from('clean output\n'), forms)).toEqual([]);
  });
});
