/**
 * Turning a host call event into a call on a {@link PSHost}, and its return value into the
 * HostResult of the response (MS-PSRP §2.2.3.17 lists each method's parameters and return type,
 * §2.2.6 how they are encoded).
 *
 * `HOST_METHODS` has one entry per HostMethodIdentifier, so a method left out does not compile.
 * Void methods (§3.1.5.4.15: no response) resolve to null.
 */
import { isPSObject, PSObject, ps, type PSValue } from '../clixml/index.js';
import { HostMethodIdentifier as M, MessageType } from '../constants.js';
import { PsrpProtocolError } from '../errors.js';
import { credentialObject, hostErrorRecord, secureStringResult, type HostResult } from '../core/host-result.js';
import type { HostCallEvent } from '../events.js';
import { intOf, listItems, listObject, msObject, Props } from '../messages/fields.js';
import { progressFields, type ProgressRecord } from '../messages/records.js';
import type { SessionKey } from '../securestring/index.js';
import type {
  ChoiceDescription, Coordinates, CredentialAnswer, FieldDescription, KeyInfo, PromptAnswers, PSHost, PSHostRawUI, PSHostUI, Size,
} from './interface.js';

type Impl = (args: Args, host: PSHost) => Promise<HostResult | null>;

/** Typed access to a call's parameters; a mismatch is the server's fault. */
class Args {
  readonly method: string;
  readonly values: PSValue[];

  constructor(method: string, values: PSValue[]) {
    this.method = method;
    this.values = values;
  }

  #fail(i: number, want: string): PsrpProtocolError {
    return new PsrpProtocolError(`host call ${this.method}: parameter ${i} must be ${want}`);
  }

  string(i: number): string {
    const v = this.values[i];
    if (typeof v === 'string') return v;
    if (isPSObject(v) && typeof v.value === 'string') return v.value;
    throw this.#fail(i, 'a string');
  }

  stringOrNull(i: number): string | null {
    const v = this.values[i];
    return v === null || v === undefined ? null : this.string(i);
  }

  int(i: number): number {
    const n = intOf(this.values[i]);
    if (n === undefined) throw this.#fail(i, 'an integer');
    return n;
  }

  long(i: number): bigint {
    const v = this.values[i];
    if (v !== null && typeof v === 'object' && 'kind' in v && (v.kind === 'I64' || v.kind === 'U64')) return v.value;
    return BigInt(this.int(i));
  }

  props(i: number): Props {
    const v = this.values[i];
    if (!isPSObject(v)) throw this.#fail(i, 'an object');
    return new Props(MessageType.PIPELINE_HOST_CALL, v);
  }

  list(i: number): PSValue[] {
    const items = listItems(this.values[i]);
    if (items === undefined) throw this.#fail(i, 'a list');
    return items;
  }

  coordinates(i: number): Coordinates {
    const p = this.props(i);
    return { x: p.int('x'), y: p.int('y') };
  }

  size(i: number): Size {
    const p = this.props(i);
    return { width: p.int('width'), height: p.int('height') };
  }

  progress(i: number): ProgressRecord {
    return progressFields(this.props(i));
  }

  choices(i: number): ChoiceDescription[] {
    return this.list(i).map((c) => {
      if (!isPSObject(c)) throw this.#fail(i, 'a list of ChoiceDescription');
      const p = new Props(MessageType.PIPELINE_HOST_CALL, c);
      return { label: p.string('label'), helpMessage: p.stringOrNull('helpMessage') ?? '' };
    });
  }

  fields(i: number): FieldDescription[] {
    return this.list(i).map((f) => {
      if (!isPSObject(f)) throw this.#fail(i, 'a list of FieldDescription');
      const p = new Props(MessageType.PIPELINE_HOST_CALL, f);
      const out: FieldDescription = {
        name: p.string('name'),
        label: p.stringOrNull('label') ?? '',
        parameterTypeName: p.stringOrNull('parameterTypeName') ?? 'String',
        parameterTypeFullName: p.stringOrNull('parameterTypeFullName') ?? 'System.String',
        helpMessage: p.stringOrNull('helpMessage') ?? '',
        isMandatory: p.optionalBool('isMandatory') ?? false,
      };
      const dv = p.raw('defaultValue');
      if (dv !== undefined && dv !== null) out.defaultValue = dv;
      return out;
    });
  }
}

// Host types travel as bare objects of lower-case note properties (§2.2.3.1 Coordinates, §2.2.3.2
// Size, §2.2.3.x KeyInfo): what Windows sends as parameters and pypsrp answers (pshost_raw_ui).
const coordinatesObject = (c: Coordinates): PSObject => msObject([['x', c.x], ['y', c.y]]);
const sizeObject = (s: Size): PSObject => msObject([['width', s.width], ['height', s.height]]);
const keyInfoObject = (k: KeyInfo): PSObject =>
  msObject([
    ['virtualKeyCode', k.virtualKeyCode],
    ['character', ps.num('C', k.character.charCodeAt(0) || 0)],
    ['controlKeyState', k.controlKeyState],
    ['keyDown', k.keyDown],
  ]);

const missing = (what: string): HostResult => ({ error: hostErrorRecord(`the client's host does not implement ${what}`) });

/** A void method: call it if the host has it. */
function call(fn: ((...a: never[]) => unknown) | undefined, run: () => unknown): Promise<null> {
  if (fn !== undefined) run();
  return Promise.resolve(null);
}

/** A returning method: its value, or an error when the host lacks it. */
async function answer<T>(name: string, get: (() => T | Promise<T> | undefined) | undefined, encode: (v: T) => HostResult): Promise<HostResult> {
  const v = get === undefined ? undefined : await get();
  return v === undefined ? missing(name) : encode(v);
}

const value = (v: PSValue): HostResult => ({ value: v });
const ui = (h: PSHost): PSHostUI => h.ui ?? {};
const raw = (h: PSHost): PSHostRawUI => h.ui?.rawUI ?? {};

function rawGet<K extends keyof PSHostRawUI>(key: K, encode: (v: NonNullable<PSHostRawUI[K]>) => PSValue): Impl {
  return (_a, h) => answer(`RawUI.${key}`, () => raw(h)[key] ?? undefined, (v) => value(encode(v as NonNullable<PSHostRawUI[K]>)));
}

function rawSet<K extends keyof PSHostRawUI>(key: K, read: (a: Args) => PSHostRawUI[K]): Impl {
  return (a, h) => {
    const r = h.ui?.rawUI;
    if (r !== undefined) r[key] = read(a);
    return Promise.resolve(null);
  };
}

const isCredential = (v: unknown): v is CredentialAnswer =>
  typeof v === 'object' && v !== null && !isPSObject(v) && 'password' in v && 'userName' in v;
const SECRET_TYPES = new Set(['System.Security.SecureString', 'System.Management.Automation.PSCredential']);

/** Prompt's Dictionary<string, PSObject>; SecureString and PSCredential fields need the session key. */
function promptResult(fields: FieldDescription[], answers: PromptAnswers): HostResult {
  const build = (key: SessionKey | undefined): PSValue => {
    const entries: [PSValue, PSValue][] = Object.entries(answers).map(([name, v]) => {
      const field = fields.find((f) => f.name === name);
      if (isCredential(v)) {
        if (key === undefined) throw new RangeError('a credential needs the session key');
        return [name, credentialObject(key, v.userName, v.password)];
      }
      if (field?.parameterTypeFullName === 'System.Security.SecureString' && typeof v === 'string') {
        if (key === undefined) throw new RangeError('a SecureString needs the session key');
        return [name, ps.text('SS', key.encrypt(v))];
      }
      return [name, v];
    });
    return new PSObject({ typeNames: ['System.Collections.Hashtable', 'System.Object'], value: ps.dict(entries) });
  };
  const secret = fields.some((f) => SECRET_TYPES.has(f.parameterTypeFullName)) || Object.values(answers).some(isCredential);
  return secret ? { secure: (key) => build(key) } : { value: build(undefined) };
}

/** One implementation per host method (§2.2.3.17); a missing entry does not compile. */
export const HOST_METHODS: Record<M, Impl> = {
  [M.GetName]: (_a, h) => answer('Name', () => h.name, value),
  [M.GetVersion]: (_a, h) => answer('Version', () => h.version, (v) => value(ps.version(v))),
  [M.GetInstanceId]: (_a, h) => answer('InstanceId', () => h.instanceId, (v) => value(ps.guid(v))),
  [M.GetCurrentCulture]: (_a, h) => answer('CurrentCulture', () => h.currentCulture, value),
  [M.GetCurrentUICulture]: (_a, h) => answer('CurrentUICulture', () => h.currentUICulture, value),
  [M.SetShouldExit]: (a, h) => call(h.setShouldExit, () => h.setShouldExit?.(a.int(0))),
  [M.EnterNestedPrompt]: (_a, h) => call(h.enterNestedPrompt, () => h.enterNestedPrompt?.()),
  [M.ExitNestedPrompt]: (_a, h) => call(h.exitNestedPrompt, () => h.exitNestedPrompt?.()),
  [M.NotifyBeginApplication]: (_a, h) => call(h.notifyBeginApplication, () => h.notifyBeginApplication?.()),
  [M.NotifyEndApplication]: (_a, h) => call(h.notifyEndApplication, () => h.notifyEndApplication?.()),
  [M.ReadLine]: (_a, h) => answer('ReadLine', ui(h).readLine?.bind(ui(h)), value),
  [M.ReadLineAsSecureString]: (_a, h) => answer('ReadLineAsSecureString', ui(h).readLineAsSecureString?.bind(ui(h)), secureStringResult),
  [M.Write1]: (a, h) => call(ui(h).write, () => ui(h).write?.(a.string(0))),
  [M.Write2]: (a, h) => call(ui(h).write, () => ui(h).write?.(a.string(2), { foreground: a.int(0), background: a.int(1) })),
  [M.WriteLine1]: (_a, h) => call(ui(h).writeLine, () => ui(h).writeLine?.('')),
  [M.WriteLine2]: (a, h) => call(ui(h).writeLine, () => ui(h).writeLine?.(a.string(0))),
  [M.WriteLine3]: (a, h) => call(ui(h).writeLine, () => ui(h).writeLine?.(a.string(2), { foreground: a.int(0), background: a.int(1) })),
  [M.WriteErrorLine]: (a, h) => call(ui(h).writeErrorLine, () => ui(h).writeErrorLine?.(a.string(0))),
  [M.WriteDebugLine]: (a, h) => call(ui(h).writeDebugLine, () => ui(h).writeDebugLine?.(a.string(0))),
  [M.WriteProgress]: (a, h) => call(ui(h).writeProgress, () => ui(h).writeProgress?.(a.long(0), a.progress(1))),
  [M.WriteVerboseLine]: (a, h) => call(ui(h).writeVerboseLine, () => ui(h).writeVerboseLine?.(a.string(0))),
  [M.WriteWarningLine]: (a, h) => call(ui(h).writeWarningLine, () => ui(h).writeWarningLine?.(a.string(0))),
  [M.Prompt]: async (a, h) => {
    const fields = a.fields(2);
    const fn = ui(h).prompt;
    if (fn === undefined) return missing('Prompt');
    return promptResult(fields, await fn.call(ui(h), a.string(0), a.string(1), fields));
  },
  [M.PromptForCredential1]: (a, h) =>
    answer('PromptForCredential', ui(h).promptForCredential === undefined ? undefined : () =>
      ui(h).promptForCredential?.({ caption: a.string(0), message: a.string(1), userName: a.stringOrNull(2), targetName: a.stringOrNull(3) }),
    (c) => ({ secure: (key) => credentialObject(key, c.userName, c.password) })),
  [M.PromptForCredential2]: (a, h) =>
    answer('PromptForCredential', ui(h).promptForCredential === undefined ? undefined : () =>
      ui(h).promptForCredential?.({
        caption: a.string(0), message: a.string(1), userName: a.stringOrNull(2), targetName: a.stringOrNull(3),
        allowedCredentialTypes: a.int(4), options: a.int(5),
      }),
    (c) => ({ secure: (key) => credentialObject(key, c.userName, c.password) })),
  [M.PromptForChoice]: (a, h) =>
    answer('PromptForChoice', ui(h).promptForChoice === undefined ? undefined : () =>
      ui(h).promptForChoice?.(a.string(0), a.string(1), a.choices(2), a.int(3)), (n) => value(n)),
  [M.PromptForChoiceMultipleSelection]: (a, h) =>
    answer('PromptForChoiceMultipleSelection', ui(h).promptForChoiceMultipleSelection === undefined ? undefined : () =>
      ui(h).promptForChoiceMultipleSelection?.(a.string(0), a.string(1), a.choices(2), a.list(3).map((v) => intOf(v) ?? 0)),
    (ns) => value(listObject(['System.Collections.ObjectModel.Collection`1[[System.Int32]]', 'System.Object'], ns))),
  [M.GetForegroundColor]: rawGet('foregroundColor', (n) => n),
  [M.SetForegroundColor]: rawSet('foregroundColor', (a) => a.int(0)),
  [M.GetBackgroundColor]: rawGet('backgroundColor', (n) => n),
  [M.SetBackgroundColor]: rawSet('backgroundColor', (a) => a.int(0)),
  [M.GetCursorPosition]: rawGet('cursorPosition', coordinatesObject),
  [M.SetCursorPosition]: rawSet('cursorPosition', (a) => a.coordinates(0)),
  [M.GetWindowPosition]: rawGet('windowPosition', coordinatesObject),
  [M.SetWindowPosition]: rawSet('windowPosition', (a) => a.coordinates(0)),
  [M.GetCursorSize]: rawGet('cursorSize', (n) => n),
  [M.SetCursorSize]: rawSet('cursorSize', (a) => a.int(0)),
  [M.GetBufferSize]: rawGet('bufferSize', sizeObject),
  [M.SetBufferSize]: rawSet('bufferSize', (a) => a.size(0)),
  [M.GetWindowSize]: rawGet('windowSize', sizeObject),
  [M.SetWindowSize]: rawSet('windowSize', (a) => a.size(0)),
  [M.GetWindowTitle]: rawGet('windowTitle', (s) => s),
  [M.SetWindowTitle]: rawSet('windowTitle', (a) => a.string(0)),
  [M.GetMaxWindowSize]: rawGet('maxWindowSize', sizeObject),
  [M.GetMaxPhysicalWindowSize]: rawGet('maxPhysicalWindowSize', sizeObject),
  [M.GetKeyAvailable]: rawGet('keyAvailable', (b) => b),
  [M.ReadKey]: (a, h) => answer('ReadKey', raw(h).readKey === undefined ? undefined : () => raw(h).readKey?.(a.int(0)), (k) => value(keyInfoObject(k))),
  [M.FlushInputBuffer]: (_a, h) => call(raw(h).flushInputBuffer, () => raw(h).flushInputBuffer?.()),
  // Buffer contents and runspace pushing are console internals a remote client does not share.
  [M.SetBufferContents1]: () => Promise.resolve(null),
  [M.SetBufferContents2]: () => Promise.resolve(null),
  [M.GetBufferContents]: () => Promise.resolve(missing('GetBufferContents')),
  [M.ScrollBufferContents]: () => Promise.resolve(null),
  [M.PushRunspace]: () => Promise.resolve(null),
  [M.PopRunspace]: () => Promise.resolve(null),
  [M.GetIsRunspacePushed]: () => Promise.resolve(value(false)),
  [M.GetRunspace]: () => Promise.resolve(missing('GetRunspace')),
};

/**
 * Runs a host call against `host`. A host method that throws is answered with an error record
 * carrying its message, as PowerShell's client answers a failing host.
 * @returns the HostResult to send, or null for a void method (§3.1.5.4.15: no response).
 * @throws PsrpProtocolError when the server's parameters do not match the method.
 */
export async function answerHostCall(callEvent: HostCallEvent, host: PSHost): Promise<HostResult | null> {
  const impl = HOST_METHODS[callEvent.methodId] as Impl | undefined;
  const args = new Args(callEvent.methodName, callEvent.parameters);
  if (impl === undefined) return callEvent.ci < 0n ? null : missing(callEvent.methodName);
  let result: HostResult | null;
  try {
    result = await impl(args, host);
  } catch (err) {
    if (err instanceof PsrpProtocolError) throw err;
    // The host threw (the user cancelled a prompt …): the server sees a RemoteHostException.
    result = { error: hostErrorRecord(err instanceof Error ? err.message : String(err)) };
  }
  // A void call id (negative) never gets a response, whatever the method.
  return callEvent.ci < 0n ? null : result;
}

/** Something that takes host responses: a RunspacePool (either kind of call) or a Pipeline. */
export interface HostResponder {
  hostResponse(call: HostCallEvent, result: HostResult): void;
}

/**
 * answerHostCall, then queue the response on `pool` (nothing for void methods).
 * @returns the result sent, or null.
 */
export async function respondToHostCall(pool: HostResponder, callEvent: HostCallEvent, host: PSHost): Promise<HostResult | null> {
  const result = await answerHostCall(callEvent, host);
  if (result !== null) pool.hostResponse(callEvent, result);
  return result;
}
