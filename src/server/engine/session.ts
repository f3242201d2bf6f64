/**
 * State that outlives one pipeline: a runspace pool's global variables, functions, location and
 * environment. One EngineSession per runspace pool.
 */
import os from 'node:os';
import { PSObject, ps, type PSValue } from '../../psrp/clixml/index.js';
import type { ScriptBlockAst } from './ast.js';
import { makeArray } from './values.js';

/** The PowerShell version the engine claims ($PSVersionTable.PSVersion). */
export const ENGINE_PS_VERSION = '7.4.6';

interface Variable { name: string; value: PSValue; constant?: boolean }

/** One variable scope; lookups walk to the parent (PowerShell's dynamic scoping). */
export class Scope {
  readonly parent: Scope | null;
  readonly #vars = new Map<string, Variable>();

  constructor(parent: Scope | null = null) {
    this.parent = parent;
  }

  /** The variable of that name in this scope or an ancestor. */
  lookup(name: string): Variable | undefined {
    const key = name.toLowerCase();
    for (let s: Scope | null = this; s; s = s.parent) {
      const v = s.#vars.get(key);
      if (v) return v;
    }
    return undefined;
  }

  /** Whether this very scope has the variable. */
  hasLocal(name: string): boolean {
    return this.#vars.has(name.toLowerCase());
  }

  /** Sets (or creates) the variable in this scope. */
  set(name: string, value: PSValue): void {
    const key = name.toLowerCase();
    const v = this.#vars.get(key);
    if (v) v.value = value;
    else this.#vars.set(key, { name, value });
  }

  remove(name: string): boolean {
    return this.#vars.delete(name.toLowerCase());
  }

  /** Every visible variable, nearest scope first. */
  all(): Variable[] {
    const seen = new Map<string, Variable>();
    for (let s: Scope | null = this; s; s = s.parent) for (const [k, v] of s.#vars) if (!seen.has(k)) seen.set(k, v);
    return [...seen.values()].sort((a, b) => a.name.localeCompare(b.name, 'en', { sensitivity: 'base' }));
  }
}

/** A function defined by a script: its name as written and its body. */
export interface FunctionDef { name: string; body: ScriptBlockAst; script: string }

/** Options of a new session. */
export interface EngineSessionOptions {
  /** Initial location (default: process.cwd()). */
  cwd?: string;
  /** Environment (default: a copy of process.env). */
  env?: Record<string, string | undefined>;
}

/** Variables, functions, location and environment shared by the pipelines of one runspace pool. */
export class EngineSession {
  /** The global scope: `$x = 1` in one pipeline is `$x` in the next. */
  readonly variables = new Scope();
  readonly functions = new Map<string, FunctionDef>();
  readonly env: Map<string, string>;
  /** The current directory (Set-Location). */
  location: string;
  /** HistoryId of the next pipeline. */
  historyId = 1;

  constructor(opts: EngineSessionOptions = {}) {
    this.location = opts.cwd ?? process.cwd();
    this.env = new Map(Object.entries(opts.env ?? process.env).filter((e): e is [string, string] => e[1] !== undefined));
    for (const [k, v] of Object.entries(defaultVariables())) this.variables.set(k, v);
  }
}

/** $PSVersionTable as pwsh 7.4 builds it (a PSVersionHashTable). */
export function psVersionTable(): PSObject {
  const version = (v: string): PSValue => ps.version(v);
  const platform = process.platform === 'win32' ? 'Win32NT' : 'Unix';
  const osText = process.platform === 'win32' ? `Microsoft Windows ${os.release()}` : `${os.type()} ${os.release()} ${os.version()}`.trim();
  const entries: [PSValue, PSValue][] = [
    ['PSVersion', version(ENGINE_PS_VERSION)],
    ['PSEdition', 'Core'],
    ['GitCommitId', ENGINE_PS_VERSION],
    ['OS', osText],
    ['Platform', platform],
    ['PSCompatibleVersions', makeArray(['1.0', '2.0', '3.0', '4.0', '5.0', '5.1', '6.0', '7.0'].map(version))],
    ['PSRemotingProtocolVersion', version('2.3')],
    ['SerializationVersion', version('1.1.0.1')],
    ['WSManStackVersion', version('3.0')],
  ];
  return new PSObject({
    typeNames: ['System.Management.Automation.PSVersionHashTable', 'System.Collections.Hashtable', 'System.Object'],
    toStringText: 'System.Management.Automation.PSVersionHashTable',
    value: ps.dict(entries),
  });
}

function defaultVariables(): Record<string, PSValue> {
  return {
    ErrorActionPreference: 'Continue',
    WarningPreference: 'Continue',
    VerbosePreference: 'SilentlyContinue',
    DebugPreference: 'SilentlyContinue',
    InformationPreference: 'SilentlyContinue',
    ProgressPreference: 'Continue',
    ConfirmPreference: 'High',
    WhatIfPreference: false,
    OFS: ' ',
    PSVersionTable: psVersionTable(),
    PID: process.pid,
    HOME: os.homedir(),
    PSHOME: process.execPath,
    ShellId: 'Microsoft.PowerShell',
    PSCulture: 'en-US',
    PSUICulture: 'en-US',
    IsLinux: process.platform === 'linux',
    IsMacOS: process.platform === 'darwin',
    IsWindows: process.platform === 'win32',
    IsCoreCLR: true,
    NestedPromptLevel: 0,
    MaximumHistoryCount: 4096,
    Error: new PSObject({ typeNames: ['System.Collections.ArrayList', 'System.Object'], value: ps.list([]) }),
    LASTEXITCODE: null,
  };
}
