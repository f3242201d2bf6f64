/**
 * The Kerberos messages an acceptor reads and writes (RFC 4120 section 5), as plain objects:
 *
 * ```
 * AP-REQ        ::= [APPLICATION 14] SEQUENCE { pvno[0] 5, msg-type[1] 14, ap-options[2] BIT STRING,
 *                                               ticket[3] Ticket, authenticator[4] EncryptedData }
 * Ticket        ::= [APPLICATION 1] SEQUENCE { tkt-vno[0], realm[1], sname[2] PrincipalName, enc-part[3] EncryptedData }
 * EncTicketPart ::= [APPLICATION 3] SEQUENCE { flags[0], key[1] EncryptionKey, crealm[2], cname[3],
 *                                              transited[4], authtime[5], starttime[6]?, endtime[7], renew-till[8]?, … }
 * Authenticator ::= [APPLICATION 2] SEQUENCE { vno[0] 5, crealm[1], cname[2], cksum[3] Checksum?, cusec[4],
 *                                              ctime[5], subkey[6] EncryptionKey?, seq-number[7]?, … }
 * AP-REP        ::= [APPLICATION 15] SEQUENCE { pvno[0] 5, msg-type[1] 15, enc-part[2] EncryptedData }
 * EncAPRepPart  ::= [APPLICATION 27] SEQUENCE { ctime[0], cusec[1], subkey[2]?, seq-number[3]? }
 * EncryptedData ::= SEQUENCE { etype[0], kvno[1]?, cipher[2] OCTET STRING }
 * PrincipalName ::= SEQUENCE { name-type[0], name-string[1] SEQUENCE OF GeneralString }
 * ```
 * Key usages (RFC 4120 7.5.1): ticket 2, authenticator 11, EncAPRepPart 12.
 */
import * as der from '../der.js';
import { decrypt, encrypt, type Key } from './crypto.js';

export const KEY_USAGE_TICKET = 2;
export const KEY_USAGE_AUTHENTICATOR = 11;
export const KEY_USAGE_AP_REP = 12;

export interface EncryptedData {
  etype: number;
  kvno: number | undefined;
  cipher: Uint8Array;
}

export interface PrincipalName {
  nameType: number;
  names: string[];
}

export interface ApReq {
  /** AP options bits (mutual-required is 0x20000000 of the first 32 bits). */
  mutualRequired: boolean;
  ticket: { realm: string; sname: PrincipalName; encPart: EncryptedData };
  authenticator: EncryptedData;
}

export interface EncTicketPart {
  key: Key;
  crealm: string;
  cname: PrincipalName;
  authtime: number;
  starttime: number | undefined;
  endtime: number;
}

export interface Authenticator {
  crealm: string;
  cname: PrincipalName;
  checksum: { type: number; value: Uint8Array } | undefined;
  cusec: number;
  ctime: number;
  subkey: Key | undefined;
  seqNumber: number | undefined;
}

/** `name1/name2` */
export const principalText = (p: PrincipalName): string => p.names.join('/');

function unwrapApp(bytes: Uint8Array, n: number, what: string): der.Tlv {
  const outer = der.expectTlv(bytes, der.app(n), what);
  return der.expectTlv(outer.value, der.TAG.SEQUENCE, what);
}

function readEncryptedData(t: der.Tlv, what: string): EncryptedData {
  const f = der.fields(t, what);
  const kvno = f.get(1);
  return {
    etype: der.readInteger(der.required(f, 0, what), `${what}.etype`),
    kvno: kvno === undefined ? undefined : der.readInteger(kvno, `${what}.kvno`) >>> 0,
    cipher: der.readOctets(der.required(f, 2, what), `${what}.cipher`),
  };
}

function readPrincipal(t: der.Tlv, what: string): PrincipalName {
  const f = der.fields(t, what);
  const list = der.required(f, 1, what);
  if (list.tag !== der.TAG.SEQUENCE) throw new der.DerError(`${what}.name-string is not a SEQUENCE`);
  return {
    nameType: der.readInteger(der.required(f, 0, what), `${what}.name-type`),
    names: der.children(list.value).map((c) => der.readString(c, `${what}.name-string`)),
  };
}

function readKey(t: der.Tlv, what: string): Key {
  const f = der.fields(t, what);
  return { enctype: der.readInteger(der.required(f, 0, what), `${what}.keytype`), value: new Uint8Array(der.readOctets(der.required(f, 1, what), `${what}.keyvalue`)) };
}

function expectInt(f: Map<number, der.Tlv>, n: number, want: number, what: string): void {
  const got = der.readInteger(der.required(f, n, what), what);
  if (got !== want) throw new der.DerError(`${what} is ${got}, expected ${want}`);
}

/** Decodes an AP-REQ (the bytes after the GSS framing). @throws DerError */
export function decodeApReq(bytes: Uint8Array): ApReq {
  const f = der.fields(unwrapApp(bytes, 14, 'AP-REQ'), 'AP-REQ');
  expectInt(f, 0, 5, 'AP-REQ pvno');
  expectInt(f, 1, 14, 'AP-REQ msg-type');
  const options = der.readBitString(der.required(f, 2, 'AP-REQ'), 'ap-options');
  const ticket = der.fields(unwrapApp(der.required(f, 3, 'AP-REQ').raw, 1, 'Ticket'), 'Ticket');
  expectInt(ticket, 0, 5, 'Ticket tkt-vno');
  return {
    mutualRequired: (((options[0] ?? 0) >> 5) & 1) === 1,
    ticket: {
      realm: der.readString(der.required(ticket, 1, 'Ticket'), 'Ticket.realm'),
      sname: readPrincipal(der.required(ticket, 2, 'Ticket'), 'Ticket.sname'),
      encPart: readEncryptedData(der.required(ticket, 3, 'Ticket'), 'Ticket.enc-part'),
    },
    authenticator: readEncryptedData(der.required(f, 4, 'AP-REQ'), 'AP-REQ.authenticator'),
  };
}

/** Decrypts and decodes a ticket's enc-part with the service key. @throws KrbCryptoError, DerError */
export function decryptTicket(encPart: EncryptedData, serviceKey: Key): EncTicketPart {
  const plain = decrypt(serviceKey, KEY_USAGE_TICKET, encPart.cipher);
  const f = der.fields(unwrapApp(plain, 3, 'EncTicketPart'), 'EncTicketPart');
  const start = f.get(6);
  return {
    key: readKey(der.required(f, 1, 'EncTicketPart'), 'EncTicketPart.key'),
    crealm: der.readString(der.required(f, 2, 'EncTicketPart'), 'crealm'),
    cname: readPrincipal(der.required(f, 3, 'EncTicketPart'), 'cname'),
    authtime: der.readTime(der.required(f, 5, 'EncTicketPart'), 'authtime'),
    starttime: start === undefined ? undefined : der.readTime(start, 'starttime'),
    endtime: der.readTime(der.required(f, 7, 'EncTicketPart'), 'endtime'),
  };
}

/** Decrypts and decodes the authenticator with the ticket's session key. @throws KrbCryptoError, DerError */
export function decryptAuthenticator(enc: EncryptedData, sessionKey: Key): Authenticator {
  const plain = decrypt(sessionKey, KEY_USAGE_AUTHENTICATOR, enc.cipher);
  const f = der.fields(unwrapApp(plain, 2, 'Authenticator'), 'Authenticator');
  expectInt(f, 0, 5, 'Authenticator vno');
  const ck = f.get(3);
  let checksum: Authenticator['checksum'];
  if (ck !== undefined) {
    const c = der.fields(ck, 'Checksum');
    checksum = { type: der.readInteger(der.required(c, 0, 'Checksum'), 'cksumtype'), value: der.readOctets(der.required(c, 1, 'Checksum'), 'checksum') };
  }
  const subkey = f.get(6);
  const seq = f.get(7);
  return {
    crealm: der.readString(der.required(f, 1, 'Authenticator'), 'crealm'),
    cname: readPrincipal(der.required(f, 2, 'Authenticator'), 'cname'),
    checksum,
    cusec: der.readInteger(der.required(f, 4, 'Authenticator'), 'cusec'),
    ctime: der.readTime(der.required(f, 5, 'Authenticator'), 'ctime'),
    subkey: subkey === undefined ? undefined : readKey(subkey, 'Authenticator.subkey'),
    // UInt32, though some implementations encode it as a negative Int32.
    seqNumber: seq === undefined ? undefined : der.readInteger(seq, 'seq-number') >>> 0,
  };
}

const encodeKey = (k: Key): Uint8Array => der.sequence(der.field(0, der.integer(k.enctype)), der.field(1, der.octets(k.value)));

/**
 * Builds the AP-REP for mutual authentication: the client's ctime/cusec, our subkey and initial
 * sequence number, encrypted with the ticket's session key (usage 12).
 */
export function encodeApRep(sessionKey: Key, reply: { ctime: number; cusec: number; subkey: Key; seqNumber: number }): Uint8Array {
  const encPart = der.tlv(
    der.app(27),
    der.sequence(
      der.field(0, der.generalizedTime(reply.ctime)),
      der.field(1, der.integer(reply.cusec)),
      der.field(2, encodeKey(reply.subkey)),
      der.field(3, der.integer(reply.seqNumber >>> 0)),
    ),
  );
  const cipher = encrypt(sessionKey, KEY_USAGE_AP_REP, encPart);
  return der.tlv(
    der.app(15),
    der.sequence(
      der.field(0, der.integer(5)),
      der.field(1, der.integer(15)),
      der.field(2, der.sequence(der.field(0, der.integer(sessionKey.enctype)), der.field(2, der.octets(cipher)))),
    ),
  );
}
