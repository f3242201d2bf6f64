"""A Kerberos GSS-API initiator (python3-gssapi over MIT's libgssapi_krb5), driven line by line.

usage: gss_krb5_initiator.py          (KRB5CCNAME / KRB5_CONFIG name the ticket and the realm)
Reads one JSON command a line on stdin, answers one JSON line on stdout (bytes as base64):
  {"op": "init", "target": "HTTP@localhost", "mech": "spnego"|"krb5", "mutual": true, "delegate": false,
   "bindings": b64}                     bindings: channel-binding application data (tls-server-end-point:…)
      -> {"token": b64}                 the first context token
  {"op": "step", "token": b64}          -> {"complete": bool, "token": b64|null}
  {"op": "wrap_iov", "data": b64}       -> {"header": b64, "data": b64}   WinRM layout (HEADER + DATA buffers)
  {"op": "wrap", "data": b64, "conf": true}  -> {"token": b64}             gss_wrap (standard layout, RRC 0)
  {"op": "unwrap_iov", "header": b64, "data": b64} -> {"data": b64}
  {"op": "unwrap", "token": b64}        -> {"data": b64}
Any failure answers {"error": "<class>: <message>"} and the peer keeps reading.
"""
import base64
import json
import sys

import gssapi
import gssapi.raw
from gssapi.raw import IOV, IOVBufferType, unwrap_iov, wrap_iov

SPNEGO = "1.3.6.1.5.5.2"
ctx = None


def b64(data):
    return None if data is None else base64.b64encode(data).decode()


def handle(cmd):
    global ctx
    op = cmd["op"]
    if op == "init":
        flags = gssapi.RequirementFlag.confidentiality | gssapi.RequirementFlag.integrity | gssapi.RequirementFlag.out_of_sequence_detection
        if cmd.get("mutual", True):
            flags |= gssapi.RequirementFlag.mutual_authentication
        if cmd.get("delegate", False):
            flags |= gssapi.RequirementFlag.delegate_to_peer
        mech = gssapi.OID.from_int_seq(SPNEGO) if cmd.get("mech") == "spnego" else gssapi.MechType.kerberos
        name = gssapi.Name(cmd["target"], name_type=gssapi.NameType.hostbased_service)
        bindings = None
        if cmd.get("bindings"):
            bindings = gssapi.raw.ChannelBindings(application_data=base64.b64decode(cmd["bindings"]))
        ctx = gssapi.SecurityContext(name=name, usage="initiate", mech=mech, flags=flags, channel_bindings=bindings)
        return {"token": b64(ctx.step())}
    if op == "step":
        token = ctx.step(base64.b64decode(cmd["token"]))
        return {"complete": ctx.complete, "token": b64(token)}
    if op == "wrap_iov":
        iov = IOV(IOVBufferType.header, base64.b64decode(cmd["data"]), std_layout=False)
        wrap_iov(ctx, iov, confidential=True)
        return {"header": b64(iov[0].value), "data": b64(iov[1].value)}
    if op == "wrap":
        return {"token": b64(ctx.wrap(base64.b64decode(cmd["data"]), cmd.get("conf", True)).message)}
    if op == "unwrap_iov":
        iov = IOV((IOVBufferType.header, False, base64.b64decode(cmd["header"])), base64.b64decode(cmd["data"]), std_layout=False)
        unwrap_iov(ctx, iov)
        return {"data": b64(iov[1].value)}
    if op == "unwrap":
        return {"data": b64(ctx.unwrap(base64.b64decode(cmd["token"])).message)}
    raise ValueError("unknown op %s" % op)


for line in sys.stdin:
    if not line.strip():
        continue
    try:
        answer = handle(json.loads(line))
    except Exception as err:  # reported to the test, which asserts on it
        answer = {"error": "%s: %s" % (type(err).__name__, err)}
    sys.stdout.write(json.dumps(answer) + "\n")
    sys.stdout.flush()
