/** `tsremote session …` flag parsing (src/cli/session.ts), with a fake action: what each subcommand hands over. */
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { sessionCommand, type SessionRun } from '../../src/cli/session.js';

async function parse(args: string[]): Promise<SessionRun> {
  const runs: SessionRun[] = [];
  const program = new Command('tsremote').exitOverride();
  program.addCommand(
    sessionCommand({ code: 0 }, async (r) => {
      runs.push(r);
      return 0;
    }),
  );
  const override = (c: Command): void => {
    c.exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
    c.commands.forEach(override);
  };
  override(program);
  await program.parseAsync(['node', 'tsremote', 'session', ...args]);
  expect(runs).toHaveLength(1);
  return runs[0]!;
}

describe('session flags', () => {
  it('new takes one host, a name and an idle timeout (default 7200 s)', async () => {
    const r = await parse(['new', '-c', 'web1', '-u', 'admin', '--name', 's1', '--idle-timeout', '600']);
    expect(r.verb).toBe('new');
    if (r.verb !== 'new') return;
    expect([r.opts.hosts, r.opts.name, r.opts.idleTimeoutSec, r.opts.settings.username]).toEqual([['web1'], 's1', 600, 'admin']);
    const d = await parse(['new', '-c', 'web1']);
    expect(d.verb === 'new' && [d.opts.name, d.opts.idleTimeoutSec]).toEqual([undefined, 7200]);
  });

  it('new refuses zero or two hosts and a bad idle timeout', async () => {
    await expect(parse(['new'])).rejects.toMatchObject({ message: 'session new needs exactly one host: -c HOST' });
    await expect(parse(['new', '-c', 'a,b'])).rejects.toMatchObject({ message: 'session new needs exactly one host: -c HOST' });
    await expect(parse(['new', '-c', 'a', '--idle-timeout', '5'])).rejects.toMatchObject({ code: 'ETSR_INVALID_ARGUMENT' });
  });

  it('remove takes names or --all (not both, not neither) and --force', async () => {
    const r = await parse(['remove', 's1', 's2', '--force']);
    expect(r.verb !== 'new' && [r.verb, r.opts.names, r.opts.all, r.opts.force]).toEqual(['remove', ['s1', 's2'], false, true]);
    const all = await parse(['remove', '--all']);
    expect(all.verb !== 'new' && [all.opts.names, all.opts.all]).toEqual([[], true]);
    await expect(parse(['remove'])).rejects.toMatchObject({ message: 'session remove needs a NAME (or --all)' });
    await expect(parse(['remove', 's1', '--all'])).rejects.toMatchObject({ message: 'give NAMEs or --all, not both' });
  });

  it('list takes --offline and --json; connect and disconnect take names', async () => {
    const l = await parse(['list', '--offline', '--json']);
    expect(l.verb !== 'new' && [l.verb, l.opts.offline, l.opts.json]).toEqual(['list', true, true]);
    expect((await parse(['connect', 's1'])).verb).toBe('connect');
    expect((await parse(['disconnect', 's1'])).verb).toBe('disconnect');
  });
});
