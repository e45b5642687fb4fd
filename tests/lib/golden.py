#!/usr/bin/python3
"""golden.py MAILDIR OUTBOX-JSON - every mail an smtp_sink.py stored, as
its recipient reads it, in the order deskmail queued them: the envelope
recipient, Date, From, To, Subject and the decoded text/plain body.  What
differs from run to run is replaced: link tokens (/l/ and /r/) by <token>,
Message-IDs
by <id>, the port of the link pages by PORT.  The tests compare this text
with a reviewed *.expected file, so that any change to what people
receive shows up in review (GOLDEN_UPDATE=1 writes the file instead)."""
import email
import email.policy
import json
import os
import re
import sys

maildir, outbox = sys.argv[1], sys.argv[2]
order = {}
with open(outbox) as f:
    for row in json.load(f):
        order[row["message_id"]] = row["id"]
mails = []
d = os.path.join(maildir, "new")
for name in os.listdir(d) if os.path.isdir(d) else []:
    with open(os.path.join(d, name), "rb") as f:
        m = email.message_from_bytes(f.read(), policy=email.policy.default)
    mid = re.sub(r"[<>]", "", m["Message-ID"] or "")
    mails.append((order.get(mid, 1 << 62), mid, m))
mails.sort(key=lambda x: (x[0], x[1]))


def clean(s):
    s = re.sub(r"http://127\.0\.0\.1:\d+/", "http://127.0.0.1:PORT/", s)
    s = re.sub(r"/l/[A-Za-z0-9_-]{20,}", "/l/<token>", s)
    s = re.sub(r"/r/[A-Za-z0-9_-]{20,}", "/r/<token>", s)
    return s


for i, (_, mid, m) in enumerate(mails, 1):
    print("=" * 72)
    print("mail %d to %s" % (i, m["X-Envelope-To"]))
    for h in ("Date", "From", "To", "Subject", "Auto-Submitted"):
        if m[h] is not None:
            print("%s: %s" % (h, m[h]))
    body = m.get_body(("plain",))
    text = body.get_content() if body is not None else ""
    print()
    print(clean(text).rstrip("\n"))
