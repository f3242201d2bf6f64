// One process of a simulated fleet: `tsremote serve` (startServer from dist/) on a port range,
// driven over IPC by bench/lib/fleet.mjs. Messages in: {op:'stats'}, {op:'stop'}.
// Messages out: {op:'ready', urls}, {op:'stats', stats, faults, rssKb, cpu, childrenCpuS},
// {op:'error', message}. childrenCpuS: CPU seconds of the reaped child processes (the commands
// WinRS ran), from /proc/self/stat, so a scenario can count the whole fleet's CPU.
import { readFileSync } from 'node:fs';
import { startServer } from '../../dist/server/index.js';
import { parseStat } from './proc-stat.cjs';

function childrenCpuSeconds() {
  try {
    const stat = parseStat(readFileSync('/proc/self/stat', 'utf8'));
    return stat.childrenUserS + stat.childrenSysS;
  } catch {
    return 0;
  }
}

const options = JSON.parse(process.argv[2]);

try {
  const server = await startServer({ ...options, log: () => {} });
  process.send({ op: 'ready', urls: server.urls.map(String) });
  process.on('message', async (msg) => {
    if (msg.op === 'stats') {
      process.send({ op: 'stats', stats: server.stats(), faults: server.faultCounts(), rssKb: Math.round(process.memoryUsage().rss / 1024), cpu: process.cpuUsage(), childrenCpuS: childrenCpuSeconds() });
    } else if (msg.op === 'stop') {
      await server.close();
      process.exit(0);
    }
  });
  process.on('disconnect', () => process.exit(0));
} catch (err) {
  process.send({ op: 'error', message: err instanceof Error ? err.message : String(err) });
  process.exit(1);
}
