/** Reads CLIXML from a file or stdin and prints it as JSON, NDJSON or text. */
import { readFile } from 'node:fs/promises';
import { TsrError } from '../../errors.js';
import { PSObject, clixmlToRecords, clixmlToText, toJSON } from '../../psrp/clixml/index.js';
import { ExitCode } from '../exit-codes.js';
import type { ClixmlVerbOptions } from '../clixml.js';

/**
 * Decodes a CLIXML file's bytes: Windows PowerShell's Export-Clixml writes UTF-16LE with a BOM,
 * pwsh writes UTF-8 (with or without a BOM).
 */
export function decodeClixmlBytes(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    const swapped = Buffer.from(bytes.subarray(2));
    swapped.swap16();
    return swapped.toString('utf16le');
  }
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.subarray(3).toString('utf8');
  return bytes.toString('utf8');
}

async function readInput(input: string): Promise<Buffer> {
  if (input !== '-') {
    try {
      return await readFile(input);
    } catch (err) {
      throw new TsrError('ETSR_INVALID_ARGUMENT', `cannot read ${input}: ${(err as Error).message}`, { cause: err });
    }
  }
  const parts: Buffer[] = [];
  for await (const chunk of process.stdin) parts.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(parts);
}

/** Plain JSON for one record; values that came with a stream (`S="Error"`) keep it. */
function project(stream: string | undefined, value: Parameters<typeof toJSON>[0]): unknown {
  const data = toJSON(value);
  if (stream === undefined) return data;
  return { stream, types: value instanceof PSObject ? value.typeNames : undefined, value: data };
}

export async function runClixml(opts: ClixmlVerbOptions): Promise<number> {
  const text = decodeClixmlBytes(await readInput(opts.input));
  const out = process.stdout;
  if (opts.format === 'text') {
    out.write(clixmlToText(text));
    return ExitCode.Ok;
  }
  const records = clixmlToRecords(text).map((r) => project(r.stream, r.value));
  if (opts.format === 'ndjson') out.write(records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  else out.write(`${JSON.stringify(records, null, 2)}\n`);
  return ExitCode.Ok;
}
