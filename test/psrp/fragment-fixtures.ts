/**
 * Pulls the base64 PSRP payloads out of the recorded pypsrp and ironPosh traffic.
 *
 * Regexes, not the WS-Man parser: these tests must not depend on src/wsman. A payload is PSRP when
 * its request's ResourceURI is a PowerShell configuration (http://schemas.microsoft.com/powershell/…);
 * the WinRS (cmd) exchanges in the same files carry plain process output.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { listFiles, readPypsrpYaml } from '../helpers/fixtures.js';

export type PayloadSource = 'creationXml' | 'connectXml' | 'send' | 'arguments' | 'stdout' | 'connectResponseXml';

export interface Payload {
  /** client = client->server, server = server->client. */
  direction: 'client' | 'server';
  source: PayloadSource;
  /** Index of the request/response pair in the file. */
  exchange: number;
  /** The shell (RunspacePool) it belongs to, from the ShellId selector or attribute. */
  shell: string;
  bytes: Uint8Array;
}

const PS_URI = /<wsman:ResourceURI[^>]*>\s*http:\/\/schemas\.microsoft\.com\/powershell\//;

function b64(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text.replace(/\s+/g, ''), 'base64'));
}

function all(re: RegExp, text: string): string[] {
  return [...text.matchAll(re)].map((m) => m[1] ?? '').filter((s) => s.trim() !== '');
}

/** The pypsrp responses/*.yml files (67, including _template.yml). */
export function pypsrpFiles(dir: string): string[] {
  return listFiles(path.join(dir, 'pypsrp/tests/tests_pypsrp/responses'), /\.yml$/);
}

/** Every PSRP payload of one pypsrp file, in recording order. */
export function pypsrpPayloads(file: string): Payload[] {
  const out: Payload[] = [];
  readPypsrpYaml(file).forEach((m, exchange) => {
    const req = m.request ?? '';
    if (!PS_URI.test(req)) return;
    const shell =
      /<wsman:Selector Name="ShellId">([^<]+)</.exec(req)?.[1] ?? /<rsp:Shell[^>]* ShellId="([^"]+)"/.exec(req)?.[1] ?? '';
    const push = (direction: Payload['direction'], source: PayloadSource, texts: string[]): void => {
      for (const t of texts) out.push({ direction, source, exchange, shell: shell.toUpperCase(), bytes: b64(t) });
    };
    push('client', 'creationXml', all(/<creationXml[^>]*>([^<]*)</g, req));
    push('client', 'connectXml', all(/<connectXml[^>]*>([^<]*)</g, req));
    push('client', 'send', all(/<rsp:Stream[^>]*>([^<]*)</g, req));
    push('client', 'arguments', all(/<rsp:Arguments[^>]*>([^<]*)</g, req));
    const res = typeof m.response === 'string' ? m.response : '';
    push('server', 'connectResponseXml', all(/<connectResponseXml[^>]*>([^<]*)</g, res));
    push('server', 'stdout', all(/<rsp:Stream[^>]*Name="stdout"[^>]*>([^<]*)</g, res));
  });
  return out;
}

/** ironPosh: the pwsh 7.4 client's creationXml (a raw base64 file). */
export function ironposhCreationXml(dir: string): Uint8Array {
  return b64(readFileSync(path.join(dir, 'ironposh/crates/ironposh-psrp/src/tests/resource/creationXml'), 'utf8'));
}

/** ironPosh: the stdout payloads of its recorded ReceiveResponse. */
export function ironposhReceiveStdout(dir: string): Uint8Array[] {
  const xml = readFileSync(path.join(dir, 'ironposh/crates/ironposh-winrm/tests/resources/receive_response.xml'), 'utf8');
  return all(/<(?:\w+:)?Stream[^>]*Name="stdout"[^>]*>([^<]*)</g, xml).map(b64);
}
