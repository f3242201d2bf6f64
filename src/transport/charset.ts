/**
 * Decodes a response body by its declared charset. WinRM answers UTF-8 unless the request asked
 * otherwise, but Windows can answer `charset=utf-16` (MS-WSMV 2.2.4.3 DataLocale/charset;
 * pywinrm and pypsrp both accept it). A byte order mark overrides the header, as in the WHATWG
 * encoding sniffing rules; `utf-16` without a BOM is taken as little-endian, which is what Windows sends.
 */

/** The `charset` parameter of a Content-Type value, lower-cased, or undefined. */
export function charsetOf(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined;
  const m = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType);
  return m?.[1]?.toLowerCase();
}

/** Decodes `body` as text: BOM first, then the Content-Type charset, then UTF-8. */
export function decodeBody(body: Uint8Array, contentType: string | undefined): string {
  const buf = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) return buf.toString('utf8', 3);
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) return buf.toString('utf16le', 2);
  if (buf.length >= 2 && buf[0] === 0xfe && buf[1] === 0xff) return utf16be(buf.subarray(2));
  const charset = charsetOf(contentType);
  switch (charset) {
    case undefined:
    case 'utf-8':
    case 'utf8':
      return buf.toString('utf8');
    case 'utf-16':
    case 'utf-16le':
    case 'utf16le':
    case 'ucs-2':
      return buf.toString('utf16le');
    case 'utf-16be':
      return utf16be(buf);
    default:
      try {
        return new TextDecoder(charset).decode(buf);
      } catch {
        return buf.toString('utf8'); // unknown label: SOAP 1.2 bodies are UTF-8 unless said otherwise
      }
  }
}

function utf16be(buf: Buffer): string {
  const even = buf.length - (buf.length % 2);
  const swapped = Buffer.from(buf.subarray(0, even));
  swapped.swap16();
  return swapped.toString('utf16le');
}
