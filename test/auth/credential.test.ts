import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Credential } from '../../src/auth/index.js';

const PASSWORD = 'hunter2-Pässwörd';

describe('Credential', () => {
  it('never prints the password through JSON, inspect, String or template strings', () => {
    const c = new Credential('DOMAIN\\vagrant', PASSWORD);
    const shown = [JSON.stringify(c), JSON.stringify({ nested: [c] }), inspect(c), inspect({ c }, { depth: 5 }), String(c), `${c}`];
    expect(shown).toEqual([
      '{"username":"DOMAIN\\\\vagrant","password":"***"}',
      '{"nested":[{"username":"DOMAIN\\\\vagrant","password":"***"}]}',
      `Credential { username: "DOMAIN\\\\vagrant", password: '***' }`,
      `{ c: Credential { username: "DOMAIN\\\\vagrant", password: '***' } }`,
      'Credential(DOMAIN\\vagrant, ***)',
      'Credential(DOMAIN\\vagrant, ***)',
    ]);
    expect(Object.keys(c)).toEqual(['username']);
    expect(c.revealPassword()).toBe(PASSWORD);
  });

  it('splits DOMAIN\\user and user@REALM', () => {
    const parts = ['DOMAIN\\vagrant', 'vagrant@DOMAIN.LOCAL', 'vagrant', 'a@b@REALM'].map((u) => {
      const c = new Credential(u, 'x');
      return [c.domain, c.user];
    });
    expect(parts).toEqual([['DOMAIN', 'vagrant'], ['DOMAIN.LOCAL', 'vagrant'], ['', 'vagrant'], ['REALM', 'a@b']]);
  });
});
