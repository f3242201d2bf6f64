/**
 * Ctrl+C and SIGTERM in the middle of a run: the CLI stops the remote command, deletes the shell
 * and exits with 130 (128 + SIGINT, docs/cli.md) or 143 (128 + SIGTERM); serve then holds no shell
 * and no child process.
 */
import { describe, expect, it } from 'vitest';
import { finished, spawnCli, startRig, waitForNoShells } from './harness.js';

const runs = {
  cmd: ['--cmd', 'seq 1 3; sleep 60; echo never'],
  ps: ['-s', '1..3 | ForEach-Object { "rec $_" }; Start-Sleep -Seconds 60; "never"'],
} as const;

describe.concurrent('a signal mid-run', () => {
  for (const [signal, codes] of [['SIGINT', [130]], ['SIGTERM', [143]]] as const) {
    for (const verb of ['cmd', 'ps'] as const) {
      it(`${signal} during invoke ${verb}: exits ${codes.join(' or ')}, and serve holds 0 shells and 0 processes`, async () => {
        const rig = await startRig();
        try {
          const child = spawnCli(['invoke', '-c', rig.hosts[0]!, ...rig.conn(), ...runs[verb]], { env: rig.env });
          child.stdin.end();
          const done = finished(child, 60_000);
          // Signal once the remote command is surely running: its first records arrived.
          await new Promise<void>((resolve) => {
            let seen = '';
            child.stdout.on('data', (d: Buffer | string) => {
              seen += d.toString();
              if (seen.includes('3\n')) resolve();
            });
          });
          expect(rig.server.stats().shells).toBe(1);
          child.kill(signal);
          const res = await done;
          expect(res.stdout).not.toContain('never');
          expect(codes as readonly number[], `exit ${res.code}\n${res.stderr}`).toContain(res.code);
          expect(res.stderr).toMatch(/interrupted/);
          expect(await waitForNoShells(rig.server, 10_000)).toBe(0);
          expect(rig.server.stats().pids).toEqual([]);
        } finally {
          await rig.close();
        }
      }, 90_000);
    }
  }
});
