// Preloaded into a measured Node process (`node -r bench/lib/thread-cpu.cjs …`): at exit it writes
// one stderr line, `TSREMOTE_BENCH_THREADS {json}`, with the CPU milliseconds (user and system) of
// the main thread and of the other threads by name, read from /proc/self/task (Linux only; nothing
// is written elsewhere). V8's compiler and GC helper threads are named "node" there, so the line
// splits a process's CPU into our JavaScript (main, user), the kernel (main, system) and the JIT.
'use strict';
const fs = require('node:fs');

const MS_PER_TICK = 10; // /proc's times are in USER_HZ ticks: 100 per second on Linux

process.on('exit', () => {
  const cpu = {};
  try {
    for (const tid of fs.readdirSync('/proc/self/task')) {
      const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const name = tid === String(process.pid) ? 'main' : stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      // Fields after the ")" that ends the name: utime and stime are the 12th and 13th.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const t = (cpu[name] ??= { userMs: 0, sysMs: 0 });
      t.userMs += Number(fields[11]) * MS_PER_TICK;
      t.sysMs += Number(fields[12]) * MS_PER_TICK;
    }
  } catch {
    return; // not Linux: no split
  }
  fs.writeSync(2, `TSREMOTE_BENCH_THREADS ${JSON.stringify(cpu)}\n`);
});
