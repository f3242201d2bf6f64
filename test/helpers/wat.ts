/**
 * What wabt compiles a `.wat` file of this repository to, for the tests that check an embedded
 * WebAssembly module against its source (src/auth/ntlm/rc4-wasm.ts, md5-wasm.ts).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import wabtInit from 'wabt';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The module bytes of `file` (a path from the repository root). */
export async function compileWat(file: string): Promise<Uint8Array> {
  const wabt = await wabtInit();
  const module = wabt.parseWat(path.basename(file), readFileSync(path.join(ROOT, file), 'utf8'));
  try {
    return new Uint8Array(module.toBinary({}).buffer);
  } finally {
    module.destroy();
  }
}
