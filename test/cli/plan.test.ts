/** planHosts: every host's settings, checks and credential, decided before any host is contacted. */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { hostNameOf, planHosts } from '../../src/cli/actions/common.js';
import { readConnectionOptions, type RawConnectionFlags } from '../../src/cli/connection-options.js';
import { TsrError } from '../../src/errors.js';

const dir = mkdtempSync(path.join(tmpdir(), 'tsr-plan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const noStdin = Object.assign(Readable.from([]), { isTTY: false }) as unknown as NodeJS.ReadStream;

function capture(): { stream: NodeJS.WriteStream; text: () => string } {
  let text = '';
  const stream = new Writable({
    write: (chunk: Buffer, _e, cb) => {
      text += chunk.toString();
      cb();
    },
  }) as unknown as NodeJS.WriteStream;
  return { stream, text: () => text };
}

function configFile(name: string, value: unknown): string {
  const file = path.join(dir, name);
  writeFileSync(file, JSON.stringify(value));
  chmodSync(file, 0o600);
  return file;
}

async function plan(flags: RawConnectionFlags, hosts: string[], env: NodeJS.ProcessEnv, credentialRequired = true) {
  const err = capture();
  const conn = readConnectionOptions(flags, hosts, env);
  const plans = await planHosts(conn, { credentialRequired, env, stdin: noStdin, stderr: err.stream });
  return { plans, stderr: err.text() };
}

async function failure(p: Promise<unknown>): Promise<[string, string]> {
  try {
    await p;
  } catch (err) {
    if (err instanceof TsrError) return [err.code, `${err.host ? `${err.host}: ` : ''}${err.message}`];
    throw err;
  }
  throw new Error('did not reject');
}

const NO_CONFIG = { XDG_CONFIG_HOME: path.join(dir, 'nothing'), HOME: path.join(dir, 'nothing') };

describe('hostNameOf', () => {
  it.each([
    ['web1', 'web1'],
    ['web1.corp.example:5986', 'web1.corp.example'],
    ['https://Web1.corp.example/wsman', 'web1.corp.example'],
    ['[::1]:5985', '::1'],
    ['not a host!', 'not a host!'],
  ])('%s -> %s', (spec, name) => {
    expect(hostNameOf(spec)).toBe(name);
  });
});

describe('planHosts', () => {
  it('certificate auth needs both PEM files and HTTPS, and no user or password', async () => {
    const env = { ...NO_CONFIG, TSREMOTE_PASSWORD: 'pw' };
    expect(await failure(plan({ auth: 'certificate', https: true, certFile: 'c.pem' }, ['web1'], env))).toEqual([
      'ETSR_INVALID_ARGUMENT', 'web1: --auth certificate needs --cert-file and --key-file',
    ]);
    expect(await failure(plan({ auth: 'certificate', certFile: 'c.pem', keyFile: 'k.pem' }, ['web1'], env))).toEqual([
      'ETSR_INVALID_ARGUMENT', 'web1: --auth certificate works over HTTPS only',
    ]);
    const { plans } = await plan({ auth: 'certificate', certFile: 'c.pem', keyFile: 'k.pem' }, ['https://web1/wsman'], NO_CONFIG);
    const c = plans.get('https://web1/wsman')?.connect;
    expect([c?.auth, c?.credential, c?.certFile, c?.keyFile]).toEqual(['certificate', undefined, 'c.pem', 'k.pem']);
  });

  it('--cert-file without --auth certificate is refused, naming where the scheme came from', async () => {
    const file = configFile('auth.json', { hosts: { web1: { auth: 'ntlm' } } });
    expect(await failure(plan({ certFile: 'c.pem', keyFile: 'k.pem', username: 'u' }, ['web1'], { TSREMOTE_CONFIG: file, TSREMOTE_PASSWORD: 'p' }))).toEqual([
      'ETSR_INVALID_ARGUMENT', '--cert-file goes with --auth certificate, not ntlm (auth from hosts."web1")',
    ]);
  });

  it('a host entry can make a host use certificate auth with its files', async () => {
    const file = configFile('cert.json', { hosts: { '*.pki': { auth: 'certificate', https: true, certFile: 'me.pem', keyFile: 'me.key' } } });
    const { plans } = await plan({}, ['a.pki', 'b.other'], { TSREMOTE_CONFIG: file, TSREMOTE_USERNAME: 'u', TSREMOTE_PASSWORD: 'p' });
    const a = plans.get('a.pki')?.connect;
    const b = plans.get('b.other')?.connect;
    expect([a?.auth, a?.https, a?.certFile, a?.credential]).toEqual(['certificate', true, path.join(dir, 'me.pem'), undefined]);
    expect([b?.auth, b?.https, b?.credential?.username]).toEqual(['negotiate', false, 'u']);
  });

  it('runs each distinct passwordCommand once, whatever the number of hosts', async () => {
    const counter = path.join(dir, 'runs.txt');
    writeFileSync(counter, '');
    const file = configFile('cmd.json', {
      defaults: { username: 'CORP\\admin', passwordCommand: `echo run >> '${counter}'; echo s3cret` },
      hosts: { db1: { username: 'sa', passwordCommand: `echo db >> '${counter}'; echo dbpass` } },
    });
    const { plans } = await plan({}, ['web1', 'web2', 'web3', 'db1'], { TSREMOTE_CONFIG: file });
    expect(readFileSync(counter, 'utf8')).toBe('run\ndb\n');
    expect(['web1', 'web2', 'web3', 'db1'].map((h) => plans.get(h)?.connect.credential?.revealPassword())).toEqual([
      's3cret', 's3cret', 's3cret', 'dbpass',
    ]);
    expect(plans.get('db1')?.connect.credential?.username).toBe('sa');
  });

  it('needs a user name for verbs that cannot run anonymously, and stays anonymous otherwise', async () => {
    expect(await failure(plan({}, ['web1'], NO_CONFIG))).toEqual(['ETSR_CREDENTIALS', 'no user name']);
    const { plans } = await plan({}, ['web1'], NO_CONFIG, false);
    expect(plans.get('web1')?.connect.credential).toBeUndefined();
  });

  it('--profile picks the profile; an unknown one stops the run with ETSR_CONFIG', async () => {
    const file = configFile('prof.json', { profiles: { prod: { username: 'produser', https: true, port: 6000 } } });
    const env = { TSREMOTE_CONFIG: file, TSREMOTE_PASSWORD: 'p' };
    const { plans } = await plan({ profile: 'prod' }, ['web1'], env);
    const c = plans.get('web1')?.connect;
    expect([c?.credential?.username, c?.https, c?.port]).toEqual(['produser', true, 6000]);
    expect(await failure(plan({ profile: 'qa' }, ['web1'], env))).toEqual(['ETSR_CONFIG', `${file}: no profile named 'qa'`]);
  });

  it('warns once per source of skipCertCheck', async () => {
    const file = configFile('skip.json', { hosts: { '*.lab': { skipCertCheck: true } } });
    const env = { TSREMOTE_CONFIG: file, TSREMOTE_USERNAME: 'u', TSREMOTE_PASSWORD: 'p' };
    expect((await plan({}, ['a.lab', 'b.lab', 'c.prod'], env)).stderr).toBe(
      'warning: skipCertCheck from hosts."*.lab": server certificates of a.lab, b.lab are NOT verified\n',
    );
    expect((await plan({ skipCertCheck: true }, ['a.lab', 'c.prod'], env)).stderr).toBe(
      'warning: --skip-cert-check: server certificates are NOT verified\n',
    );
  });

  it('adds the debug and trace hooks only with --debug', async () => {
    const env = { ...NO_CONFIG, TSREMOTE_PASSWORD: 'p' };
    const quiet = (await plan({ username: 'u' }, ['web1'], env)).plans.get('web1')?.connect;
    expect([quiet?.debug, quiet?.trace]).toEqual([undefined, undefined]);
    const loud = (await plan({ username: 'u', debug: true }, ['web1'], env)).plans.get('web1')?.connect;
    expect([typeof loud?.debug, typeof loud?.trace]).toEqual(['function', 'function']);
  });
});
