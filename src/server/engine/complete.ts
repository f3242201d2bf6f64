/**
 * Tab completion (the core of TabExpansion2): commands, parameters (`Get-Process -N`), variables
 * (`$PSV`) and file paths, returned as PowerShell's CommandCompletion shapes them (the recorded
 * ironposh command_completion_get_ser.xml).
 */
import { readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PSObject, ps } from '../../psrp/clixml/index.js';
import { COMMON_PARAMETERS } from './binder.js';
import { ALIASES, BUILTINS, syntax } from './commands/index.js';
import { wildcardRegExp } from './operators.js';
import type { EngineSession } from './session.js';

/** One completion (System.Management.Automation.CompletionResult). */
export interface CompletionMatch {
  completionText: string;
  listItemText: string;
  /** CompletionResultType name: Command, ParameterName, Variable, ProviderItem, ProviderContainer. */
  resultType: string;
  toolTip: string;
}

/** What TabExpansion2 returns: the range to replace and the candidates. */
export interface CompletionResult {
  replacementIndex: number;
  replacementLength: number;
  matches: CompletionMatch[];
}

const AUTOMATIC = ['true', 'false', 'null', '_', 'PSItem', 'args', 'input', 'PWD', 'Host', 'env:'];

/**
 * Completes the word before `cursor` in `input`.
 * @param input the command line; @param cursor offset of the cursor (clamped to the text)
 */
export function complete(input: string, cursor: number, session: EngineSession): CompletionResult {
  const at = Math.max(0, Math.min(cursor, input.length));
  const before = input.slice(0, at);
  const word = /[^\s|;(){}=,]*$/.exec(before)?.[0] ?? '';
  const start = at - word.length;
  const result = (matches: CompletionMatch[]): CompletionResult => ({ replacementIndex: start, replacementLength: word.length, matches });
  if (word.startsWith('$')) {
    const prefix = word.slice(1).toLowerCase();
    const names = [...new Set([...session.variables.all().map((v) => v.name), ...AUTOMATIC])]
      .filter((n) => n.toLowerCase().startsWith(prefix)).sort((a, b) => a.localeCompare(b, 'en', { sensitivity: 'base' }));
    return result(names.map((n) => ({ completionText: `$${n}`, listItemText: n, resultType: 'Variable', toolTip: n })));
  }
  const element = before.slice(0, start).split(/[|;{(]/).pop() ?? '';
  const commandWord = element.trim().split(/\s+/)[0] ?? '';
  if (word.startsWith('-') && commandWord) {
    const target = (ALIASES.get(commandWord.toLowerCase()) ?? commandWord).toLowerCase();
    const def = BUILTINS.get(target);
    const params = [...(def?.params ?? []), ...COMMON_PARAMETERS];
    const prefix = word.slice(1).toLowerCase();
    return result(params.filter((p) => p.name.toLowerCase().startsWith(prefix)).map((p) => ({
      completionText: `-${p.name}`, listItemText: p.name, resultType: 'ParameterName',
      toolTip: p.type === 'switch' ? `[switch] ${p.name}` : `[${p.type === 'any' ? 'Object' : p.type === 'any[]' ? 'Object[]' : p.type}] ${p.name}`,
    })));
  }
  if (element.trim() === '' && word && !/[\\/]/.test(word)) {
    const re = wildcardRegExp(`${word}*`);
    const out: CompletionMatch[] = [];
    for (const d of BUILTINS.values()) if (re.test(d.name)) out.push({ completionText: d.name, listItemText: d.name, resultType: 'Command', toolTip: `\n${syntax(d)}\n` });
    for (const f of session.functions.values()) if (re.test(f.name)) out.push({ completionText: f.name, listItemText: f.name, resultType: 'Command', toolTip: `\n${f.name}\n` });
    for (const [a, t] of ALIASES) if (re.test(a) && !/^[%?]$/.test(a)) out.push({ completionText: a, listItemText: a, resultType: 'Command', toolTip: t });
    out.sort((x, y) => x.completionText.localeCompare(y.completionText, 'en', { sensitivity: 'base' }));
    if (out.length > 0) return result(out);
  }
  return result(pathMatches(word, session.location));
}

function pathMatches(word: string, location: string): CompletionMatch[] {
  const unquoted = word.replace(/^['"]|['"]$/g, '');
  const expanded = unquoted.startsWith('~') ? os.homedir() + unquoted.slice(1) : unquoted;
  const slash = Math.max(expanded.lastIndexOf('/'), expanded.lastIndexOf('\\'));
  const dirPart = slash >= 0 ? expanded.slice(0, slash + 1) : '';
  const prefix = expanded.slice(slash + 1);
  const dir = path.resolve(location, dirPart || '.');
  let names: string[];
  try { names = readdirSync(dir); } catch { return []; }
  const shownDir = slash >= 0 ? unquoted.slice(0, unquoted.length - prefix.length) : '';
  return names.filter((n) => n.toLowerCase().startsWith(prefix.toLowerCase())).sort((a, b) => a.localeCompare(b, 'en', { sensitivity: 'base' })).map((n) => {
    const full = path.join(dir, n);
    let isDir = false;
    try { isDir = statSync(full).isDirectory(); } catch { isDir = false; }
    const text = `${shownDir || (slash < 0 ? './' : '')}${n}`;
    return { completionText: /\s/.test(text) ? `'${text}'` : text, listItemText: n, resultType: isDir ? 'ProviderContainer' : 'ProviderItem', toolTip: full };
  });
}

const RESULT_COLLECTION = 'System.Collections.ObjectModel.Collection`1[[System.Management.Automation.CompletionResult, System.Management.Automation, Version=7.4.6.500, Culture=neutral, PublicKeyToken=31bf3856ad364e35]]';

/** The CommandCompletion object TabExpansion2 outputs. */
export function completionObject(r: CompletionResult): PSObject {
  const matches = r.matches.map((m) => new PSObject({
    typeNames: ['System.Management.Automation.CompletionResult', 'System.Object'], toStringText: 'System.Management.Automation.CompletionResult',
    adapted: [['CompletionText', m.completionText], ['ListItemText', m.listItemText], ['ResultType', m.resultType], ['ToolTip', m.toolTip]],
  }));
  return new PSObject({
    typeNames: ['System.Management.Automation.CommandCompletion', 'System.Object'], toStringText: 'System.Management.Automation.CommandCompletion',
    adapted: [
      ['CurrentMatchIndex', -1], ['ReplacementIndex', r.replacementIndex], ['ReplacementLength', r.replacementLength],
      ['CompletionMatches', new PSObject({ typeNames: [RESULT_COLLECTION, 'System.Object'], value: ps.list(matches) })],
    ],
  });
}
