"""MS-WSMV 2.2.9.1 framing of sealed bodies (one part), shared by the Python server peers.

    --Encrypted Boundary\\r\\n
    \\tContent-Type: <protocol>\\r\\n
    \\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=<plaintext bytes>\\r\\n
    --Encrypted Boundary\\r\\n
    \\tContent-Type: application/octet-stream\\r\\n
    <u32le header length><header><sealed bytes>--Encrypted Boundary--\\r\\n
"""
import re
import struct

BOUNDARY = b'--Encrypted Boundary'


class BadRequest(Exception):
    pass


def frame(protocol, header, sealed, plain_length):
    return b''.join([
        BOUNDARY, b'\r\n',
        b'\tContent-Type: ', protocol.encode(), b'\r\n',
        b'\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=%d\r\n' % plain_length,
        BOUNDARY, b'\r\n',
        b'\tContent-Type: application/octet-stream\r\n',
        struct.pack('<I', len(header)), header, sealed,
        BOUNDARY, b'--\r\n',
    ])


def unframe(body, protocol):
    """Returns (declared length, header, sealed bytes) of a one-part body sealed under `protocol`."""
    opening = BOUNDARY + b'\r\n'
    if not body.startswith(opening):
        raise BadRequest('body does not start with the Encrypted Boundary')
    second = body.find(opening, len(opening))
    if second < 0:
        raise BadRequest('no octet-stream part')
    headers = body[len(opening):second].decode('latin-1')
    if not re.search(r'^\s*Content-Type:\s*%s\s*$' % re.escape(protocol), headers, re.I | re.M):
        raise BadRequest('first part is not %s' % protocol)
    m = re.search(r'^\s*OriginalContent:.*;\s*Length=(\d+)\s*$', headers, re.I | re.M)
    if not m:
        raise BadRequest('OriginalContent has no Length')
    rest = body[second + len(opening):]
    octet = b'\tContent-Type: application/octet-stream\r\n'
    if not rest.startswith(octet):
        raise BadRequest('second part is not application/octet-stream')
    rest = rest[len(octet):]
    end = rest.rfind(BOUNDARY + b'--')
    if end < 4:
        raise BadRequest('no closing boundary')
    rest = rest[:end]
    (hlen,) = struct.unpack('<I', rest[:4])
    if 4 + hlen > len(rest):
        raise BadRequest('header length %d does not fit' % hlen)
    return int(m.group(1)), rest[4:4 + hlen], rest[4 + hlen:]
