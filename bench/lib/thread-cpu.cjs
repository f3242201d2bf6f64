// Preloaded into a measured Node process (`node -r bench/lib/thread-cpu.cjs …`): at exit it writes
// one stderr line, `TSREMOTE_BENCH_THREADS {json}`, with the CPU milliseconds (user and system) of
// the main thread and of the other threads by name, read from /proc/self/task (Linux only; nothing
// is written elsewhere). V8's compiler and GC helper threads are named "node" there, so the line
// splits a process's CPU into our JavaScript (main, user), the kernel (main, system) and the JIT.
'use strict';
const fs = require('node:fs');
const { parseStat } = require('./proc-stat.cjs');

// With TSREMOTE_BENCH_MARK_LINES=N it also notes the process's CPU (all threads) when the Nth line
// reaches stdout, and writes `TSREMOTE_BENCH_MARK {lines, atMarkMs, atExitMs}` at exit: how the cost
// of a fan-out's first N hosts compares with the rest, i.e. how much of it is warming up.
const markLines = Number(process.env.TSREMOTE_BENCH_MARK_LINES ?? 0);
let mark;
if (markLines > 0) {
  let lines = 0;
  const write = process.stdout.write;
  process.stdout.write = function countLines(chunk, ...rest) {
    if (mark === undefined) {
      if (typeof chunk === 'string') for (let i = chunk.indexOf('\n'); i >= 0; i = chunk.indexOf('\n', i + 1)) lines++;
      else if (chunk instanceof Uint8Array) for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) lines++;
      if (lines >= markLines) mark = cpuMs();
    }
    return write.call(this, chunk, ...rest);
  };
}

function cpuMs() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

process.on('exit', () => {
  if (markLines > 0) fs.writeSync(2, `TSREMOTE_BENCH_MARK ${JSON.stringify({ lines: markLines, atMarkMs: mark ?? null, atExitMs: cpuMs() })}\n`);
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
