/**
 * The small WebAssembly modules this directory embeds as base64 (rc4-wasm.ts, md5-wasm.ts): their
 * bytes, and an instance made on first use. Each module's test compiles its `.wat` again with wabt
 * and compares the bytes.
 */

/** The part of the WebAssembly API used here (the TypeScript libs we build with do not declare it). */
declare const WebAssembly:
  | {
      Module: new (bytes: Uint8Array) => object;
      Instance: new (module: object) => { exports: Record<string, unknown> };
    }
  | undefined;

/** An instance's exports, and its memory (which these modules never grow, so views of it stay valid). */
export interface EmbeddedInstance {
  memory: ArrayBuffer;
  exports: Record<string, unknown>;
}

/** The module bytes written as base64 in the source. */
export function embeddedWasmBytes(base64: string): Uint8Array {
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

/**
 * An instance of the embedded module, or null where WebAssembly is missing (`node --jitless`) or
 * compiling it is refused (a policy, a sandbox): the caller then does the same work in JavaScript
 * or through node:crypto.
 */
export function instantiateEmbedded(base64: string): EmbeddedInstance | null {
  if (typeof WebAssembly === 'undefined') return null;
  try {
    const { exports } = new WebAssembly.Instance(new WebAssembly.Module(embeddedWasmBytes(base64)));
    return { memory: (exports['memory'] as { buffer: ArrayBuffer }).buffer, exports };
  } catch {
    return null;
  }
}
