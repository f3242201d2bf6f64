// A deterministic, in-memory CLIXML payload of Get-Process-like objects, and the same data as JSON.
//
// The shape follows what the fixtures record of Windows PowerShell's serializer (pypsrp's
// test_psrp_multiple_commands Get-Service output and the CmdletInfo outputs): an <Obj> with a
// four-name <TN> (Process → Component → MarshalByRefObject → Object), <ToString>, adapted
// properties in <Props> and PowerShell's extensions in <MS>; an enum as an <Obj> wrapping <I32>;
// collections as an <Obj> with its own <TN> around <IE>; the items of one collection sharing a
// type through <TNRef> (as the ParameterMetadata values of a CmdletInfo do); one <Ref> to an
// object written earlier (as Get-Service's RequiredServices). The property set is
// System.Diagnostics.Process's. Strings carry what needs encoding on the wire: XML entities,
// `_xHHHH_` escapes of control characters and of surrogate pairs, and a literal `_x` escaped as
// `_x005F_`.
//
// Two layouts of the same objects:
//   messages(): one document per object, RefIds from 0 in each — a PIPELINE_OUTPUT message each;
//   document(): one <Objs> stream, RefIds and TN RefIds running on across objects (Export-Clixml).
// json(): the objects as tsremote's JSON projection (toJSON) gives them, one JSON document.
//
// Everything comes from a seeded PRNG: the same size and seed give byte-identical text.
import { mulberry32 } from '../../dist/server/fault-injection/prng.js';

const NAMES = [
  'svchost', 'explorer', 'lsass', 'csrss', 'winlogon', 'services', 'wininit', 'dwm', 'spoolsv', 'WmiPrvSE',
  'powershell', 'conhost', 'RuntimeBroker', 'SearchIndexer', 'MsMpEng', 'taskhostw', 'sihost', 'ctfmon',
  'wsmprovhost', 'TrustedInstaller', 'vmtoolsd', 'msdtc', 'dllhost', 'smss', 'fontdrvhost', 'Idle', 'System',
];
const DLLS = [
  'ntdll.dll', 'KERNEL32.DLL', 'KERNELBASE.dll', 'msvcrt.dll', 'sechost.dll', 'RPCRT4.dll', 'combase.dll',
  'ucrtbase.dll', 'bcryptPrimitives.dll', 'advapi32.dll', 'USER32.dll', 'win32u.dll', 'GDI32.dll',
  'gdi32full.dll', 'msvcp_win.dll', 'IMM32.DLL', 'clbcatq.dll', 'OLEAUT32.dll', 'shcore.dll', 'SHLWAPI.dll',
  'CRYPTBASE.dll', 'WS2_32.dll', 'mswsock.dll', 'NSI.dll', 'wevtapi.dll', 'WINHTTP.dll', 'webio.dll',
];
/** Window titles, raw (before encoding): some hold what CLIXML must escape. */
const TITLES = [
  '', '', '', '', 'Administrator: Windows PowerShell', 'C:\\Users\\vagrant\\Documents',
  'Task Manager', 'Report\tQ3 — draft', 'line one\r\nline two', 'build_x0041_log.txt',
  'Résumé – Notepad', 'chat 😀 status', 'AT&T <Connect>', 'quote "this" & that',
];
const COMPANIES = ['Microsoft Corporation', 'VMware, Inc.', 'AT&T Labs', null];
const PRIORITIES = [['Normal', 32], ['High', 128], ['Idle', 64], ['BelowNormal', 16384], ['AboveNormal', 32768]];

const PROCESS_TN = ['System.Diagnostics.Process', 'System.ComponentModel.Component', 'System.MarshalByRefObject', 'System.Object'];
const PRIORITY_TN = ['System.Diagnostics.ProcessPriorityClass', 'System.Enum', 'System.ValueType', 'System.Object'];
const MODULES_TN = ['System.Diagnostics.ProcessModuleCollection', 'System.Collections.ReadOnlyCollectionBase', 'System.Object'];
const MODULE_TN = ['System.Diagnostics.ProcessModule', 'System.ComponentModel.Component', 'System.MarshalByRefObject', 'System.Object'];
const THREADS_TN = ['System.Diagnostics.ProcessThreadCollection', 'System.Collections.ReadOnlyCollectionBase', 'System.Object'];

/** MS-PSRP §2.2.5.3.2 string encoding, written out here so the payload does not depend on our code. */
const NEEDS_ENCODING = /[\u0000-\u001f\u007f-\u009f\ud800-\udfff\ufffe\uffff_&<>]/;
function encode(s) {
  if (!NEEDS_ENCODING.test(s)) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const escapeUnderscore = c === 0x5f && /^[xX][0-9A-Fa-f]{4}_/.test(s.slice(i + 1, i + 7));
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0xd800 && c <= 0xdfff) || c === 0xfffe || c === 0xffff || escapeUnderscore) {
      out += `_x${c.toString(16).toUpperCase().padStart(4, '0')}_`;
    } else if (c === 0x26) out += '&amp;';
    else if (c === 0x3c) out += '&lt;';
    else if (c === 0x3e) out += '&gt;';
    else out += s[i];
  }
  return out;
}

/** One random process as plain data: every field the writer and the JSON projection need. */
function processRecord(rand, index) {
  const pick = (list) => list[Math.floor(rand() * list.length)];
  const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
  const name = pick(NAMES);
  const id = 4 + index * 4;
  const ws = int(1, 400) * 4096 * 16;
  const pm = int(1, 300) * 4096 * 8;
  const vm = 2199023255552 + int(0, 1 << 20) * 4096;
  const npm = int(4, 200) * 1024;
  const paged = int(50, 600) * 1024;
  const cpu = Math.round(rand() * 5000 * 64) / 64;
  const user = Math.round(cpu * 0.6 * 64) / 64;
  const company = pick(COMPANIES);
  const priority = pick(PRIORITIES);
  const day = int(1, 28);
  const start = `2018-06-${String(day).padStart(2, '0')}T${String(int(0, 23)).padStart(2, '0')}:${String(int(0, 59)).padStart(2, '0')}:${String(int(0, 59)).padStart(2, '0')}.${String(int(0, 9_999_999)).padStart(7, '0')}+00:00`;
  const modules = Array.from({ length: int(3, 24) }, (_, i) => {
    const dll = i === 0 ? `${name}.exe` : pick(DLLS);
    return {
      ModuleName: dll,
      FileName: i === 0 ? `C:\\Windows\\system32\\${dll}` : `C:\\Windows\\SYSTEM32\\${dll}`,
      BaseAddress: 140_700_000_000_000 + int(0, 1 << 24) * 65536,
      ModuleMemorySize: int(16, 4096) * 4096,
    };
  });
  return {
    name, id, ws, pm, vm, npm, paged, cpu, user, company, priority, start, modules,
    handles: int(50, 3000),
    threads: int(1, 60),
    sessionId: rand() < 0.7 ? 0 : 1,
    title: pick(TITLES),
    path: `C:\\Windows\\system32\\${name}.exe`,
    description: rand() < 0.1 ? 'Host_x000A_Process for Windows\u0007 Services' : `${name} host process`,
  };
}

/** Hands out RefIds and remembers type-name lists already written, for one RefId scope. */
class Scope {
  objects = 0;
  typeNames = new Map();
  tn(names) {
    const key = names.join('\n');
    const seen = this.typeNames.get(key);
    if (seen !== undefined) return `<TNRef RefId="${seen}" />`;
    const id = this.typeNames.size;
    this.typeNames.set(key, id);
    return `<TN RefId="${id}">${names.map((t) => `<T>${encode(t)}</T>`).join('')}</TN>`;
  }
}

/** The CLIXML of one process, its RefIds taken from `scope`. */
function processXml(p, scope) {
  const s = (n, v) => (v === null ? `<Nil N="${n}" />` : `<S N="${n}">${encode(v)}</S>`);
  const i32 = (n, v) => `<I32 N="${n}">${v}</I32>`;
  const i64 = (n, v) => `<I64 N="${n}">${v}</I64>`;
  const b = (n, v) => `<B N="${n}">${v}</B>`;
  const self = scope.objects++;
  let x = `<Obj RefId="${self}">${scope.tn(PROCESS_TN)}<ToString>${encode(`System.Diagnostics.Process (${p.name})`)}</ToString><Props>`;
  x += i32('BasePriority', 8) + b('HasExited', false) + i64('Handle', 1000 + p.id) + i32('HandleCount', p.handles);
  x += i32('Id', p.id) + s('MachineName', '.') + i64('MainWindowHandle', p.title ? 65_000 + p.id : 0) + s('MainWindowTitle', p.title);
  x += i64('MaxWorkingSet', 1413120) + i64('MinWorkingSet', 204800);
  const modulesId = scope.objects++;
  x += `<Obj N="Modules" RefId="${modulesId}">${scope.tn(MODULES_TN)}<IE>`;
  let mainModuleId;
  for (const m of p.modules) {
    const mid = scope.objects++;
    mainModuleId ??= mid;
    x += `<Obj RefId="${mid}">${scope.tn(MODULE_TN)}<ToString>${encode(`System.Diagnostics.ProcessModule (${m.ModuleName})`)}</ToString><Props>`;
    x += s('ModuleName', m.ModuleName) + s('FileName', m.FileName) + i64('BaseAddress', m.BaseAddress) + i32('ModuleMemorySize', m.ModuleMemorySize);
    x += '</Props></Obj>';
  }
  x += '</IE></Obj>';
  x += `<Ref N="MainModule" RefId="${mainModuleId}" />`;
  x += i32('NonpagedSystemMemorySize', p.npm) + i64('NonpagedSystemMemorySize64', p.npm);
  x += i32('PagedMemorySize', p.pm) + i64('PagedMemorySize64', p.pm);
  x += i32('PagedSystemMemorySize', p.paged) + i64('PagedSystemMemorySize64', p.paged);
  x += i32('PeakPagedMemorySize', p.pm + 8192) + i64('PeakPagedMemorySize64', p.pm + 8192);
  x += i32('PeakWorkingSet', p.ws + 65536) + i64('PeakWorkingSet64', p.ws + 65536);
  x += i32('PeakVirtualMemorySize', -1) + i64('PeakVirtualMemorySize64', p.vm + 1048576);
  x += b('PriorityBoostEnabled', true);
  x += `<Obj N="PriorityClass" RefId="${scope.objects++}">${scope.tn(PRIORITY_TN)}<ToString>${p.priority[0]}</ToString><I32>${p.priority[1]}</I32></Obj>`;
  x += i32('PrivateMemorySize', p.pm) + i64('PrivateMemorySize64', p.pm);
  x += `<TS N="PrivilegedProcessorTime">${ts(p.cpu - p.user)}</TS>` + s('ProcessName', p.name) + i64('ProcessorAffinity', 3);
  x += b('Responding', true) + i32('SessionId', p.sessionId) + s('StartInfo', 'System.Diagnostics.ProcessStartInfo');
  x += `<DT N="StartTime">${p.start}</DT><Nil N="SynchronizingObject" />`;
  x += `<Obj N="Threads" RefId="${scope.objects++}">${scope.tn(THREADS_TN)}<IE>${'<S>System.Diagnostics.ProcessThread</S>'.repeat(p.threads)}</IE></Obj>`;
  x += `<TS N="TotalProcessorTime">${ts(p.cpu)}</TS><TS N="UserProcessorTime">${ts(p.user)}</TS>`;
  x += i32('VirtualMemorySize', -1) + i64('VirtualMemorySize64', p.vm) + b('EnableRaisingEvents', false);
  x += i32('WorkingSet', p.ws) + i64('WorkingSet64', p.ws) + '<Nil N="Site" /><Nil N="Container" /></Props><MS>';
  x += s('Name', p.name) + i32('SI', p.sessionId) + i32('Handles', p.handles) + i64('VM', p.vm) + i64('WS', p.ws);
  x += i64('PM', p.pm) + i64('NPM', p.npm) + s('Path', p.path) + s('Company', p.company) + `<Db N="CPU">${p.cpu}</Db>`;
  x += s('FileVersion', '10.0.14393.0 (rs1_release.160715-1616)') + s('ProductVersion', '10.0.14393.0');
  x += s('Description', p.description) + s('Product', 'Microsoft® Windows® Operating System') + s('__NounName', 'Process');
  return `${x}</MS></Obj>`;
}

/** xsd:duration of a TimeSpan of `seconds` (a multiple of 1/64 s, so exact in 7 digits). */
function ts(seconds) {
  const whole = Math.floor(seconds);
  const frac = Math.round((seconds - whole) * 1e7).toString().padStart(7, '0').replace(/0+$/, '');
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const sec = whole % 60;
  return `PT${h ? `${h}H` : ''}${m ? `${m}M` : ''}${sec || frac || (!h && !m) ? `${sec}${frac ? `.${frac}` : ''}S` : ''}`;
}

/** One process as tsremote's toJSON projects it: Props then MS, enums by name, I64 as numbers. */
function processJson(p) {
  const modules = p.modules.map((m) => ({ ...m }));
  return {
    BasePriority: 8, HasExited: false, Handle: 1000 + p.id, HandleCount: p.handles, Id: p.id, MachineName: '.',
    MainWindowHandle: p.title ? 65_000 + p.id : 0, MainWindowTitle: p.title, MaxWorkingSet: 1413120, MinWorkingSet: 204800,
    Modules: modules, MainModule: { ...p.modules[0] },
    NonpagedSystemMemorySize: p.npm, NonpagedSystemMemorySize64: p.npm, PagedMemorySize: p.pm, PagedMemorySize64: p.pm,
    PagedSystemMemorySize: p.paged, PagedSystemMemorySize64: p.paged, PeakPagedMemorySize: p.pm + 8192,
    PeakPagedMemorySize64: p.pm + 8192, PeakWorkingSet: p.ws + 65536, PeakWorkingSet64: p.ws + 65536,
    PeakVirtualMemorySize: -1, PeakVirtualMemorySize64: p.vm + 1048576, PriorityBoostEnabled: true,
    PriorityClass: p.priority[0], PrivateMemorySize: p.pm, PrivateMemorySize64: p.pm,
    PrivilegedProcessorTime: ts(p.cpu - p.user), ProcessName: p.name, ProcessorAffinity: 3, Responding: true,
    SessionId: p.sessionId, StartInfo: 'System.Diagnostics.ProcessStartInfo', StartTime: p.start, SynchronizingObject: null,
    Threads: Array(p.threads).fill('System.Diagnostics.ProcessThread'),
    TotalProcessorTime: ts(p.cpu), UserProcessorTime: ts(p.user), VirtualMemorySize: -1, VirtualMemorySize64: p.vm,
    EnableRaisingEvents: false, WorkingSet: p.ws, WorkingSet64: p.ws, Site: null, Container: null,
    Name: p.name, SI: p.sessionId, Handles: p.handles, VM: p.vm, WS: p.ws, PM: p.pm, NPM: p.npm, Path: p.path,
    Company: p.company, CPU: p.cpu, FileVersion: '10.0.14393.0 (rs1_release.160715-1616)', ProductVersion: '10.0.14393.0',
    Description: p.description, Product: 'Microsoft® Windows® Operating System', __NounName: 'Process',
  };
}

/**
 * Builds a payload of about `bytes` UTF-8 bytes of per-message CLIXML.
 * @returns {{ messages: string[], records: object[], bytes: number, document(): string, json(): string }}
 */
export function buildProcessPayload({ bytes = 50_000_000, seed = 0x5eed } = {}) {
  const rand = mulberry32(seed);
  const records = [];
  const messages = [];
  let total = 0;
  while (total < bytes) {
    const p = processRecord(rand, records.length);
    // Flat, as a message decoded from UTF-8 is (a string built by += is a rope in V8).
    const xml = Buffer.from(processXml(p, new Scope()), 'utf8').toString('utf8');
    records.push(p);
    messages.push(xml);
    total += Buffer.byteLength(xml);
  }
  return {
    messages,
    records,
    bytes: total,
    /** One <Objs> stream of every object, RefIds and TN RefIds shared across the document. */
    document() {
      const scope = new Scope();
      const parts = ['<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">'];
      for (const p of records) parts.push(processXml(p, scope));
      parts.push('</Objs>');
      return Buffer.from(parts.join(''), 'utf8').toString('utf8');
    },
    /** The objects as one JSON array, as toJSON would project them. */
    json() {
      return JSON.stringify(records.map(processJson));
    },
    /** One object's projection (for checking the JSON against the deserializer's). */
    jsonOf: (i) => processJson(records[i]),
  };
}

export { encode as encodeClixmlString };
