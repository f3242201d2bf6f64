/**
 * The Windows side of `tsremote enable` (src/enable/windows.ts and the action's Windows path),
 * which cannot run here: the script's key lines, that it parses (with serve's own PowerShell
 * parser: no pwsh on the test machines), the powershell.exe command line, and the action driving
 * them through a fake machine.
 */
import { describe, expect, it } from 'vitest';
import { runEnable, type EnableIo } from '../../src/cli/actions/enable.js';
import type { EnableOptions } from '../../src/cli/enable.js';
import { HTTPS_FIREWALL_RULE, enableScript, parseScriptOutput, powershellInvocation } from '../../src/enable/index.js';
import { parseScript } from '../../src/server/engine/parser.js';

const lines = (s: string): string[] => s.split('\n');

describe('enable --script', () => {
  it('HTTPS: Enable-PSRemoting, the certificate, the 5986 listener, its firewall rule, the thumbprint', () => {
    const s = lines(enableScript({ https: true, localAccountTokenFilter: false }));
    expect(s).toContain("$ErrorActionPreference = 'Stop'");
    expect(s).toContain('Enable-PSRemoting -Force -SkipNetworkProfileCheck');
    expect(s).toContain("    $cert = New-SelfSignedCertificate -DnsName $dnsName, $env:COMPUTERNAME, 'localhost' -CertStoreLocation Cert:\\LocalMachine\\My -NotAfter (Get-Date).AddYears(2)");
    expect(s).toContain("Get-ChildItem -Path WSMan:\\localhost\\Listener | Where-Object { $_.Keys -contains 'Transport=HTTPS' } | Remove-Item -Recurse -Force");
    expect(s).toContain('New-Item -Path WSMan:\\localhost\\Listener -Transport HTTPS -Address * -CertificateThumbPrint $cert.Thumbprint -Force | Out-Null');
    expect(s).toContain(
      `    New-NetFirewallRule -Name '${HTTPS_FIREWALL_RULE}' -DisplayName 'Windows Remote Management (HTTPS-In)' -Direction Inbound -Protocol TCP -LocalPort 5986 -Action Allow -Profile Any | Out-Null`,
    );
    expect(s).toContain('Write-Output "Thumbprint: $($cert.Thumbprint)"');
    expect(s.some((l) => l.includes('LocalAccountTokenFilterPolicy'))).toBe(false);
    expect(s.some((l) => l.startsWith('Write-Output "Certificate:'))).toBe(false);
  });

  it('HTTP only: no certificate, listener or firewall rule; LocalAccountTokenFilterPolicy only when asked', () => {
    const s = enableScript({ https: false, localAccountTokenFilter: true });
    expect(s).toContain('Enable-PSRemoting -Force -SkipNetworkProfileCheck');
    expect(s).not.toMatch(/New-SelfSignedCertificate|Transport HTTPS|New-NetFirewallRule|Thumbprint/);
    expect(lines(s)).toContain(
      "New-ItemProperty -Path 'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System' -Name 'LocalAccountTokenFilterPolicy' -Value 1 -PropertyType DWord -Force | Out-Null",
    );
  });

  it.each([
    [false, false],
    [true, false],
    [true, true],
  ])('parses with the serve engine parser (https %s, token filter %s); a broken copy does not', (https, latfp) => {
    const s = enableScript({ https, localAccountTokenFilter: latfp, emitCertificate: true });
    expect(() => parseScript(s)).not.toThrow();
    expect(() => parseScript(s.replace('}', ''))).toThrow(); // the first block left open
    expect(() => parseScript(`${s}\nif (`)).toThrow();
  });
});

describe('running it locally', () => {
  it('powershell.exe gets the script as -EncodedCommand (UTF-16LE base64), no profile, no prompts', () => {
    const script = enableScript({ https: true, localAccountTokenFilter: false });
    const inv = powershellInvocation(script);
    expect(inv.file).toBe('powershell.exe');
    expect(inv.args.slice(0, 6)).toEqual(['-NoLogo', '-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-EncodedCommand']);
    expect(Buffer.from(inv.args[6]!, 'base64').toString('utf16le')).toBe(script);
  });

  it('reads the thumbprint and certificate the script printed', () => {
    const der = Buffer.alloc(100, 7).toString('base64');
    const out = parseScriptOutput(`WinRM is already set up.\r\nThumbprint: ${'ab'.repeat(20)}\r\nCertificate: ${der}\r\n`);
    expect(out.thumbprint).toBe('AB'.repeat(20));
    expect(out.certPem).toBe(`-----BEGIN CERTIFICATE-----\n${der.slice(0, 64)}\n${der.slice(64, 128)}\n${der.slice(128)}\n-----END CERTIFICATE-----\n`);
  });
});

function fakeIo(execCode: number): { io: EnableIo; execs: { file: string; script: string }[]; tests: unknown[]; stdout: () => string; stderr: () => string } {
  const execs: { file: string; script: string }[] = [];
  const tests: unknown[] = [];
  let o = '';
  let e = '';
  const out = { write: (d: string) => ((o += d), true) } as unknown as NodeJS.WritableStream;
  const err = { write: (d: string) => ((e += d), true) } as unknown as NodeJS.WriteStream;
  const io: EnableIo = {
    platform: 'win32',
    root: false,
    env: {},
    stdin: process.stdin,
    stdout: out,
    stderr: err,
    exec: async (file, args) => {
      execs.push({ file, script: Buffer.from(args[args.length - 1]!, 'base64').toString('utf16le') });
      return { code: execCode, stdout: `Thumbprint: ${'CD'.repeat(20)}\nCertificate: ${Buffer.from('der').toString('base64')}\n` };
    },
    test: async (host, settings) => {
      tests.push([host, settings.https, settings.caFile === undefined ? 'no ca' : 'ca']);
      return 0;
    },
    node: 'node',
    script: 'tsremote.js',
  };
  return { io, execs, tests, stdout: () => o, stderr: () => e };
}

const OPTS: EnableOptions = {
  https: true,
  listen: undefined,
  dir: undefined,
  install: false,
  addUser: undefined,
  ntlm: true,
  passwordStdin: false,
  script: false,
  localAccountTokenFilter: false,
  debug: false,
};

describe('enable on Windows (a fake machine)', () => {
  it('runs the script through powershell.exe, then tests localhost over HTTP and HTTPS with the printed certificate', async () => {
    const f = fakeIo(0);
    expect(await runEnable(OPTS, f.io)).toBe(0);
    expect(f.execs.map((x) => x.file)).toEqual(['powershell.exe']);
    expect(f.execs[0]!.script).toBe(enableScript({ https: true, localAccountTokenFilter: false, emitCertificate: true }));
    expect(f.tests).toEqual([
      ['localhost', false, 'no ca'],
      ['localhost', true, 'ca'],
    ]);
    expect(f.stderr()).toContain(`enable: HTTPS listener on 5986, certificate thumbprint ${'CD'.repeat(20)}\n`);
    expect(f.stdout()).toBe('');
  });

  it('a failing Enable-PSRemoting stops before the test, with the elevation hint', async () => {
    const f = fakeIo(1);
    await expect(runEnable(OPTS, f.io)).rejects.toMatchObject({
      message: 'Enable-PSRemoting failed (powershell.exe exit status 1)',
      hint: 'run tsremote enable from an elevated (Administrator) prompt; the PowerShell error is above',
    });
    expect(f.tests).toEqual([]);
  });

  it('refuses the serve-only options', async () => {
    const f = fakeIo(0);
    await expect(runEnable({ ...OPTS, addUser: 'x' }, f.io)).rejects.toThrow('on Windows, enable configures WinRM itself');
    expect(f.execs).toEqual([]);
  });

  it('--script prints the script on any OS and runs nothing', async () => {
    const f = fakeIo(0);
    expect(await runEnable({ ...OPTS, script: true, localAccountTokenFilter: true }, { ...f.io, platform: 'linux' })).toBe(0);
    expect(f.stdout()).toBe(enableScript({ https: true, localAccountTokenFilter: true }));
    expect([f.execs, f.tests]).toEqual([[], []]);
  });
});
