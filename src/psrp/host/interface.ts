/**
 * The client's host as PSRP sees it (MS-PSRP §2.2.3.17, the .NET PSHost / PSHostUserInterface /
 * PSHostRawUserInterface): what a console answers when the remote command writes to the host,
 * reads a line, prompts, or asks about the window. The CLI implements it; ScriptedHost is a
 * scripted implementation for tests.
 *
 * Every member is optional: answerHostCall() answers a missing method with an error (for methods
 * the server waits on) or ignores it (void methods). Methods may return a Promise: a console waits
 * for the user; the protocol objects do not care, they only receive the answer.
 */
import type { PSValue } from '../clixml/index.js';
import type { ProgressRecord } from '../messages/records.js';

export type Awaitable<T> = T | Promise<T>;

/** System.ConsoleColor, 0 Black … 15 White. */
export type ConsoleColor = number;

export interface Size {
  width: number;
  height: number;
}

export interface Coordinates {
  x: number;
  y: number;
}

/** System.Management.Automation.Host.KeyInfo. */
export interface KeyInfo {
  virtualKeyCode: number;
  character: string;
  /** ControlKeyStates flags. */
  controlKeyState: number;
  keyDown: boolean;
}

/** One field of a Prompt (System.Management.Automation.Host.FieldDescription). */
export interface FieldDescription {
  name: string;
  label: string;
  parameterTypeName: string;
  parameterTypeFullName: string;
  helpMessage: string;
  isMandatory: boolean;
  defaultValue?: PSValue;
}

/** One choice of PromptForChoice (System.Management.Automation.Host.ChoiceDescription). */
export interface ChoiceDescription {
  label: string;
  helpMessage: string;
}

/** A user name and password, as PromptForCredential returns them (sent as a PSCredential). */
export interface CredentialAnswer {
  userName: string;
  password: string;
}

/**
 * A Prompt answer per field name. A string for a SecureString field is sent encrypted, a
 * CredentialAnswer for a PSCredential field becomes a PSCredential.
 */
export type PromptAnswers = Record<string, PSValue | CredentialAnswer>;

export interface PromptForCredentialRequest {
  caption: string;
  message: string;
  userName: string | null;
  targetName: string | null;
  /** PSCredentialTypes flags (PromptForCredential2 only). */
  allowedCredentialTypes?: number;
  /** PSCredentialUIOptions flags (PromptForCredential2 only). */
  options?: number;
}

/** Colours of Write2 / WriteLine3. */
export interface WriteColors {
  foreground: ConsoleColor;
  background: ConsoleColor;
}

/** PSHostUserInterface: writing and prompting. */
export interface PSHostUI {
  /** Write1 / Write2 (no newline). */
  write?(text: string, colors?: WriteColors): void;
  /** WriteLine1 (empty line) / WriteLine2 / WriteLine3. */
  writeLine?(text: string, colors?: WriteColors): void;
  writeErrorLine?(text: string): void;
  writeWarningLine?(text: string): void;
  writeVerboseLine?(text: string): void;
  writeDebugLine?(text: string): void;
  writeProgress?(sourceId: bigint, record: ProgressRecord): void;
  readLine?(): Awaitable<string>;
  /** The plaintext; it travels encrypted under the session key. */
  readLineAsSecureString?(): Awaitable<string>;
  prompt?(caption: string, message: string, fields: FieldDescription[]): Awaitable<PromptAnswers>;
  promptForCredential?(request: PromptForCredentialRequest): Awaitable<CredentialAnswer>;
  /** Returns the index of the chosen choice. */
  promptForChoice?(caption: string, message: string, choices: ChoiceDescription[], defaultChoice: number): Awaitable<number>;
  promptForChoiceMultipleSelection?(caption: string, message: string, choices: ChoiceDescription[], defaultChoices: number[]): Awaitable<number[]>;
  rawUI?: PSHostRawUI;
}

/**
 * PSHostRawUserInterface: the window. Get* calls read these properties, Set* calls assign them
 * (a getter/setter pair lets a console apply the change).
 */
export interface PSHostRawUI {
  foregroundColor?: ConsoleColor;
  backgroundColor?: ConsoleColor;
  cursorPosition?: Coordinates;
  windowPosition?: Coordinates;
  cursorSize?: number;
  bufferSize?: Size;
  windowSize?: Size;
  maxWindowSize?: Size;
  maxPhysicalWindowSize?: Size;
  windowTitle?: string;
  keyAvailable?: boolean;
  /** ReadKey with ReadKeyOptions flags. */
  readKey?(options: number): Awaitable<KeyInfo>;
  flushInputBuffer?(): void;
}

/** PSHost: identity, exit and nesting; `ui` for the rest. */
export interface PSHost {
  name?: string;
  version?: string;
  instanceId?: string;
  currentCulture?: string;
  currentUICulture?: string;
  /** The remote command ran `exit <code>` (SetShouldExit). */
  setShouldExit?(exitCode: number): void;
  enterNestedPrompt?(): void;
  exitNestedPrompt?(): void;
  notifyBeginApplication?(): void;
  notifyEndApplication?(): void;
  ui?: PSHostUI;
}
