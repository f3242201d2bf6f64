/**
 * Channel binding for authentication over TLS (Windows' "Extended Protection for Authentication").
 *
 * The client proves which TLS server it authenticated to by hashing the server's certificate into
 * its NTLM response, so a relay that terminates TLS with another certificate cannot reuse it:
 * ```
 *   application data = 'tls-server-end-point:' + H(certificate DER)        (RFC 5929 section 4)
 *   gss_channel_bindings_struct = u32le initiator_addrtype  | u32le initiator_address.length (0)
 *                                 u32le acceptor_addrtype   | u32le acceptor_address.length  (0)
 *                                 u32le application_data.length | application data
 *   MsvAvChannelBindings = MD5(gss_channel_bindings_struct)                 (MS-NLMP 2.2.2.1)
 * ```
 * H is the hash of the certificate's own signature algorithm, except that MD5 and SHA-1 become
 * SHA-256 (RFC 5929 section 4.1). Node 20's X509Certificate does not expose that algorithm, so the
 * signatureAlgorithm OID is read from the DER with the small bounded walk below:
 * ```
 *   Certificate ::= SEQUENCE { tbsCertificate SEQUENCE, signatureAlgorithm AlgorithmIdentifier, ... }
 *   AlgorithmIdentifier ::= SEQUENCE { algorithm OBJECT IDENTIFIER, parameters ANY OPTIONAL }
 * ```
 */
import { createHash } from 'node:crypto';
import { AuthError } from './errors.js';

type Hash = 'sha256' | 'sha384' | 'sha512' | 'sha224';

// Signature algorithm OID -> hash, after RFC 5929's MD5/SHA-1 -> SHA-256 rule.
const SIGNATURE_HASH: Record<string, Hash> = {
  '1.2.840.113549.1.1.4': 'sha256', // md5WithRSAEncryption
  '1.2.840.113549.1.1.5': 'sha256', // sha1WithRSAEncryption
  '1.2.840.113549.1.1.11': 'sha256', // sha256WithRSAEncryption
  '1.2.840.113549.1.1.12': 'sha384', // sha384WithRSAEncryption
  '1.2.840.113549.1.1.13': 'sha512', // sha512WithRSAEncryption
  '1.2.840.113549.1.1.14': 'sha224', // sha224WithRSAEncryption
  '1.2.840.10045.4.1': 'sha256', // ecdsa-with-SHA1
  '1.2.840.10045.4.3.1': 'sha224', // ecdsa-with-SHA224
  '1.2.840.10045.4.3.2': 'sha256', // ecdsa-with-SHA256
  '1.2.840.10045.4.3.3': 'sha384', // ecdsa-with-SHA384
  '1.2.840.10045.4.3.4': 'sha512', // ecdsa-with-SHA512
  '1.2.840.10040.4.3': 'sha256', // dsa-with-sha1
  '2.16.840.1.101.3.4.3.1': 'sha224', // dsa-with-sha224
  '2.16.840.1.101.3.4.3.2': 'sha256', // dsa-with-sha256
};

// Digest OIDs inside RSASSA-PSS parameters (RFC 4055); absent means SHA-1, upgraded to SHA-256.
const DIGEST_HASH: Record<string, Hash> = {
  '1.3.14.3.2.26': 'sha256', // sha1
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
  '2.16.840.1.101.3.4.2.4': 'sha224',
};
const RSASSA_PSS = '1.2.840.113549.1.1.10';

function unsupported(message: string): AuthError {
  return new AuthError('ETSR_AUTH_UNSUPPORTED', message, {
    hint: 'channel binding needs the server certificate; use a certificate signed with RSA, ECDSA or DSA',
  });
}

interface Tlv {
  readonly tag: number;
  /** Offset of the value. */
  readonly start: number;
  /** Offset just past the value. */
  readonly end: number;
}

/** Reads one DER TLV at `at`, never past `limit`. */
function tlv(der: Uint8Array, at: number, limit: number): Tlv {
  const bad = (): AuthError => unsupported('the server certificate is not valid DER');
  if (at + 2 > limit) throw bad();
  const tag = der[at] as number;
  let length = der[at + 1] as number;
  let start = at + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4 || start + count > limit) throw bad();
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (der[start + i] as number);
    start += count;
  }
  if (start + length > limit) throw bad();
  return { tag, start, end: start + length };
}

function oid(der: Uint8Array, t: Tlv): string {
  if (t.tag !== 0x06 || t.end === t.start) throw unsupported('the server certificate is not valid DER');
  const first = der[t.start] as number;
  const parts = [Math.floor(first / 40), first % 40];
  let value = 0;
  for (let i = t.start + 1; i < t.end; i++) {
    const byte = der[i] as number;
    value = value * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) {
      parts.push(value);
      value = 0;
    }
  }
  return parts.join('.');
}

/** The hash RFC 5929 picks for this certificate. */
export function certificateHash(certDer: Uint8Array): Hash {
  const cert = tlv(certDer, 0, certDer.length);
  const tbs = tlv(certDer, cert.start, cert.end);
  const algId = tlv(certDer, tbs.end, cert.end);
  if (cert.tag !== 0x30 || tbs.tag !== 0x30 || algId.tag !== 0x30) {
    throw unsupported('the server certificate is not an X.509 certificate');
  }
  const algOid = tlv(certDer, algId.start, algId.end);
  const algorithm = oid(certDer, algOid);
  const hash = SIGNATURE_HASH[algorithm];
  if (hash) return hash;
  if (algorithm === RSASSA_PSS) {
    // RSASSA-PSS-params ::= SEQUENCE { hashAlgorithm [0] AlgorithmIdentifier DEFAULT sha1, ... }
    if (algOid.end < algId.end) {
      const params = tlv(certDer, algOid.end, algId.end);
      if (params.tag === 0x30 && params.start < params.end) {
        const first = tlv(certDer, params.start, params.end);
        if (first.tag === 0xa0) {
          const digestAlg = tlv(certDer, first.start, first.end);
          const digest = DIGEST_HASH[oid(certDer, tlv(certDer, digestAlg.start, digestAlg.end))];
          if (digest) return digest;
          throw unsupported('the server certificate uses RSASSA-PSS with an unknown digest');
        }
      }
    }
    return 'sha256';
  }
  throw unsupported(`no tls-server-end-point hash is defined for signature algorithm ${algorithm}`);
}

/**
 * RFC 5929 tls-server-end-point: `'tls-server-end-point:' + hash(cert DER)`, the hash being the
 * certificate's signature hash, with MD5 and SHA-1 upgraded to SHA-256.
 * @param certDer the server's leaf certificate, DER encoded
 * @returns the channel-binding application data
 * @throws AuthError (ETSR_AUTH_UNSUPPORTED) for malformed DER or a signature algorithm RFC 5929
 *   does not cover (Ed25519, Ed448)
 */
export function tlsServerEndPoint(certDer: Uint8Array): Uint8Array {
  const digest = createHash(certificateHash(certDer)).update(certDer).digest();
  const prefix = new TextEncoder().encode('tls-server-end-point:');
  const out = new Uint8Array(prefix.length + digest.length);
  out.set(prefix);
  out.set(digest, prefix.length);
  return out;
}

/**
 * MD5 of the gss_channel_bindings_struct (all address fields zero) around the application data:
 * the value of MsvAvChannelBindings.
 */
export function channelBindingsHash(applicationData: Uint8Array): Uint8Array {
  const struct = new Uint8Array(20 + applicationData.length);
  new DataView(struct.buffer).setUint32(16, applicationData.length, true);
  struct.set(applicationData, 20);
  return new Uint8Array(createHash('md5').update(struct).digest());
}
