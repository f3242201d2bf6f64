import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { parseHostSpec, type HostSpecDefaults } from '../../src/transport/index.js';

const http: HostSpecDefaults = { https: false };
const https: HostSpecDefaults = { https: true };

describe('parseHostSpec', () => {
  const table: [string, HostSpecDefaults, string, boolean][] = [
    ['web1', http, 'http://web1:5985/wsman', false],
    ['web1', https, 'https://web1:5986/wsman', true],
    ['web1', { https: false, port: 8080 }, 'http://web1:8080/wsman', false],
    ['web1.corp.example.com', https, 'https://web1.corp.example.com:5986/wsman', true],
    ['web1:1234', http, 'http://web1:1234/wsman', false],
    ['web1:1234', { https: true, port: 99 }, 'https://web1:1234/wsman', true],
    ['10.0.0.5', http, 'http://10.0.0.5:5985/wsman', false],
    ['10.0.0.5:443', https, 'https://10.0.0.5/wsman', true],
    ['::1', http, 'http://[::1]:5985/wsman', false],
    ['fe80::1:2', https, 'https://[fe80::1:2]:5986/wsman', true],
    ['[::1]', http, 'http://[::1]:5985/wsman', false],
    ['[2001:db8::7]:5986', https, 'https://[2001:db8::7]:5986/wsman', true],
    ['http://web1/wsman', https, 'http://web1:5985/wsman', false],
    ['https://web1', http, 'https://web1:5986/wsman', true],
    ['https://web1/', { https: false, port: 1 }, 'https://web1:5986/wsman', true],
    ['https://web1:443/wsman', http, 'https://web1/wsman', true],
    ['HTTPS://Web1:8443/custom/path?PSVersion=5.1', http, 'https://web1:8443/custom/path?PSVersion=5.1', true],
    ['http://[::1]:5985/wsman', http, 'http://[::1]:5985/wsman', false],
    ['http://[::1]/wsman', http, 'http://[::1]:5985/wsman', false],
    ['  web1  ', http, 'http://web1:5985/wsman', false],
  ];
  it.each(table)('%s (%o) -> %s', (spec, defaults, href, isHttps) => {
    const ep = parseHostSpec(spec, defaults);
    expect([ep.url.href, ep.https, ep.label]).toEqual([href, isHttps, spec.trim()]);
  });

  const invalid: [string, string][] = [
    ['', 'invalid host "": empty host name'],
    ['web1:', 'invalid host "web1:": expected NAME, NAME:PORT, [IPv6]:PORT or a URL'],
    ['web1:0', 'invalid host "web1:0": invalid port 0: expected 1-65535'],
    ['web1:65536', 'invalid host "web1:65536": invalid port 65536: expected 1-65535'],
    ['web1:http', 'invalid host "web1:http": expected NAME, NAME:PORT, [IPv6]:PORT or a URL'],
    ['web 1', 'invalid host "web 1": not a valid host name'],
    ['web1/wsman', 'invalid host "web1/wsman": not a valid host name'],
    ['[web1]:5985', 'invalid host "[web1]:5985": not an IPv6 address inside [ ]'],
    ['::1:5985:x', 'invalid host "::1:5985:x": expected NAME, NAME:PORT, [IPv6]:PORT or a URL'],
    ['ftp://web1/wsman', 'invalid host "ftp://web1/wsman": only http:// and https:// URLs are supported'],
    ['https://web1:99999/wsman', 'invalid host "https://web1:99999/wsman": invalid port 99999: expected 1-65535'],
    ['https://:5986/wsman', 'invalid host "https://:5986/wsman": not a valid URL'],
  ];
  it.each(invalid)('rejects %j', (spec, message) => {
    let caught: unknown;
    try {
      parseHostSpec(spec, http);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(InvalidArgumentError);
    expect((caught as Error).message).toBe(message);
  });

  it('rejects credentials in a URL without repeating them', () => {
    let caught: unknown;
    try {
      parseHostSpec('https://admin:hunter2@web1/wsman', http);
    } catch (err) {
      caught = err;
    }
    expect((caught as Error).message).toBe('credentials in the URL are not supported');
    expect(JSON.stringify(caught) + String(caught)).not.toContain('hunter2');
  });

  it('rejects an invalid --port default', () => {
    expect(() => parseHostSpec('web1', { https: false, port: 70000 })).toThrow('invalid port 70000: expected 1-65535');
  });
});
