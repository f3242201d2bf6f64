/**
 * Test-only extraction of CLIXML payloads from the recorded fixtures, without the PSRP fragment
 * module (another helper writes that; the lead will swap this decoder for it later).
 *
 * Fragment (MS-PSRP 2.2.4), all big-endian:
 *   ObjectId u64 | FragmentId u64 | flags u8 (bit0 Start, bit1 End) | BlobLength u32 | Blob
 * Message (MS-PSRP 2.2.1), little-endian:
 *   Destination u32 | MessageType u32 | RPID 16 bytes | PID 16 bytes | Data (UTF-8, optional BOM)
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { listFiles, readPypsrpYaml } from '../../helpers/fixtures.js';

export interface Payload {
  /** Where it came from: `file#n` (n counts payloads within the file). */
  source: string;
  /** The PSRP MessageType when it came from a PSRP message. */
  messageType?: number;
  xml: string;
}

interface Fragment { objectId: bigint; start: boolean; end: boolean; blob: Buffer }

/** Splits a base64 stream into fragments; null when the bytes do not frame exactly. */
function parseFragments(bytes: Buffer): Fragment[] | null {
  const out: Fragment[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (bytes.length - at < 21) return null;
    const objectId = bytes.readBigUInt64BE(at);
    const flags = bytes[at + 16] ?? 0;
    const len = bytes.readUInt32BE(at + 17);
    if (at + 21 + len > bytes.length || (flags & ~3) !== 0) return null;
    out.push({ objectId, start: (flags & 1) !== 0, end: (flags & 2) !== 0, blob: bytes.subarray(at + 21, at + 21 + len) });
    at += 21 + len;
  }
  return out;
}

/** Reassembles fragments into messages, one buffer per ObjectId and direction. */
class Reassembler {
  readonly #pending = new Map<bigint, Buffer[]>();

  push(fragments: Fragment[]): Buffer[] {
    const done: Buffer[] = [];
    for (const f of fragments) {
      if (f.start) this.#pending.set(f.objectId, []);
      const parts = this.#pending.get(f.objectId);
      if (!parts) continue;
      parts.push(f.blob);
      if (f.end) {
        done.push(Buffer.concat(parts));
        this.#pending.delete(f.objectId);
      }
    }
    return done;
  }
}

function messageXml(msg: Buffer): { messageType: number; xml: string } | null {
  if (msg.length < 40) return null;
  const messageType = msg.readUInt32LE(4);
  let data = msg.subarray(40);
  if (data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) data = data.subarray(3);
  const xml = data.toString('utf8');
  return xml.trimStart().startsWith('<') ? { messageType, xml } : null;
}

const B64_ELEMENTS = /<(?:[\w-]+:)?(creationXml|connectXml|Stream|Arguments)\b[^>]*>([A-Za-z0-9+/=\s]+)<\/(?:[\w-]+:)?\1>/g;

/** The base64 blobs of one SOAP body, in document order. */
function base64Blobs(soap: string): Buffer[] {
  return [...soap.matchAll(B64_ELEMENTS)].map((m) => Buffer.from(m[2] ?? '', 'base64'));
}

/** Every PSRP message carrying CLIXML in one pypsrp responses/*.yml file. */
export function pypsrpPayloads(file: string): Payload[] {
  const name = path.basename(file);
  const toServer = new Reassembler();
  const toClient = new Reassembler();
  const out: Payload[] = [];
  const take = (soap: string, r: Reassembler): void => {
    for (const blob of base64Blobs(soap)) {
      const fragments = parseFragments(blob);
      if (!fragments) continue;
      for (const msg of r.push(fragments)) {
        const m = messageXml(msg);
        if (m) out.push({ source: `${name}#${out.length}`, ...m });
      }
    }
  };
  for (const ex of readPypsrpYaml(file)) {
    take(ex.request ?? '', toServer);
    take(ex.response ?? '', toClient);
  }
  return out;
}

/** Fills the winrb `.erb` templates' `<%= ... %>` placeholders with sample text. */
export function fillErb(text: string): string {
  let n = 0;
  // A placeholder inside a numeric element gets a number (PipelineState 3 = Failed).
  return text.replace(/(<I32[^>]*>)?<%=[\s\S]*?%>/g, (_m, i32?: string) => (i32 ? `${i32}3` : `sample text ${++n}`));
}

/** Every CLIXML payload in the fixtures, grouped by origin. */
export function allPayloads(dir: string): { clixml: Payload[]; stderr: Payload[] } {
  const clixml: Payload[] = [];
  const stderr: Payload[] = [];
  const read = (p: string): string => readFileSync(path.join(dir, p), 'utf8');
  clixml.push({ source: 'ironposh error_record.xml', xml: read('ironposh/crates/ironposh-psrp/src/tests/resource/error_record.xml') });
  clixml.push({
    source: 'ironposh command_completion_get_ser.xml',
    xml: read('ironposh/crates/ironposh-psrp/src/tests/resources/command_completion_get_ser.xml'),
  });
  for (const f of listFiles(path.join(dir, 'winrb-winrm/tests/spec/stubs/clixml'), /\.erb$/)) {
    clixml.push({ source: `winrb ${path.basename(f)}`, xml: fillErb(readFileSync(f, 'utf8')) });
  }
  for (const f of listFiles(path.join(dir, 'pypsrp/tests/tests_pypsrp/responses'), /\.yml$/)) {
    clixml.push(...pypsrpPayloads(f));
  }
  for (const f of listFiles(path.join(dir, 'pypsrp/tests/tests_pypsrp/data'), /\.xml$/)) {
    stderr.push({ source: `pypsrp ${path.basename(f)}`, xml: readFileSync(f, 'utf8') });
  }
  stderr.push({ source: 'pywinrm get_ps_output_response.xml', xml: pywinrmStderr(read('pywinrm/winrm/tests/conftest_extracted/get_ps_output_response.xml')) });
  return { clixml, stderr };
}

/** The stderr text of a WinRS ReceiveResponse: its base64 Stream Name="stderr" parts, joined. */
export function pywinrmStderr(soap: string): string {
  const parts = [...soap.matchAll(/<(?:[\w-]+:)?Stream\b[^>]*Name="stderr"[^>]*>([^<]*)</g)];
  return parts.map((m) => Buffer.from(m[1] ?? '', 'base64').toString('utf8')).join('');
}
