"""Runs WinRS commands through pywinrm over Kerberos against `tsremote serve --keytab`.

usage: gss_krb5_winrm.py URL AUTH ENCRYPTION [CA_FILE]
  AUTH: gssapi-spnego   python3-gssapi, SPNEGO tokens in `Authorization: Negotiate`
        gssapi-krb5     python3-gssapi, raw krb5 tokens in `Authorization: Negotiate`
        gssapi-kerberos python3-gssapi, raw krb5 tokens in `Authorization: Kerberos`
                        (bodies sealed as application/HTTP-Kerberos-session-encrypted)
        pykerberos      pywinrm's own transport='kerberos' (requests-kerberos + pykerberos: it
                        cannot seal, so use HTTPS or ENCRYPTION=never)
  ENCRYPTION: always | never | auto (pywinrm's message_encryption)
The gssapi modes replace requests-kerberos with a small requests auth that seals as pyspnego's
`wrap_winrm` does for MIT: gss_wrap_iov with a HEADER and a DATA buffer (no TRAILER buffer, so MIT
rotates the trailer into the header: RRC), and unwraps the same way. pywinrm frames the bodies.
The ticket comes from KRB5CCNAME; KRB5_CONFIG names the realm. The service is HTTP@<URL host>.
Prints one JSON object per command {"std_out", "std_err", "status_code"}; on an error one JSON
object {"error": <class>, "message": ...} and exit status 4. Exit 3 when a module is missing.
Diagnostics: WRAP_LOG=1 prints {"wrap": {"header": n, "data": n, "plain": n}} lines to stderr.
"""
import base64
import json
import os
import sys

try:
    import requests
    import winrm
    import winrm.encryption
    import winrm.transport
except ImportError as err:
    sys.stderr.write("module missing: %s\n" % err)
    sys.exit(3)

url, auth_mode, encryption = sys.argv[1:4]
ca_file = sys.argv[4] if len(sys.argv) > 4 else None

SPNEGO = "1.3.6.1.5.5.2"


class GssKrb5Auth(requests.auth.AuthBase):
    """Connection-based Kerberos/SPNEGO auth with WinRM sealing, for pywinrm's transport."""

    winrm_encryption_available = True

    scheme = "Negotiate"
    spnego = True

    # pywinrm passes requests-kerberos' arguments by name, looked up in this signature.
    def __init__(self, mutual_authentication=None, delegate=False, force_preemptive=False, principal=None,
                 hostname_override=None, sanitize_mutual_error_response=True, service="HTTP", send_cbt=True):
        import gssapi
        self.gssapi = gssapi
        self.ctx = None

    def _context(self, host):
        gssapi = self.gssapi
        name = gssapi.Name("HTTP@%s" % host, name_type=gssapi.NameType.hostbased_service)
        flags = (gssapi.RequirementFlag.mutual_authentication | gssapi.RequirementFlag.confidentiality
                 | gssapi.RequirementFlag.integrity | gssapi.RequirementFlag.out_of_sequence_detection)
        mech = gssapi.OID.from_int_seq(SPNEGO) if self.spnego else gssapi.MechType.kerberos
        return gssapi.SecurityContext(name=name, usage="initiate", mech=mech, flags=flags)

    def __call__(self, r):
        if self.ctx is None:
            host = requests.compat.urlparse(r.url).hostname
            self.ctx = self._context(host)
            token = self.ctx.step()
            r.headers["Authorization"] = "%s %s" % (self.scheme, base64.b64encode(token).decode())
            r.register_hook("response", self._final_leg)
        return r

    def _final_leg(self, resp, **_kwargs):
        if self.ctx.complete:
            return resp
        header = resp.headers.get("WWW-Authenticate", "")
        token = None
        for part in header.split(","):
            bits = part.strip().split(" ", 1)
            if len(bits) == 2 and bits[0].lower() == self.scheme.lower():
                token = base64.b64decode(bits[1])
        if resp.status_code == 401 or token is None:
            raise winrm.exceptions.InvalidCredentialsError(
                "kerberos logon refused: HTTP %d, WWW-Authenticate %r" % (resp.status_code, header))
        self.ctx.step(token)
        if not self.ctx.complete:
            raise winrm.exceptions.WinRMError("kerberos context not complete after the server's token")
        return resp

    def wrap_winrm(self, host, message):
        from gssapi.raw import IOV, IOVBufferType, wrap_iov
        iov = IOV(IOVBufferType.header, message, std_layout=False)
        wrap_iov(self.ctx, iov, confidential=True)
        header, data = iov[0].value, iov[1].value
        if os.environ.get("WRAP_LOG"):
            sys.stderr.write(json.dumps({"wrap": {"header": len(header), "data": len(data), "plain": len(message)}}) + "\n")
        return data, header

    def unwrap_winrm(self, host, message, header):
        from gssapi.raw import IOV, IOVBufferType, unwrap_iov
        iov = IOV((IOVBufferType.header, False, header), message, std_layout=False)
        unwrap_iov(self.ctx, iov)
        return iov[1].value


if auth_mode.startswith("gssapi-"):
    scheme = "Kerberos" if auth_mode == "gssapi-kerberos" else "Negotiate"
    spnego = auth_mode == "gssapi-spnego"

    GssKrb5Auth.scheme = scheme
    GssKrb5Auth.spnego = spnego
    winrm.transport.HTTPKerberosAuth = GssKrb5Auth
    if scheme == "Kerberos":
        original_init = winrm.encryption.Encryption.__init__

        def kerberos_protocol(self, session, protocol):
            original_init(self, session, protocol)
            self.protocol_string = b"application/HTTP-Kerberos-session-encrypted"

        winrm.encryption.Encryption.__init__ = kerberos_protocol
elif auth_mode != "pykerberos":
    sys.stderr.write("unknown AUTH %s\n" % auth_mode)
    sys.exit(2)

kwargs = {"transport": "kerberos", "message_encryption": encryption}
if ca_file is not None:
    kwargs["ca_trust_path"] = ca_file
session = winrm.Session(url, auth=(None, None), **kwargs)

COMMANDS = [
    ("echo hello", ()),
    ("echo oops 1>&2; exit 3", ()),
    ("printf", ("%s-%s", "first", "second")),
    ("head -c 70000 /dev/zero | tr '\\0' x; echo; id -un >/dev/null", ()),
]
try:
    for command, args in COMMANDS:
        r = session.run_cmd(command, args)
        out = r.std_out.decode("utf-8")
        print(json.dumps({
            "std_out": out if len(out) < 1000 else "x*%d" % (len(out) - 1),
            "std_err": r.std_err.decode("utf-8"),
            "status_code": r.status_code,
        }))
except Exception as err:  # the tests assert on the class pywinrm raised
    print(json.dumps({"error": type(err).__name__, "message": str(err)}))
    sys.exit(4)
