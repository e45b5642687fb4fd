#!/usr/bin/python3
"""chaos.py - the traffic and the final checks of tests/chaos/chaos.test.
Python standard library only.

  chaos.py feed MAILDIR UID:GID SINK MANIFEST STOPFILE SEED RATE STATS [BASES]
      Until STOPFILE exists: deliver mail into MAILDIR (tmp/ then new/,
      as an MDA does; Dovecot need not be up) - new requests from several
      customers, their replies (by subject tag, or by In-Reply-To only),
      staff replies with #commands and the Authentication-Results header
      our MTA writes - and click the accept / not fixed / survey links of
      the mail the SMTP sink stored in SINK (GET the page, POST its form
      with the csrf field).  Every delivered Message-ID is appended to
      MANIFEST once the message is in new/.  Counts go to STATS (JSON).
      BASES (blank-separated http://HOST:PORT/): each click goes to one of
      them at random, whichever deskmail made the link.

  chaos.py check DB SINK MANIFEST CRASHES
      The invariants, one "name value" line each (see chaos.test).  DB is
      the SQLite file, or a PostgreSQL URI (instances.test; queried with
      psql, the password from the file $CHAOS_PG_PASSWORD_FILE names).
      CRASHES holds the times (epoch seconds) deskmail run or the sink
      was killed: two copies of one mail at the sink must have one of
      them between them (DESIGN: a crash between the server's 250 and the
      commit is the only way a mail goes out twice).
"""
import email
import email.policy
import json
import os
import random
import re
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

TAG = "HELP"
AR = "Authentication-Results: mx.example.org; dkim=pass header.d=example.org"
STAFF = ["tech1@example.org", "tech2@example.org"]
CUSTOMERS = ["ann@dot.agency%d.example" % (i % 3) for i in range(3)] + \
    ["bob%d@health.example" % i for i in range(3)] + \
    ["carol@parks.example", "dan@water.example"]
TOPICS = ["Printer jams", "Password reset", "VPN drops", "Outlook crashes",
          "New laptop", "Badge access", "Teams audio", "Shared drive full"]
COMMANDS = ["#resolve", "#resolve", "#resolve", "#pending", "#note",
            "#severity 3", "#severity 2", "#ack", "#assign servicedesk", ""]
LINK = r"http://\S+/l/[A-Za-z0-9_-]{56}"


def mid_of(raw):
    head = re.split(rb"\r?\n\r?\n", raw, 1)[0]
    m = re.search(rb"(?im)^message-id:\s*<?([^<>\s]+)>?", head)
    return m.group(1).decode("ascii", "replace") if m else None


def text_of(msg):
    try:
        part = msg.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""
    except Exception:
        return ""


class Feeder:
    def __init__(self, a):
        (self.maildir, owner, self.sink, self.manifest, self.stopfile,
         seed, rate, self.statsfile) = a[:8]
        self.bases = a[8].split() if len(a) > 8 else []
        self.uid, self.gid = (int(x) for x in owner.split(":"))
        self.rnd = random.Random(int(seed))
        self.rate = float(rate)
        self.n = 0
        self.seen = set()
        self.tickets = {}	# id -> (requester, subject, a Message-ID of ours)
        self.links = []		# [kind, url, tries]
        self.link_mids = set()	# mails whose links were taken
        self.stats = {"delivered": 0, "new": 0, "customer_reply": 0,
                      "staff_reply": 0, "clicks_ok": 0, "clicks_refused": 0,
                      "clicks_failed": 0, "clicks_gone": 0, "http": {}}
        self.mf = open(self.manifest, "a")

    def deliver(self, kind, head, body):
        self.n += 1
        mid = "chaos-%d-%d@%s" % (os.getpid(), self.n,
                                  "example.org" if kind == "staff_reply"
                                  else "customer.example")
        msg = head + ["Message-ID: <%s>" % mid,
                      "Date: %s" % time.strftime("%a, %d %b %Y %H:%M:%S +0000",
                                                 time.gmtime()),
                      "MIME-Version: 1.0",
                      "Content-Type: text/plain; charset=utf-8", "", body, ""]
        data = "\r\n".join(msg).encode()
        name = "%d.%d_%d.chaos" % (int(time.time()), os.getpid(), self.n)
        tmp = os.path.join(self.maildir, "tmp", name)
        with open(tmp, "wb") as f:
            f.write(data)
        os.chown(tmp, self.uid, self.gid)
        os.rename(tmp, os.path.join(self.maildir, "new", name))
        self.mf.write("%s %s\n" % (kind, mid))
        self.mf.flush()
        self.stats["delivered"] += 1
        self.stats[kind] += 1

    def new_ticket(self):
        who = self.rnd.choice(CUSTOMERS)
        topic = self.rnd.choice(TOPICS)
        self.deliver("new", ["From: Customer <%s>" % who,
                             "To: help@example.org",
                             "Subject: %s (%d)" % (topic, self.n)],
                     "Hello,\r\n\r\n%s since this morning.\r\n\r\nThanks" % topic)

    def customer_reply(self):
        t = self.rnd.choice(list(self.tickets))
        req, subj, ours = self.tickets[t]
        if self.rnd.random() < 0.2 and ours:
            head = ["From: <%s>" % req, "To: help@example.org",
                    "Subject: Re: my request", "In-Reply-To: <%s>" % ours,
                    "References: <%s>" % ours]
        else:
            head = ["From: <%s>" % req, "To: help@example.org",
                    "Subject: Re: [%s #%d] %s" % (TAG, t, subj)]
        self.deliver("customer_reply", head,
                     "It still happens.\r\n\r\n> quoted text\r\n")

    def staff_reply(self):
        t = self.rnd.choice(list(self.tickets))
        req, subj, ours = self.tickets[t]
        cmd = self.rnd.choice(COMMANDS)
        self.deliver("staff_reply",
                     [AR, "From: Tech <%s>" % self.rnd.choice(STAFF),
                      "To: help@example.org",
                      "Subject: Re: [%s #%d] %s" % (TAG, t, subj)],
                     "We are looking into it.\r\n%s\r\n" % cmd)

    def scan_sink(self):
        d = os.path.join(self.sink, "new")
        try:
            names = os.listdir(d)
        except OSError:
            return
        for name in names:
            if name in self.seen:
                continue
            self.seen.add(name)
            try:
                with open(os.path.join(d, name), "rb") as f:
                    raw = f.read()
            except OSError:
                continue
            msg = email.message_from_bytes(raw, policy=email.policy.default)
            subj = str(msg.get("Subject", ""))
            m = re.search(r"\[%s #(\d+)\]" % TAG, subj)
            to = re.findall(r"<([^<>]+)>", str(msg.get("X-Envelope-To", "")))
            if not m or not to:
                continue
            t = int(m.group(1))
            text = text_of(msg)
            if to[0] not in STAFF and "@example.org" not in to[0]:
                if t not in self.tickets:
                    base = re.sub(r"^.*?\]\s*(Resolved:\s*)?", "", subj)
                    self.tickets[t] = (to[0], base, mid_of(raw))
            # a mail the sink got twice (a crash between the server's
            # 250 and the outbox's mark: the documented bound) is one
            # mail: its links once, or a second click on the same rating
            # would be an answer that changes nothing (200, no event)
            mid = mid_of(raw)
            if mid is not None and mid in self.link_mids:
                continue
            self.link_mids.add(mid)
            a = re.search(r"Yes, close it:\s+(\S+)", text)
            nf = re.search(r"not fixed:\s+(\S+)", text)
            if a and nf:
                if self.rnd.random() < 0.8:
                    self.links.append(["accept", a.group(1), 0])
                else:
                    self.links.append(["notfixed", nf.group(1), 0])
            rl = re.findall(r"(?m)^\s*([1-5])\b[^\n]*?(%s)" % LINK, text)
            if len(rl) == 5:
                r, u = self.rnd.choice(rl)
                self.links.append(["survey:" + r, u, 0])

    def http(self, method, url, data=None):
        req = urllib.request.Request(url, method=method,
                                     data=urllib.parse.urlencode(data).encode()
                                     if data is not None else None)
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, r.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode("utf-8", "replace")

    def click(self):
        i = self.rnd.randrange(len(self.links))
        kind, url, tries = self.links[i]
        st = self.stats
        if self.bases:
            url = re.sub(r"^http://[^/]+/", self.rnd.choice(self.bases), url)
        try:
            code, body = self.http("GET", url)
            st["http"]["GET %d" % code] = st["http"].get("GET %d" % code, 0) + 1
            if code == 410 or code == 409:
                st["clicks_gone"] += 1	# the ticket moved on meanwhile
                del self.links[i]
                return
            m = re.search(r'name="csrf" value="([^"]*)"', body)
            if code != 200 or not m:
                raise OSError("GET %d without a form" % code)
            form = {"csrf": m.group(1)}
            if kind == "notfixed":
                form["comment"] = "Still broken after the fix."
            elif kind.startswith("survey:"):
                form["rating"] = kind.split(":")[1]
                form["comment"] = "chaos rating %s" % form["rating"]
            code, body = self.http("POST", url, form)
            st["http"]["POST %d" % code] = st["http"].get("POST %d" % code, 0) + 1
            if code == 200:
                st["clicks_ok"] += 1
                del self.links[i]
            elif code in (409, 410):
                st["clicks_gone"] += 1
                del self.links[i]
            else:
                raise OSError("POST %d" % code)
        except (OSError, urllib.error.URLError) as e:
            # deskmail run is down (killed) or busy: try again later
            refused = "refused" in str(e) or "reset" in str(e)
            st["clicks_refused" if refused else "clicks_failed"] += 1
            self.links[i][2] += 1
            if self.links[i][2] > 20:
                del self.links[i]

    def run(self):
        last_scan = 0
        while not os.path.exists(self.stopfile):
            now = time.time()
            if now - last_scan > 0.5:
                self.scan_sink()
                last_scan = now
            x = self.rnd.random()
            if self.links and x < 0.15:
                self.click()
            elif self.tickets and x < 0.40:
                self.customer_reply()
            elif self.tickets and x < 0.70:
                self.staff_reply()
            else:
                self.new_ticket()
            time.sleep(self.rnd.uniform(0, 2.0 / self.rate))
            if self.n % 10 == 0:
                self.dump()
        self.dump()

    def dump(self):
        s = dict(self.stats, tickets_seen=len(self.tickets),
                 links_left=len(self.links))
        with open(self.statsfile + ".tmp", "w") as f:
            json.dump(s, f)
        os.rename(self.statsfile + ".tmp", self.statsfile)


class Store:
    """The database checked: a SQLite file, or a PostgreSQL database
    through psql (the standard library has no PostgreSQL client).
    rows() gives tuples with whole numbers as int, as sqlite3 does."""

    def __init__(self, where):
        self.pg = where.startswith("postgresql://")
        self.where = where
        if not self.pg:
            self.db = sqlite3.connect("file:%s?mode=ro" % where, uri=True)
            return
        self.env = dict(os.environ)
        with open(os.environ["CHAOS_PG_PASSWORD_FILE"]) as f:
            self.env["PGPASSWORD"] = f.readline().strip()

    def rows(self, sql, numbers=True):
        if not self.pg:
            return self.db.execute(sql).fetchall()
        out = subprocess.run(
            ["psql", "-X", "-q", "-At", "-F", "\x1f", "-R", "\x1e",
             "-v", "ON_ERROR_STOP=1", "-d", self.where, "-c", sql],
            env=self.env, check=True, stdout=subprocess.PIPE).stdout
        out = out.decode("utf-8", "replace").rstrip("\n")
        num = re.compile(r"-?[0-9]+$")

        def value(v):
            return int(v) if numbers and num.match(v) else v
        return [tuple(value(v) for v in r.split("\x1f"))
                for r in out.split("\x1e") if r != ""]

    def one(self, sql):
        return self.rows(sql)[0][0]

    def blobs(self, table, column):
        if not self.pg:
            return [bytes(r[0]) for r in self.rows(
                "SELECT %s FROM %s" % (column, table))]
        return [bytes.fromhex(r[0]) for r in self.rows(
            "SELECT encode(%s, 'hex') FROM %s" % (column, table), False)]


def sla(db, put):
    """Each SLA timer fired once: a fired timer is one row in state
    sent / breached / late (UNIQUE (ticket_id, name, seq)), and each
    firing leaves one event (and one sla_results row for an update); a
    timer fired twice leaves two for one row."""
    timers = {}	# (ticket, name) -> [fired rows]
    for t, name, seq, state in db.rows(
            "SELECT ticket_id, name, seq, state FROM sla_timers"
            " WHERE state IN ('sent', 'breached', 'late')"):
        timers.setdefault((t, name), []).append(seq)
    put("sla_fired", sum(len(v) for v in timers.values()))
    put("sla_fired_by_name", ";".join("%s=%d" % r for r in db.rows(
        "SELECT name, count(*) FROM sla_timers WHERE state IN"
        " ('sent', 'breached', 'late') GROUP BY name ORDER BY name")) or "-")
    # updates: "update N sent ..." / "update N: covered ..." / "update N
    # not sent ..." once per timer (ticket, 'update', N)
    seen = {}
    for t, detail in db.rows("SELECT ticket_id, detail FROM events"
                             " WHERE type = 'sla_notice'"):
        m = re.match(r"update (\d+)\b", detail or "")
        if m:
            k = (t, int(m.group(1)))
            seen[k] = seen.get(k, 0) + 1
    twice = sorted(k for k, c in seen.items() if c > 1)
    put("sla_update_notices_twice", len(twice))
    fired = set((t, s) for (t, n), v in timers.items() if n == "update"
                for s in v)
    put("sla_update_notice_without_timer",
        len([k for k in seen if k not in fired]))
    put("sla_update_timer_without_notice",
        len([k for k in fired if k not in seen]))
    results = dict(((t, "update"), c) for t, c in db.rows(
        "SELECT ticket_id, count(*) FROM sla_results WHERE target = 'update'"
        " GROUP BY ticket_id"))
    put("sla_update_results_mismatch", len([
        k for k in set(results) | set(k for k in timers if k[1] == "update")
        if results.get(k, 0) != len(timers.get(k, []))]))
    # missed targets: "NAME: missed by ..." (the tick) or "NAME: missed
    # ... after its due time" (reached late, before a tick), one a timer
    missed = {}
    for t, detail in db.rows("SELECT ticket_id, detail FROM events"
                             " WHERE type = 'sla_breached'"):
        m = re.match(r"(triage|ack|assign|resolve): missed ", detail or "")
        if m:
            k = (t, m.group(1))
            missed[k] = missed.get(k, 0) + 1
    bad = [k for k in set(missed) | set(k for k in timers if k[1] in
           ("triage", "ack", "assign", "resolve"))
           if missed.get(k, 0) != len(timers.get(k, []))]
    put("sla_missed_mismatch", len(bad))
    put("sla_missed_mismatch_ids", ",".join(
        "%d/%s" % k for k in sorted(bad)[:5]) or "-")
    put("sla_update_twice_ids", ",".join(
        "%d/%d" % k for k in twice[:5]) or "-")


def check(dbpath, sink, manifest, crashfile):
    out = []

    def put(k, v):
        out.append("%s %s" % (k, v))

    db = Store(dbpath)
    delivered = [l.split()[1] for l in open(manifest) if l.strip()]
    put("delivered", len(delivered))
    stored = {}
    for (m,) in db.rows("SELECT message_id FROM messages"):
        m = (m or "").strip("<>")
        stored[m] = stored.get(m, 0) + 1
    quar = set()
    for raw in db.blobs("quarantine", "raw"):
        m = mid_of(raw)
        if m:
            quar.add(m)
    once = twice = lost = inq = 0
    lost_ids = []
    for m in delivered:
        c = stored.get(m, 0)
        if c == 1:
            once += 1
        elif c > 1:
            twice += 1
        elif m in quar:
            inq += 1
        else:
            lost += 1
            lost_ids.append(m)
    put("stored_once", once)
    put("stored_more_than_once", twice)
    put("quarantined", inq)
    put("lost", lost)
    put("lost_ids", ",".join(lost_ids[:5]) or "-")
    put("quarantine_reasons", ";".join("%s=%d" % r for r in db.rows(
        "SELECT reason, count(*) FROM quarantine GROUP BY reason")) or "-")
    put("messages_total", db.one("SELECT count(*) FROM messages"))

    # the outbox and the sink
    rows = db.rows("SELECT message_id, status FROM outbox")
    put("outbox_rows", len(rows))
    # a held notice went out in its digest; a cancelled one was withdrawn
    # (a survey answer changed in its window) and is meant not to go
    put("outbox_not_sent", ";".join("%s=%d" % r for r in db.rows(
        "SELECT status, count(*) FROM outbox o WHERE status NOT IN"
        " ('sent', 'cancelled') AND NOT (status = 'held' AND EXISTS"
        " (SELECT 1 FROM outbox d WHERE d.id = o.digest AND"
        " d.status = 'sent')) GROUP BY status"))
        or "0")
    at_sink = {}
    when = {}
    d = os.path.join(sink, "new")
    for name in os.listdir(d):
        p = os.path.join(d, name)
        with open(p, "rb") as f:
            m = mid_of(f.read())
        at_sink[m] = at_sink.get(m, 0) + 1
        when.setdefault(m, []).append(os.stat(p).st_mtime)
    crashes = sorted(float(l.split()[0]) for l in open(crashfile) if l.strip())
    uncaused = []
    for m, ts in when.items():
        ts.sort()
        for a, b in zip(ts, ts[1:]):
            if not any(a - 0.05 <= c <= b + 0.05 for c in crashes):
                uncaused.append(m)
                near = [c for c in crashes if a - 10 <= c <= b + 10]
                sys.stderr.write("twice without a crash: %s copies at %s;"
                                 " crashes near: %s\n" % (m, ts, near))
    put("dups_without_crash", len(uncaused))
    put("dups_without_crash_ids", ",".join(sorted(set(uncaused))[:5]) or "-")
    put("sink_mails", sum(at_sink.values()))
    sent = [m.strip("<>") for m, s in rows if s == "sent"]
    missing = [m for m in sent if m not in at_sink]
    put("sent_missing_at_sink", len(missing))
    ours = set(m.strip("<>") for m, s in rows)
    put("sink_not_in_outbox", len([m for m in at_sink if m not in ours]))
    dups = sum(c - 1 for c in at_sink.values() if c > 1)
    put("sink_duplicates", dups)
    put("sink_duplicate_ids", ",".join(sorted(m for m, c in at_sink.items() if c > 1)[:8]) or "-")

    # tickets
    valid = ("new", "assigned", "in_progress", "pending_customer",
             "resolved", "reopened", "closed", "merged")
    q = db.one
    put("tickets", q("SELECT count(*) FROM tickets"))
    put("tickets_by_status", ";".join("%s=%d" % r for r in db.rows(
        "SELECT status, count(*) FROM tickets GROUP BY status ORDER BY status")))
    put("bad_status", q("SELECT count(*) FROM tickets WHERE status NOT IN (%s)"
                        % ",".join("'%s'" % s for s in valid)))
    put("resolved_without_resolved_at",
        q("SELECT count(*) FROM tickets WHERE status = 'resolved' AND resolved_at IS NULL"))
    put("closed_without_closed_at",
        q("SELECT count(*) FROM tickets WHERE status = 'closed' AND closed_at IS NULL"))
    put("tickets_without_message",
        q("SELECT count(*) FROM tickets t WHERE NOT EXISTS"
          " (SELECT 1 FROM messages m WHERE m.ticket_id = t.id)"))
    put("orphan_events",
        q("SELECT count(*) FROM events e WHERE NOT EXISTS"
          " (SELECT 1 FROM tickets t WHERE t.id = e.ticket_id)"))
    put("orphan_outbox",
        q("SELECT count(*) FROM outbox o WHERE ticket_id IS NOT NULL AND NOT EXISTS"
          " (SELECT 1 FROM tickets t WHERE t.id = o.ticket_id)"))
    put("surveys", q("SELECT count(*) FROM surveys"))
    put("accepted_events", q("SELECT count(*) FROM events WHERE type = 'accepted'"))
    put("web_events", q("SELECT count(*) FROM events WHERE type IN"
                        " ('accepted', 'not_fixed', 'survey')"))
    put("command_errors", ";".join("%s=%d" % r for r in db.rows(
        "SELECT detail, count(*) FROM events WHERE type = 'command_failed'"
        " AND detail LIKE 'not understood%' GROUP BY detail")) or "0")
    sla(db, put)
    if not db.pg:	# PostgreSQL checks its foreign keys itself
        put("integrity_check", ";".join(r[0] for r in db.rows("PRAGMA integrity_check")))
        put("foreign_key_check", len(db.rows("PRAGMA foreign_key_check")))
    print("\n".join(out))


if __name__ == "__main__":
    if sys.argv[1] == "feed":
        Feeder(sys.argv[2:11]).run()
    elif sys.argv[1] == "check":
        check(*sys.argv[2:6])
    else:
        sys.exit("usage: chaos.py feed ...|check ...")
