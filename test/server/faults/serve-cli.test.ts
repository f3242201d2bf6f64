/** `tsremote serve --faults`: the flag is checked before anything listens, and the real CLI injects and logs. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { serveCommand, type ServeVerbOptions } from '../../../src/cli/serve.js';
import { buildIdentify, parseFault } from '../../../src/wsman/index.js';
import { finished, spawnCli } from '../../helpers/cli.js';
import { PASSWORD, USER, rawPost } from './raw-http.js';

async function parse(args: string[]): Promise<ServeVerbOptions> {
  let seen: ServeVerbOptions | undefined;
  const cmd = serveCommand({ code: 0 }, async (o) => {
    seen = o;
    return 0;
  });
  cmd.exitOverride();
  await cmd.parseAsync(['--user', USER, ...args], { from: 'user' });
  if (seen === undefined) throw new Error('serve did not run');
  return seen;
}

describe('serve --faults flag', () => {
  beforeEach(() => {
    process.env.TSREMOTE_SERVE_PASSWORD = PASSWORD;
  });
  afterEach(() => {
    delete process.env.TSREMOTE_SERVE_PASSWORD;
  });

  it('passes the spec through, and leaves it undefined without the flag', async () => {
    expect((await parse(['--faults', 'reset@receive:rate=0.5;seed=1'])).faults).toBe('reset@receive:rate=0.5;seed=1');
    expect((await parse([])).faults).toBeUndefined();
  });

  it('refuses a bad spec, and wrong-cert without --https, before serving', async () => {
    await expect(parse(['--faults', 'reset@recieve'])).rejects.toThrow("invalid fault rule 'reset@recieve': unknown operation 'recieve'");
    await expect(parse(['--faults', 'wrong-cert'])).rejects.toThrow('the wrong-cert fault needs --https');
    expect((await parse(['--https', '--faults', 'wrong-cert'])).faults).toBe('wrong-cert');
  });
});

describe('serve --faults, the real CLI', () => {
  it('injects the fault, and logs the seed and one line per injection', async () => {
    const child = spawnCli(['serve', '--listen', '127.0.0.1:0', '--user', USER, '--allow-unencrypted', '--faults', 'http500@identify:nth=1;seed=3'], {
      env: { TSREMOTE_SERVE_PASSWORD: PASSWORD },
    });
    const done = finished(child);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const url = await new Promise<URL>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening on (\S+)/.exec(out);
        if (m?.[1] !== undefined) resolve(new URL(m[1]));
      });
      child.once('exit', () => reject(new Error(`serve exited: ${stderr}`)));
    });
    const first = await rawPost(url, buildIdentify().xml);
    const second = await rawPost(url, buildIdentify().xml);
    child.kill('SIGTERM');
    const result = await done;
    expect([first.status, parseFault(first.body.toString())?.subcode, second.status]).toEqual([500, 'InternalError', 200]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('(seed 3)');
    expect(result.stderr.match(/serve: fault http500 on identify port \d+/g)).toHaveLength(1);
  }, 60_000);
});
