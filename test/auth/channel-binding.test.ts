/**
 * RFC 5929 tls-server-end-point and the gss_channel_bindings_struct hash (MsvAvChannelBindings).
 * Certificates made with `openssl req -x509` for this test; expected digests from
 * `openssl x509 -fingerprint -<hash>`, the struct hash from Python's hashlib.
 */
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AuthError } from '../../src/auth/errors.js';
import { certificateHash, channelBindingsHash, tlsServerEndPoint } from '../../src/auth/channel-binding.js';

const CERTS = {
  'ec-sha1': `-----BEGIN CERTIFICATE-----
MIIBbzCCARagAwIBAgIUFDzfZn9zEo6We80haSJpGeZXkfMwCQYHKoZIzj0EATAO
MQwwCgYDVQQDDANjYnQwHhcNMjYxMTI0MTMyMTE5WhcNMzYxMTIxMTMyMTE5WjAO
MQwwCgYDVQQDDANjYnQwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAATYgqxpjK7E
MVfi39oUEirWcjhgbQV3FojEvqgbNG13syvNoDWCXEfSKTfQkRdseSZ4vTJS9htc
JVlVHdPwwmZTo1MwUTAdBgNVHQ4EFgQUKI/XgbVTd286pEKeh7JDU349bp0wHwYD
VR0jBBgwFoAUKI/XgbVTd286pEKeh7JDU349bp0wDwYDVR0TAQH/BAUwAwEB/zAJ
BgcqhkjOPQQBA0gAMEUCIQDTVGeSsLp9GtHImcU3iWtqoB2CgERE4B2l8l74AtCb
fwIgO+EY1nfs/61gIe9dHZmHCA7ecZhbVvdrSpYYMZOf/+k=
-----END CERTIFICATE-----`,
  'ec-sha384': `-----BEGIN CERTIFICATE-----
MIIBcDCCARegAwIBAgIUJZnnsJFfaL8nWzzi7w0V3r2z8rEwCgYIKoZIzj0EAwMw
DjEMMAoGA1UEAwwDY2J0MB4XDTI2MTEyNDEzMjExOVoXDTM2MTEyMTEzMjExOVow
DjEMMAoGA1UEAwwDY2J0MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE2IKsaYyu
xDFX4t/aFBIq1nI4YG0FdxaIxL6oGzRtd7MrzaA1glxH0ik30JEXbHkmeL0yUvYb
XCVZVR3T8MJmU6NTMFEwHQYDVR0OBBYEFCiP14G1U3dvOqRCnoeyQ1N+PW6dMB8G
A1UdIwQYMBaAFCiP14G1U3dvOqRCnoeyQ1N+PW6dMA8GA1UdEwEB/wQFMAMBAf8w
CgYIKoZIzj0EAwMDRwAwRAIgR8JZAOUXTAbPi+tTOGjQt0YbQjdThVGHaCmEbTTV
zekCIC3c6yUg09XoC8DCznFsbs//8ox011eCVQYsgaziUUKP
-----END CERTIFICATE-----`,
  'ec-sha512': `-----BEGIN CERTIFICATE-----
MIIBcTCCARegAwIBAgIUGkdtOeNXJnFXA1JciNXx5osHoYAwCgYIKoZIzj0EAwQw
DjEMMAoGA1UEAwwDY2J0MB4XDTI2MTEyNDEzMjExOVoXDTM2MTEyMTEzMjExOVow
DjEMMAoGA1UEAwwDY2J0MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE2IKsaYyu
xDFX4t/aFBIq1nI4YG0FdxaIxL6oGzRtd7MrzaA1glxH0ik30JEXbHkmeL0yUvYb
XCVZVR3T8MJmU6NTMFEwHQYDVR0OBBYEFCiP14G1U3dvOqRCnoeyQ1N+PW6dMB8G
A1UdIwQYMBaAFCiP14G1U3dvOqRCnoeyQ1N+PW6dMA8GA1UdEwEB/wQFMAMBAf8w
CgYIKoZIzj0EAwQDSAAwRQIgRrGCgClHCT0SxQQD/f5vlpl0kc5wxgXnkSQrPP1N
yU0CIQCC7qMrqqVoSwxZa3lG2XSKXQVYFgC3/XZSr+IJGTq26g==
-----END CERTIFICATE-----`,
  'pss-sha384': `-----BEGIN CERTIFICATE-----
MIICYDCCAZWgAwIBAgIUU1JJPwhmxpMGM1iBWHNbjYem2eIwQQYJKoZIhvcNAQEK
MDSgDzANBglghkgBZQMEAgIFAKEcMBoGCSqGSIb3DQEBCDANBglghkgBZQMEAgIF
AKIDAgFOMA4xDDAKBgNVBAMMA2NidDAeFw0yNjExMjQxMzIxMTlaFw0zNjExMjEx
MzIxMTlaMA4xDDAKBgNVBAMMA2NidDCBnzANBgkqhkiG9w0BAQEFAAOBjQAwgYkC
gYEAyxpCoEg9IlML5d01WEXn563SLZbbYsR08J3HHDCieLCT8TIutgoRJwGmfS1F
HyrLCSwAneELzLpZeYT8OvFcX/sQgBPlBswXu4B4AtRSBkMklABLVZCdYenjMGVy
CD3VXVhBO1f6FI6FuGs5kGmc2TOe+sOobRRQiqL81iLeOFECAwEAAaNTMFEwHQYD
VR0OBBYEFPl5peLhBE6FjWbHwgd+OMuFmpTzMB8GA1UdIwQYMBaAFPl5peLhBE6F
jWbHwgd+OMuFmpTzMA8GA1UdEwEB/wQFMAMBAf8wQQYJKoZIhvcNAQEKMDSgDzAN
BglghkgBZQMEAgIFAKEcMBoGCSqGSIb3DQEBCDANBglghkgBZQMEAgIFAKIDAgFO
A4GBAAnxfZSaBhGzJbVFNEnnOgsd4N8+25Dugn6VLC+JRWtV7luJlTyXJQvtj+4p
dr+HEdRwkomDzvQljlXFX7+TcuDFAEebbQ2nh6Y6OICvqVA4Gg8RY6yXMY2e9IsN
gawJg6+ztEd7YbuAUQgh+A88RRC23vX5M6AOLHhINwd6+C28
-----END CERTIFICATE-----`,
  'rsa-md5': `-----BEGIN CERTIFICATE-----
MIIB+DCCAWGgAwIBAgIUSt5z2JSKrymGqqilHoKZ5pa5IvgwDQYJKoZIhvcNAQEE
BQAwDjEMMAoGA1UEAwwDY2J0MB4XDTI2MTEyNDEzMjExOVoXDTM2MTEyMTEzMjEx
OVowDjEMMAoGA1UEAwwDY2J0MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDL
GkKgSD0iUwvl3TVYRefnrdItlttixHTwncccMKJ4sJPxMi62ChEnAaZ9LUUfKssJ
LACd4QvMull5hPw68Vxf+xCAE+UGzBe7gHgC1FIGQySUAEtVkJ1h6eMwZXIIPdVd
WEE7V/oUjoW4azmQaZzZM576w6htFFCKovzWIt44UQIDAQABo1MwUTAdBgNVHQ4E
FgQU+Xml4uEEToWNZsfCB344y4WalPMwHwYDVR0jBBgwFoAU+Xml4uEEToWNZsfC
B344y4WalPMwDwYDVR0TAQH/BAUwAwEB/zANBgkqhkiG9w0BAQQFAAOBgQCzUgYw
MUcW+m1+jP3XSQJ5/T35g0OltqkdTPk4OVniGnQHRr1w+oJsZ/ORiHYH6ksJy6Yk
cIGNjImuNb0gPj74HMzOvQv7HCYHpW57wzuuN3hYLh8JOtBbPcDuPR7Z5h+AhLA1
t4ScFeB+zM+3XpXrbqGFP1bjVT2Yz8z8OII2wA==
-----END CERTIFICATE-----`,
  'ed': `-----BEGIN CERTIFICATE-----
MIIBMDCB46ADAgECAhQS3R3o3r/SLGEEkL/0ExR8C86DlzAFBgMrZXAwDjEMMAoG
A1UEAwwDY2J0MB4XDTI2MTEyNDEzMjExOVoXDTM2MTEyMTEzMjExOVowDjEMMAoG
A1UEAwwDY2J0MCowBQYDK2VwAyEA0SMSS6aWCp1Ay4gJWaCu4VFRrR5XVex2IW4J
uqvMvKujUzBRMB0GA1UdDgQWBBRtEMf4pJc+TetfLIbgOylFGFZ0HjAfBgNVHSME
GDAWgBRtEMf4pJc+TetfLIbgOylFGFZ0HjAPBgNVHRMBAf8EBTADAQH/MAUGAytl
cANBACwLlpUX54XXa/oJeG+g16aNNjxgCPCv8ixNeGpo0enJunSbb+qpqxApA8om
vGPZRFTruvTt2KzBKq1GFzT/vAk=
-----END CERTIFICATE-----`,
};

const der = (name: keyof typeof CERTS): Uint8Array => new Uint8Array(new X509Certificate(CERTS[name]).raw);
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const PREFIX = Buffer.from('tls-server-end-point:').toString('hex');

describe('tlsServerEndPoint (RFC 5929 section 4.1)', () => {
  it.each([
    ['ec-sha1', 'sha256', '05440aebf47a37bc05779032f5be9491590d5bdbb1391082c42966a9a2b24fb8', 'ecdsa-with-SHA1 becomes SHA-256'],
    ['ec-sha384', 'sha384', '019d4124c58b54c6d419d7600531ddcd45524c3bc3d8633547c74c94507c690bc6fcbe555932ae195ef60ded8a4df38c', 'ecdsa-with-SHA384 keeps SHA-384'],
    ['ec-sha512', 'sha512', 'fc0a90906c976fdb599be69058665b18db064dabdee54b1212d60bd47ce5f0f7d1a17f14704186a0f808487740758cfc21f67aaa6dce727dea87826ff83ecf55', 'ecdsa-with-SHA512 keeps SHA-512'],
    ['pss-sha384', 'sha384', '9bbf2ad7304cb6a64084b110cde825065fffc3ed6386f250bac2ebd56f161e0ffbdccc41e100d4a308decadf1734ebfc', 'RSASSA-PSS reads SHA-384 from its parameters'],
    ['rsa-md5', 'sha256', '0b1652bd26f9d9fcee6aedf8f9847d34956c517ceab44ed1b914ed2615a363e2', 'md5WithRSAEncryption becomes SHA-256'],
  ] as const)('%s: hashes with %s', (name, hash, digest, _why) => {
    expect(certificateHash(der(name))).toBe(hash);
    expect(hex(tlsServerEndPoint(der(name)))).toBe(PREFIX + digest);
  });

  it('refuses Ed25519, for which RFC 5929 defines no hash', () => {
    expect(() => tlsServerEndPoint(der('ed'))).toThrow(AuthError);
    expect(() => tlsServerEndPoint(der('ed'))).toThrow('no tls-server-end-point hash is defined for signature algorithm 1.3.101.112');
  });

  it('refuses truncated or non-certificate DER with AuthError, never a RangeError', () => {
    const full = der('ec-sha384');
    for (const cut of [0, 1, 2, 5, 40, full.length - 80, full.length - 1]) {
      expect(() => tlsServerEndPoint(full.subarray(0, cut))).toThrow(AuthError);
    }
    expect(() => tlsServerEndPoint(Uint8Array.of(0x30, 0x84, 0xff, 0xff, 0xff, 0xff))).toThrow(AuthError);
  });
});

describe('channelBindingsHash', () => {
  it('is MD5 of five zero-or-length u32 fields and the application data', () => {
    const data = new Uint8Array([...Buffer.from('tls-server-end-point:'), ...Array.from({ length: 32 }, (_, i) => i)]);
    expect(hex(channelBindingsHash(data))).toBe('8f1214c9c9cab8dc3bf866da9aba57a7');
  });
});
