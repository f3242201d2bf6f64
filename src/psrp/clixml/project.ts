/**
 * PSValue → plain JSON-able data, for `--json` output.
 *
 * | value                          | projection                                             |
 * |--------------------------------|--------------------------------------------------------|
 * | PSObject with properties       | `{ name: value }`, adapted then extended (extended wins) |
 * | PSObject wrapping a value only | the projection of that value                          |
 * | enum (`System.Enum` in TN)     | its ToString (the member name, e.g. `"Running"`)       |
 * | PSObject with nothing inside   | its ToString, else `{}`                                |
 * | LST / IE / STK / QUE           | array                                                  |
 * | DCT                            | object when every key is a string, else `[{ key, value }]` |
 * | I64 / U64                      | number when safe (±2^53), else decimal string          |
 * | D (Decimal)                    | decimal string (exact)                                 |
 * | Sg / Db / By / … / U32         | number (`"NaN"`, `"Infinity"`, `"-Infinity"` as strings) |
 * | C (Char)                       | the one-character string                               |
 * | DT                             | the ISO 8601 text as sent                              |
 * | TS                             | the ISO 8601 duration text as sent (`"PT1M30S"`); `ms` is lost |
 * | BA                             | base64                                                 |
 * | G / Version / URI / XD / SBK   | string                                                 |
 * | SS                             | `"<SecureString>"`, or the plaintext from `opts.secureString` |
 * | PR                             | `{ Activity, ActivityId, CurrentOperation, … }`        |
 * | a Ref back to an ancestor      | `"[circular]"`                                         |
 *
 * Shared (non-cyclic) references are expanded at each use; `maxNodes` bounds the work, so a
 * hostile graph of shared references cannot blow up exponentially (past it: `"[truncated]"`).
 */
import { PSObject, type PSValue } from './model.js';
import { toBase64 } from '../../util/bytes.js';

export interface ProjectOptions {
  /** Decrypts an `<SS>` ciphertext (base64); return undefined to keep the placeholder. */
  secureString?: (ciphertext: string) => string | undefined;
  /** Most values projected before the rest is replaced by `"[truncated]"` (default 1,000,000). */
  maxNodes?: number;
}

const ENUM_TYPES = new Set(['System.Enum', 'Deserialized.System.Enum']);

/** True when the object is a (deserialized) enum value: an `<I32>` or similar plus its name. */
export function isEnum(obj: PSObject): boolean {
  return obj.value !== undefined && obj.typeNamesView.some((t) => ENUM_TYPES.has(t));
}

function plainObject(): Record<string, unknown> {
  // No prototype, so a key such as "__proto__" is just a key.
  return Object.create(null) as Record<string, unknown>;
}

/**
 * Projects a value to plain data (see the table above).
 *
 * @returns JSON-compatible data: null, boolean, number, string, arrays and plain objects.
 */
export function toJSON(value: PSValue, opts: ProjectOptions = {}): unknown {
  const ancestors = new Set<object>();
  let budget = opts.maxNodes ?? 1_000_000;

  const go = (v: PSValue): unknown => {
    budget -= 1;
    if (budget < 0) return '[truncated]';
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
    if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
    if (ancestors.has(v)) return '[circular]';
    if (v instanceof PSObject) {
      ancestors.add(v);
      try {
        return projectObject(v);
      } finally {
        ancestors.delete(v);
      }
    }
    switch (v.kind) {
      case 'By': case 'SB': case 'I16': case 'U16': case 'U32': case 'Sg': case 'Db':
        return Number.isFinite(v.value) ? v.value : String(v.value);
      case 'C': return String.fromCharCode(v.value);
      case 'I64': case 'U64': {
        const safe = v.value >= BigInt(Number.MIN_SAFE_INTEGER) && v.value <= BigInt(Number.MAX_SAFE_INTEGER);
        return safe ? Number(v.value) : v.value.toString();
      }
      case 'D': case 'G': case 'Version': case 'URI': case 'XD': case 'SBK': case 'DT': case 'TS':
        return v.value;
      case 'SS': return opts.secureString?.(v.value) ?? '<SecureString>';
      case 'BA': return toBase64(v.value);
      case 'PR': return {
        Activity: v.activity, ActivityId: v.activityId, CurrentOperation: v.currentOperation,
        ParentActivityId: v.parentActivityId, PercentComplete: v.percentComplete, RecordType: v.recordType,
        SecondsRemaining: v.secondsRemaining, StatusDescription: v.statusDescription,
      };
      case 'LST': case 'IE': case 'STK': case 'QUE':
        ancestors.add(v);
        try {
          return v.items.map(go);
        } finally {
          ancestors.delete(v);
        }
      case 'DCT': {
        ancestors.add(v);
        try {
          const keys = [...v.entries.keys()];
          if (keys.every((k) => typeof k === 'string')) {
            const out = plainObject();
            for (const [k, val] of v.entries) out[k as string] = go(val);
            return out;
          }
          return [...v.entries].map(([k, val]) => ({ key: go(k), value: go(val) }));
        } finally {
          ancestors.delete(v);
        }
      }
    }
  };

  const projectObject = (obj: PSObject): unknown => {
    if (isEnum(obj)) return obj.toStringText ?? go(obj.value ?? null);
    if (obj.memberCount === 0) {
      if (obj.value !== undefined) return go(obj.value);
      return obj.toStringText ?? plainObject();
    }
    const out = plainObject();
    obj.forEachMember((val, k) => {
      out[k] = go(val);
    });
    return out;
  };

  return go(value);
}
