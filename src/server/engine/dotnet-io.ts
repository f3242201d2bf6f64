/**
 * The few .NET I/O members binary file transfer needs (`tsremote copy`'s remote scripts, and any
 * script written the same way): `[IO.File]::Open/OpenRead/OpenWrite/Create` returning a FileStream
 * with Read/Write/Flush/Dispose, `[Convert]::FromBase64String/ToBase64String` on byte arrays, and
 * `New-Object byte[] N`.
 *
 * Byte arrays are the CLIXML `<BA>` primitive (`{ kind: 'BA', value: Uint8Array }`), so
 * `$fs.Read($buffer, …)` fills the caller's array in place, as .NET does. File handles are
 * synchronous descriptors: a chunk at a time keeps each call short. A stream a failed script left
 * open is closed when it is garbage-collected, as a .NET finalizer would; scripts should Dispose it.
 */
import { closeSync, fstatSync, openSync, readSync, writeSync, fsyncSync } from 'node:fs';
import { kindOf, PSObject, ps, type PSBytes, type PSValue } from '../../psrp/clixml/index.js';
import { toNum } from './operators.js';
import { RuntimeFailure } from './runtime-error.js';
import { toStr } from './values.js';

/** Closes the descriptor of a FileStream nobody disposed (a script that failed half-way). */
const finalizer = new FinalizationRegistry<{ fd: number | null }>((held) => {
  if (held.fd !== null) closeSync(held.fd);
});

/** A live .NET object whose methods run here (only FileStream for now). */
export class FileStreamObject extends PSObject {
  readonly #held: { fd: number | null };
  #position = 0;
  readonly canRead: boolean;
  readonly canWrite: boolean;

  constructor(readonly name: string, fd: number, access: { read: boolean; write: boolean; append: boolean }) {
    super({ typeNames: ['System.IO.FileStream', 'System.IO.Stream', 'System.MarshalByRefObject', 'System.Object'], toStringText: 'System.IO.FileStream' });
    this.#held = { fd };
    finalizer.register(this, this.#held, this);
    this.canRead = access.read;
    this.canWrite = access.write;
    if (access.append) this.#position = fstatSync(fd).size;
  }

  #handle(): number {
    if (this.#held.fd === null) throw ioError('ObjectDisposedException', 'Cannot access a closed file.');
    return this.#held.fd;
  }

  /** `$fs.Name`, `$fs.Length`, `$fs.Position` … */
  member(lower: string): PSValue | undefined {
    switch (lower) {
      case 'name': return this.name;
      case 'length': return ps.i64(fstatSync(this.#handle()).size);
      case 'position': return ps.i64(this.#position);
      case 'canread': return this.#held.fd !== null && this.canRead;
      case 'canwrite': return this.#held.fd !== null && this.canWrite;
      default: return undefined;
    }
  }

  /** `$fs.Method(args)`, or undefined when FileStream has no such method here. */
  call(lower: string, a: PSValue[]): PSValue | undefined {
    switch (lower) {
      case 'write': {
        const { bytes, offset, count } = span(a, 'Write');
        if (!this.canWrite) throw ioError('NotSupportedException', 'Stream does not support writing.');
        this.#position += writeAll(this.#handle(), bytes.subarray(offset, offset + count), this.#position);
        return null;
      }
      case 'read': {
        const { bytes, offset, count } = span(a, 'Read');
        if (!this.canRead) throw ioError('NotSupportedException', 'Stream does not support reading.');
        const n = readSync(this.#handle(), bytes, offset, count, this.#position);
        this.#position += n;
        return n;
      }
      case 'flush': fsyncSync(this.#handle()); return null;
      case 'dispose': case 'close':
        if (this.#held.fd !== null) closeSync(this.#held.fd);
        this.#held.fd = null;
        finalizer.unregister(this);
        return null;
      default: return undefined;
    }
  }
}

function writeAll(fd: number, data: Uint8Array, position: number): number {
  let done = 0;
  while (done < data.length) done += writeSync(fd, data, done, data.length - done, position + done);
  return done;
}

function ioError(type: string, message: string, id = type): RuntimeFailure {
  return new RuntimeFailure(id, message, 'NotSpecified', `System.${type}`);
}

function bytesOf(v: PSValue | undefined, method: string): PSBytes {
  if (v !== undefined && v !== null && kindOf(v) === 'BA' && typeof v === 'object' && 'value' in v && v.value instanceof Uint8Array) return v as PSBytes;
  throw new RuntimeFailure('MethodArgumentConversionInvalidCastArgument', `Cannot convert argument "buffer", with value: "${toStr(v ?? null)}", for "${method}" to type "System.Byte[]".`, 'NotSpecified', 'System.Management.Automation.MethodException');
}

/** The (buffer, offset, count) of Read/Write, checked as .NET checks them. */
function span(a: PSValue[], method: string): { bytes: Uint8Array; offset: number; count: number } {
  const bytes = bytesOf(a[0], method).value;
  const offset = toNum(a[1] ?? null)?.n ?? 0;
  const count = toNum(a[2] ?? null)?.n ?? bytes.length;
  if (offset < 0 || count < 0 || offset + count > bytes.length) {
    throw ioError('ArgumentException', `Exception calling "${method}" with "3" argument(s): "Offset and length were out of bounds for the array or count is greater than the number of elements from index to the end of the source collection."`);
  }
  return { bytes: bytes instanceof Buffer ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length), offset, count };
}

/** FileMode names (System.IO.FileMode) onto open(2) flags. */
const FILE_MODES: Record<string, { flags: string; append: boolean }> = {
  createnew: { flags: 'wx', append: false }, create: { flags: 'w', append: false }, open: { flags: 'r', append: false },
  openorcreate: { flags: 'a+', append: false }, truncate: { flags: 'r+', append: false }, append: { flags: 'a', append: true },
};

function openStream(file: string, modeName: string, accessName: string): FileStreamObject {
  const mode = FILE_MODES[modeName.toLowerCase()];
  const access = accessName.toLowerCase();
  if (!mode || !['read', 'write', 'readwrite'].includes(access)) {
    throw ioError('ArgumentException', `Cannot convert argument "mode", with value: "${modeName}", for "Open" to type "System.IO.FileMode".`);
  }
  let flags = mode.flags;
  // Reading a file opened with Open wants r; writing it wants r+ (no truncation, no creation).
  if (modeName.toLowerCase() === 'open') flags = access === 'read' ? 'r' : 'r+';
  if (modeName.toLowerCase() === 'openorcreate' && access === 'read') flags = 'a+';
  let fd: number;
  try {
    fd = openSync(file, flags);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? `Could not find file '${file}'.` : code === 'EEXIST' ? `The file '${file}' already exists.` : code === 'EISDIR' ? `Access to the path '${file}' is denied.` : `${(err as Error).message}`;
    throw ioError(code === 'ENOENT' ? 'IO.FileNotFoundException' : 'IO.IOException', `Exception calling "Open" with "4" argument(s): "${why}"`, 'MethodInvocationException');
  }
  if (modeName.toLowerCase() === 'truncate') writeAll(fd, new Uint8Array(0), 0);
  return new FileStreamObject(file, fd, { read: access !== 'write', write: access !== 'read', append: mode.append });
}

/** `[IO.File]::…` and `[Convert]::…` members handled here; undefined when not one of them. */
export function ioStatic(key: string, a: PSValue[]): PSValue | undefined {
  const s = (i: number): string => toStr(a[i] ?? null);
  switch (key) {
    case 'System.IO.File::open': return openStream(s(0), s(1), a.length > 2 ? s(2) : s(1).toLowerCase() === 'append' ? 'Write' : 'ReadWrite');
    case 'System.IO.File::openread': return openStream(s(0), 'Open', 'Read');
    case 'System.IO.File::openwrite': return openStream(s(0), 'OpenOrCreate', 'Write');
    case 'System.IO.File::create': return openStream(s(0), 'Create', 'ReadWrite');
    case 'System.Convert::frombase64string': {
      const text = s(0);
      if (!/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(text) || text.replace(/\s/g, '').length % 4 !== 0) {
        throw ioError('FormatException', 'Exception calling "FromBase64String" with "1" argument(s): "The input is not a valid Base-64 string as it contains a non-base 64 character, more than two padding characters, or an illegal character among the padding characters."', 'FormatException');
      }
      return ps.bytes(Buffer.from(text, 'base64'));
    }
    case 'System.Convert::tobase64string': {
      const v = a[0] ?? null;
      if (v !== null && kindOf(v) === 'BA') {
        const { bytes, offset, count } = span(a.length > 1 ? a : [v, 0, bytesOf(v, 'ToBase64String').value.length], 'ToBase64String');
        return Buffer.from(bytes.buffer, bytes.byteOffset + offset, count).toString('base64');
      }
      return Buffer.from(toStr(v)).toString('base64');
    }
    default: return undefined;
  }
}

/** `New-Object byte[] N` / `[byte[]]::new(N)`: a zeroed byte array. */
export function newByteArray(length: PSValue): PSBytes {
  const n = toNum(length)?.n ?? NaN;
  if (!Number.isInteger(n) || n < 0 || n > 64 * 1024 * 1024) {
    throw new RuntimeFailure('ConstructorInvokedThrowException', `Cannot create a byte array of length ${toStr(length)}.`, 'InvalidOperation');
  }
  return ps.bytes(Buffer.alloc(n));
}
