// Preloaded into a measured Node process (`node -r bench/lib/thread-cpu.cjs …`): at exit it writes
// one stderr line, `TSREMOTE_BENCH_THREADS {json}`, with the CPU milliseconds (user and system) of
// the main thread and of the other threads by name, read from /proc/self/task (Linux only; nothing
// is written elsewhere). V8's compiler and GC helper threads are named "node" there, so the line
// splits a process's CPU into our JavaScript (main, user), the kernel (main, system) and the JIT.
'use strict';
const fs = require('node:fs');
const { parseStat } = require('./proc-stat.cjs');

process.on('exit', () => {
  const cpu = {};
  try {
    for (const tid of fs.readdirSync('/proc/self/task')) {
      const stat = parseStat(fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8'));
      const t = (cpu[tid === String(process.pid) ? 'main' : stat.name] ??= { userMs: 0, sysMs: 0 });
      t.userMs += stat.userS * 1000;
      t.sysMs += stat.sysS * 1000;
    }
  } catch {
    return; // not Linux: no split
  }
  fs.writeSync(2, `TSREMOTE_BENCH_THREADS ${JSON.stringify(cpu)}\n`);
});
