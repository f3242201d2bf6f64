/**
 * Random bytes for NTLM logons (client challenges, exported session keys, server challenges),
 * drawn from one 4 KiB fill of the CSPRNG rather than a randomBytes call each. A fan-out logs on
 * once per host and takes 24 bytes each time; a call into OpenSSL per draw cost more than the
 * draw (the same reason Node buffers randomUUID). Bytes handed out are zeroed in the pool.
 */
import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;
const pool = new Uint8Array(POOL_BYTES);
let next = POOL_BYTES;

export function pooledRandomBytes(n: number): Uint8Array {
  if (n > POOL_BYTES) return randomFillSync(new Uint8Array(n));
  if (next + n > POOL_BYTES) {
    randomFillSync(pool);
    next = 0;
  }
  const out = pool.slice(next, next + n);
  pool.fill(0, next, next + n);
  next += n;
  return out;
}
