"""Scenario 3's peer: one pywinrm Session running `run_cmd(COMMAND)` N times in a row.

usage: pywinrm_run_cmd_loop.py URL USER PASSWORD N [TRANSPORT] [COMMAND] [WARMUP]
  TRANSPORT: ntlm (default; sealed, pywinrm's message_encryption='auto' on http) | plaintext
  WARMUP: run_cmd calls made first and not timed (default 0; the first one makes the NTLM logon)
Each run_cmd opens a WinRS shell, runs the command, reads its output and deletes the shell: what a
Python user writes for "many small commands on one host" (pywinrm has no PSRP session). Prints one
JSON line: {"commands": N, "wallS": seconds of the loop alone, "firstOutput": ...}.
NTLM needs MD4: run it with an OPENSSL_CONF that loads OpenSSL's legacy provider.
"""
import json
import sys
import time

import winrm

url, user, password, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
transport = sys.argv[5] if len(sys.argv) > 5 else "ntlm"
command = sys.argv[6] if len(sys.argv) > 6 else "hostname"
warmup = int(sys.argv[7]) if len(sys.argv) > 7 else 0
session = winrm.Session(url, auth=(user, password), transport=transport)
for _ in range(warmup):
    session.run_cmd(command)

first = None
started = time.monotonic()
for i in range(count):
    r = session.run_cmd(command)
    if r.status_code != 0:
        sys.stderr.write("command %d failed: %r\n" % (i, r.std_err))
        sys.exit(4)
    if first is None:
        first = r.std_out.decode("utf-8", "replace").strip()
print(json.dumps({"commands": count, "wallS": time.monotonic() - started, "firstOutput": first}))
