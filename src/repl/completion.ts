/**
 * Tab completion through the remote TabExpansion2: its CommandCompletion answer, mapped onto what
 * node:readline can do with a completer's result.
 *
 * TabExpansion2 says "replace ReplacementLength characters at ReplacementIndex with one of
 * CompletionMatches[].CompletionText". readline's completer returns `[matches, substring]` and then
 * only appends: with one match it inserts `match.slice(substring.length)`, with several it inserts
 * their common prefix beyond `substring` and lists them. That is right when every match starts with
 * the typed text; PowerShell also fixes case (`get-pro` → `Get-Process`) and rewrites paths
 * (`./my f` → `'./my file'`), so those answers become an explicit replacement the REPL performs
 * itself (delete the typed text, insert the new one).
 */
import { PSObject, type PSValue } from '../psrp/clixml/index.js';

/** The parts of System.Management.Automation.CommandCompletion the REPL uses. */
export interface CommandCompletion {
  replacementIndex: number;
  replacementLength: number;
  /** CompletionText of each CompletionResult, in the server's order. */
  matches: string[];
}

/** What the REPL does with a completion. */
export type LineCompletion =
  /** Hand `[matches, substring]` to readline. */
  | { kind: 'list'; matches: string[]; substring: string }
  /** Delete `remove` characters before the cursor, then insert `insert`. */
  | { kind: 'replace'; remove: number; insert: string };

const listItems = (v: PSValue | undefined): PSValue[] => {
  if (v instanceof PSObject) return listItems(v.value);
  if (v !== null && typeof v === 'object' && 'items' in v && Array.isArray(v.items)) return v.items as PSValue[];
  return [];
};

/** Reads a CommandCompletion object (as deserialized); null for anything else. */
export function parseCommandCompletion(v: PSValue): CommandCompletion | null {
  if (!(v instanceof PSObject)) return null;
  const index = v.get('ReplacementIndex');
  const length = v.get('ReplacementLength');
  if (typeof index !== 'number' || typeof length !== 'number') return null;
  const matches: string[] = [];
  for (const m of listItems(v.get('CompletionMatches'))) {
    const text = m instanceof PSObject ? m.get('CompletionText') : undefined;
    if (typeof text === 'string' && text !== '') matches.push(text);
  }
  return { replacementIndex: index, replacementLength: length, matches };
}

/** The longest prefix shared by every string, compared without case (spelled as in the first). */
function commonPrefix(items: string[]): string {
  let prefix = items[0] ?? '';
  for (const s of items.slice(1)) {
    let k = 0;
    while (k < prefix.length && k < s.length && prefix[k]!.toLowerCase() === s[k]!.toLowerCase()) k++;
    prefix = prefix.slice(0, k);
  }
  return prefix;
}

/**
 * Maps a completion onto the line being edited.
 * @param c the server's answer for the input `pending + line`
 * @param line the current line up to the cursor
 * @param offset where `line` starts in the text sent to TabExpansion2 (earlier lines of an unfinished command)
 */
export function toLineCompletion(c: CommandCompletion, line: string, offset = 0): LineCompletion {
  const start = Math.max(0, Math.min(line.length, c.replacementIndex - offset));
  // readline can only replace up to the cursor: the text from the replacement's start does.
  const typed = line.slice(start);
  const none: LineCompletion = { kind: 'list', matches: [], substring: typed };
  if (c.matches.length === 0) return none;
  if (c.matches.length === 1) {
    const only = c.matches[0]!;
    if (only === typed) return none;
    return only.startsWith(typed) ? { kind: 'list', matches: [only], substring: typed } : { kind: 'replace', remove: typed.length, insert: only };
  }
  if (c.matches.every((m) => m.startsWith(typed))) return { kind: 'list', matches: c.matches, substring: typed };
  // Matches differ from the typed text in case or form: first put in what they share, then list them.
  const shared = commonPrefix(c.matches);
  if (shared.length > typed.length || (shared.length === typed.length && shared !== typed && shared.toLowerCase() === typed.toLowerCase())) {
    return { kind: 'replace', remove: typed.length, insert: shared };
  }
  return { kind: 'list', matches: c.matches, substring: typed };
}
