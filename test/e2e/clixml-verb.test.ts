/** `tsremote clixml`: CLIXML files and `#< CLIXML` stderr to JSON / text, via the real CLI. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { describeFixtures } from '../helpers/fixtures.js';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'tsr-clixml-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// What Windows PowerShell 5.1's Export-Clixml writes: UTF-16LE with a BOM, CRLF line ends.
const exported = [
  '<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">',
  '  <Obj RefId="0">',
  '    <TN RefId="0"><T>System.Management.Automation.PSCustomObject</T><T>System.Object</T></TN>',
  '    <MS>',
  '      <S N="Name">web1_x000D__x000A_line2</S>',
  '      <I32 N="Port">5985</I32>',
  '      <DT N="When">2024-01-02T03:04:05.678+00:00</DT>',
  '      <BA N="Blob">AQID</BA>',
  '      <Obj N="Tags" RefId="1"><TN RefId="1"><T>System.Object[]</T><T>System.Array</T><T>System.Object</T></TN>',
  '        <LST><S>a</S><S>b</S></LST></Obj>',
  '    </MS>',
  '  </Obj>',
  '  <Obj RefId="2"><TNRef RefId="0" /><MS><S N="Name">web2</S><I32 N="Port">5986</I32><Nil N="When" /><BA N="Blob"></BA><Ref N="Tags" RefId="1" /></MS></Obj>',
  '</Objs>',
].join('\r\n');

it('converts an Export-Clixml file (UTF-16LE with BOM) to JSON', async () => {
  const file = path.join(dir, 'servers.xml');
  writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(exported, 'utf16le')]));
  const res = await runCli(['clixml', file]);
  expect(res.stderr).toBe('');
  expect(res.code).toBe(0);
  expect(JSON.parse(res.stdout)).toEqual([
    { Name: 'web1\r\nline2', Port: 5985, When: '2024-01-02T03:04:05.678+00:00', Blob: 'AQID', Tags: ['a', 'b'] },
    { Name: 'web2', Port: 5986, When: null, Blob: '', Tags: ['a', 'b'] },
  ]);
});

it('--ndjson prints one value per line, reading stdin with -', async () => {
  const res = await runCli(['clixml', '--ndjson', '-'], { input: exported });
  expect(res.code).toBe(0);
  expect(res.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { Name: string }).Name)).toEqual(['web1\r\nline2', 'web2']);
});

it('names the problem in one line for input that is not CLIXML (exit 1)', async () => {
  const res = await runCli(['clixml', '-'], { input: '<Objs><Obj><S>unterminated</Obj></Objs>' });
  expect(res.code).toBe(1);
  expect(res.stdout).toBe('');
  expect(res.stderr.trim().split('\n')).toHaveLength(1);
});

describeFixtures('clixml on recorded powershell.exe stderr', (fixtures) => {
  const data = path.join(fixtures, 'pypsrp/tests/tests_pypsrp/data');

  it('--text decodes the error text and summarises progress, no _x000D__x000A_ left', async () => {
    const res = await runCli(['clixml', '--text', path.join(data, 'test_sanitise_clixml_with_error.xml')]);
    expect(res.code).toBe(0);
    expect(res.stdout).not.toContain('_x');
    const lines = res.stdout.split('\n');
    expect(lines[0]).toBe('Preparing modules for first use.');
    expect(lines[1]).toMatch(/^fake : The term 'fake' is not recognized as the name of a cmdlet/);
    expect(res.stdout).toContain('    + FullyQualifiedErrorId : CommandNotFoundException\n');
  });

  it('--text on a progress-only blob is just the activity', async () => {
    const res = await runCli(['clixml', '--text', path.join(data, 'test_sanitise_clixml_with_no_errors.xml')]);
    expect([res.code, res.stdout]).toEqual([0, 'Preparing modules for first use.\n']);
  });

  it('--ndjson keeps each record\'s stream', async () => {
    const res = await runCli(['clixml', '--ndjson', path.join(data, 'test_sanitise_clixml_with_error.xml')]);
    const streams = res.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { stream: string }).stream);
    expect(new Set(streams)).toEqual(new Set(['progress', 'error']));
    expect(streams.filter((s) => s === 'error').length).toBeGreaterThan(3);
  });
});
