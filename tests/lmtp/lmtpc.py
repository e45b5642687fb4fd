#!/usr/bin/python3
"""lmtpc.py - LMTP clients for the tests in tests/lmtp/.

  lmtpc.py talk ADDR
      send stdin's bytes as they are (a pipelining client, or a broken
      one), close our side, print every reply line until run closes.
  lmtpc.py mail ADDR FROM RCPT[,RCPT...] FILE
      deliver FILE with Python's smtplib.LMTP; print each recipient's
      reply as "CODE TEXT" (smtplib reads one; the rest we read here).
  lmtpc.py deliver ADDR N FIRST DEADLINE
      deliver N new requests (from userI@agency.example, Message-ID
      <mI@agency.example>, I from FIRST), one connection after another as an MTA would, each tried
      again after a refused connection, a broken one or a 4xx until it
      gets its 250, for at most DEADLINE seconds in all; print one line
      per message: "I ATTEMPTS REPLY".  Exit 1 if any got none.

ADDR is a socket path or HOST:PORT.
"""
import smtplib
import socket
import sys
import time


def connect(addr, timeout=30):
    if "/" in addr:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        s.connect(addr)
    else:
        host, port = addr.rsplit(":", 1)
        s = socket.create_connection((host, int(port)), timeout)
    return s


def talk(addr):
    s = connect(addr)
    try:
        s.sendall(sys.stdin.buffer.read())
        s.shutdown(socket.SHUT_WR)
    except (BrokenPipeError, ConnectionResetError):
        pass    # closed on us: print what it said before
    data = b""
    while True:
        try:
            chunk = s.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        data += chunk
    sys.stdout.write(data.decode("utf-8", "replace").replace("\r\n", "\n"))


class Client(smtplib.LMTP):
    def connect(self, host="localhost", port=0, source_address=None):
        if "/" in host:
            return super().connect(host, port)
        h, p = host.rsplit(":", 1)
        return smtplib.SMTP.connect(self, h, int(p))

    def data_replies(self, msg, n):
        """DATA, then the n replies LMTP gives (smtplib reads one)."""
        code, resp = self.data(msg)
        out = [(code, resp)]
        for _ in range(n - 1):
            out.append(self.getreply())
        return out


def mail(addr, frm, rcpts, path):
    with open(path, "rb") as f:
        msg = f.read()
    c = Client(addr)
    c.ehlo_or_helo_if_needed()
    c.mail(frm)
    ok = 0
    for r in rcpts.split(","):
        code, resp = c.rcpt(r)
        print("RCPT %d %s" % (code, resp.decode()))
        ok += code == 250
    if ok:
        for code, resp in c.data_replies(msg, ok):
            print("%d %s" % (code, resp.decode()))
    c.quit()


def request(i):
    # a sender each: acknowledgements to one address are rate-limited
    return ("From: User %d <user%d@agency.example>\r\n"
            "To: help@example.org\r\nSubject: Request %d\r\n"
            "Message-ID: <m%d@agency.example>\r\n\r\n"
            "Please help with %d.\r\n" % (i, i, i, i, i)).encode()


def deliver(addr, n, first, deadline):
    end = time.monotonic() + deadline
    bad = 0
    for i in range(first, first + n):
        attempts, reply = 0, None
        while reply is None and time.monotonic() < end:
            attempts += 1
            try:
                c = Client(addr, timeout=10)
                c.ehlo_or_helo_if_needed()
                c.mail("user%d@agency.example" % i)
                c.rcpt("help@example.org")
                code, resp = c.data(request(i))
                if code == 250:
                    reply = resp.decode()
                try:
                    c.quit()
                except (OSError, smtplib.SMTPException):
                    pass
            except (OSError, smtplib.SMTPException):
                pass
            if reply is None:
                time.sleep(0.05)
        # flushed: kill.test counts the answers while it goes on
        print("%d %d %s" % (i, attempts, reply), flush=True)
        bad += reply is None
    return 1 if bad else 0


def main():
    cmd = sys.argv[1]
    if cmd == "talk":
        talk(sys.argv[2])
    elif cmd == "mail":
        mail(*sys.argv[2:6])
    elif cmd == "deliver":
        sys.exit(deliver(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]),
                         float(sys.argv[5])))
    else:
        sys.exit("lmtpc.py: unknown command " + cmd)


if __name__ == "__main__":
    main()
