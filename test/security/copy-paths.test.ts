/**
 * copy path safety: a download never writes outside its destination, whatever names the remote
 * listing holds; the many-host folder name is always a plain folder; an upload refuses local
 * symbolic links that lead outside the folder being copied (and loops), unless asked.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { PSInvocationState, PSObject, type PSValue } from '../../src/psrp/index.js';
import { download, hostFolderName, isInside, safeRelativeParts, upload, type CopySession } from '../../src/session/copy/index.js';
import { DOWNLOAD_SCRIPT, LIST_SCRIPT } from '../../src/session/copy/scripts.js';
import type { PipelineEvent } from '../../src/session/index.js';

const work = mkdtempSync(path.join(tmpdir(), 'tsr-copysafe-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Every file and folder under `dir`, relative, sorted. */
function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const n of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${n.name}` : n.name;
      out.push(r);
      if (n.isDirectory()) walk(r);
    }
  };
  walk('');
  return out.sort();
}

interface FakeEntry {
  rel: string;
  dir: boolean;
  content?: string;
}

/** A session answering LIST_SCRIPT with a crafted listing and DOWNLOAD_SCRIPT with file contents. */
function hostileHost(rootFullName: string, entries: FakeEntry[]): CopySession & { scripts: string[] } {
  const scripts: string[] = [];
  const obj = (props: [string, PSValue][]): PSObject => new PSObject({ adapted: props });
  return {
    host: 'evil',
    scripts,
    async *run(script, opts): AsyncGenerator<PipelineEvent, void, undefined> {
      scripts.push(script === LIST_SCRIPT ? 'list' : script === DOWNLOAD_SCRIPT ? `download ${String(opts?.args?.[0])}` : 'other');
      const pipelineId = 'P';
      if (script === LIST_SCRIPT) {
        yield { type: 'PipelineOutput', pipelineId, value: obj([['Rel', ''], ['Dir', true], ['Length', 0], ['FullName', rootFullName]]) };
        for (const e of entries) {
          const full = `${rootFullName}/${e.rel}`;
          yield { type: 'PipelineOutput', pipelineId, value: obj([['Rel', e.rel], ['Dir', e.dir], ['Length', e.content?.length ?? 0], ['FullName', full]]) };
        }
      } else if (script === DOWNLOAD_SCRIPT) {
        const e = entries.find((x) => `${rootFullName}/${x.rel}` === opts?.args?.[0]);
        const data = Buffer.from(e?.content ?? '');
        yield { type: 'PipelineOutput', pipelineId, value: data.toString('base64') };
        yield { type: 'PipelineOutput', pipelineId, value: obj([['Sha256', createHash('sha256').update(data).digest('hex')], ['Length', data.length]]) };
      }
      yield { type: 'PipelineState', pipelineId, state: PSInvocationState.Completed, previous: PSInvocationState.Running };
    },
  };
}

describe('safeRelativeParts (remote listing names)', () => {
  it.each([
    ['../outside', /'\.\.' component/],
    ['a/../../outside', /'\.\.' component/],
    ['a/./b', /'\.' component/],
    ['a//b', /'\/\/' component/],
    ['/etc/passwd', /absolute path/],
    ['\\\\server\\share', /absolute path/],
    ['C:/Windows/x', /absolute path/],
    ['c:x', /absolute path/],
    ['a\\..\\..\\x', /backslash/],
    ['ok/na\u0000me', /NUL/],
    ['', /'\/\/' component/],
  ])('refuses %j', (rel, why) => {
    expect(() => safeRelativeParts(rel, 'evil', 'linux')).toThrow(why);
  });

  it('refuses colons and trailing dots only where Windows would misread them', () => {
    expect(safeRelativeParts('logs/a:b.txt', 'h', 'linux')).toEqual(['logs', 'a:b.txt']);
    expect(() => safeRelativeParts('logs/a:b.txt', 'h', 'win32')).toThrow(/not a valid Windows file name/);
    expect(() => safeRelativeParts('logs/x.', 'h', 'win32')).toThrow(/not a valid Windows file name/);
    expect(safeRelativeParts('..hidden/...x/a..b', 'h', 'linux')).toEqual(['..hidden', '...x', 'a..b']);
  });

  it('whatever it accepts lands inside the root (property, 2000 runs)', () => {
    const root = path.resolve(work, 'prop-root');
    const piece = fc.constantFrom('..', '.', '', '/', '\\', 'a', 'b.txt', 'C:', ':', '\u0000', '..\\', '~', ' ');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }).map((p) => p.join('')), fc.constantFrom<NodeJS.Platform>('linux', 'win32'), (rel, platform) => {
        let parts: string[];
        try {
          parts = safeRelativeParts(rel, 'h', platform);
        } catch (err) {
          expect((err as { code?: string }).code).toBe('ETSR_COPY_UNSAFE');
          return;
        }
        const dest = path.resolve(root, ...parts);
        expect(isInside(root, dest) && dest !== root).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('isInside tells a child named "..x" from the parent', () => {
    expect(isInside('/d', '/d/..x')).toBe(true);
    expect(isInside('/d', '/d/../x')).toBe(false);
    expect(isInside('/d', '/dx')).toBe(false);
    expect(isInside('/d', '/d')).toBe(true);
  });
});

describe('download from a hostile host', () => {
  it.each([
    ['a parent-directory escape', '../escaped.txt'],
    ['a deep escape', 'sub/../../escaped.txt'],
    ['an absolute path', '/tmp/escaped.txt'],
    ['a drive path', 'C:/escaped.txt'],
    ['a backslash escape', '..\\escaped.txt'],
  ])('refuses %s and writes nothing at all', async (_what, rel) => {
    const base = mkdtempSync(path.join(work, 'dl-'));
    const dest = path.join(base, 'dest');
    mkdirSync(dest);
    const host = hostileHost('/srv/share', [
      { rel: 'good.txt', dir: false, content: 'fine' },
      { rel: 'sub', dir: true },
      { rel, dir: false, content: 'pwned' },
    ]);
    const err = await download(host, '/srv/share', dest, { recurse: true }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ETSR_COPY_UNSAFE', host: 'evil', message: expect.stringMatching(/^refusing remote entry/) });
    // Checked before anything was created or fetched: only the listing ran.
    expect(host.scripts).toEqual(['list']);
    expect(tree(base)).toEqual(['dest']);
  });

  it('refuses a root whose name is ".." when copying into an existing folder', async () => {
    const dest = mkdtempSync(path.join(work, 'dlroot-'));
    const err = await download(hostileHost('/srv/..', [{ rel: 'x', dir: false, content: 'x' }]), '/srv/..', dest, { recurse: true }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ETSR_COPY_UNSAFE' });
    expect(tree(path.dirname(dest)).filter((p) => p === 'x')).toEqual([]);
    expect(readdirSync(dest)).toEqual([]);
  });

  it('copies a well-behaved tree, odd but legal names included', async () => {
    const dest = mkdtempSync(path.join(work, 'dlok-'));
    const host = hostileHost('/srv/share', [
      { rel: '..dots', dir: true },
      { rel: '..dots/a..b', dir: false, content: 'one' },
      { rel: 'sp ace.txt', dir: false, content: 'two' },
    ]);
    const records = await download(host, '/srv/share', dest, { recurse: true });
    expect(records.map((r) => path.relative(dest, r.destination)).sort()).toEqual([path.join('share', '..dots', 'a..b'), path.join('share', 'sp ace.txt')]);
    expect(readFileSync(path.join(dest, 'share', '..dots', 'a..b'), 'utf8')).toBe('one');
  });
});

describe('hostFolderName (DEST/HOST/ for many-host downloads)', () => {
  it.each([
    ['web1', 'web1'],
    ['web1:5986', 'web1_5986'],
    ['[::1]:5985', '_1_5985'],
    ['..', '__'],
    ['.', '_'],
    ['...x', '___x'],
    ['a/../../b', 'a_.._.._b'],
    ['https://h/x', 'https_h_x'],
    ['', '_'],
  ])('%j -> %j', (host, expected) => {
    expect(hostFolderName(host)).toBe(expected);
  });

  it('is always one plain component inside DEST (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (host) => {
        const name = hostFolderName(host);
        expect(name).not.toMatch(/^\.|[\\/\u0000]/);
        expect(path.dirname(path.resolve('/dest', name))).toBe(path.resolve('/dest'));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('upload and local symbolic links', () => {
  /** A session that records what it was asked to run; the first script fails (no host needed). */
  function recordingSession(): CopySession & { scripts: number } {
    const s = {
      host: 'h',
      scripts: 0,
      async *run(): AsyncGenerator<PipelineEvent, void, undefined> {
        s.scripts++;
        yield { type: 'PipelineOutput', pipelineId: 'P', value: false };
        yield { type: 'PipelineState', pipelineId: 'P', state: PSInvocationState.Completed, previous: PSInvocationState.Running };
      },
    };
    return s;
  }

  function sourceTree(): { src: string; secret: string } {
    const base = mkdtempSync(path.join(work, 'up-'));
    const src = path.join(base, 'src');
    mkdirSync(path.join(src, 'sub'), { recursive: true });
    writeFileSync(path.join(src, 'a.txt'), 'a');
    const secret = path.join(base, 'secret');
    mkdirSync(secret);
    writeFileSync(path.join(secret, 'id_rsa'), 'PRIVATE');
    return { src, secret };
  }

  it('refuses a link to a folder outside the source before anything is created remotely', async () => {
    const { src, secret } = sourceTree();
    symlinkSync(secret, path.join(src, 'sub', 'keys'));
    const session = recordingSession();
    const err = await upload(session, [src], '/remote/dest', { recurse: true }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ETSR_INVALID_ARGUMENT', message: expect.stringMatching(/^refusing to upload '.*sub\/keys': a symbolic link to '.*secret', outside the folder being copied$/) });
    // Only the "is the destination a folder?" probe ran: no MKDIR, no file.
    expect(session.scripts).toBe(1);
  });

  it('refuses a link to a file outside, and a dangling link', async () => {
    const { src, secret } = sourceTree();
    symlinkSync(path.join(secret, 'id_rsa'), path.join(src, 'innocent.txt'));
    await expect(upload(recordingSession(), [src], '/r', { recurse: true })).rejects.toThrow(/a symbolic link to '.*id_rsa', outside/);
    const other = sourceTree();
    symlinkSync(path.join(other.src, 'nowhere'), path.join(other.src, 'dangling'));
    await expect(upload(recordingSession(), [other.src], '/r', { recurse: true })).rejects.toThrow(/a symbolic link whose target does not exist/);
  });

  it('refuses a link loop even when links inside the tree are followed', async () => {
    const { src } = sourceTree();
    symlinkSync('..', path.join(src, 'sub', 'up'));
    await expect(upload(recordingSession(), [src], '/r', { recurse: true, followSymlinks: true })).rejects.toThrow(/a symbolic link loop/);
  });

  it('follows links that stay inside the tree, and outside ones with followSymlinks (reaching the transfer)', async () => {
    const { src, secret } = sourceTree();
    symlinkSync(path.join(src, 'a.txt'), path.join(src, 'sub', 'alias.txt'));
    // Inside links pass the walk: the failure comes later, from the fake session's MKDIR answer.
    const inside = recordingSession();
    await upload(inside, [src], '/r', { recurse: true }).catch(() => undefined);
    expect(inside.scripts).toBeGreaterThan(1);
    symlinkSync(secret, path.join(src, 'keys'));
    const allowed = recordingSession();
    await upload(allowed, [src], '/r', { recurse: true, followSymlinks: true }).catch(() => undefined);
    expect(allowed.scripts).toBeGreaterThan(1);
  });
});
