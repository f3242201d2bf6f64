import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deserialize, isPSObject, PSObject, serialize, type PSValue } from '../../../src/psrp/clixml/index.js';
import { EngineSession, runScript } from '../../../src/server/engine/index.js';
import { describeFixtures } from '../../helpers/fixtures.js';
import { HostMethodIdentifier, plain, recordingHost, run, runList } from './helpers.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'tsr-engine-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const inTmp = (): EngineSession => new EngineSession({ cwd: tmp });

/** Property names (extended then adapted) and type names, recursively, for structural comparison. */
function shape(v: PSValue | undefined, depth = 2): unknown {
  if (!isPSObject(v) || depth < 0) return v === null || v === undefined ? null : typeof v;
  return { types: v.typeNames, ms: [...v.extended.keys()], props: [...v.adapted.keys()], children: [...v.extended, ...v.adapted].filter(([, x]) => isPSObject(x) && x.typeNames[0]?.startsWith('System.Management')).map(([k, x]) => [k, shape(x, depth - 1)]) };
}

describeFixtures('CommandNotFound ErrorRecord', (dir) => {
  const recorded = deserialize(readFileSync(path.join(dir, 'ironposh/crates/ironposh-psrp/src/tests/resource/error_record.xml'), 'utf8')) as PSObject;

  it('has the recorded type names and property names (pwsh 7 wording)', async () => {
    // `ed` is a real program on many Linux machines: hide PATH so the name is unknown here too.
    const r = await run('ed', { session: new EngineSession({ env: {} }) });
    const ours = r.errors[0];
    expect(ours?.typeNames).toEqual(recorded.typeNames);
    expect([...(ours?.extended.keys() ?? [])]).toEqual([...recorded.extended.keys()]);
    const ex = (x: PSObject | undefined): PSObject => x?.get('Exception') as PSObject;
    expect(ex(ours).typeNames).toEqual(ex(recorded).typeNames);
    expect([...ex(ours).adapted.keys()]).toEqual([...ex(recorded).adapted.keys()]);
    const inv = (x: PSObject | undefined): PSObject => x?.get('InvocationInfo') as PSObject;
    expect([...inv(ours).adapted.keys()]).toEqual([...inv(recorded).adapted.keys()]);
    expect(shape(inv(ours))).toEqual(shape(inv(recorded)));
    const same = ['FullyQualifiedErrorId', 'ErrorCategory_Category', 'ErrorCategory_Reason', 'ErrorCategory_TargetName', 'ErrorCategory_TargetType', 'ErrorCategory_Message', 'TargetObject', 'ErrorDetails_ScriptStackTrace', 'writeErrorStream'];
    expect(same.map((k) => ours?.get(k))).toEqual(same.map((k) => recorded.get(k)));
    expect(ours?.toString()).toBe("The term 'ed' is not recognized as a name of a cmdlet, function, script file, or executable program.\nCheck the spelling of the name, or if a path was included, verify that the path is correct and try again.");
    expect((inv(ours).get('PositionMessage'))).toBe('At line:1 char:1\n+ ed\n+ ~~');
    // It serializes.
    expect(serialize(ours ?? null)).toContain('<S N="FullyQualifiedErrorId">CommandNotFoundException</S>');
  });
});

describe('streams and preferences', () => {
  it('Write-* reach their streams; verbose/debug are gated by preference and -Verbose', async () => {
    const r = await run('Write-Output o; Write-Warning w; Write-Verbose v1; Write-Verbose v2 -Verbose; $DebugPreference = "Continue"; Write-Debug d; Write-Information i; Write-Host h -ForegroundColor Red');
    expect([r.output, r.warnings, r.verbose, r.debug]).toEqual([['o'], ['w'], ['v2'], ['d']]);
    expect(r.information.map((x) => [x.get('MessageData')?.toString(), x.get('Source')])).toEqual([['i', 'Write-Information'], ['h', 'Write-Host']]);
    const tags = r.information[1]?.get('Tags') as PSObject;
    expect(plain(tags)).toEqual(['PSHOST']);
    expect((r.information[1]?.get('MessageData') as PSObject).typeNames[0]).toBe('System.Management.Automation.HostInformationMessage');
  });

  it('$WarningPreference SilentlyContinue hides warnings; -WarningAction Stop terminates', async () => {
    expect((await run('$WarningPreference = "SilentlyContinue"; Write-Warning w')).warnings).toEqual([]);
    const r = await run('Write-Warning w -WarningAction Stop; "after"');
    expect(r.output).toEqual([]);
    expect((r.thrown as { record: PSObject }).record.get('FullyQualifiedErrorId')).toBe('ActionPreferenceStop');
  });

  it('Write-Error is non-terminating, shaped like the recorded WriteErrorException; EAP Stop makes it terminating', async () => {
    const r = await run('Write-Error -Message oops -ErrorId MyId -Category InvalidData; "after"');
    expect(r.output).toEqual(['after']);
    const e = r.errors[0];
    expect([e?.toString(), e?.get('FullyQualifiedErrorId'), e?.get('ErrorCategory_Category'), e?.get('writeErrorStream'), (e?.get('Exception') as PSObject).typeNames[0]])
      .toEqual(['oops', 'MyId', 6, true, 'Microsoft.PowerShell.Commands.WriteErrorException']);
    const s = await run("$ErrorActionPreference = 'Stop'; Write-Output before; Write-Error error; Write-Output after");
    expect(s.output).toEqual(['before']);
    expect((s.thrown as { record: PSObject }).record.get('ErrorCategory_Message')).toBe('NotSpecified: (:) [Write-Error], WriteErrorException');
    expect((await run('Write-Error x -ErrorAction SilentlyContinue')).errors).toEqual([]);
  });

  it('2>&1 merges errors into output; 2>$null drops them', async () => {
    const merged = await run('$r = Write-Error e 2>&1; "got " + $r');
    expect([merged.output, merged.errors.length]).toEqual([['got e'], 0]);
    expect((await run('Write-Error e 2>$null')).errors).toEqual([]);
  });

  it('Write-Progress respects $ProgressPreference', async () => {
    const r = await run('Write-Progress -Activity A -Status S -PercentComplete 50 -Id 2; Write-Progress -Activity A -Completed; $ProgressPreference = "SilentlyContinue"; Write-Progress -Activity B');
    expect(r.progress.map((p) => [p.activity, p.statusDescription, p.percentComplete, p.activityId, p.recordType])).toEqual([['A', 'S', 50, 2, 0], ['A', 'Processing', -1, 0, 1]]);
  });
});

describe('host calls', () => {
  it('Read-Host prompts (Write1) then ReadLine; -AsSecureString uses ReadLineAsSecureString', async () => {
    const r = await run('$name = Read-Host -Prompt "Name"; "hi $name"; Read-Host -AsSecureString', {
      answer: (m) => (m === HostMethodIdentifier.ReadLine ? 'Ann' : m === HostMethodIdentifier.ReadLineAsSecureString ? { kind: 'SS', value: 'AAAA' } : null),
    });
    expect(r.hostCalls.map((c) => [HostMethodIdentifier[c.method], c.params])).toEqual([['Write1', ['Name: ']], ['ReadLine', []], ['ReadLineAsSecureString', []]]);
    expect(r.output).toEqual(['hi Ann', { kind: 'SS', value: 'AAAA' }]);
  });

  it('Get-Credential calls PromptForCredential1 and outputs what the client answered', async () => {
    const cred = new PSObject({ typeNames: ['System.Management.Automation.PSCredential', 'System.Object'], adapted: [['UserName', 'bob']] });
    const r = await run('(Get-Credential -UserName bob -Message "m").UserName', { answer: () => cred });
    expect(r.hostCalls.map((c) => [HostMethodIdentifier[c.method], c.params])).toEqual([['PromptForCredential1', ['PowerShell credential request', 'm', 'bob', '']]]);
    expect(r.output).toEqual(['bob']);
  });
});

describe('commands', () => {
  it('Start-Sleep stops promptly when the signal aborts', async () => {
    const ac = new AbortController();
    const started = Date.now();
    setTimeout(() => ac.abort(), 50);
    const r = await run('Start-Sleep -Seconds 30; "never"', { signal: ac.signal });
    expect([(r.thrown as Error).name, r.output.length, Date.now() - started < 5000]).toEqual(['AbortError', 0, true]);
  });

  it('Get-Date -Format and a DateTime', async () => {
    const r = await run('Get-Date -Date "2024-03-05T06:07:08" -Format "yyyy-MM-dd HH:mm:ss"; (Get-Date).Year -ge 2024');
    expect(r.output).toEqual(['2024-03-05 06:07:08', true]);
  });

  it('Get-Process -Id $PID finds this node process', async () => {
    const r = await run('Get-Process -Id $PID');
    const p = r.output[0] as PSObject;
    expect([p.typeNames[0], p.get('Id'), p.get('ProcessName'), p.get('Name')]).toEqual(['System.Diagnostics.Process', process.pid, 'node', 'node']);
    expect(['Handles', 'NPM', 'PM', 'WS', 'CPU', 'SI', 'Path', 'StartTime'].every((k) => p.has(k))).toBe(true);
  });

  it('Get-Service answers without error (systemd or empty)', async () => {
    const r = await run('Get-Service | Select-Object -First 1');
    expect([r.errors.length, r.thrown]).toEqual([0, undefined]);
    if (r.output[0]) expect((r.output[0] as PSObject).typeNames[0]).toBe('System.ServiceProcess.ServiceController');
  });

  it('Set-Content / Get-Content round trip Unicode; -Raw, -TotalCount, -Tail; Add-Content', async () => {
    const session = inTmp();
    const r = await run('Set-Content -Path u.txt -Value "héllo ✓","мир","三"; Get-Content u.txt; Get-Content u.txt -TotalCount 1; Get-Content u.txt -Tail 1; "x" | Add-Content u.txt; (Get-Content u.txt -Raw).Length', { session });
    expect(r.output).toEqual(['héllo ✓', 'мир', '三', 'héllo ✓', '三', 16]);
    expect(readFileSync(path.join(tmp, 'u.txt'), 'utf8')).toBe('héllo ✓\nмир\n三\nx\n');
  });

  it('Get-ChildItem lists FileInfo/DirectoryInfo; -Recurse -Filter -File -Directory; Test-Path; Remove-Item', async () => {
    mkdirSync(path.join(tmp, 'tree/sub'), { recursive: true });
    writeFileSync(path.join(tmp, 'tree/a.log'), 'abc');
    writeFileSync(path.join(tmp, 'tree/sub/b.log'), '');
    writeFileSync(path.join(tmp, 'tree/c.txt'), '');
    const session = inTmp();
    const r = await run('(Get-ChildItem tree).Name; (Get-ChildItem tree -Recurse -Filter *.log).Name; (gci tree -Directory).Name; (Get-Item tree/a.log).Length; Test-Path tree/zz; Remove-Item tree -Recurse; Test-Path tree', { session });
    expect(r.output.map(plain)).toEqual(['sub', 'a.log', 'c.txt', 'a.log', 'b.log', 'sub', 3, false, false]);
    const typed = await run('Get-ChildItem .', { session });
    expect((typed.output[0] as PSObject).typeNames[0]).toMatch(/^System\.IO\.(File|Directory)Info$/);
  });

  it('Get-Item on a missing path writes ItemNotFoundException', async () => {
    const r = await run('Get-Item nope', { session: inTmp() });
    expect([r.errors[0]?.get('FullyQualifiedErrorId'), r.errors[0]?.get('ErrorCategory_Category')]).toEqual(['PathNotFound,Microsoft.PowerShell.Commands.GetItemCommand', 13]);
  });

  it('Select-Object, Sort-Object, Measure-Object', async () => {
    const r = await run(`$d = @([pscustomobject]@{n='b'; v=2}, [pscustomobject]@{n='a'; v=3}, [pscustomobject]@{n='c'; v=1})
      ($d | Sort-Object v).n; ($d | Sort-Object n -Descending).n; $d | Select-Object -Last 1 -ExpandProperty n
      ($d | Select-Object n, @{n='double'; e={ $_.v * 2 }} | Select-Object -First 1).double
      $m = $d | Measure-Object v -Sum -Average -Maximum -Minimum; $m.Count; $m.Sum; $m.Average; $m.Maximum; $m.Minimum
      3,1,3,2 | Sort-Object -Unique`);
    expect(r.output.map(plain)).toEqual(['c', 'b', 'a', 'c', 'b', 'a', 'c', 4, 3, 6, 2, 3, 1, 1, 2, 3]);
  });

  it('ConvertTo-Json matches PowerShell formatting', async () => {
    const r = await run(`[ordered]@{a=1; b='x'; c=$true; d=$null; e=1.5} | ConvertTo-Json
      ConvertTo-Json @(1,2) -Compress
      @{} | ConvertTo-Json
      ConvertTo-Json -InputObject @() 
      [pscustomobject]@{n=[pscustomobject]@{m=@(1,2)}} | ConvertTo-Json
      "a""b\`n" | ConvertTo-Json`);
    expect(r.output).toEqual([
      '{\n  "a": 1,\n  "b": "x",\n  "c": true,\n  "d": null,\n  "e": 1.5\n}',
      '[1,2]',
      '{}',
      '[]',
      '{\n  "n": {\n    "m": [\n      1,\n      2\n    ]\n  }\n}',
      '"a\\"b\\n"',
    ]);
  });

  it('Out-String renders tables; Get-Variable; Get-Command with wildcards', async () => {
    const r = await run('[pscustomobject]@{A=1; B="x"} | Out-String; (Get-Variable PSVersionTable).Name; (Get-Command Get-C*).Name; (Get-Command gci).Definition');
    expect(r.output).toEqual(['\nA B\n- -\n1 x\n\n', 'PSVersionTable', 'Get-ChildItem', 'Get-Command', 'Get-Content', 'Get-Credential', 'Get-ChildItem']);
  });

  it('native programs: output lines, $LASTEXITCODE, stderr as NativeCommandError', async () => {
    const r = await run("printf 'one\\ntwo\\n'; sh -c 'exit 3'; $LASTEXITCODE; sh -c 'echo bad >&2'");
    expect(r.output).toEqual(['one', 'two', 3]);
    expect(r.errors.map((e) => [e.toString(), e.get('FullyQualifiedErrorId')])).toEqual([['bad', 'NativeCommandError']]);
  });

  it('a stopped native program is killed', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const started = Date.now();
    const r = await run('sleep 30', { signal: ac.signal });
    expect([(r.thrown as Error).name, Date.now() - started < 5000]).toEqual(['AbortError', true]);
  });

  it('runCommands: cmdlets with parameters, pipeline input, scripts; a missing command fails the pipeline', async () => {
    const r = await runList([{ name: 'Sort-Object', isScript: false, parameters: [{ name: 'Descending', value: null }] }], { input: [1, 3, 2] });
    expect(r.output).toEqual([3, 2, 1]);
    const s = await runList([{ name: 'param($a) $a * 2', isScript: true, parameters: [{ value: 21 }] }]);
    expect(s.output).toEqual([42]);
    const f = await runList([{ name: 'Get-Nothing', isScript: false, parameters: [] }]);
    expect((f.thrown as { record: PSObject }).record.get('FullyQualifiedErrorId')).toBe('CommandNotFoundException');
  });

  it('parameter binding errors name the problem', async () => {
    const r = await run('Get-Date -Bogus 1; Get-Process -I 1');
    expect(r.errors.map((e) => e.get('FullyQualifiedErrorId'))).toEqual(['NamedParameterNotFound,Get-Date', 'AmbiguousParameter,Get-Process']);
  });
});

describe('TabExpansion2', () => {
  const matches = (o: PSValue): unknown => plain((o as PSObject).get('CompletionMatches') ?? null);
  it('completes commands, parameters, variables and paths', async () => {
    writeFileSync(path.join(tmp, 'completeme.txt'), '');
    const session = inTmp();
    const r = await run("TabExpansion2 'Get-Proc' 8; TabExpansion2 -inputScript 'Get-Process -N' -cursorColumn 14; TabExpansion2 '$PSVer' 6; TabExpansion2 'cat complet' 11", { session });
    const [cmd, param, variable, file] = r.output as PSObject[];
    expect([cmd?.typeNames[0], cmd?.get('ReplacementIndex'), cmd?.get('ReplacementLength'), cmd?.get('CurrentMatchIndex')]).toEqual(['System.Management.Automation.CommandCompletion', 0, 8, -1]);
    const texts = (o: PSObject | undefined): unknown => (matches(o ?? null) as string[]).length;
    expect(texts(cmd)).toBe(1);
    const first = (o: PSObject | undefined): PSObject => ((o?.get('CompletionMatches') as PSObject).value as { items: PSObject[] }).items[0] as PSObject;
    expect(['CompletionText', 'ListItemText', 'ResultType'].map((k) => first(cmd).get(k))).toEqual(['Get-Process', 'Get-Process', 'Command']);
    expect(['CompletionText', 'ResultType'].map((k) => first(param).get(k))).toEqual(['-Name', 'ParameterName']);
    expect([param?.get('ReplacementIndex'), param?.get('ReplacementLength')]).toEqual([12, 2]);
    expect(['CompletionText', 'ResultType'].map((k) => first(variable).get(k))).toEqual(['$PSVersionTable', 'Variable']);
    expect(['CompletionText', 'ResultType'].map((k) => first(file).get(k))).toEqual(['./completeme.txt', 'ProviderItem']);
  });

  it('the CommandCompletion shape matches the recorded one', async () => {
    const { host, rec } = recordingHost();
    await runScript("TabExpansion2 'Get-Serv' 8", { host, session: new EngineSession(), signal: new AbortController().signal });
    const xml = serialize(rec.output[0] ?? null);
    for (const part of ['<T>System.Management.Automation.CommandCompletion</T>', '<I32 N="CurrentMatchIndex">-1</I32>', '<I32 N="ReplacementLength">8</I32>', '<T>System.Management.Automation.CompletionResult</T>', '<S N="ResultType">Command</S>', '<S N="CompletionText">Get-Service</S>']) {
      expect(xml).toContain(part);
    }
  });
});

describe('New-Item on provider drives', () => {
  it('env: sets an environment variable of the session and never writes a file named env:', async () => {
    const session = inTmp();
    const r = await run('New-Item -Path env: -Name greeting -Value "hi there" | Out-Null; New-Item env:other -Value 7 | Out-Null; "$env:greeting/$env:other"', { session });
    expect([r.output.map((v) => plain(v)), r.errors.length]).toEqual([['hi there/7'], 0]);
    expect(readdirSync(tmp).filter((f) => f.toLowerCase().startsWith('env'))).toEqual([]);
  });

  it('another provider drive is DriveNotFound, not a file', async () => {
    const r = await run('New-Item -Path HKLM:\\SOFTWARE\\Contoso -ItemType Directory', { session: inTmp() });
    expect(r.errors.map((e) => e.adapted.get('FullyQualifiedErrorId') ?? e.toString())).toHaveLength(1);
    expect(String(r.errors[0]?.toString())).toContain("A drive with the name 'HKLM' does not exist.");
    expect(readdirSync(tmp).filter((f) => f.startsWith('HKLM'))).toEqual([]);
  });
});
