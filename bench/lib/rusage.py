#!/usr/bin/env python3
# Runs one command and prints what it cost as one JSON line on fd 3 (or stderr when fd 3 is not
# open): wall seconds, user and system CPU seconds, peak RSS (kB) and exit status. Node cannot read
# a finished child's rusage; wait4 can, and Python's own start-up is not part of the child's figures.
import json, os, sys, time

def main():
    argv = sys.argv[1:]
    if not argv:
        print("usage: rusage.py COMMAND [ARG...]", file=sys.stderr)
        return 2
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:
        try:
            os.execvp(argv[0], argv)
        except OSError as e:
            print(f"rusage.py: cannot run {argv[0]}: {e}", file=sys.stderr)
            os._exit(127)
    _, status, ru = os.wait4(pid, 0)
    wall = time.monotonic() - start
    code = os.waitstatus_to_exitcode(status)
    line = json.dumps({"wallS": wall, "userS": ru.ru_utime, "sysS": ru.ru_stime, "maxRssKb": ru.ru_maxrss, "exitCode": code})
    try:
        os.write(3, (line + "\n").encode())
    except OSError:
        print(line, file=sys.stderr)
    return 0

sys.exit(main())
