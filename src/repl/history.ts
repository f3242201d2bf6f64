/**
 * The REPL's persistent history: `history` in the user's state directory (the directory of the
 * session registry: `$TSREMOTE_STATE_DIR`, else `$XDG_STATE_HOME/tsremote` or
 * `~/.local/state/tsremote`), one entry per line, oldest first, as a shell's history file.
 *
 * Privacy rules, as bash's HISTCONTROL=ignorespace and ignoredups:
 *  - a command whose first line starts with a space is not saved (none of its lines);
 *  - a line equal to the entry before it is not saved again;
 *  - only command lines are ever offered here: answers to Read-Host, Get-Credential or a password
 *    prompt are read by the console host's own prompts and never reach this file.
 * The file is created 0600 in a 0700 directory and rewritten through a temporary file and a
 * rename (0600 again), so its mode stays private even if someone loosened it; it keeps the last
 * `max` entries (1000 by default). Each save merges with what is on disk, so two REPLs running at
 * once both keep their lines.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stateDir } from '../session/registry.js';

export const HISTORY_FILE = 'history';
export const DEFAULT_HISTORY_SIZE = 1000;

/** Where the history lives (see the file comment). */
export function historyPath(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  return path.join(stateDir({ env, platform }), HISTORY_FILE);
}

/** The lines of a command that may be saved (none when its first line starts with a space). */
export function linesToRecord(lines: readonly string[]): string[] {
  if (lines.length === 0 || /^\s/.test(lines[0]!)) return [];
  return lines.filter((l) => l.trim() !== '');
}

async function readEntries(file: string): Promise<string[]> {
  try {
    return (await readFile(file, 'utf8')).split('\n').filter((l) => l !== '');
  } catch {
    // Missing or unreadable: start empty; the next save recreates it.
    return [];
  }
}

/** The REPL's history, in memory and on disk. */
export class History {
  readonly #file: string;
  readonly #max: number;
  /** Oldest first. */
  #entries: string[];

  private constructor(file: string, max: number, entries: string[]) {
    this.#file = file;
    this.#max = max;
    this.#entries = entries.slice(-max);
  }

  /** Loads `file` (a missing or unreadable file is an empty history). */
  static async load(file: string, max = DEFAULT_HISTORY_SIZE): Promise<History> {
    return new History(file, max, await readEntries(file));
  }

  get file(): string {
    return this.#file;
  }

  /** Newest first, the order node:readline's `history` option takes. */
  recent(): string[] {
    return [...this.#entries].reverse();
  }

  /**
   * Records a command's lines (see linesToRecord) and saves the file.
   * @returns the lines recorded.
   * @throws the file system's error when the file cannot be written (the caller warns once).
   */
  async add(lines: readonly string[]): Promise<string[]> {
    const fresh: string[] = [];
    for (const line of linesToRecord(lines)) {
      if ((fresh.at(-1) ?? this.#entries.at(-1)) !== line) fresh.push(line);
    }
    if (fresh.length === 0) return [];
    this.#entries = [...this.#entries, ...fresh].slice(-this.#max);
    await this.#save(fresh);
    return fresh;
  }

  async #save(fresh: string[]): Promise<void> {
    await mkdir(path.dirname(this.#file), { recursive: true, mode: 0o700 });
    const onDisk = await readEntries(this.#file);
    const merged = [...onDisk, ...fresh.filter((l, i) => i > 0 || onDisk.at(-1) !== l)].slice(-this.#max);
    const tmp = `${this.#file}.${process.pid}.tmp`;
    try {
      await writeFile(tmp, merged.map((l) => `${l}\n`).join(''), { mode: 0o600 });
      await rename(tmp, this.#file);
    } catch (err) {
      await rm(tmp, { force: true }).catch(() => undefined);
      throw err;
    }
  }
}
