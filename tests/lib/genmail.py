#!/usr/bin/python3
"""genmail.py OUTDIR N [START] - write N small, distinct requests (one per
file, CRLF) named START..START+N-1, as customers of a few agencies would
send them.  Used by the integration tests to fill mailboxes."""
import os
import sys

out, n = sys.argv[1], int(sys.argv[2])
start = int(sys.argv[3]) if len(sys.argv) > 3 else 0
topics = ["Printer jams", "Password reset", "VPN drops", "Outlook crashes",
          "New laptop", "Badge access", "Teams audio", "Shared drive full"]
os.makedirs(out, exist_ok=True)
for i in range(start, start + n):
    who = "user%d@agency%d.example" % (i % 37, i % 5)
    body = ("Hello,\r\n\r\n%s on desk %d since this morning (request %d).\r\n"
            "\r\nThanks\r\n" % (topics[i % len(topics)], i % 97, i))
    msg = ("From: User %d <%s>\r\nTo: help@example.org\r\n"
           "Subject: %s #%d\r\nDate: Mon, 2 Mar 2026 09:%02d:00 +0000\r\n"
           "Message-ID: <gen-%d@agency.example>\r\n"
           "Content-Type: text/plain; charset=utf-8\r\n\r\n%s"
           % (i, who, topics[i % len(topics)], i, i % 60, i, body))
    with open(os.path.join(out, "%06d.eml" % i), "w", newline="") as f:
        f.write(msg)
