/** The REPL's prompts (src/repl/prompt.ts). */
import { describe, expect, it } from 'vitest';
import { CONTINUATION_PROMPT, formatPrompt, locationText } from '../../src/repl/prompt.js';

describe('prompt', () => {
  it('shows [HOST]: PS LOCATION> as Enter-PSSession does', () => {
    expect(formatPrompt('web1', 'C:\\Users\\admin\\Documents')).toBe('[web1]: PS C:\\Users\\admin\\Documents> ');
    expect(formatPrompt('127.0.0.1', '/tmp')).toBe('[127.0.0.1]: PS /tmp> ');
  });

  it('shows [HOST]: PS> before the location is known', () => {
    expect(formatPrompt('web1', undefined)).toBe('[web1]: PS> ');
  });

  it('continues unfinished commands with >> ', () => {
    expect(CONTINUATION_PROMPT).toBe('>> ');
  });

  it('takes the location from a string, without control characters', () => {
    expect(locationText('C:\\x')).toBe('C:\\x');
    expect(locationText('/a\u001b[31m/b\n')).toBe('/a[31m/b');
    expect(locationText('')).toBeUndefined();
    expect(locationText(42)).toBeUndefined();
    expect(locationText(null)).toBeUndefined();
  });
});
