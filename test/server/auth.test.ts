import { describe, expect, it } from 'vitest';
import { BasicAcceptor, authenticate } from '../../src/server/auth.js';
import { parseListen, resolveOptions } from '../../src/server/options.js';
import { TsrError } from '../../src/errors.js';

const basic = (user: string, pw: string): string => `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}`;
const tls = { secure: true, connection: {} };
const plain = { secure: false, connection: {} };

describe('BasicAcceptor', () => {
  const acceptors = [new BasicAcceptor([{ username: 'Vagrant', password: 'p:ss wörd' }], false)];

  it('accepts the right password and reports the configured spelling of the user', () => {
    expect(authenticate(acceptors, basic('vagrant', 'p:ss wörd'), tls)).toEqual({ ok: true, username: 'Vagrant' });
    expect(authenticate(acceptors, basic('.\\VAGRANT', 'p:ss wörd'), tls)).toEqual({ ok: true, username: 'Vagrant' });
  });

  it('rejects a wrong password, an unknown user and a missing header, offering Basic', () => {
    const outcomes = [basic('vagrant', 'nope'), basic('other', 'p:ss wörd'), undefined, 'Basic !!!'].map((h) => authenticate(acceptors, h, tls));
    expect(outcomes.map((o) => o.ok)).toEqual([false, false, false, false]);
    for (const o of outcomes) if (!o.ok) expect(o.challenges).toEqual(['Basic realm="WSMAN"']);
  });

  it('never puts the password in the rejection reason', () => {
    const o = authenticate(acceptors, basic('vagrant', 'secret-guess-123'), tls);
    expect(o.ok).toBe(false);
    if (!o.ok) expect(o.reason).not.toContain('secret-guess-123');
  });

  it('refuses Basic over plain HTTP without allowUnencrypted and does not offer it', () => {
    const o = authenticate(acceptors, basic('vagrant', 'p:ss wörd'), plain);
    expect(o).toMatchObject({ ok: false, challenges: [] });
  });

  it('accepts Basic over plain HTTP with allowUnencrypted', () => {
    const open = [new BasicAcceptor([{ username: 'u', password: 'p' }], true)];
    expect(authenticate(open, basic('u', 'p'), plain)).toEqual({ ok: true, username: 'u' });
  });

  it('rejects an unsupported scheme while still offering Basic', () => {
    expect(authenticate(acceptors, 'Negotiate TlRMTVNTUAAB', tls)).toMatchObject({ ok: false, challenges: ['Basic realm="WSMAN"'] });
  });
});

describe('serve options', () => {
  it('parses host:port, port ranges and bracketed IPv6', () => {
    expect(parseListen('127.0.0.1:5985')).toEqual([{ host: '127.0.0.1', port: 5985 }]);
    expect(parseListen('[::1]:0')).toEqual([{ host: '::1', port: 0 }]);
    expect(parseListen('localhost:7000-7002').map((a) => a.port)).toEqual([7000, 7001, 7002]);
  });

  it('rejects malformed addresses and reversed ranges', () => {
    for (const bad of ['5985', '::1:5985', 'h:9-3', 'h:70000', 'h:0-5']) expect(() => parseListen(bad)).toThrow(TsrError);
  });

  it('refuses to start without users, naming TSREMOTE_SERVE_PASSWORD', () => {
    expect.assertions(2);
    try {
      resolveOptions({ users: [] });
    } catch (err) {
      expect((err as TsrError).code).toBe('ETSR_SERVER');
      expect((err as TsrError).hint).toContain('TSREMOTE_SERVE_PASSWORD');
    }
  });

  it('fills in the WinRM service defaults', () => {
    const o = resolveOptions({ users: [{ username: 'u', password: 'p' }] });
    expect([o.listen, o.maxShellsPerUser, o.maxEnvelopeSize, o.defaultOperationTimeoutMs, o.idleTimeoutMs, o.posixShell]).toEqual([
      [{ host: '127.0.0.1', port: 5985 }], 30, 512000, 60000, 7200000, '/bin/sh',
    ]);
  });
});
