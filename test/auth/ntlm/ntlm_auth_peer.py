"""An independent NTLM peer for ntlm-auth-interop.test.ts, built on Debian's python3-ntlm-auth.

Speaks JSON lines on stdin/stdout (bytes as base64). Phase A: ntlm_auth's client against our
server. Phase B: our client's AUTHENTICATE checked with ntlm_auth's hash, RC4 and session
security, the message layout read here with struct. MD4 needs OpenSSL's legacy provider: the
test sets OPENSSL_CONF for this process only.
"""
import base64
import hashlib
import hmac
import json
import struct
import sys

from ntlm_auth.compute_hash import _ntowfv2
from ntlm_auth.constants import NegotiateFlags
from ntlm_auth.gss_channel_bindings import GssChannelBindingsStruct
from ntlm_auth.ntlm import NtlmContext
from ntlm_auth.rc4 import ARC4
from ntlm_auth.session_security import SessionSecurity


def b64(data):
    return base64.b64encode(data).decode()


def unb64(text):
    return base64.b64decode(text)


def send(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def recv():
    line = sys.stdin.readline()
    if not line:
        sys.exit(0)
    return json.loads(line)


def field(msg, at):
    length, _, offset = struct.unpack_from("<HHI", msg, at)
    return msg[offset:offset + length]


def phase_a(job):
    cbt = None
    if job.get("bindings"):
        cbt = GssChannelBindingsStruct()
        cbt[cbt.APPLICATION_DATA] = unb64(job["bindings"])
    ctx = NtlmContext(job["user"], job["password"], domain=job["domain"], cbt_data=cbt)
    send({"negotiate": b64(ctx.step())})
    challenge = unb64(recv()["challenge"])
    authenticate = ctx.step(challenge)
    sealed = []
    for text in job["messages"]:
        wrapped = ctx.wrap(text.encode())
        sealed.append(b64(wrapped))
    send({"authenticate": b64(authenticate), "sealed": sealed, "sessionKey": ctx.session_key.hex()})
    replies = recv()["replies"]
    send({"opened": [ctx.unwrap(unb64(r)).decode() for r in replies]})


def phase_b(job):
    negotiate = unb64(job["negotiate"])
    challenge = unb64(job["challenge"])
    auth = unb64(job["authenticate"])
    server_challenge = challenge[24:32]
    nt = field(auth, 20)
    domain = field(auth, 28).decode("utf-16-le")
    user = field(auth, 36).decode("utf-16-le")
    flags = struct.unpack_from("<I", auth, 60)[0]
    key = _ntowfv2(user, job["password"], domain)
    proof = hmac.new(key, server_challenge + nt[16:], hashlib.md5).digest()
    base = hmac.new(key, nt[:16], hashlib.md5).digest()
    exported = ARC4(base).update(field(auth, 52))
    zeroed = auth[:72] + b"\0" * 16 + auth[88:]
    mic = hmac.new(exported, negotiate + challenge + zeroed, hashlib.md5).digest()
    security = SessionSecurity(flags, exported, source="server")
    opened = []
    for item in job["sealed"]:
        data = unb64(item)
        opened.append(security.unwrap(data[16:], data[:16]).decode())
    body, header = security.wrap(job["reply"].encode())
    send({
        "user": user,
        "domain": domain,
        "proofOk": proof == nt[:16],
        "micOk": mic == auth[72:88],
        "sessionKey": exported.hex(),
        "keyExch": bool(flags & NegotiateFlags.NTLMSSP_NEGOTIATE_KEY_EXCH),
        "opened": opened,
        "reply": b64(header + body),
    })


if __name__ == "__main__":
    phase_a(recv())
    phase_b(recv())
