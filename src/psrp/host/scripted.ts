/**
 * A PSHost that answers from a script and records every call: for tests, and for running remote
 * commands unattended (`--input` style answers). Each returning method takes the next scripted
 * answer of its kind and fails (error response) when none is left.
 */
import type { PSValue } from '../clixml/index.js';
import type { ProgressRecord } from '../messages/records.js';
import type {
  ChoiceDescription, CredentialAnswer, FieldDescription, PromptAnswers, PromptForCredentialRequest, PSHost, PSHostRawUI,
  PSHostUI, WriteColors,
} from './interface.js';

/** The answers a ScriptedHost gives, consumed in order. */
export interface HostScript {
  readLines?: string[];
  secureLines?: string[];
  credentials?: CredentialAnswer[];
  choices?: number[];
  multipleChoices?: number[][];
  prompts?: PromptAnswers[];
  rawUI?: PSHostRawUI;
}

/** One recorded call: the method and its decoded arguments. */
export type HostCallRecord = [method: string, ...args: (PSValue | ProgressRecord | FieldDescription[] | ChoiceDescription[] | PromptForCredentialRequest | WriteColors | bigint | number[] | undefined)[]];

function take<T>(queue: T[] | undefined, what: string): T {
  const next = queue?.shift();
  if (next === undefined) throw new Error(`scripted host has no ${what} answer left`);
  return next;
}

/** A scripted, recording PSHost (see the file comment). */
export class ScriptedHost implements PSHost {
  readonly name = 'tsremote-scripted';
  readonly version = '1.0';
  readonly instanceId = '00000000-0000-0000-0000-000000000001';
  readonly currentCulture = 'en-US';
  readonly currentUICulture = 'en-US';
  /** Every call, in order. */
  readonly calls: HostCallRecord[] = [];
  /** The exit code of the last SetShouldExit. */
  exitCode: number | undefined;
  readonly ui: PSHostUI;

  constructor(script: HostScript = {}) {
    const log = (...c: HostCallRecord): void => void this.calls.push(c);
    this.ui = {
      write: (text, colors) => log('Write', text, colors),
      writeLine: (text, colors) => log('WriteLine', text, colors),
      writeErrorLine: (text) => log('WriteErrorLine', text),
      writeWarningLine: (text) => log('WriteWarningLine', text),
      writeVerboseLine: (text) => log('WriteVerboseLine', text),
      writeDebugLine: (text) => log('WriteDebugLine', text),
      writeProgress: (id, record) => log('WriteProgress', id, record),
      readLine: () => (log('ReadLine'), take(script.readLines, 'ReadLine')),
      readLineAsSecureString: () => (log('ReadLineAsSecureString'), take(script.secureLines, 'ReadLineAsSecureString')),
      prompt: (caption, message, fields) => (log('Prompt', caption, message, fields), take(script.prompts, 'Prompt')),
      promptForCredential: (req) => (log('PromptForCredential', req), take(script.credentials, 'PromptForCredential')),
      promptForChoice: (caption, message, choices, def) => (log('PromptForChoice', caption, message, choices, def), take(script.choices, 'PromptForChoice')),
      promptForChoiceMultipleSelection: (caption, message, choices, defs) =>
        (log('PromptForChoiceMultipleSelection', caption, message, choices, defs), take(script.multipleChoices, 'PromptForChoiceMultipleSelection')),
      rawUI: script.rawUI ?? {
        foregroundColor: 7, backgroundColor: 0, cursorPosition: { x: 0, y: 0 }, windowPosition: { x: 0, y: 0 }, cursorSize: 25,
        bufferSize: { width: 120, height: 3000 }, windowSize: { width: 120, height: 30 }, maxWindowSize: { width: 120, height: 30 },
        maxPhysicalWindowSize: { width: 240, height: 60 }, windowTitle: 'tsremote', keyAvailable: false,
      },
    };
  }

  setShouldExit(exitCode: number): void {
    this.calls.push(['SetShouldExit', exitCode]);
    this.exitCode = exitCode;
  }
}
