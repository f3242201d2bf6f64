// Scenario 6: start-up. Median wall time (and CPU seconds) of `tsremote --version` and
// `tsremote invoke --help` against `python3 -c "import winrm"` (what any pywinrm script pays before
// its first request), with `node -e 0` as the floor no Node CLI can go below.
//
// The commands run interleaved, round after round, so a burst of load from elsewhere on the
// machine falls on all of them alike; the first two rounds are warm-ups (page cache) and not kept.
import path from 'node:path';
import { measureCommand, median, PYTHON } from '../lib/measure.mjs';
import { fmt, ROOT, table, writeDocBlock, writeResult } from '../lib/results.mjs';

const CLI = path.join(ROOT, 'bin/tsremote.js');
const WARMUPS = 2;

const COMMANDS = [
  { id: 'version', label: '`tsremote --version`', argv: [process.execPath, CLI, '--version'] },
  { id: 'invoke-help', label: '`tsremote invoke --help`', argv: [process.execPath, CLI, 'invoke', '--help'] },
  { id: 'pywinrm-import', label: '`python3 -c "import winrm"`', argv: [PYTHON, '-c', 'import winrm'], peer: true },
  { id: 'node-floor', label: '`node -e 0` (floor)', argv: [process.execPath, '-e', '0'] },
];

export default {
  id: 'startup',
  title: 'Start-up: tsremote --version and invoke --help vs python3 -c "import winrm"',
  async run({ quick, command, log }) {
    const runs = quick ? 3 : 15;
    const samples = Object.fromEntries(COMMANDS.map((c) => [c.id, { wallS: [], cpuS: [], maxRssKb: [] }]));
    for (let round = 0; round < WARMUPS + runs; round++) {
      for (const c of COMMANDS) {
        const m = await measureCommand(c.argv, { timeoutMs: 60_000 });
        if (m.exitCode !== 0) throw new Error(`${c.argv.join(' ')}: exit ${m.exitCode}: ${m.stderr.slice(0, 500)}`);
        if (round < WARMUPS) continue;
        samples[c.id].wallS.push(m.wallS);
        samples[c.id].cpuS.push(m.cpuS);
        samples[c.id].maxRssKb.push(m.maxRssKb);
      }
    }
    const peer = samples['pywinrm-import'];
    const peerWall = median(peer.wallS);
    const peerCpu = median(peer.cpuS);
    const rows = COMMANDS.map((c) => {
      const s = samples[c.id];
      const wallS = median(s.wallS);
      const cpuS = median(s.cpuS);
      return {
        id: c.id,
        label: c.label,
        medianWallS: wallS,
        minWallS: Math.min(...s.wallS),
        medianCpuS: cpuS,
        medianRssMb: median(s.maxRssKb) / 1024,
        wallVsPeer: wallS / peerWall,
        cpuVsPeer: cpuS / peerCpu,
        samples: s,
      };
    });
    for (const r of rows) {
      log(`${r.label}: median ${fmt(r.medianWallS * 1000)} ms wall (min ${fmt(r.minWallS * 1000)}), ${fmt(r.medianCpuS * 1000)} ms CPU, ` +
        `${fmt(r.medianRssMb)} MB RSS; ×${fmt(r.wallVsPeer, 2)} of pywinrm's wall`);
    }
    writeResult('startup', command, { runs, warmups: WARMUPS, rows });
    const md = [
      '## Start-up (scenario 6)',
      '',
      `\`${command}\` — ${runs} interleaved rounds after ${WARMUPS} warm-ups; wall and CPU (user+sys) from \`wait4\`.`,
      '',
      table(
        ['command', 'median wall ms', 'min wall ms', 'median CPU ms', 'RSS MB', 'wall vs pywinrm', 'CPU vs pywinrm'],
        rows.map((r) => [r.label, fmt(r.medianWallS * 1000), fmt(r.minWallS * 1000), fmt(r.medianCpuS * 1000), fmt(r.medianRssMb),
          `×${fmt(r.wallVsPeer, 2)}`, `×${fmt(r.cpuVsPeer, 2)}`]),
      ),
      '',
      'Target: both tsremote commands below pywinrm\'s import. The CLI assembles commander\'s tree with only',
      'the verb the command line names (`src/cli/verbs.ts`; `--version` alone loads none), and each verb',
      'imports its action (the transport, the XML parser, renderers) only when it runs: `--version` loads nine modules',
      'of ours and commander. Most of what is left is Node\'s own start-up — compare the `node -e 0` floor.',
    ].join('\n');
    writeDocBlock('startup', md);
  },
};
