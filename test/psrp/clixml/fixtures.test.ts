import { describe, expect, it } from 'vitest';
import {
  deserialize, deserializeRecords, PSObject, serialize, serializeAll, toJSON, type PSValue,
} from '../../../src/psrp/clixml/index.js';
import { describeFixtures } from '../../helpers/fixtures.js';
import { allPayloads, type Payload } from './extract.js';
import { canonical } from './tree.js';

const stripHeader = (s: string): string => s.replace(/^#< CLIXML\r?\n/, '');
const isObjs = (xml: string): boolean => /^\s*(<\?xml[^>]*>\s*)?<Objs\b/.test(xml);

/** Every PSObject reachable from `v` (each once) and the type names they carry. */
function census(v: PSValue | undefined, objects: Set<PSObject>, typeNames: Set<string>): void {
  if (v === null || v === undefined || typeof v !== 'object') return;
  if (v instanceof PSObject) {
    if (objects.has(v)) return;
    objects.add(v);
    for (const t of v.typeNames) typeNames.add(t);
    for (const m of [...v.adapted.values(), ...v.extended.values()]) census(m, objects, typeNames);
    census(v.value, objects, typeNames);
  } else if (v.kind === 'LST' || v.kind === 'IE' || v.kind === 'STK' || v.kind === 'QUE') {
    for (const item of v.items) census(item, objects, typeNames);
  } else if (v.kind === 'DCT') {
    for (const [k, val] of v.entries) {
      census(k, objects, typeNames);
      census(val, objects, typeNames);
    }
  }
}

describe('the tree comparison itself', () => {
  it('sees a changed text, attribute or element, and ignores layout whitespace', () => {
    const base = '<Obj RefId="0"><MS><S N="a"> x </S></MS></Obj>';
    expect(canonical('<Obj RefId="0">\n  <MS>\n    <S N="a"> x </S>\n  </MS>\n</Obj>')).toBe(canonical(base));
    expect(canonical(base.replace(' x ', 'x'))).not.toBe(canonical(base));
    expect(canonical(base.replace('N="a"', 'N="b"'))).not.toBe(canonical(base));
    expect(canonical(base.replace('<S', '<XD').replace('</S>', '</XD>'))).not.toBe(canonical(base));
  });
});

describeFixtures('CLIXML fixtures', (dir) => {
  const { clixml, stderr } = allPayloads(dir);
  const find = (source: string): Payload => {
    const p = clixml.find((x) => x.source === source);
    if (!p) throw new Error(`no payload ${source}`);
    return p;
  };

  describe('every payload deserializes and serializes back to an equivalent tree', () => {
    it.each(clixml.map((p) => [p.source, p] as const))('%s', (_s, p) => {
      const records = deserializeRecords(p.xml);
      const back = isObjs(p.xml) ? serializeAll(records.map((r) => r.value)) : serialize(records[0]!.value);
      expect(canonical(back)).toBe(canonical(p.xml));
    });
    it.each(stderr.map((p) => [p.source, p] as const))('%s', (_s, p) => {
      const xml = stripHeader(p.xml);
      const records = deserializeRecords(xml);
      const back = serializeAll(records.map((r) => r.value), { streams: records.map((r) => r.stream) });
      // These files were re-indented by hand: <SD> holds a literal newline where PowerShell writes _x000A_.
      expect(canonical(back, { decodeText: true })).toBe(canonical(xml, { decodeText: true }));
    });
  });

  it('covers the expected number of payloads, objects and type names', () => {
    const objects = new Set<PSObject>();
    const typeNames = new Set<string>();
    let values = 0;
    for (const p of [...clixml, ...stderr]) {
      for (const r of deserializeRecords(stripHeader(p.xml))) {
        values += 1;
        census(r.value, objects, typeNames);
      }
    }
    const counts = {
      clixmlPayloads: clixml.length,
      psrpMessages: clixml.filter((p) => p.messageType !== undefined).length,
      stderrBlobs: stderr.length,
      topLevelValues: values,
      objects: objects.size,
      typeNames: typeNames.size,
    };
    console.log('CLIXML fixture coverage', counts);
    expect(counts).toEqual(EXPECTED_COUNTS);
  });

  it('reads the ErrorRecord of ironposh error_record.xml', () => {
    const rec = deserialize(find('ironposh error_record.xml').xml) as PSObject;
    expect(rec.typeNames[0]).toBe('System.Management.Automation.ErrorRecord');
    const ex = rec.get('Exception') as PSObject;
    expect(ex.typeNames[0]).toBe('System.Management.Automation.CommandNotFoundException');
    expect(ex.get('Message')).toBe("The term 'ed' is not recognized as the name of a cmdlet, function, script file, or operable program. "
      + 'Check the spelling of the name, or if a path was included, verify that the path is correct and try again.');
    expect(rec.get('FullyQualifiedErrorId')).toBe('CommandNotFoundException');
    expect(ex.toStringText).toContain('._x000D__x000A_   at '.replace('_x000D__x000A_', '\r\n'));
  });

  it('reads the ServiceController of Get-Service winrm', () => {
    const svc = deserialize(find('test_psrp_multiple_commands.yml#14').xml) as PSObject;
    expect(svc.typeNames).toEqual(['System.ServiceProcess.ServiceController', 'System.ComponentModel.Component',
      'System.MarshalByRefObject', 'System.Object']);
    expect(svc.get('Name')).toBe('winrm');
    expect(svc.get('Status')).toBe('Running'); // this server sent Status as a string, not an enum object
    expect(svc.get('RequiredServices')).toBe(svc.get('ServicesDependedOn'));
    expect(toJSON(svc)).toMatchObject({ Name: 'winrm', Status: 'Running', ServicesDependedOn: ['RPCSS', 'HTTP'], DependentServices: [] });
  });

  it('reads an enum: the MergeError of a CREATE_PIPELINE', () => {
    const pipeline = deserialize(find('test_psrp_multiple_commands.yml#7').xml) as PSObject;
    const cmds = (pipeline.get('PowerShell') as PSObject).get('Cmds') as PSObject;
    const first = (cmds.value as { items: PSObject[] }).items[0]!;
    const merge = first.get('MergeError') as PSObject;
    expect(merge.typeNames).toContain('System.Enum');
    expect(merge.value).toBe(0);
    expect(merge.toStringText).toBe('None');
    expect(toJSON(merge)).toBe('None');
  });

  it('reads the PSVersionTable of APPLICATION_PRIVATE_DATA', () => {
    const p = find('test_psrp_multiple_commands.yml#3');
    expect(p.messageType).toBe(0x00021009);
    const data = (deserialize(p.xml) as PSObject).get('ApplicationPrivateData') as PSObject;
    expect(data.typeNames[0]).toBe('System.Management.Automation.PSPrimitiveDictionary');
    const table = (data.value as { entries: Map<PSValue, PSValue> }).entries.get('PSVersionTable') as PSObject;
    const entries = (table.value as { entries: Map<PSValue, PSValue> }).entries;
    expect(entries.get('PSVersion')).toEqual({ kind: 'Version', value: '5.1.14393.2248' });
    expect(entries.get('BuildVersion')).toEqual({ kind: 'Version', value: '10.0.14393.2248' });
    expect(toJSON(table)).toMatchObject({ PSVersion: '5.1.14393.2248', PSEdition: 'Desktop', PSCompatibleVersions: ['1.0', '2.0', '3.0', '4.0', '5.0', '5.1.14393.2248'] });
  });

  it('reads こんにちは, the literal "_x000A_" and a non-BMP character from a pipeline output', () => {
    const p = find('test_psrp_multiple_commands.yml#10');
    expect(p.messageType).toBe(0x00041004);
    expect(deserialize(p.xml)).toBe('こんにちは - actual_x000A_string\nnewline: \u{10437}');
  });

  it('reads a Hashtable echoed back by the server', () => {
    const ht = deserialize(find('test_psrp_with_input.yml#14').xml) as PSObject;
    expect(ht.typeNames).toEqual(['Deserialized.System.Collections.Hashtable', 'Deserialized.System.Object']);
    expect(ht.value).toEqual({ kind: 'DCT', entries: new Map([['a', 'b']]) });
    expect(toJSON(ht)).toEqual({ a: 'b' });
  });
});

// Exact, so that losing a payload (or a whole fixture family) fails the run.
const EXPECTED_COUNTS = {
  clixmlPayloads: 684, // 2 ironposh + 2 winrb templates + 680 PSRP messages from 48 pypsrp recordings
  psrpMessages: 680,
  stderrBlobs: 3, // 2 pypsrp sanitise files + pywinrm get_ps_output_response stderr
  topLevelValues: 702,
  objects: 2835,
  typeNames: 84,
};
