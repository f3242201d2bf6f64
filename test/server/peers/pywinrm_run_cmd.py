"""Runs a few commands through pywinrm (an independent WinRM client) against `tsremote serve`.

usage: pywinrm_run_cmd.py URL USER PASSWORD TRANSPORT ENCRYPTION [CA_FILE]
  TRANSPORT: plaintext | ssl | ntlm (pywinrm's names). ENCRYPTION: always | never | auto
  (pywinrm's message_encryption). CA_FILE: the server certificate to trust over HTTPS (pywinrm
  0.3.0's server_cert_validation='ignore' is overridden by requests' environment settings).
Prints one JSON object per command: {"std_out", "std_err", "status_code"} (text decoded as UTF-8);
on a pywinrm error one JSON object {"error": <exception class>, "message": ...} and exit status 4.
With LARGE_RUNS=N in the environment it runs instead N commands of 70,000 bytes of output each,
one run_cmd (a fresh shell) after the other, printing {"std_out_length", "status_code"} per run.
Exit status 3 when the winrm module is missing. NTLM needs MD4 (ntlm-auth hashes the password with
it): run it with an OPENSSL_CONF that loads the legacy provider.
"""
import json
import os
import sys

try:
    import winrm
except ImportError:
    sys.stderr.write("winrm module not installed\n")
    sys.exit(3)

url, user, password, transport, encryption = sys.argv[1:6]
kwargs = {"transport": transport, "message_encryption": encryption}
if len(sys.argv) > 6:
    kwargs["ca_trust_path"] = sys.argv[6]
session = winrm.Session(url, auth=(user, password), **kwargs)

COMMANDS = [
    ("echo hello", ()),
    ("echo oops 1>&2; exit 3", ()),
    ("printf", ("%s-%s", "first", "second")),
]
LARGE = "head -c 70000 /dev/zero | tr '\\0' x"
try:
    for _ in range(int(os.environ.get("LARGE_RUNS", "0"))):
        r = session.run_cmd(LARGE)
        print(json.dumps({"std_out_length": len(r.std_out), "status_code": r.status_code}))
    for command, args in ([] if os.environ.get("LARGE_RUNS") else COMMANDS):
        r = session.run_cmd(command, args)
        print(json.dumps({
            "std_out": r.std_out.decode("utf-8"),
            "std_err": r.std_err.decode("utf-8"),
            "status_code": r.status_code,
        }))
except Exception as err:  # the tests assert on the class pywinrm raised
    print(json.dumps({"error": type(err).__name__, "message": str(err)}))
    sys.exit(4)
