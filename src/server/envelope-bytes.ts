/**
 * A response envelope as the bytes we send (UTF-8). Nearly every envelope is ASCII (markup,
 * base64 stream data, GUIDs); for ASCII text Latin-1 gives the same bytes as UTF-8 and Node
 * writes it several times faster (a plain copy, no transcoding). `Buffer.byteLength` in UTF-8
 * equals the string's length exactly when every character is ASCII (anything else takes two or
 * more bytes per UTF-16 unit), so the check is exact; an envelope with other text (a fault
 * message, a CLIXML string) is encoded as UTF-8.
 */
export function envelopeBytes(text: string): Buffer {
  return Buffer.byteLength(text, 'utf8') === text.length ? Buffer.from(text, 'latin1') : Buffer.from(text, 'utf8');
}
