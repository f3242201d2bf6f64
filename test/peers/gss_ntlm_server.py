#!/usr/bin/python3
"""A WinRM-shaped HTTP server whose NTLM acceptor is Debian's gss-ntlmssp, not our code.

Run under Debian's /usr/bin/python3 (python3-gssapi, gss-ntlmssp). Credentials come from the file
named by NTLM_USER_FILE (gss-ntlmssp's own variable, Heimdal's format: one `DOMAIN:user:password`
a line, `#` comments). The server listens on 127.0.0.1 on a free port, prints `PORT <n>` as its
first stdout line, and logs to stderr only.

Protocol, per TCP connection (HTTP/1.1 keep-alive; NTLM authenticates the connection):
  POST /wsman  Authorization: Negotiate|NTLM <NEGOTIATE>      -> 401 WWW-Authenticate: <scheme> <CHALLENGE>
  POST /wsman  Authorization: Negotiate|NTLM <AUTHENTICATE>   -> 200 (empty body: 200 empty) or 401
  POST /wsman  multipart/encrypted (MS-WSMV 2.2.9.1)           -> 200 sealed response
Once a connection is authenticated, a body that is not sealed gets 400: only sealed NTLM is served.

Requests, once unsealed:
  wsmid:Identify                       -> wsmid:IdentifyResponse (ProductVendor "gss-ntlmssp peer")
  anything with wsa:Action/MessageID   -> an Echo envelope: Action + "Response", RelatesTo = MessageID,
                                          the authenticated user, the byte count and the request's
                                          sequence number on this connection
  no wsa:MessageID                     -> HTTP 500 with a sealed s:Fault (wsa:InvalidMessageInformationHeader)
  not XML                              -> HTTP 400 with a sealed s:Fault

Usage: NTLM_USER_FILE=users /usr/bin/python3 gss_ntlm_server.py [--port N] [--exit-with-stdin]
"""
import argparse
import base64
import http.server
import os
import re
import struct
import sys
import threading
import uuid
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape

# gss-ntlmssp reads these with getenv() when a context is used: set them before any GSSAPI call.
# LM_COMPAT_LEVEL 5: the acceptor refuses LM and NTLMv1 responses (NTLMv2 only), like a hardened DC.
os.environ.setdefault('LM_COMPAT_LEVEL', '5')
os.environ.setdefault('NETBIOS_COMPUTER_NAME', 'GSSPEER')
os.environ.setdefault('NETBIOS_DOMAIN_NAME', 'TESTDOM')

import gssapi  # noqa: E402  (after the environment is set)

import wsmv_framing  # noqa: E402

NTLM_OID = gssapi.OID.from_int_seq('1.3.6.1.4.1.311.2.2.10')
NTLMSSP = b'NTLMSSP\x00'
PROTOCOL = 'application/HTTP-SPNEGO-session-encrypted'
CONTENT_TYPE = 'multipart/encrypted;protocol="%s";boundary="Encrypted Boundary"' % PROTOCOL
SIGNATURE_BYTES = 16
MAX_BODY = 64 * 1024 * 1024

NS = {
    's': 'http://www.w3.org/2003/05/soap-envelope',
    'a': 'http://schemas.xmlsoap.org/ws/2004/08/addressing',
    'wsmid': 'http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd',
    'w': 'http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd',
}
ECHO_NS = 'urn:tsremote:test:gss-ntlmssp'
ANONYMOUS = 'http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous'
FAULT_ACTION = 'http://schemas.xmlsoap.org/ws/2004/08/addressing/fault'


def log(msg):
    print('gss_ntlm_server: %s' % msg, file=sys.stderr, flush=True)


BadRequest = wsmv_framing.BadRequest


# --- MS-WSMV 2.2.9.1 framing -------------------------------------------------------------------

def frame(signature, sealed, plain_length):
    return wsmv_framing.frame(PROTOCOL, signature, sealed, plain_length)


def unframe(body):
    """Returns (declared length, signature, sealed bytes) of a one-part multipart/encrypted body."""
    declared, signature, sealed = wsmv_framing.unframe(body, PROTOCOL)
    if len(signature) != SIGNATURE_BYTES:
        raise BadRequest('signature length %d (NTLM signatures are 16 bytes)' % len(signature))
    return declared, signature, sealed


# --- SOAP --------------------------------------------------------------------------------------

def identify_response():
    return (
        '<s:Envelope xmlns:s="%(s)s" xmlns:wsmid="%(wsmid)s"><s:Header/><s:Body><wsmid:IdentifyResponse>'
        '<wsmid:ProtocolVersion>http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd</wsmid:ProtocolVersion>'
        '<wsmid:ProductVendor>gss-ntlmssp peer</wsmid:ProductVendor>'
        '<wsmid:ProductVersion>OS: 0.0.0 SP: 0.0 Stack: 3.0</wsmid:ProductVersion>'
        '<wsmid:SecurityProfiles>'
        '<wsmid:SecurityProfileName>http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/http/spnego-kerberos</wsmid:SecurityProfileName>'
        '</wsmid:SecurityProfiles>'
        '</wsmid:IdentifyResponse></s:Body></s:Envelope>' % NS
    )


def fault(code, subcode, reason, relates_to=None):
    relates = '<a:RelatesTo>%s</a:RelatesTo>' % escape(relates_to) if relates_to else ''
    return (
        '<s:Envelope xmlns:s="%s" xmlns:a="%s" xmlns:w="%s"><s:Header>'
        '<a:Action>%s</a:Action><a:MessageID>uuid:%s</a:MessageID><a:To>%s</a:To>%s'
        '</s:Header><s:Body><s:Fault>'
        '<s:Code><s:Value>s:%s</s:Value><s:Subcode><s:Value>%s</s:Value></s:Subcode></s:Code>'
        '<s:Reason><s:Text xml:lang="en-US">%s</s:Text></s:Reason>'
        '</s:Fault></s:Body></s:Envelope>'
    ) % (NS['s'], NS['a'], NS['w'], FAULT_ACTION, uuid.uuid4(), ANONYMOUS, relates, code, subcode, escape(reason))


def echo_response(action, message_id, user, length, sequence):
    return (
        '<s:Envelope xmlns:s="%s" xmlns:a="%s" xmlns:p="%s"><s:Header>'
        '<a:Action>%s</a:Action><a:MessageID>uuid:%s</a:MessageID><a:To>%s</a:To>'
        '<a:RelatesTo>%s</a:RelatesTo>'
        '</s:Header><s:Body><p:Echo>'
        '<p:Action>%s</p:Action><p:User>%s</p:User><p:RequestBytes>%d</p:RequestBytes><p:Sequence>%d</p:Sequence>'
        '</p:Echo></s:Body></s:Envelope>'
    ) % (NS['s'], NS['a'], ECHO_NS, escape(action + 'Response'), uuid.uuid4(), ANONYMOUS,
         escape(message_id), escape(action), escape(user), length, sequence)


def answer(plain, user, sequence):
    """Returns (HTTP status, response envelope) for an unsealed request."""
    try:
        root = ET.fromstring(plain)
    except ET.ParseError as e:
        return 400, fault('Sender', 'w:InvalidXML', 'request is not XML: %s' % e)
    if root.tag != '{%s}Envelope' % NS['s']:
        return 400, fault('Sender', 'w:InvalidXML', 'not a SOAP 1.2 envelope')
    if root.find('s:Body/wsmid:Identify', NS) is not None:
        return 200, identify_response()
    message_id = (root.findtext('s:Header/a:MessageID', None, NS) or '').strip()
    action = (root.findtext('s:Header/a:Action', None, NS) or '').strip()
    if not message_id or not action:
        return 500, fault('Sender', 'a:InvalidMessageInformationHeader',
                          'the request has no wsa:MessageID or wsa:Action', message_id or None)
    return 200, echo_response(action, message_id, user, len(plain), sequence)


# --- HTTP --------------------------------------------------------------------------------------

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'gss-ntlmssp-peer/1'

    def setup(self):
        super().setup()
        self.ctx = None          # gssapi.SecurityContext, pending or complete
        self.scheme = None       # 'Negotiate' or 'NTLM', as the client used it
        self.user = None         # set once the context is complete
        self.sealed_count = 0    # sealed requests served on this connection

    def log_message(self, fmt, *args):
        log('%s %s' % (self.address_string(), fmt % args))

    def reply(self, status, body=b'', headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def unauthorized(self, token=None):
        """401; a token continues the handshake, none starts over."""
        value = '%s %s' % (self.scheme, base64.b64encode(token).decode()) if token else 'Negotiate'
        self.reply(401, headers=[('WWW-Authenticate', value)])

    def read_body(self):
        if self.headers.get('Transfer-Encoding', '').lower() == 'chunked':
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b';')[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b'\r\n', b'\n', b''):
                        pass
                    return b''.join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get('Content-Length') or 0)
        if length > MAX_BODY:
            raise BadRequest('body too large')
        return self.rfile.read(length)

    def do_POST(self):
        try:
            body = self.read_body()
        except (ValueError, BadRequest) as e:
            self.close_connection = True
            self.reply(400, str(e).encode())
            return
        if self.path.split('?')[0].lower() != '/wsman':
            self.reply(404)
            return

        auth = self.headers.get('Authorization')
        if auth is not None:
            scheme, _, b64 = auth.partition(' ')
            if scheme.lower() not in ('negotiate', 'ntlm'):
                log('refusing scheme %s' % scheme)
                self.unauthorized()
                return
            try:
                token = base64.b64decode(b64.strip(), validate=True)
            except ValueError:
                self.reply(400, b'Authorization token is not base64')
                return
            if not token.startswith(NTLMSSP) or len(token) < 12:
                log('not a raw NTLM token (SPNEGO is not served here)')
                self.unauthorized()
                return
            msg_type = struct.unpack('<I', token[8:12])[0]
            if msg_type == 1:
                # NEGOTIATE: a new handshake, on a new or an already authenticated connection.
                self.scheme = 'NTLM' if scheme.lower() == 'ntlm' else 'Negotiate'
                self.user = None
                self.sealed_count = 0
                creds = gssapi.Credentials(usage='accept', mechs=[NTLM_OID])
                self.ctx = gssapi.SecurityContext(usage='accept', creds=creds)
                try:
                    challenge = self.ctx.step(token)
                except gssapi.exceptions.GSSError as e:
                    log('NEGOTIATE rejected: %s' % e)
                    self.ctx = None
                    self.unauthorized()
                    return
                self.unauthorized(challenge)  # the body of this leg, if any, is not looked at
                return
            if msg_type != 3 or self.ctx is None or self.ctx.complete:
                log('unexpected NTLM message type %d' % msg_type)
                self.ctx = None
                self.unauthorized()
                return
            try:
                self.ctx.step(token)
            except gssapi.exceptions.GSSError as e:
                log('AUTHENTICATE rejected: %s' % e)
                self.ctx = None
                self.unauthorized()
                return
            if not self.ctx.complete:
                log('context not complete after AUTHENTICATE')
                self.ctx = None
                self.unauthorized()
                return
            # gss-ntlmssp's display name counts its C string terminator: drop the trailing NUL.
            self.user = str(self.ctx.initiator_name).rstrip('\x00').strip()
            log('authenticated %s' % self.user)
            if not body:
                self.reply(200)
                return
        elif self.user is None:
            self.unauthorized()
            return

        self.serve_sealed(body)

    def serve_sealed(self, body):
        ctype = self.headers.get('Content-Type', '')
        if not re.match(r'\s*multipart/encrypted\b', ctype, re.I) or PROTOCOL.lower() not in ctype.lower():
            log('unsealed body (%s) on an authenticated connection' % (ctype or 'no Content-Type'))
            self.reply(400, b'only sealed messages are accepted (MS-WSMV 2.2.9.1)',
                       [('Content-Type', 'text/plain')])
            return
        try:
            declared, signature, sealed = unframe(body)
            # gss-ntlmssp's wrap token is the NTLM signature followed by the sealed bytes: exactly
            # WinRM's <signature><sealed>, so unwrap takes the two concatenated.
            plain = self.ctx.unwrap(signature + sealed).message
        except BadRequest as e:
            log('bad framing: %s' % e)
            self.reply(400, str(e).encode(), [('Content-Type', 'text/plain')])
            return
        except gssapi.exceptions.GSSError as e:
            log('unwrap failed: %s' % e)
            self.close_connection = True
            self.reply(400, b'signature check failed', [('Content-Type', 'text/plain')])
            return
        if len(plain) != declared:
            log('declared %d bytes, unsealed %d' % (declared, len(plain)))
            self.reply(400, b'OriginalContent Length does not match', [('Content-Type', 'text/plain')])
            return
        self.sealed_count += 1
        status, envelope = answer(plain, self.user, self.sealed_count)
        out = envelope.encode('utf-8')
        wrapped = self.ctx.wrap(out, True).message
        signature, sealed = wrapped[:SIGNATURE_BYTES], wrapped[SIGNATURE_BYTES:]
        self.reply(status, frame(signature, sealed, len(out)), [('Content-Type', CONTENT_TYPE)])

    def do_GET(self):
        self.reply(405, headers=[('Allow', 'POST')])


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--port', type=int, default=0)
    parser.add_argument('--exit-with-stdin', action='store_true',
                        help='exit when stdin reaches EOF (the parent died), so no server is left behind')
    args = parser.parse_args()
    if not os.environ.get('NTLM_USER_FILE'):
        log('NTLM_USER_FILE is not set')
        return 2
    if args.exit_with_stdin:
        threading.Thread(target=lambda: (sys.stdin.buffer.read(), os._exit(0)), daemon=True).start()
    server = Server(('127.0.0.1', args.port), Handler)
    print('PORT %d' % server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == '__main__':
    sys.exit(main())
