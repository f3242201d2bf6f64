"""Runs a few commands through pywinrm (an independent WinRM client) against `tsremote serve`.

usage: pywinrm_run_cmd.py URL USER PASSWORD TRANSPORT [CA_FILE]
Prints one JSON object per command: {"std_out", "std_err", "status_code"} (text decoded as UTF-8).
Exit status 3 when the winrm module is missing (the test skips or fails on that).
"""
import json
import sys

try:
    import winrm
except ImportError:
    sys.stderr.write("winrm module not installed\n")
    sys.exit(3)

url, user, password, transport = sys.argv[1:5]
kwargs = {"transport": transport}
if len(sys.argv) > 5:
    kwargs["ca_trust_path"] = sys.argv[5]
session = winrm.Session(url, auth=(user, password), **kwargs)

COMMANDS = [
    ("echo hello", ()),
    ("echo oops 1>&2; exit 3", ()),
    ("printf", ("%s-%s", "first", "second")),
]
for command, args in COMMANDS:
    r = session.run_cmd(command, args)
    print(json.dumps({
        "std_out": r.std_out.decode("utf-8"),
        "std_err": r.std_err.decode("utf-8"),
        "status_code": r.status_code,
    }))
