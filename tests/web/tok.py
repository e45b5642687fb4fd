#!/usr/bin/python3
"""tok.py - read and make deskmail link tokens, for tests/web/tokens.test.

  tok.py show TOKEN
      purpose rating ticket version expires (one line)
  tok.py make KEYFILE PURPOSE RATING TICKET VERSION EXPIRES
      a token signed with the key in KEYFILE (64 hex digits)
  tok.py resign KEYFILE TOKEN [ticket=N] [version=N] [expires=N]
      TOKEN with fields replaced, signed with KEYFILE
  tok.py addr TOKEN
      an address token ("my requests"): purpose expires address
  tok.py makeaddr KEYFILE EXPIRES ADDRESS
      an address token signed with the key in KEYFILE

The layout (src/token.c): purpose (1), rating (1), ticket (8), version (8),
expiry (8), big-endian, then the first 16 bytes of HMAC-SHA256 over those
26 bytes; URL-safe base64 without padding (56 characters).  An address
token: purpose 6 (1), expiry (8), the address, then the first 16 bytes of
HMAC-SHA256 over them."""
import base64
import hashlib
import hmac
import struct
import sys

FMT = ">BBQQQ"


def key(path):
    with open(path) as f:
        return bytes.fromhex(f.read().strip()[:64])


def show(tok):
    raw = base64.urlsafe_b64decode(tok + "=" * (-len(tok) % 4))
    return list(struct.unpack(FMT, raw[:26]))


def make(k, purpose, rating, ticket, version, expires):
    body = struct.pack(FMT, purpose, rating, ticket, version, expires)
    mac = hmac.new(k, body, hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(body + mac).decode().rstrip("=")


def addr(tok):
    raw = base64.urlsafe_b64decode(tok + "=" * (-len(tok) % 4))
    purpose, expires = struct.unpack(">BQ", raw[:9])
    return [purpose, expires, raw[9:-16].decode("utf-8", "replace")]


def makeaddr(k, expires, address):
    body = struct.pack(">BQ", 6, expires) + address.encode()
    mac = hmac.new(k, body, hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(body + mac).decode().rstrip("=")


def main():
    a = sys.argv[1:]
    if a[0] == "addr":
        print(*addr(a[1]))
    elif a[0] == "makeaddr":
        print(makeaddr(key(a[1]), int(a[2]), a[3]))
    elif a[0] == "show":
        print(*show(a[1]))
    elif a[0] == "make":
        print(make(key(a[1]), *(int(x) for x in a[2:7])))
    elif a[0] == "resign":
        f = show(a[2])
        names = ["purpose", "rating", "ticket", "version", "expires"]
        for kv in a[3:]:
            n, v = kv.split("=", 1)
            f[names.index(n)] = int(v)
        print(make(key(a[1]), *f))
    else:
        sys.exit(__doc__)


main()
