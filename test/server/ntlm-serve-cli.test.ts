/** `tsremote serve --auth/--cbt/--client-ca`: flags to ServeVerbOptions (the server is not started). */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { serveCommand, type ServeVerbOptions } from '../../src/cli/serve.js';

async function parse(args: string[]): Promise<ServeVerbOptions> {
  let seen: ServeVerbOptions | undefined;
  const cmd = serveCommand({ code: 0 }, async (o) => {
    seen = o;
    return 0;
  });
  cmd.exitOverride();
  await cmd.parseAsync(['--user', 'vagrant', ...args], { from: 'user' });
  if (seen === undefined) throw new Error('serve did not run');
  return seen;
}

beforeEach(() => {
  process.env.TSREMOTE_SERVE_PASSWORD = 'Pa55w0rd!';
});
afterEach(() => {
  delete process.env.TSREMOTE_SERVE_PASSWORD;
});

describe('serve auth flags', () => {
  it('defaults to the server default mechanisms and relaxed channel binding', async () => {
    const o = await parse([]);
    expect([o.auth, o.cbt, o.clientCaFile]).toEqual([undefined, 'relaxed', undefined]);
  });

  it('takes --auth, --cbt and --client-ca', async () => {
    const o = await parse(['--https', '--auth', 'negotiate,certificate', '--cbt', 'strict', '--client-ca', 'ca.pem']);
    expect([o.auth, o.cbt, o.clientCaFile, o.https]).toEqual([['negotiate', 'certificate'], 'strict', 'ca.pem', true]);
  });

  it('refuses an unknown mechanism or level, and --client-ca without --https', async () => {
    await expect(parse(['--auth', 'digest'])).rejects.toThrow("unknown auth mechanism 'digest'");
    await expect(parse(['--cbt', 'maybe'])).rejects.toThrow("unknown --cbt level 'maybe'");
    await expect(parse(['--client-ca', 'ca.pem'])).rejects.toThrow('--client-ca needs --https');
  });
});
