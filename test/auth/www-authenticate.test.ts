import { describe, expect, it } from 'vitest';
import { offeredSchemes, parseWwwAuthenticate } from '../../src/auth/index.js';

describe('parseWwwAuthenticate', () => {
  it('reads one header per scheme, as WinRM sends them', () => {
    expect(parseWwwAuthenticate(['Negotiate', 'Basic realm="WSMAN"', 'Kerberos'])).toEqual([
      { scheme: 'Negotiate' }, { scheme: 'Basic' }, { scheme: 'Kerberos' },
    ]);
  });

  it('splits folded challenges without mistaking auth-params or quoted commas for schemes', () => {
    expect(parseWwwAuthenticate('Basic realm="a, b", charset="UTF-8", Negotiate TlRMTVNTUAACAAAA==, Bearer realm=x, error="invalid_token"')).toEqual([
      { scheme: 'Basic' }, { scheme: 'Negotiate', token: 'TlRMTVNTUAACAAAA==' }, { scheme: 'Bearer' },
    ]);
  });

  it('lists offered schemes once each', () => {
    expect([offeredSchemes(['Negotiate', 'negotiate abc=', 'Basic']), offeredSchemes(undefined), offeredSchemes('')]).toEqual([
      ['Negotiate', 'Basic'], [], [],
    ]);
  });
});
