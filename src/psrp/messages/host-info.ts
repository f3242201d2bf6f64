/**
 * HostInfo (MS-PSRP §2.2.3.14), carried by INIT_RUNSPACEPOOL and CREATE_PIPELINE.
 *
 * Four flags say which parts of the client's host exist; when the host exists, `_hostDefaultData`
 * holds a Hashtable from key (0 ForegroundColor … 9 WindowTitle) to `{ T: type name, V: value }`.
 */
import { isPSObject, PSObject, ps, type PSValue } from '../clixml/index.js';
import { PsrpProtocolError } from '../errors.js';
import { msObject, type Props } from './fields.js';

/** One `_hostDefaultData` entry: §2.2.3.14 key, its .NET type name and value. */
export interface HostDefaultDataEntry {
  key: number;
  typeName: string;
  value: PSValue;
}

export interface HostInfo {
  isHostNull: boolean;
  isHostUINull: boolean;
  isHostRawUINull: boolean;
  useRunspaceHost: boolean;
  /** Present when the client has a host with a raw UI. */
  hostDefaultData?: HostDefaultDataEntry[];
}

/** The HostInfo of a client without a host (what pypsrp sends by default). */
export const NO_HOST: HostInfo = { isHostNull: true, isHostUINull: true, isHostRawUINull: true, useRunspaceHost: true };

export function encodeHostInfo(h: HostInfo): PSObject {
  const props: [string, PSValue][] = [];
  if (h.hostDefaultData !== undefined) {
    const entries = h.hostDefaultData.map((e): [PSValue, PSValue] => [e.key, msObject([['T', e.typeName], ['V', e.value]])]);
    const data = new PSObject({ typeNames: ['System.Collections.Hashtable', 'System.Object'], value: ps.dict(entries) });
    props.push(['_hostDefaultData', msObject([['data', data]])]);
  }
  props.push(
    ['_isHostNull', h.isHostNull],
    ['_isHostUINull', h.isHostUINull],
    ['_isHostRawUINull', h.isHostRawUINull],
    ['_useRunspaceHost', h.useRunspaceHost],
  );
  return msObject(props);
}

export function decodeHostInfo(p: Props): HostInfo {
  const out: HostInfo = {
    isHostNull: p.bool('_isHostNull'),
    isHostUINull: p.bool('_isHostUINull'),
    isHostRawUINull: p.bool('_isHostRawUINull'),
    useRunspaceHost: p.bool('_useRunspaceHost'),
  };
  const defaults = p.objectOrNull('_hostDefaultData');
  if (defaults !== null) {
    const data = p.child(defaults).object('data').value;
    if (data === null || typeof data !== 'object' || !('kind' in data) || data.kind !== 'DCT') {
      throw new PsrpProtocolError('HostInfo: _hostDefaultData.data must be a dictionary');
    }
    out.hostDefaultData = [...data.entries].map(([k, v]) => {
      if (typeof k !== 'number' || !isPSObject(v)) throw new PsrpProtocolError('HostInfo: malformed _hostDefaultData entry');
      const entry = p.child(v);
      return { key: k, typeName: entry.string('T'), value: entry.raw('V') ?? null };
    });
  }
  return out;
}
