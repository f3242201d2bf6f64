/**
 * The REPL's prompts, as Enter-PSSession shows them: `[web1]: PS C:\Users\me> ` (the remote
 * location after every command), and `>> ` while a command is unfinished.
 */

export const CONTINUATION_PROMPT = '>> ';

/** The first remote line of `(Get-Location).Path` output, cleaned for a prompt (no control characters). */
export function locationText(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const clean = value.replace(/[\u0000-\u001f\u007f]/g, '');
  return clean === '' ? undefined : clean;
}

/**
 * The main prompt: `[HOST]: PS LOCATION> `, or `[HOST]: PS> ` before the location is known.
 * @param host the name to show (the host as typed, without scheme or port)
 */
export function formatPrompt(host: string, location: string | undefined): string {
  return location === undefined ? `[${host}]: PS> ` : `[${host}]: PS ${location}> `;
}
