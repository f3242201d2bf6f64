/**
 * Reading one command for the REPL: node:readline's line editing and history on a terminal, the
 * `>> ` continuation lines of an unfinished command (incomplete.ts), and Tab through the remote
 * completer (completion.ts).
 *
 * On a terminal every command gets a fresh readline interface, closed as soon as the command is
 * complete. Between commands the terminal is therefore back in cooked mode: Ctrl+C while a
 * pipeline runs is a real SIGINT the REPL turns into a pipeline stop, text typed ahead waits in
 * the terminal for the next prompt, and the console host's own prompts (Read-Host,
 * Get-Credential) are the only reader of the keyboard while they ask. At the prompt the terminal
 * is raw: Ctrl+C abandons the line (readline's 'SIGINT' event), Ctrl+D on an empty line ends input.
 *
 * Not on a terminal (input piped in), one interface reads every line and no prompt is written:
 * the REPL then runs a script line by line, commands still joined across unfinished lines.
 */
import { createInterface, type Interface } from 'node:readline';
import { toLineCompletion, type CommandCompletion } from './completion.js';
import { incompleteReason } from './incomplete.js';
import { CONTINUATION_PROMPT } from './prompt.js';

/** What one read produced. */
export type ReadResult =
  /** A complete command (`lines` as typed; `text` joins them with newlines). */
  | { kind: 'command'; text: string; lines: string[] }
  /** Ctrl+C at the prompt, or Ctrl+D inside an unfinished command: nothing to run. */
  | { kind: 'cancel' }
  /** Ctrl+D on an empty prompt, or the end of piped input. */
  | { kind: 'eof' };

/** Asks the remote side to complete `script` at `cursor`; null when it cannot. */
export type RemoteCompleter = (script: string, cursor: number) => Promise<CommandCompletion | null>;

export interface LineEditorOptions {
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  output: NodeJS.WritableStream;
  /** The history to offer (newest first), asked for at each prompt. */
  history?: () => string[];
  historySize?: number;
  complete?: RemoteCompleter;
}

/**
 * Adds one line to an unfinished command.
 * @returns the complete command, or null when more lines are needed.
 */
export function addLine(lines: string[], line: string): { text: string; lines: string[] } | null {
  lines.push(line);
  const text = lines.join('\n');
  const reason = incompleteReason(text);
  if (reason === null) return { text, lines };
  // An empty line ends an unfinished command (the server then reports what is missing), except
  // inside a string, where it is part of the text.
  if (line.trim() === '' && lines.length > 1 && reason !== 'string' && reason !== 'here-string') {
    const kept = lines.slice(0, -1);
    return { text: kept.join('\n'), lines: kept };
  }
  return null;
}

export class LineEditor {
  readonly #opts: LineEditorOptions;
  readonly #terminal: boolean;
  #active: Interface | undefined;
  #piped: { rl: Interface; lines: AsyncIterator<string> } | undefined;
  #closed = false;

  constructor(opts: LineEditorOptions) {
    this.#opts = opts;
    this.#terminal = Boolean(opts.input.isTTY);
  }

  /** True when reading from a terminal (prompts are shown). */
  get terminal(): boolean {
    return this.#terminal;
  }

  /** Reads one complete command, showing `prompt` first (on a terminal). */
  read(prompt: string): Promise<ReadResult> {
    if (this.#closed) return Promise.resolve({ kind: 'eof' });
    return this.#terminal ? this.#readTerminal(prompt) : this.#readPiped();
  }

  /** Ends a read in progress (it resolves as end of input) and every later one. */
  close(): void {
    this.#closed = true;
    this.#active?.close();
    this.#piped?.rl.close();
  }

  #readTerminal(prompt: string): Promise<ReadResult> {
    return new Promise((resolve) => {
      const lines: string[] = [];
      let done = false;
      const rl = createInterface({
        input: this.#opts.input,
        output: this.#opts.output,
        terminal: true,
        history: this.#opts.history?.() ?? [],
        historySize: this.#opts.historySize ?? 1000,
        removeHistoryDuplicates: true,
        ...(this.#opts.complete ? { completer: (line: string, cb: CompleterCallback) => this.#completeLine(rl, lines, line, cb) } : {}),
      });
      this.#active = rl;
      const finish = (result: ReadResult): void => {
        if (done) return;
        done = true;
        this.#active = undefined;
        rl.close();
        resolve(result);
      };
      rl.on('line', (line) => {
        const command = addLine(lines, line);
        if (command) finish({ kind: 'command', ...command });
        else {
          rl.setPrompt(CONTINUATION_PROMPT);
          rl.prompt();
        }
      });
      rl.on('SIGINT', () => {
        this.#opts.output.write('^C\n');
        finish({ kind: 'cancel' });
      });
      rl.on('close', () => {
        if (!done && lines.length > 0) this.#opts.output.write('\n');
        finish(lines.length > 0 && !this.#closed ? { kind: 'cancel' } : { kind: 'eof' });
      });
      rl.setPrompt(prompt);
      rl.prompt();
    });
  }

  async #readPiped(): Promise<ReadResult> {
    if (!this.#piped) {
      const rl = createInterface({ input: this.#opts.input, terminal: false, crlfDelay: Infinity });
      this.#piped = { rl, lines: rl[Symbol.asyncIterator]() };
    }
    const lines: string[] = [];
    for (;;) {
      const next = await this.#piped.lines.next();
      if (next.done) return lines.length > 0 ? { kind: 'command', text: lines.join('\n'), lines } : { kind: 'eof' };
      const command = addLine(lines, next.value);
      if (command) return { kind: 'command', ...command };
    }
  }

  /** readline's completer: the remote answer for everything typed so far, mapped onto this line. */
  #completeLine(rl: Interface, pending: string[], line: string, cb: CompleterCallback): void {
    const complete = this.#opts.complete;
    if (!complete || line.trim() === '') return cb(null, [[], line]);
    const before = pending.length > 0 ? `${pending.join('\n')}\n` : '';
    complete(before + line, before.length + line.length).then(
      (answer) => {
        if (answer === null) return cb(null, [[], line]);
        const c = toLineCompletion(answer, line, before.length);
        if (c.kind === 'list') return cb(null, [c.matches, c.substring]);
        // readline can only append: report nothing, then edit the line as if typed.
        cb(null, [[], line]);
        for (let k = 0; k < c.remove; k++) rl.write(null, { name: 'backspace' });
        rl.write(c.insert);
      },
      () => cb(null, [[], line]),
    );
  }
}

type CompleterCallback = (err: Error | null, result: [string[], string]) => void;
