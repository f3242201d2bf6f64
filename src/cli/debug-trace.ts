/**
 * `--debug`: each HTTP exchange the transport reports through its trace hook, printed for a human.
 *
 * ```
 * debug: [web1] > POST http://web1:5985/wsman (connection 0, 2718 bytes sealed)
 * debug: [web1] > authorization: Negotiate <redacted, 40 bytes>
 * debug: [web1] >
 * debug: [web1] > <s:Envelope …>          (the SOAP body, unsealed, indented)
 * debug: [web1] < 200 OK (connection 0, 1944 bytes sealed, 12 ms)
 * ```
 *
 * The transport already hides credentials; this file hides them again, because a leak here lands
 * in bug reports and CI logs: every Authorization / WWW-Authenticate (and proxy, cookie) value keeps
 * its scheme names and loses everything after them (the transport's `<redacted, N bytes>` marker
 * stays), and the password is blanked wherever it would appear. Long bodies are cut.
 */
import type { TraceEvent } from '../transport/index.js';

export type { TraceEvent };

const SECRET_HEADER = /^(?:proxy-)?(?:authorization|authenticate|www-authenticate)$|^(?:set-)?cookie$/i;
const SCHEME = /^\s*([A-Za-z][A-Za-z0-9._+-]*)(?:\s+(\S[\s\S]*))?$/;
/** The transport's own marker (`<redacted, 40 bytes>`) holds no secret and tells the token's size. */
const MARKER = /^<redacted(?:, \d+ bytes)?>$/;
const MAX_BODY_CHARS = 64 * 1024;
const STATUS_TEXT: Record<number, string> = { 200: 'OK', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 500: 'Internal Server Error', 503: 'Service Unavailable' };

/** A header value safe to print: credentials and challenges keep only their scheme names. */
export function redactHeader(name: string, value: string): string {
  if (!SECRET_HEADER.test(name)) return value;
  if (/cookie/i.test(name)) return '[redacted]';
  return value
    .split(/,(?![^<]*>)/) // not inside the transport's marker
    .map((part) => {
      const m = SCHEME.exec(part);
      if (!m) return '[redacted]';
      if (m[2] === undefined) return m[1] ?? '[redacted]';
      return `${m[1]} ${MARKER.test(m[2].trim()) ? m[2].trim() : '[redacted]'}`;
    })
    .join(', ');
}

/** Indents XML one element per line (text-only elements stay on one line); not a validator. */
export function prettyXml(xml: string): string {
  const tokens = xml.match(/<[^>]*>|[^<]+/g) ?? [];
  const lines: string[] = [];
  let depth = 0;
  const push = (text: string): void => void lines.push(`${'  '.repeat(depth)}${text}`);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] ?? '';
    if (t.startsWith('</')) {
      depth = Math.max(0, depth - 1);
      push(t);
    } else if (!t.startsWith('<')) {
      if (t.trim()) push(t.trim());
    } else if (t.startsWith('<?') || t.startsWith('<!') || t.endsWith('/>')) {
      push(t);
    } else {
      const next = tokens[i + 1];
      const after = tokens[i + 2];
      if (next !== undefined && !next.startsWith('<') && after?.startsWith('</')) {
        push(`${t}${next}${after}`);
        i += 2;
      } else if (next?.startsWith('</')) {
        push(`${t}${next}`);
        i += 1;
      } else {
        push(t);
        depth++;
      }
    }
  }
  return lines.join('\n');
}

function bodyLines(body: string): string[] {
  let text = body;
  let cut = '';
  if (text.length > MAX_BODY_CHARS) {
    cut = `[… ${text.length - MAX_BODY_CHARS} more characters]`;
    text = text.slice(0, MAX_BODY_CHARS);
  }
  const shown = text.trimStart().startsWith('<') ? prettyXml(text) : text;
  return [...shown.split(/\r?\n/), ...(cut ? [cut] : [])];
}

/**
 * The lines (without the `debug: ` prefix) that show one traced HTTP message.
 * @param secrets strings blanked wherever they appear (the password and its Basic form), though
 *   the transport never puts them in a trace: a second lock on the same door.
 */
export function formatTrace(event: TraceEvent, secrets: readonly string[] = []): string[] {
  const arrow = event.type === 'request' ? '>' : '<';
  const prefix = `[${event.host}] ${arrow} `;
  const wire = `connection ${event.connection}, ${event.bytes} bytes${event.sealed ? ' sealed' : ''}`;
  const lines: string[] =
    event.type === 'request'
      ? [`${event.method} ${event.url} (${wire})`]
      : [`${event.status} ${STATUS_TEXT[event.status] ?? ''}`.trimEnd() + ` (${wire}, ${event.durationMs} ms)`];
  for (const [name, value] of Object.entries(event.headers)) lines.push(`${name}: ${redactHeader(name, value)}`);
  if (event.body !== '') lines.push('', ...(event.sealed ? ['(sealed on the wire; shown unsealed)'] : []), ...bodyLines(event.body));
  return lines.map((l) => scrubSecrets(`${prefix}${l}`.trimEnd(), secrets));
}

function scrubSecrets(line: string, secrets: readonly string[]): string {
  let out = line;
  for (const secret of secrets) if (secret.length >= 3) out = out.split(secret).join('***');
  return out;
}
