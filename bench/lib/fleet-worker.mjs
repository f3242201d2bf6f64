// One process of a simulated fleet: `tsremote serve` (startServer from dist/) on a port range,
// driven over IPC by bench/lib/fleet.mjs. Messages in: {op:'stats'}, {op:'stop'}.
// Messages out: {op:'ready', urls}, {op:'stats', stats, faults, rssKb, cpu, childrenCpuS},
// {op:'error', message}. childrenCpuS: CPU seconds of the reaped child processes (the commands
// WinRS ran), from /proc/self/stat, so a scenario can count the whole fleet's CPU.
import { readFileSync } from 'node:fs';
import { startServer } from '../../dist/server/index.js';

/** Clock ticks per second of /proc's times (USER_HZ: 100 on Linux). */
const USER_HZ = 100;

function childrenCpuSeconds() {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // Fields after the ")" that ends the command name: state is field 3; cutime, cstime are 16, 17.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[13]) + Number(fields[14])) / USER_HZ;
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
