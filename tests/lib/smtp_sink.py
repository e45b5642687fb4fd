#!/usr/bin/python3
"""smtp_sink.py PORT MAILDIR [--tempfail-first N] [--control FILE]
                            [--tls CERT KEY] [--auth USER:PASS]

An SMTP server on 127.0.0.1:PORT for the tests: every message it accepts
is stored in MAILDIR (new/) with X-Envelope-From / X-Envelope-To headers
added on top.  Prints "ready" once it listens; stops on SIGTERM.

Faults, to test deskmail's retries:
  recipient local part tempfail*  -> 451 at RCPT;  reject* -> 550 at RCPT
  --tempfail-first N              -> the first N DATA commands get 451
  --control FILE                  -> while FILE holds an SMTP reply
                                     ("421 ...", "451 ...", "550 ..."),
                                     DATA is answered with it
--tls offers STARTTLS with that certificate; --auth requires AUTH
PLAIN/LOGIN with those credentials.
Needs python3-aiosmtpd (Debian's, for /usr/bin/python3)."""
import argparse
import logging
import mailbox
import os
import signal
import threading
import warnings

from aiosmtpd.controller import Controller

ap = argparse.ArgumentParser()
ap.add_argument("port", type=int)
ap.add_argument("maildir")
ap.add_argument("--tempfail-first", type=int, default=0)
ap.add_argument("--control")
ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
ap.add_argument("--auth")
args = ap.parse_args()
warnings.simplefilter("ignore")
logging.getLogger("mail.log").setLevel(logging.CRITICAL)
box = mailbox.Maildir(args.maildir, create=True)
lock = threading.Lock()


class Sink:
    def __init__(self):
        self.tempfails = args.tempfail_first

    async def handle_RCPT(self, server, session, envelope, address, options):
        local = address.split("@")[0].lower()
        if local.startswith("tempfail"):
            return "451 4.3.0 Try again later"
        if local.startswith("reject"):
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if args.control and os.path.exists(args.control):
            with open(args.control) as f:
                reply = f.read().strip()
            if reply:
                return reply
        with lock:
            if self.tempfails > 0:
                self.tempfails -= 1
                return "451 4.3.0 Temporary failure, retry"
        head = "X-Envelope-From: <%s>\r\nX-Envelope-To: %s\r\n" % (
            envelope.mail_from,
            ", ".join("<%s>" % r for r in envelope.rcpt_tos))
        with lock:
            key = box.add(head.encode() + envelope.original_content)
        return "250 2.0.0 Ok: queued as %s" % key


def authenticator(server, session, envelope, mechanism, auth_data):
    from aiosmtpd.smtp import AuthResult
    user, password = args.auth.split(":", 1)
    good = (auth_data.login.decode() == user and
            auth_data.password.decode() == password)
    # handled=False: aiosmtpd answers 535 itself on failure
    return AuthResult(success=good, handled=False)


kw = {}
if args.auth:
    kw.update(authenticator=authenticator, auth_required=True,
              auth_require_tls=bool(args.tls))
if args.tls:
    import ssl
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(*args.tls)
    kw.update(tls_context=ctx, require_starttls=True)
ctl = Controller(Sink(), hostname="127.0.0.1", port=args.port, **kw)
ctl.start()
print("ready", flush=True)
stop = threading.Event()
for s in (signal.SIGTERM, signal.SIGINT):
    signal.signal(s, lambda *_: stop.set())
stop.wait()
ctl.stop()
