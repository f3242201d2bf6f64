"""Scenario 1's peer: `hostname` on many hosts with pywinrm, as a Python user writes a fan-out.

usage: pywinrm_fanout.py HOSTS_FILE USER PASSWORD THREADS [TRANSPORT]
  HOSTS_FILE: one URL (http://127.0.0.1:PORT/wsman) per line.
  THREADS: workers of a concurrent.futures.ThreadPoolExecutor; 1 is the sequential baseline (a
  plain for loop, no pool).
  TRANSPORT: ntlm (default: NTLM with message encryption, pywinrm's 'auto' on http) | plaintext
Each host gets its own winrm.Session and one run_cmd('hostname'): Create, Command, Receive,
Signal, Delete, after the NTLM handshake of its new connection.
Prints one JSON line: {"hosts", "ok", "failures": [{"url", "error"}] (the first 10), "failed",
"wallS" (the fan-out alone, without Python's start-up and imports), "first": first output,
"cpuAtHalfS"/"cpuAtEndS": the process's CPU seconds when half the hosts had answered and at the
end, so the two halves' cost per host can be compared (scenario 1's warm-up figures)}.
NTLM needs MD4: run it with an OPENSSL_CONF that loads OpenSSL's legacy provider.
"""
import json
import resource
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import winrm

hosts_file, user, password, threads = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
transport = sys.argv[5] if len(sys.argv) > 5 else "ntlm"
with open(hosts_file) as f:
    urls = [line.strip() for line in f if line.strip()]


half = len(urls) // 2
finished = 0
finished_lock = threading.Lock()
cpu_at_half = None


def process_cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def run(url):
    """One host, counted when it answers, as tsremote's output lines count (bench/lib/thread-cpu.cjs):
    (url, stdout text or None, error text or None)."""
    global finished, cpu_at_half
    result = run_one(url)
    if result[2] is None:
        with finished_lock:
            finished += 1
            if finished == half:
                cpu_at_half = process_cpu()
    return result


def run_one(url):
    """run_cmd('hostname') on one host, as a Python user writes it."""
    try:
        session = winrm.Session(url, auth=(user, password), transport=transport)
        r = session.run_cmd("hostname")
        if r.status_code != 0:
            return url, None, "exit %d: %r" % (r.status_code, r.std_err[:200])
        return url, r.std_out.decode("utf-8", "replace").strip(), None
    except Exception as err:  # a failed host is a result, not the end of the run
        return url, None, "%s: %s" % (type(err).__name__, str(err)[:200])


started = time.monotonic()
if threads <= 1:
    results = [run(u) for u in urls]
else:
    with ThreadPoolExecutor(max_workers=threads) as pool:
        results = list(pool.map(run, urls))
wall = time.monotonic() - started

failures = [{"url": u, "error": e} for u, _, e in results if e is not None]
first = next((out for _, out, e in results if e is None), None)
print(json.dumps({
    "hosts": len(urls),
    "ok": len(urls) - len(failures),
    "failed": len(failures),
    "failures": failures[:10],
    "wallS": wall,
    "threads": threads,
    "first": first,
    "cpuAtHalfS": cpu_at_half,
    "cpuAtEndS": process_cpu(),
}))
sys.exit(0 if not failures else 1)
