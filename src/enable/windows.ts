/**
 * PowerShell remoting on a Windows host: the script `enable --script` prints (for GPO, cloud-init
 * or an SSH session) and `enable` runs through the local Windows PowerShell.
 *
 * What it does, each step safe to repeat:
 * 1. `Enable-PSRemoting -Force -SkipNetworkProfileCheck`: the WinRM service, the HTTP listener on
 *    5985, its firewall rule and the session configurations (without the switch it fails on a
 *    client SKU whose network is Public).
 * 2. With HTTPS: a self-signed certificate for the host's DNS name, its NetBIOS name and
 *    localhost (an existing one valid for 30 more days is reused), the HTTPS listener on 5986 (an
 *    old one is replaced: it may hold an expired certificate), an inbound firewall rule for 5986,
 *    and the thumbprint printed, for pinning on clients.
 * 3. Optionally `LocalAccountTokenFilterPolicy = 1`: UAC otherwise gives local administrator
 *    accounts (not domain ones) a filtered token over the network, and WinRM refuses them.
 */

export interface WindowsScriptOptions {
  https: boolean;
  /** Set LocalAccountTokenFilterPolicy = 1 (local admin accounts may use remoting). */
  localAccountTokenFilter: boolean;
  /** Also print the certificate (base64 DER) so the caller can verify the listener with it. */
  emitCertificate?: boolean;
}

export const HTTPS_FIREWALL_RULE = 'tsremote-WinRM-HTTPS-In-TCP';
const LATFP_KEY = 'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System';

/** The PowerShell script text (Windows PowerShell 5.1 and PowerShell 7 alike). */
export function enableScript(o: WindowsScriptOptions): string {
  const lines = [
    `# Enables PowerShell remoting${o.https ? ' over HTTPS' : ''} on this host. Written by \`tsremote enable --script${o.https ? ' --https' : ''}\`.`,
    '# Run it elevated: an administrator PowerShell, a GPO startup script, cloud-init, or an SSH session.',
    "$ErrorActionPreference = 'Stop'",
    '$principal = New-Object -TypeName Security.Principal.WindowsPrincipal -ArgumentList ([Security.Principal.WindowsIdentity]::GetCurrent())',
    "if (-not $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)) { throw 'run this script elevated (as Administrator)' }",
    '',
    '# The WinRM service, the HTTP listener on 5985, its firewall rule, the session configurations.',
    'Enable-PSRemoting -Force -SkipNetworkProfileCheck',
  ];
  if (o.https) {
    lines.push(
      '',
      '# A self-signed certificate for this host; one still valid for 30 days is reused.',
      '$dnsName = $env:COMPUTERNAME',
      'try { $dnsName = [System.Net.Dns]::GetHostEntry($env:COMPUTERNAME).HostName } catch { }',
      '$cert = Get-ChildItem -Path Cert:\\LocalMachine\\My | Where-Object { $_.Subject -eq "CN=$dnsName" -and $_.HasPrivateKey -and $_.NotAfter -gt (Get-Date).AddDays(30) } | Select-Object -First 1',
      'if (-not $cert) {',
      "    $cert = New-SelfSignedCertificate -DnsName $dnsName, $env:COMPUTERNAME, 'localhost' -CertStoreLocation Cert:\\LocalMachine\\My -NotAfter (Get-Date).AddYears(2)",
      '}',
      '',
      '# The HTTPS listener on 5986 (an existing one is replaced: it may hold an old certificate).',
      "Get-ChildItem -Path WSMan:\\localhost\\Listener | Where-Object { $_.Keys -contains 'Transport=HTTPS' } | Remove-Item -Recurse -Force",
      'New-Item -Path WSMan:\\localhost\\Listener -Transport HTTPS -Address * -CertificateThumbPrint $cert.Thumbprint -Force | Out-Null',
      '',
      '# Inbound TCP 5986.',
      `if (-not (Get-NetFirewallRule -Name '${HTTPS_FIREWALL_RULE}' -ErrorAction SilentlyContinue)) {`,
      `    New-NetFirewallRule -Name '${HTTPS_FIREWALL_RULE}' -DisplayName 'Windows Remote Management (HTTPS-In)' -Direction Inbound -Protocol TCP -LocalPort 5986 -Action Allow -Profile Any | Out-Null`,
      '}',
    );
  }
  if (o.localAccountTokenFilter) {
    lines.push(
      '',
      '# Local administrator accounts get their full token over the network (UAC remote restrictions off).',
      `New-ItemProperty -Path '${LATFP_KEY}' -Name 'LocalAccountTokenFilterPolicy' -Value 1 -PropertyType DWord -Force | Out-Null`,
    );
  }
  if (o.https) {
    lines.push('', 'Write-Output "Thumbprint: $($cert.Thumbprint)"');
    if (o.emitCertificate) lines.push('Write-Output "Certificate: $([Convert]::ToBase64String($cert.RawData))"');
  }
  lines.push('');
  return lines.join('\n');
}

/**
 * How `enable` runs the script locally: Windows PowerShell, no profile, no prompts, the script as
 * -EncodedCommand (base64 of UTF-16LE), so no quoting survives cmd.exe or CreateProcess rules.
 */
export function powershellInvocation(script: string): { file: string; args: string[] } {
  return {
    file: 'powershell.exe',
    args: ['-NoLogo', '-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-EncodedCommand', Buffer.from(script, 'utf16le').toString('base64')],
  };
}

/** The values the script printed: thumbprint, and the certificate as PEM when it was asked for. */
export function parseScriptOutput(stdout: string): { thumbprint?: string; certPem?: string } {
  const out: { thumbprint?: string; certPem?: string } = {};
  const thumb = /^Thumbprint: ([0-9A-Fa-f]{40})\s*$/m.exec(stdout);
  if (thumb?.[1]) out.thumbprint = thumb[1].toUpperCase();
  const cert = /^Certificate: ([A-Za-z0-9+/=]+)\s*$/m.exec(stdout);
  if (cert?.[1]) out.certPem = `-----BEGIN CERTIFICATE-----\n${cert[1].match(/.{1,64}/g)?.join('\n') ?? ''}\n-----END CERTIFICATE-----\n`;
  return out;
}
