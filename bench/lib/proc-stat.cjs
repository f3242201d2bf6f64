// Reading /proc/<pid>/stat and /proc/<pid>/task/<tid>/stat (Linux): the name and the CPU times of a
// process or thread. CommonJS so that thread-cpu.cjs, a `node -r` preload, can use it as well as
// the ES modules of the bench.
'use strict';

/** /proc's times are in USER_HZ ticks: 100 per second on Linux. */
const TICKS_PER_SECOND = 100;

/**
 * The fields of one stat line that the bench reads: `name` (between the parentheses, which may
 * itself hold spaces and parentheses), and utime, stime, cutime and cstime in seconds.
 */
function parseStat(stat) {
  const close = stat.lastIndexOf(')');
  // Fields after the ")" that ends the name: state is field 3; utime, stime, cutime, cstime 14 to 17.
  const fields = stat.slice(close + 2).split(' ');
  const seconds = (i) => Number(fields[i]) / TICKS_PER_SECOND;
  return {
    name: stat.slice(stat.indexOf('(') + 1, close),
    userS: seconds(11),
    sysS: seconds(12),
    childrenUserS: seconds(13),
    childrenSysS: seconds(14),
  };
}

module.exports = { parseStat };
