#!/usr/bin/python3
"""A Kerberos acceptor none of us wrote: MIT krb5's GSSAPI through python3-gssapi.

Run under Debian's /usr/bin/python3 (python3-gssapi). The service key comes from KRB5_KTNAME and
the realm from KRB5_CONFIG, as for any GSSAPI acceptor. Two modes:

--pipe: JSON lines on stdin/stdout, one answer per request, for token-level tests:
  {"op": "accept", "token": B64}                  -> {"token": B64|null, "complete": bool,
                                                      "initiator": str, "target": str, "delegated": bool}
  {"op": "unwrap_iov", "header": B64, "data": B64} -> {"plain": B64}     (pyspnego's unwrap_winrm on MIT)
  {"op": "wrap_iov", "plain": B64}                 -> {"header": B64, "data": B64, "padding": B64}
                                                      (pyspnego's wrap_winrm: header, data, padding buffers)
  {"op": "unwrap", "token": B64}                   -> {"plain": B64}     (plain gss_unwrap)
  failures answer {"error": str}.

HTTP mode (default): a WinRM-shaped front for an upstream endpoint (`tsremote serve` with Basic
over plain HTTP), so a real client can run real commands through a Kerberos logon it did not make:
  POST  Authorization: Negotiate|Kerberos <AP-REQ> -> 200 WWW-Authenticate: <scheme> <AP-REP> (empty body)
  POST  no Authorization, connection not logged on  -> 401 WWW-Authenticate: Negotiate, Kerberos
  POST  logged on, plain HTTP: multipart/encrypted (MS-WSMV 2.2.9.1) under
        application/HTTP-SPNEGO-session-encrypted (scheme Negotiate) or
        application/HTTP-Kerberos-session-encrypted (scheme Kerberos); anything else -> 400.
        Unsealed with gss_unwrap_iov, forwarded to the upstream, the answer sealed with
        gss_wrap_iov (header, data, padding) and framed back with the upstream's status.
The server listens on 127.0.0.1 on a free port, prints `PORT <n>` as its first stdout line, and
logs each logon to stderr as `logon <initiator> target=<service name> delegated=<yes|no> scheme=<s>`.

Usage: /usr/bin/python3 gss_krb_server.py --upstream http://127.0.0.1:N/wsman --upstream-user U
       (password from UPSTREAM_PASSWORD) [--exit-with-stdin]
       /usr/bin/python3 gss_krb_server.py --pipe
"""
import argparse
import base64
import http.client
import http.server
import json
import sys
import threading
import urllib.parse

import gssapi
import gssapi.raw as graw
from gssapi.raw import IOV, IOVBufferType

from wsmv_framing import BadRequest, frame, unframe

PROTOCOLS = {
    'negotiate': 'application/HTTP-SPNEGO-session-encrypted',
    'kerberos': 'application/HTTP-Kerberos-session-encrypted',
}
MAX_BODY = 64 * 1024 * 1024


def log(msg):
    print('gss_krb_server: %s' % msg, file=sys.stderr, flush=True)


def b64(data):
    return None if data is None else base64.b64encode(data).decode()


def unb64(text):
    return base64.b64decode(text or '')


def accept(ctx, token):
    out = ctx.step(token)
    return out


def describe(ctx):
    return {
        'initiator': str(ctx.initiator_name) if ctx.complete else '',
        'target': str(ctx.target_name) if ctx.complete and ctx.target_name is not None else '',
        'delegated': bool(ctx.complete and ctx.delegated_creds is not None),
    }


def wrap_winrm(ctx, plain):
    """pyspnego's wrap_winrm: gss_wrap_iov with header, data and padding buffers."""
    iov = IOV(IOVBufferType.header, plain, IOVBufferType.padding, std_layout=False)
    graw.wrap_iov(ctx, iov, confidential=True)
    header, data, padding = iov[0].value or b'', iov[1].value or b'', iov[2].value or b''
    return header, data, padding


def unwrap_winrm(ctx, header, data):
    """pyspnego's unwrap_winrm on MIT: gss_unwrap_iov with header, data and an empty data buffer."""
    iov = IOV((IOVBufferType.header, False, header), data, IOVBufferType.data, std_layout=False)
    graw.unwrap_iov(ctx, iov)
    return iov[1].value or b''


# --- pipe mode ---------------------------------------------------------------------------------

def pipe():
    ctx = gssapi.SecurityContext(usage='accept')
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        req = json.loads(line)
        try:
            op = req['op']
            if op == 'accept':
                out = accept(ctx, unb64(req['token']))
                ans = {'token': b64(out), 'complete': bool(ctx.complete)}
                ans.update(describe(ctx))
            elif op == 'unwrap_iov':
                ans = {'plain': b64(unwrap_winrm(ctx, unb64(req['header']), unb64(req['data'])))}
            elif op == 'wrap_iov':
                header, data, padding = wrap_winrm(ctx, unb64(req['plain']))
                ans = {'header': b64(header), 'data': b64(data), 'padding': b64(padding)}
            elif op == 'unwrap':
                ans = {'plain': b64(ctx.unwrap(unb64(req['token'])).message)}
            else:
                ans = {'error': 'unknown op %r' % op}
        except Exception as err:  # the test reads the failure
            ans = {'error': '%s: %s' % (type(err).__name__, err)}
        print(json.dumps(ans), flush=True)


# --- HTTP mode ---------------------------------------------------------------------------------

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'gss-krb-peer'

    def log_message(self, fmt, *args):
        pass

    def setup(self):
        super().setup()
        self.ctx = None
        self.scheme = None

    def reply(self, status, body=b'', content_type='application/soap+xml;charset=UTF-8', extra=()):
        self.send_response(status)
        for k, v in extra:
            self.send_header(k, v)
        if body:
            self.send_header('Content-Type', content_type)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def do_POST(self):
        length = int(self.headers.get('Content-Length') or 0)
        if length > MAX_BODY:
            self.reply(413)
            self.close_connection = True
            return
        body = self.rfile.read(length) if length else b''
        auth = self.headers.get('Authorization')
        if auth:
            scheme, _, token = auth.partition(' ')
            if scheme.lower() not in PROTOCOLS or not token:
                self.reply(401, extra=[('WWW-Authenticate', 'Negotiate'), ('WWW-Authenticate', 'Kerberos')])
                return
            self.ctx = gssapi.SecurityContext(usage='accept')
            self.scheme = scheme
            try:
                out = self.ctx.step(base64.b64decode(token))
            except gssapi.exceptions.GSSError as err:
                log('logon failed: %s' % err)
                self.ctx = None
                self.reply(401, extra=[('WWW-Authenticate', 'Negotiate'), ('WWW-Authenticate', 'Kerberos')])
                return
            if not self.ctx.complete:
                self.reply(401, extra=[('WWW-Authenticate', '%s %s' % (scheme, b64(out or b'')))])
                return
            d = describe(self.ctx)
            log('logon %s target=%s delegated=%s scheme=%s' % (d['initiator'], d['target'], 'yes' if d['delegated'] else 'no', scheme))
            final = [('WWW-Authenticate', '%s %s' % (scheme, b64(out)))] if out else []
            if not body:
                self.reply(200, extra=final)
                return
            self.serve(body, final)
            return
        if self.ctx is None:
            self.reply(401, extra=[('WWW-Authenticate', 'Negotiate'), ('WWW-Authenticate', 'Kerberos')])
            return
        self.serve(body, [])

    def serve(self, body, extra):
        protocol = PROTOCOLS[self.scheme.lower()]
        ctype = self.headers.get('Content-Type', '')
        if 'multipart/encrypted' not in ctype or protocol.lower() not in ctype.lower():
            log('refused a body of type %r (want %s)' % (ctype, protocol))
            self.reply(400, b'unsealed or wrongly sealed body', 'text/plain')
            return
        try:
            declared, header, sealed = unframe(body, protocol)
            plain = unwrap_winrm(self.ctx, header, sealed)
        except (BadRequest, gssapi.exceptions.GSSError) as err:
            log('refused a sealed body: %s' % err)
            self.reply(400, b'bad sealed body', 'text/plain')
            return
        if len(plain) != declared:
            self.reply(400, b'length mismatch', 'text/plain')
            return
        status, answer = forward(plain)
        header, data, padding = wrap_winrm(self.ctx, answer)
        self.reply(status, frame(protocol, header, data + padding, len(answer) + len(padding)),
                   'multipart/encrypted;protocol="%s";boundary="Encrypted Boundary"' % protocol, extra)


UPSTREAM = {}


def forward(plain):
    url = UPSTREAM['url']
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
    try:
        conn.request('POST', url.path or '/wsman', body=plain, headers={
            'Content-Type': 'application/soap+xml;charset=UTF-8',
            'Authorization': 'Basic ' + UPSTREAM['basic'],
        })
        res = conn.getresponse()
        return res.status, res.read()
    finally:
        conn.close()


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


def serve_http(args):
    import os
    UPSTREAM['url'] = urllib.parse.urlparse(args.upstream)
    UPSTREAM['basic'] = base64.b64encode(('%s:%s' % (args.upstream_user, os.environ.get('UPSTREAM_PASSWORD', ''))).encode()).decode()
    httpd = Server(('127.0.0.1', args.port), Handler)
    print('PORT %d' % httpd.server_address[1], flush=True)
    if args.exit_with_stdin:
        def watch():
            sys.stdin.read()
            httpd.shutdown()
        threading.Thread(target=watch, daemon=True).start()
    httpd.serve_forever()


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--pipe', action='store_true')
    p.add_argument('--port', type=int, default=0)
    p.add_argument('--upstream')
    p.add_argument('--upstream-user')
    p.add_argument('--exit-with-stdin', action='store_true')
    args = p.parse_args()
    if args.pipe:
        pipe()
    else:
        serve_http(args)


if __name__ == '__main__':
    main()
