/**
 * Random inputs built from each format's own vocabulary, so they get past the first check.
 *
 * Mutated fixtures (mutate.mjs) stay close to real traffic; these explore shapes no fixture has:
 * random trees of SOAP / CLIXML elements, fragment headers with absurd ids and lengths, NTLM
 * security buffers pointing anywhere, MIME framing with odd headers.
 */
import fc from 'fast-check';
import { concat } from './mutate.mjs';

const NS_DECLS =
  ' xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing"' +
  ' xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" xmlns:rsp="http://schemas.microsoft.com/wbem/wsman/1/windows/shell"' +
  ' xmlns:n="http://schemas.xmlsoap.org/ws/2004/09/enumeration" xmlns:x="http://schemas.xmlsoap.org/ws/2004/09/transfer"' +
  ' xmlns:f="http://schemas.microsoft.com/wbem/wsman/1/wsmanfault" xmlns:p="http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd"' +
  ' xmlns:wsmid="http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd"';

const SOAP_NAMES = [
  's:Header', 's:Body', 's:Fault', 's:Code', 's:Value', 's:Subcode', 's:Reason', 's:Text', 's:Detail', 'a:Action', 'a:MessageID',
  'a:RelatesTo', 'a:To', 'w:SelectorSet', 'w:Selector', 'w:OptionSet', 'w:Option', 'w:OperationTimeout', 'w:MaxEnvelopeSize',
  'w:ResourceURI', 'p:OperationID', 'p:SequenceId', 'rsp:Shell', 'rsp:ShellId', 'rsp:ReceiveResponse', 'rsp:Stream',
  'rsp:CommandState', 'rsp:ExitCode', 'rsp:CommandResponse', 'rsp:CommandId', 'rsp:Receive', 'rsp:Send', 'rsp:Signal',
  'rsp:Code', 'rsp:CommandLine', 'rsp:Command', 'rsp:Arguments', 'rsp:IdleTimeOut', 'rsp:Environment', 'rsp:Variable',
  'x:ResourceCreated', 'a:ReferenceParameters', 'n:EnumerateResponse', 'n:PullResponse', 'n:EnumerationContext', 'w:Items',
  'n:Items', 'w:EndOfSequence', 'f:WSManFault', 'f:Message', 'f:ProviderFault', 'wsmid:IdentifyResponse', 'creationXml',
  'wsmid:Identify', 'q:Unbound',
];
const SOAP_ATTRS = ['Name', 'CommandId', 'End', 'State', 'Code', 'Machine', 's:mustUnderstand', 'xml:lang', 'ShellId', 'SequenceID', 'Unit', 'xmlns:z'];
const SOAP_TEXT = [
  '', 'x', 'true', '1', 'PT60S', 'PT-1S', 'P1Y', '153600', '-1', '99999999999999999999', 'AAAA', 'AAA', '==', 's:Sender',
  'w:TimedOut', 'zz:Nope', 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Done', 'uuid:1', '&amp;', '&#65;',
];

function xmlTree(names, attrs, texts, maxDepth) {
  const { node } = fc.letrec((tie) => ({
    node: fc.record({
      name: fc.constantFrom(...names),
      attrs: fc.array(fc.tuple(fc.constantFrom(...attrs), fc.constantFrom(...texts)), { maxLength: 3 }),
      text: fc.constantFrom(...texts),
      kids: fc.oneof({ maxDepth, depthIdentifier: 'xml' }, fc.constant([]), fc.array(tie('node'), { maxLength: 4 })),
    }),
  }));
  const write = (n, d) => {
    const a = n.attrs.map(([k, v]) => ` ${k}="${v}"`).join('');
    const inner = d >= maxDepth ? '' : n.kids.map((k) => write(k, d + 1)).join('');
    return `<${n.name}${a}>${n.text}${inner}</${n.name}>`;
  };
  return { node, write };
}

/** Random SOAP-shaped envelopes: right namespaces, random structure. */
export function randomEnvelope() {
  const { node, write } = xmlTree(SOAP_NAMES, SOAP_ATTRS, SOAP_TEXT, 8);
  return fc.array(node, { maxLength: 4 }).map((kids) => `<s:Envelope${NS_DECLS}>${kids.map((k) => write(k, 1)).join('')}</s:Envelope>`);
}

const CLIXML_NAMES = [
  'Obj', 'Ref', 'TN', 'TNRef', 'T', 'ToString', 'Props', 'MS', 'LST', 'IE', 'STK', 'QUE', 'DCT', 'En', 'S', 'B', 'I32', 'I64',
  'U64', 'By', 'SB', 'I16', 'U16', 'U32', 'C', 'Sg', 'Db', 'D', 'G', 'Version', 'URI', 'XD', 'SBK', 'SS', 'DT', 'TS', 'BA', 'PR',
  'AV', 'AI', 'PI', 'PC', 'SR', 'SD', 'Nil', 'Objs', 'Foo',
];
const CLIXML_ATTRS = ['N', 'RefId', 'S', 'Version'];
const CLIXML_TEXT = [
  '', '0', '1', '2', 'Key', 'Value', 'x', '-1', '2147483648', '1.5', 'INF', 'NaN', 'true', 'AAAA', 'A', 'PT1S', '-P1DT1H',
  '2020-01-01T00:00:00Z', '9999-12-31T23:59:59.9999999+14:00', '1.2.3.4', '00000000-0000-0000-0000-000000000000',
  '_x000D__x000A_', '_xD800_', '&lt;', '&#x10FFFF;', ' ', 'System.Enum', 'Completed',
];

/** Random CLIXML trees from the §2.2.5 vocabulary (and a few wrong names). */
export function randomClixml() {
  const { node, write } = xmlTree(CLIXML_NAMES, CLIXML_ATTRS, CLIXML_TEXT, 12);
  return node.map((n) => write(n, 0));
}

const u64be = (v) => {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(v), false);
  return out;
};

const ID = fc.oneof(
  fc.constantFrom(0, 1, 2, 3, Number.MAX_SAFE_INTEGER, 2 ** 53, 2 ** 63, 2 ** 64 - 1),
  fc.nat({ max: 8 }),
).map((v) => BigInt.asUintN(64, BigInt(v)));

/** Fragment streams (MS-PSRP 2.2.4) with arbitrary ids, flags and declared lengths. */
export function randomFragments() {
  const frag = fc.record({
    objectId: ID,
    fragmentId: ID,
    flags: fc.constantFrom(0, 1, 2, 3, 0xff, 0xfc),
    declared: fc.option(fc.constantFrom(0, 1, 0xffff, 0x7fffffff, 0xffffffff, 64 * 1024 * 1024 + 1), { nil: undefined }),
    blob: fc.uint8Array({ maxLength: 96 }),
    message: fc.option(fc.record({ type: fc.constantFrom(0x00010002, 0x00041004, 0x00021006, 0x00041002, 0x00010008, 7), xml: randomClixml() }), { nil: undefined }),
  });
  const encode = (f) => {
    let blob = f.blob;
    if (f.message) {
      const head = new Uint8Array(40);
      const view = new DataView(head.buffer);
      view.setUint32(0, 1 + (f.flags & 1), true);
      view.setUint32(4, f.message.type, true);
      blob = concat(head, new TextEncoder().encode(f.message.xml));
    }
    const len = new Uint8Array(4);
    new DataView(len.buffer).setUint32(0, f.declared ?? blob.length, false);
    return concat(u64be(f.objectId), u64be(f.fragmentId), Uint8Array.of(f.flags), len, blob);
  };
  return fc.array(fc.array(frag, { minLength: 1, maxLength: 4 }).map((fs) => concat(...fs.map(encode))), { minLength: 1, maxLength: 6 });
}

const SIGNATURE = Uint8Array.of(0x4e, 0x54, 0x4c, 0x4d, 0x53, 0x53, 0x50, 0x00);

/** NTLM-shaped tokens: the right signature and type, security buffers pointing anywhere. */
export function randomNtlm() {
  return fc
    .record({
      type: fc.constantFrom(1, 2, 3, 4, 0),
      header: fc.constantFrom(16, 24, 32, 40, 48, 56, 64, 72, 88),
      fields: fc.array(fc.record({ len: fc.constantFrom(0, 1, 2, 8, 24, 0xffff, 7), off: fc.constantFrom(0, 8, 40, 56, 72, 88, 0xffffffff, 0x7fffffff, 100) }), { maxLength: 6 }),
      flags: fc.constantFrom(0, 0xffffffff, 0xe2888235, 0x00000001, 0x00800000),
      payload: fc.uint8Array({ maxLength: 200 }),
    })
    .map(({ type, header, fields, flags, payload }) => {
      const head = new Uint8Array(header);
      head.set(SIGNATURE.subarray(0, Math.min(8, header)), 0);
      const view = new DataView(head.buffer);
      if (header >= 12) view.setUint32(8, type, true);
      const fieldSlots = type === 1 ? [16, 24] : type === 2 ? [12, 40] : [12, 20, 28, 36, 44, 52];
      fields.forEach((f, k) => {
        const slot = fieldSlots[k % fieldSlots.length];
        if (slot + 8 > header) return;
        view.setUint16(slot, f.len, true);
        view.setUint16(slot + 2, f.len, true);
        view.setUint32(slot + 4, f.off, true);
      });
      const flagsAt = type === 1 ? 12 : type === 2 ? 20 : 60;
      if (flagsAt + 4 <= header) view.setUint32(flagsAt, flags, true);
      return concat(head, payload);
    });
}

/** multipart/encrypted bodies with arbitrary headers, lengths and trailers (MS-WSMV 2.2.9.1). */
export function randomEncrypted() {
  const line = fc.constantFrom(
    '--Encrypted Boundary\r\n', '\tContent-Type: application/HTTP-SPNEGO-session-encrypted\r\n',
    '\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=10\r\n', '\tOriginalContent: Length=99999999999\r\n',
    '\tOriginalContent: type=x;Length=0\r\n', '\tContent-Type: application/octet-stream\r\n', '\tContent-Type: text/plain\r\n',
    '--Encrypted Boundary--\r\n', '--Encrypted Boundary--', '\r\n', 'Content-Type:\r\n', '--Encrypted Boundary',
  );
  return fc
    .record({
      lines: fc.array(line, { maxLength: 8 }),
      headerLength: fc.constantFrom(0, 4, 16, 17, 0xffff, 0x10000, 0xffffffff),
      header: fc.uint8Array({ maxLength: 24 }),
      data: fc.uint8Array({ maxLength: 64 }),
      tail: fc.constantFrom('--Encrypted Boundary--\r\n', '--Encrypted Boundary--', '', 'junk', '--Encrypted Boundary--\r\nx'),
    })
    .map(({ lines, headerLength, header, data, tail }) => {
      const len = new Uint8Array(4);
      new DataView(len.buffer).setUint32(0, headerLength, true);
      const latin1 = (s) => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);
      return concat(latin1(lines.join('')), len, header, data, latin1(tail));
    });
}
