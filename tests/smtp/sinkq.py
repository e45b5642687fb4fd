#!/usr/bin/python3
"""sinkq.py MAILDIR OUTBOX-JSON EXPR - evaluate a Python expression over
the mail an smtp_sink.py stored in MAILDIR and print the result, for the
SMTP tests.  Each message is parsed with email.policy.default (what a
user's mail client would show) and joined to its row in OUTBOX-JSON (the
output of `deskmail outbox list --json`; "-" for none) by Message-ID.

Names the expression can use:
  msgs            every stored message (M objects), oldest first
  tmpl(NAME)      the messages whose outbox row has template NAME
  one(NAME)       the last of tmpl(NAME), or a dummy whose fields are None
  mid(ID)         the messages with that Message-ID (no angle brackets)
  re, json        the modules
An M has: file, raw (bytes), msg (EmailMessage), row (outbox row or None),
  tmpl, env_to, env_from, subject, mid, irt, refs (list), auto, xloop,
  date, frm, to, text (the text/plain body, decoded), html, count(HDR)
  (how many times a header occurs), h(HDR) (its decoded value or None),
  maxline (the longest line of the raw message in bytes, without CRLF).
A bool result prints as yes/no, None as "none", a list as one per line."""
import json
import os
import re
import sys


def ids(v):
    return re.findall(r"<([^<>\s]+)>", v or "")


class M:
    """One stored message; parsed only when a field other than mid,
    row, tmpl, file or raw is asked for (most queries look at a few)."""

    def __init__(self, path, rows):
        self.file = path
        with open(path, "rb") as f:
            self.raw = f.read()
        head = re.split(rb"\r?\n\r?\n", self.raw, 1)[0]
        m = re.search(rb"(?im)^message-id:\s*<([^<>\s]+)>", head)
        self.mid = m.group(1).decode("ascii", "replace") if m else None
        self.row = rows.get(self.mid)
        self.tmpl = self.row["template"] if self.row else None

    def __getattr__(self, name):
        if name.startswith("__") or "msg" in self.__dict__:
            raise AttributeError(name)
        self._parse()
        return getattr(self, name)

    def _parse(self):
        import email
        import email.policy
        self.msg = email.message_from_bytes(self.raw,
                                            policy=email.policy.default)
        self.env_to = self.h("X-Envelope-To")
        self.env_from = self.h("X-Envelope-From")
        self.subject = self.h("Subject")
        self.irt = (ids(self.h("In-Reply-To")) or [None])[0]
        self.refs = ids(self.h("References"))
        self.auto = self.h("Auto-Submitted")
        self.xloop = self.h("X-Loop")
        self.date = self.h("Date")
        self.frm = self.h("From")
        self.to = self.h("To")
        self.maxline = max(len(l) for l in
                           self.raw.replace(b"\r\n", b"\n").split(b"\n"))
        part = self.msg.get_body(preferencelist=("plain",))
        self.text = part.get_content() if part is not None else None
        part = self.msg.get_body(preferencelist=("html",))
        self.html = part.get_content() if part is not None else None

    def count(self, name):
        return len(self.msg.get_all(name) or [])

    def h(self, name):
        v = self.msg.get(name)
        return None if v is None else str(v)

    def __repr__(self):
        return "<%s %s>" % (self.tmpl, self.mid)


class Dummy:
    def __getattr__(self, name):
        return None


def main():
    box, outbox, expr = sys.argv[1:4]
    rows = {}
    if outbox != "-":
        with open(outbox) as f:
            for r in json.load(f):
                rows[r["message_id"]] = r
    files = []
    for sub in ("new", "cur"):
        d = os.path.join(box, sub)
        if os.path.isdir(d):
            files += [os.path.join(d, n) for n in os.listdir(d)]
    # the sink names files by time of arrival; the modification time with
    # the name as tie-breaker gives arrival order
    files.sort(key=lambda p: (os.stat(p).st_mtime_ns, p))
    msgs = [M(p, rows) for p in files]

    def tmpl(name):
        return [m for m in msgs if m.tmpl == name]

    def one(name):
        l = tmpl(name)
        return l[-1] if l else Dummy()

    def mid(i):
        return [m for m in msgs if m.mid == i]

    env = {"msgs": msgs, "tmpl": tmpl, "one": one, "mid": mid, "re": re,
           "json": json}
    v = eval(expr, env)
    if isinstance(v, bool):
        print("yes" if v else "no")
    elif v is None:
        print("none")
    elif isinstance(v, (list, tuple)):
        for x in v:
            print(x)
    else:
        print(v)


main()
