#!/usr/bin/python3
"""month.py - a month of simulated service-desk activity, through the real
deskmail: customer mail in by the MTA pipe (`deskmail ingest`), staff work by
CLI and by authenticated mail, the customers' accept / not fixed / survey
answers through the real link pages (`deskmail serve`, links taken from the
mail the SMTP sink stored), and `deskmail tick` / `deskmail send` on a
schedule.  Every command runs with DESKMAIL_NOW set to the simulated time.

Usage: month.py --deskmail BIN --config CONF --sink MAILDIR
                [--seed 42] [--month 2026-03] [--per-day 13] [--quiet]
(MONTH_PROFILE=1 in the environment: time spent per deskmail command)

The configuration must already hold the teams, the routing rules and the
directory (contrib/demo/demo.sh sets them up).  The same seed gives the same
tickets, the same times and so the same report numbers.  Python 3 standard
library only.
"""
import argparse
import configparser
import datetime as dt
import email
import email.policy
import email.utils
import heapq
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from zoneinfo import ZoneInfo

UTC = dt.timezone.utc
MIN = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


class Fail(Exception):
    pass


# --------------------------------------------------------------------------
# What the customers write about: (category-ish kind, subject, body).  The
# subjects are what contrib/demo/rules.txt routes on.

TOPICS = {
    "security": [
        ("Password reset for NYSeMail", "My NYSeMail password expired over the weekend and the self-service page does not accept my answers."),
        ("Locked out of my account after too many attempts", "I typed my password wrong a few times and now I am locked out of the NYS Domain login."),
        ("RSA token PIN needs a reset", "My RSA token PIN stopped working after I got a new phone. Can you reset it?"),
        ("Password expired on my Windows login", "Windows says my password expired and will not let me change it from the office."),
        ("Forgot my password for Directory Services", "I cannot sign in to NYS Directory Services; I think I forgot the password I set last month."),
        ("Account locked after password change", "I changed my password this morning and now my account is locked on every PC."),
    ],
    "desktop": [
        ("Excel freezes when I open the budget workbook", "Excel stops responding whenever I open the quarterly budget workbook from the shared drive."),
        ("Outlook does not sync my calendar", "Meetings I accept on my phone do not show up in Outlook on my desktop."),
        ("Word closes unexpectedly when I save as PDF", "Every time I use Save as PDF, Word closes without a message and I lose my edits."),
        ("Adobe Reader cannot open signed forms", "Signed forms from the portal open as a blank page in Adobe Reader."),
        ("Teams meeting audio not working", "In Teams meetings the others cannot hear me, although the headset works in other programs."),
        ("How do I share an Outlook mailbox folder", "I need to give my assistant access to one folder of my Outlook mailbox. How do I do that?"),
        ("PowerPoint template is missing the agency logo", "The new PowerPoint template shows an empty box where the logo should be."),
    ],
    "application": [
        ("Error code 5102 in the oversize/overweight permit system", "Submitting an oversize/overweight permit application fails with error code 5102 at the last step."),
        ("e-File upload rejected", "Our e-File batch upload is rejected, it says the file format is invalid, but nothing changed on our side."),
        ("HCS login page shows an error", "The Health Commerce System (HCS) login page shows an error after I enter my token code."),
        ("FMIS report crash", "The monthly FMIS encumbrance report crashes at 80 percent every time I run it."),
        ("Permit printout missing the route map", "Oversize/overweight permits printed from the permit system no longer include the route map page."),
    ],
    "hardware": [
        ("Printer on the 3rd floor jams on every job", "The shared HP printer on the 3rd floor jams on every job, even single pages."),
        ("Toner replacement for the copy room printer", "The copy room printer says toner is empty and we have no spare cartridge."),
        ("Docking station does not detect my monitor", "Since yesterday my second monitor stays black when the laptop is in the docking station."),
        ("Laptop will not power on", "My laptop does not power on anymore, not even with the charger connected."),
        ("Scanner sends empty PDFs", "The scanner at the front desk sends PDFs with empty pages to my mailbox."),
        ("Keyboard missing keys after spill", "Coffee went into my keyboard and now several keys do not work."),
    ],
    "other": [
        ("Question about VPN from home", "I will work from home next week. How do I get a VPN connection?"),
        ("New employee needs a phone extension", "A new colleague starts on Monday and needs a desk phone extension."),
    ],
    "outage": [
        ("Outage: nobody here can reach the permit system", "Nobody in our office can reach the oversize/overweight permit system since a few minutes; it times out for everyone."),
        ("Outage: e-File is down for everyone", "e-File is down for everyone in our unit; the page does not load at all."),
    ],
}
TOPIC_WEIGHTS = [("security", 33), ("desktop", 25), ("application", 18),
                 ("hardware", 18), ("other", 6)]
# which team works a kind of ticket (the rules route them there too)
TEAM_OF = {"security": "servicedesk", "desktop": "desktop",
           "application": "apps", "hardware": "dispatch",
           "other": "servicedesk", "outage": "apps"}
# who is first to resolve, by kind (seed 003: "typically resolved at the
# first level of contact")
FCR_P = {"security": 0.80, "desktop": 0.60, "application": 0.50,
         "hardware": 0.55, "other": 0.50}

AGENCIES = {  # sender domain: how often its people write
    "dot.ny.gov": 26, "tax.ny.gov": 24, "health.ny.gov": 24,
    "albanycountyny.gov": 14, "ogs.ny.gov": 8, "its.ny.gov": 4}
FIRST = ["Ann", "Ben", "Carla", "Dev", "Erin", "Frank", "Gina", "Hugo",
         "Iris", "Jamal", "Kate", "Luis", "Maya", "Noor", "Owen", "Paula",
         "Quinn", "Rosa", "Sam", "Tara", "Umar", "Vera", "Walt", "Yuki"]
LAST = ["Keller", "Ortiz", "Nguyen", "Brennan", "Kowalski", "Patel",
        "Rivera", "Schmidt", "OBrien", "Haddad", "Lindqvist", "Moreau",
        "Okafor", "Sato", "Fischer", "Delgado"]

RESOLVE_TEXT = {
    "security": ["I reset your password; the temporary one is on your voicemail. Please change it at first login.",
                 "Your account is unlocked and the password reset; access verified with you by phone.",
                 "The RSA token PIN is cleared; set a new one at the next sign-in."],
    "desktop": ["Repaired the Office installation and cleared the cached profile; it opens normally now.",
               "Walked you through the settings; the change is in place and tested.",
               "Updated the program to the current version and reset its settings."],
    "application": ["The application team fixed the data on our side; please try the submission again.",
                    "Cleared the stuck session and reran the job; it completes now.",
                    "A configuration change was rolled back; the function works again."],
    "hardware": ["A technician replaced the part on site and printed test pages.",
                 "Replacement device delivered and set up; the old one goes back to OGS.",
                 "Firmware updated and the device recalibrated; working again."],
    "other": ["Done: the request is set up, details are in your mailbox.",
              "The access is granted; the instructions are attached on the intranet page."],
}
QUESTIONS = ["Could you send a screenshot of the message you see?",
             "Which computer (asset tag) is it, and since when does it happen?",
             "Does it happen for your colleagues too, or only on your account?",
             "Which version is installed (Help > About)?"]
ANSWERS = ["Here is what I see: the message appears right after I click submit. Asset tag 40{0}.",
           "It started on Monday. Only on my account, my colleague is fine.",
           "Version 16.0 as far as I can tell. Screenshot attached in my next mail if needed.",
           "It happens for the whole unit, about {0} people."]
REPEAT = ["Sorry to ask again: could you describe the problem from the start? Your ticket came to us from the service desk.",
          "We took this over from the service desk. Please tell us again what happens and when."]
NOTFIXED = ["It worked for an hour, now the same problem is back.",
            "Still the same error as before.",
            "Not fixed: it only works on one of my two computers."]

# survey comments: the phrase bank the themes report finds again
GOOD = ["Quick response, thank you!", "Quick response and a friendly technician.",
        "Password reset done in minutes, great.", "Fast password reset, no waiting.",
        "Kept me informed the whole time.", "The technician kept me informed and explained everything.",
        "Very helpful, solved on the first call.", "Solved on the first call, excellent service.",
        "Friendly technician, quick response.", "Great service as always."]
MIXED = ["Fixed, but it took too long.", "It took too long to get an answer.",
         "Fine in the end, but I had to explain the problem twice.",
         "Had to explain the problem twice after the transfer.",
         "Okay, but please keep me informed about the status."]
BAD = ["Took too long, three days without a working printer.",
       "I had to explain the problem twice and it is still not right.",
       "Nobody kept me informed; took too long."]


def weighted(rng, pairs):
    total = sum(w for _, w in pairs)
    x = rng.uniform(0, total)
    for v, w in pairs:
        x -= w
        if x <= 0:
            return v
    return pairs[-1][0]


# --------------------------------------------------------------------------
# The real things: deskmail, the SMTP sink's Maildir, the link pages.

class Desk:
    def __init__(self, binary, conf, quiet):
        self.bin = binary
        self.conf = conf
        self.quiet = quiet
        self.calls = 0
        self.secs = 0.0
        self.prof = {}
        self.last = None      # the latest simulated time a command ran at

    def run(self, now, *argv, stdin=None, ok=(0,)):
        env = dict(os.environ)
        env["DESKMAIL_NOW"] = iso(now)
        self.calls += 1
        self.last = now if self.last is None else max(self.last, now)
        t0 = time.monotonic()
        p = subprocess.run([self.bin, "-c", self.conf] + list(argv),
                           input=stdin, capture_output=True, env=env)
        d = time.monotonic() - t0
        self.secs += d
        k = argv[0] if argv[0] != "ticket" else "ticket " + argv[1]
        c, s = self.prof.get(k, (0, 0.0))
        self.prof[k] = (c + 1, s + d)
        if p.returncode not in ok:
            raise Fail("DESKMAIL_NOW=%s deskmail %s: exit %d: %s%s" % (
                iso(now), " ".join(argv), p.returncode,
                p.stderr.decode(errors="replace"),
                p.stdout.decode(errors="replace")))
        if p.stderr and not self.quiet:
            sys.stderr.write(p.stderr.decode(errors="replace"))
        return p.stdout.decode(errors="replace")


class Sink:
    """The mail the SMTP sink stored, read as it arrives: for every ticket
    the mails its requester got (subject, Message-ID, links)."""
    TAG = re.compile(r"\[[A-Za-z0-9_-]+ #(\d+)\]")

    def __init__(self, maildir):
        self.dir = os.path.join(maildir, "new")
        self.seen = set()
        self.mails = {}      # ticket -> [dict] in arrival order
        self.count = 0

    def scan(self):
        if not os.path.isdir(self.dir):
            return
        new = [n for n in os.listdir(self.dir) if n not in self.seen]
        paths = [os.path.join(self.dir, n) for n in new]
        paths.sort(key=lambda p: (os.stat(p).st_mtime_ns, p))
        for p in paths:
            self.seen.add(os.path.basename(p))
            self.count += 1
            with open(p, "rb") as f:
                msg = email.message_from_bytes(f.read(),
                                               policy=email.policy.default)
            subj = str(msg.get("Subject", ""))
            m = self.TAG.search(subj)
            if not m:
                continue
            body = msg.get_body(preferencelist=("plain",))
            self.mails.setdefault(int(m.group(1)), []).append({
                "to": str(msg.get("X-Envelope-To", "")).strip("<> "),
                "subject": subj,
                "mid": str(msg.get("Message-ID", "")).strip(),
                "text": body.get_content() if body is not None else ""})

    def last_to(self, ticket, addr, what=None):
        for m in reversed(self.mails.get(ticket, [])):
            if m["to"].lower() == addr.lower() and (
                    what is None or re.search(what, m["subject"])):
                return m
        return None


class Web:
    """`deskmail serve` on [web] listen, restarted when the simulated clock
    has to move (it reads DESKMAIL_NOW once, at start)."""

    def __init__(self, desk, listen):
        self.desk = desk
        self.host, port = listen.rsplit(":", 1)
        self.port = int(port)
        self.proc = None
        self.clock = None
        self.log = open(os.path.join(os.path.dirname(desk.conf),
                                     "serve.log"), "ab")
        self.starts = 0
        self.requests = 0
        self.secs = 0.0

    def at(self, now):
        if self.proc and self.clock == now:
            return
        t0 = time.monotonic()
        try:
            self._start(now)
        finally:
            self.secs += time.monotonic() - t0

    def _start(self, now):
        self.stop()
        env = dict(os.environ)
        env["DESKMAIL_NOW"] = iso(now)
        self.proc = subprocess.Popen(
            [self.desk.bin, "-c", self.desk.conf, "serve"],
            stdout=self.log, stderr=self.log, env=env)
        self.clock = now
        self.starts += 1
        for _ in range(200):
            try:
                socket.create_connection((self.host, self.port), 0.2).close()
                return
            except OSError:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.01)
        raise Fail("deskmail serve did not come up on %s:%d (see %s)" % (
            self.host, self.port, self.log.name))

    def stop(self):
        if self.proc:
            self.proc.terminate()
            self.proc.wait()
            self.proc = None

    def _req(self, url, data=None):
        t0 = time.monotonic()
        try:
            return self._req1(url, data)
        finally:
            self.secs += time.monotonic() - t0

    def _req1(self, url, data=None):
        self.requests += 1
        req = urllib.request.Request(url, data=data)
        try:
            with urllib.request.urlopen(req, timeout=20) as r:
                return r.status, r.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode("utf-8", "replace")

    def form(self, url, fields):
        """GET the page a link shows (nothing changes), then POST its form
        with the page's csrf field, as a person's browser would."""
        st, page = self._req(url)
        if st != 200:
            raise Fail("GET %s: %d" % (url, st))
        m = re.search(r'name="csrf" value="([^"]*)"', page)
        a = re.search(r'<form method="post" action="([^"]*)"', page)
        if not m or not a:
            raise Fail("GET %s: no form with a csrf field" % url)
        target = a.group(1).replace("&amp;", "&")
        data = dict(fields, csrf=m.group(1))
        st, page = self._req(target, urllib.parse.urlencode(data).encode())
        if st != 200:
            raise Fail("POST %s: %d: %s" % (target, st, page[:300]))
        return page


def iso(t):
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------
# The simulation: a queue of (time, seq, action); each ticket is a little
# story whose steps put the next ones on the queue.

class Month:
    def __init__(self, a):
        import random
        self.rng = random.Random(a.seed)
        self.a = a
        cp = configparser.ConfigParser(interpolation=None, strict=False,
                                       inline_comment_prefixes=(";",))
        cp.read(a.config)
        self.tz = ZoneInfo(cp.get("sla", "timezone", fallback="UTC"))
        self.tag = cp.get("deskmail", "tag", fallback="HELP")
        self.help = cp.get("deskmail", "address")
        self.teams = {}
        for s in cp.sections():
            if s.startswith("team "):
                self.teams[s[5:].strip()] = [
                    x.strip() for x in cp.get(s, "members").split(",")]
        for t in set(TEAM_OF.values()):
            if t not in self.teams:
                raise Fail("%s: no [team %s]" % (a.config, t))
        self.domain = self.help.split("@", 1)[1]
        self.desk = Desk(a.deskmail, a.config, a.quiet)
        self.sink = Sink(a.sink)
        self.web = Web(self.desk, cp.get("web", "listen"))
        y, m = map(int, a.month.split("-"))
        self.start = dt.datetime(y, m, 1, tzinfo=self.tz)
        self.end = dt.datetime(y + (m == 12), m % 12 + 1, 1, tzinfo=self.tz)
        self.mid = dt.datetime(y, m, 16, tzinfo=self.tz)
        self.q = []
        self.seq = 0
        self.dirty = False          # the outbox may hold unsent mail
        self.waiting = set()        # tickets whose customer awaits a mail
        self.tickets = {}
        self.n = {"tickets": 0, "staff_mail": 0, "customer_mail": 0,
                  "accepted": 0, "not_fixed": 0, "surveys": 0, "warm": 0,
                  "cold": 0, "ticks": 0, "sends": 0}
        self.outages = 0

    # ---- the queue ------------------------------------------------------
    def at(self, t, fn, *args):
        if t >= self.end:
            return
        self.seq += 1
        heapq.heappush(self.q, (t.astimezone(UTC), self.seq, fn, args))

    def web_slot(self, t):
        """Customers read their mail and click in slots (:15 and :45), so
        one `deskmail serve` start serves every click of a slot."""
        t = t.astimezone(self.tz)
        base = t.replace(minute=0, second=0, microsecond=0)
        for m in (15, 45, 75):
            s = base + dt.timedelta(minutes=m)
            if s >= t:
                return s
        return base + dt.timedelta(minutes=75)

    def business(self, t):
        t = t.astimezone(self.tz)
        return t.weekday() < 5 and 7 <= t.hour < 17

    def next_business(self, t, spread=90):
        """t if within business hours, else the next opening plus a few
        minutes (a person reading mail in the morning)."""
        t = t.astimezone(self.tz)
        if self.business(t):
            return t
        d = t.replace(hour=7, minute=0, second=0, microsecond=0)
        if t.hour >= 17:
            d += DAY
        while d.weekday() >= 5:
            d += DAY
        return d + dt.timedelta(minutes=self.rng.randint(5, spread))

    def clock(self, t):
        """A customer's action: mostly in business hours, sometimes in the
        evening."""
        t = t.astimezone(self.tz)
        if self.business(t) or (t.weekday() < 5 and t.hour < 21 and
                                self.rng.random() < 0.3):
            return t
        return self.next_business(t, 180)

    # ---- deskmail -------------------------------------------------------
    def cmd(self, t, *argv, **kw):
        out = self.desk.run(t, *argv, **kw)
        self.dirty = True
        return out

    def send(self, t):
        if self.dirty:
            out = self.desk.run(t, "send", "-q")
            self.n["sends"] += 1
            self.dirty = False
            self.waiting.clear()
            self.sink.scan()
            return out
        return ""

    def tick(self, t, send=True):
        out = self.desk.run(t, "tick")
        self.n["ticks"] += 1
        if out.strip():
            self.dirty = True
        if send:
            self.send(t)

    def need(self, t, tk):
        """The customer is about to act on a mail: make sure it left."""
        if tk["id"] in self.waiting:
            self.send(t)

    def mail(self, t, frm, name, subject, body, irt=None, headers=()):
        self.seq += 1
        mid = "<m%d.%d@%s>" % (self.seq, int(t.timestamp()),
                               frm.split("@", 1)[1])
        lines = list(headers) + [
            "From: %s <%s>" % (name, frm),
            "To: %s" % self.help,
            "Subject: %s" % subject,
            "Date: %s" % email.utils.format_datetime(t.astimezone(self.tz)),
            "Message-ID: %s" % mid,
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8"]
        if irt:
            lines += ["In-Reply-To: %s" % irt, "References: %s" % irt]
        raw = ("\r\n".join(lines) + "\r\n\r\n" +
               body.replace("\n", "\r\n") + "\r\n").encode()
        out = self.cmd(t, "ingest", stdin=raw).strip()
        m = re.match(r"ticket (\d+) (new|reply)$", out)
        if not m:
            raise Fail("ingest from %s (%s): %r" % (frm, subject, out))
        return int(m.group(1))

    def staff(self, tk, who=None):
        return who or self.rng.choice(self.teams[tk["team"]])

    def staff_act(self, t, tk, verb, text, who=None, by_mail=None):
        """A staff reply, pending question or resolution: by CLI, or (one in
        four) by mail from the staff address, verified by our MTA's
        Authentication-Results header."""
        who = self.staff(tk, who)
        if by_mail is None:
            by_mail = self.rng.random() < 0.25
        if by_mail:
            cmd = {"resolve": "\n#resolve", "pending": "\n#pending",
                   "reply": ""}[verb]
            self.n["staff_mail"] += 1
            self.mail(t, who, who.split("@")[0].capitalize(),
                      "Re: [%s #%d] %s" % (self.tag, tk["id"], tk["subject"]),
                      "Hello %s,\n\n%s\n%s\n" % (tk["first"], text, cmd),
                      headers=["Authentication-Results: mx.%s; dkim=pass "
                               "header.d=%s" % (self.domain, self.domain)])
        else:
            self.cmd(t, "ticket", verb, str(tk["id"]), "--as", who, "-m",
                     text)
        tk["resolver"] = who
        self.waiting.add(tk["id"])

    # ---- a ticket's story -----------------------------------------------
    def new_ticket(self, t, kind):
        rng = self.rng
        subject, body = rng.choice(TOPICS[kind])
        dom = weighted(rng, list(AGENCIES.items()))
        first, last = rng.choice(FIRST), rng.choice(LAST)
        addr = "%s.%s@%s" % (first.lower(), last.lower(), dom)
        tk = {"kind": kind, "subject": subject, "addr": addr, "first": first,
              "name": "%s %s" % (first, last), "team": TEAM_OF[kind],
              "created": t}
        tk["id"] = self.mail(t, addr, tk["name"], subject,
                             "Hello,\n\n%s\n\nThanks,\n%s\n" % (body, first))
        self.tickets[tk["id"]] = tk
        # where the routing rules put it
        j = json.loads(self.desk.run(t, "ticket", "show", str(tk["id"]),
                                     "--json"))
        if j["team"] != tk["team"]:
            raise Fail("ticket %d (%s) routed to team %s, not %s" % (
                tk["id"], subject, j["team"], tk["team"]))
        self.n["tickets"] += 1
        if kind == "outage":
            tk["sev"] = 1
            self.outages += 1
            # the first outage is at night and the on-call is slow to ack
            late = self.outages == 1
            self.at(t + dt.timedelta(minutes=rng.randint(22, 30) if late
                                     else rng.randint(4, 12)),
                    self.ack, tk)
            self.sla_ticks(t, [61 * k for k in range(1, 5)])
            self.at(t + dt.timedelta(minutes=rng.randint(100, 200)),
                    self.restore, tk)
            return
        # triage: the CCC sets the severity (target: 15 minutes); the
        # on-call at night and at weekends is slower
        fast = self.business(t)
        d = rng.randint(2, 11) if fast else rng.randint(5, 24)
        if fast and rng.random() < 0.04:
            d = rng.randint(16, 35)
        tk["sev"] = 2 if rng.random() < 0.10 else 3
        self.at(t + d * MIN, self.triage, tk)

    def triage(self, t, tk):
        self.cmd(t, "ticket", "severity", str(tk["id"]), str(tk["sev"]),
                 "--as", self.rng.choice(self.teams["servicedesk"]))
        if tk["sev"] == 2:
            self.at(t + dt.timedelta(minutes=self.rng.randint(3, 12)),
                    self.ack, tk)
            self.sla_ticks(t, [61, 241, 481])
        rng = self.rng
        if tk["kind"] != "other" and tk["team"] != "servicedesk" or \
                rng.random() < 0.5:
            tk["assignee"] = self.staff(tk)
            self.cmd(t, "ticket", "assign", str(tk["id"]), tk["assignee"],
                     "--as", self.rng.choice(self.teams["servicedesk"]))
        # what this ticket will take
        x = rng.random()
        p = FCR_P[tk["kind"]]
        if x < p:
            plan = "fcr"
        elif x < p + (1 - p) * 0.30:
            plan = "pending"
        elif x < p + (1 - p) * 0.80:
            plan = "transfer"
        else:
            plan = "notfixed"
        tk["plan"] = plan
        work = t if tk["sev"] < 3 else self.next_business(t)
        if plan == "transfer":
            self.at(work + dt.timedelta(minutes=rng.randint(20, 90)),
                    self.hand_off, tk)
        elif plan == "pending":
            self.at(work + dt.timedelta(minutes=rng.randint(15, 120)),
                    self.ask, tk)
        else:
            spread = (10, 100) if tk["sev"] < 3 else (10, 240)
            self.at(work + dt.timedelta(minutes=rng.randint(*spread)),
                    self.resolve, tk)

    def sla_ticks(self, t, updates):
        """`deskmail run` ticks every minute; this simulation ticks hourly,
        and in addition when a severity 1 or 2 ticket has a timer due: the
        acknowledgement (15 minutes) and the update notices."""
        for m in [16] + updates:
            self.at(t + dt.timedelta(minutes=m), self.tick, False)

    def ack(self, t, tk):
        self.cmd(t, "ticket", "ack", str(tk["id"]), "--as", self.staff(tk))

    def restore(self, t, tk):
        self.cmd(t, "ticket", "note", str(tk["id"]), "--as", self.staff(tk),
                 "-m", "Root cause: an expired certificate on the load "
                 "balancer; renewed.")
        tk["plan"] = "fcr"
        self.resolve(t, tk)

    def ask(self, t, tk):
        self.staff_act(t, tk, "pending", self.rng.choice(QUESTIONS))
        self.at(self.clock(t + dt.timedelta(
            minutes=self.rng.randint(20, 900))), self.customer_answers, tk,
            self.rng.choice(ANSWERS).format(self.rng.randint(100, 999)))

    def customer_answers(self, t, tk, text):
        self.need(t, tk)
        last = self.sink.last_to(tk["id"], tk["addr"])
        if last is None:
            raise Fail("ticket %d: no mail to %s to reply to" % (
                tk["id"], tk["addr"]))
        subj = last["subject"]
        self.n["customer_mail"] += 1
        got = self.mail(t, tk["addr"], tk["name"],
                        subj if subj.lower().startswith("re:") else
                        "Re: " + subj,
                        "%s\n\n%s\n\nOn an earlier day, the service desk "
                        "wrote:\n> ...\n" % (text, tk["first"]),
                        irt=last["mid"])
        if got != tk["id"]:
            raise Fail("customer reply to ticket %d threaded onto %d" % (
                tk["id"], got))
        work = self.next_business(t) if tk["sev"] == 3 else t
        if tk.get("cold_wait"):
            delay = self.rng.randint(240, 1500)   # back in the new queue
        else:
            delay = self.rng.randint(30, 300)
        tk["cold_wait"] = False
        self.at(work + dt.timedelta(minutes=delay), self.resolve, tk)

    def hand_off(self, t, tk):
        """The ticket belongs to another team.  Before mid-month the desk
        re-assigns it and the new team starts from scratch (the customer
        explains everything again); from mid-month on it is a warm
        transfer: the new team gets the history and picks it up at once."""
        rng = self.rng
        to = {"servicedesk": "desktop", "desktop": rng.choice(["dispatch",
              "apps"]), "apps": "desktop", "dispatch": "desktop"}[tk["team"]]
        old = tk["team"]
        tk["team"] = to
        warm = tk["created"] >= self.mid
        tid = str(tk["id"])
        who = self.rng.choice(self.teams[old])
        if warm:
            self.n["warm"] += 1
            self.cmd(t, "ticket", "transfer", tid, to, "--as", who, "-m",
                     "Warm transfer: %s; the customer is on the line, "
                     "history attached." % tk["subject"])
        else:
            self.n["cold"] += 1
            tk["cold"] = True
            self.cmd(t, "ticket", "assign", tid, to, "--as", who)
        if to == "dispatch":
            self.cmd(t, "ticket", "category", tid, "hardware", "--as", who)
            self.cmd(t, "ticket", "owner", tid, "ogs", "--as", who)
        elif to == "apps" and tk["kind"] != "application":
            self.cmd(t, "ticket", "category", tid, "application", "--as", who)
        tk["kind"] = {"dispatch": "hardware", "apps": "application",
                      "desktop": "desktop"}[to]
        if warm:
            self.at(t + dt.timedelta(minutes=rng.randint(30, 200)),
                    self.resolve, tk)
        else:
            # the new team's queue: a business day later it asks again
            nxt = self.next_business(t + dt.timedelta(
                minutes=rng.randint(600, 1500)))
            tk["cold_wait"] = True
            self.at(nxt, self.repeat, tk)

    def repeat(self, t, tk):
        self.staff_act(t, tk, "pending", self.rng.choice(REPEAT))
        self.at(self.clock(t + dt.timedelta(
            minutes=self.rng.randint(60, 600))), self.customer_answers, tk,
            "As I wrote to the service desk already: " + self.rng.choice(
                ANSWERS).format(self.rng.randint(100, 999)))

    def resolve(self, t, tk):
        self.staff_act(t, tk, "resolve", self.rng.choice(
            RESOLVE_TEXT[tk["kind"] if tk["kind"] in RESOLVE_TEXT
                         else "application"]))
        rng = self.rng
        if tk["plan"] == "notfixed" and not tk.get("reopened"):
            tk["reopened"] = True
            self.at(self.web_slot(self.clock(t + dt.timedelta(
                minutes=rng.randint(30, 600)))), self.not_fixed, tk)
        elif rng.random() < 0.82:
            self.at(self.web_slot(self.clock(t + dt.timedelta(
                minutes=rng.randint(10, 1200)))), self.accept, tk)
        else:
            # nobody answers: tick closes it after 5 business days and
            # sends the survey, which some answer all the same
            self.at(self.web_slot(self.clock(t + dt.timedelta(
                days=8, minutes=rng.randint(0, 1200)))), self.late_survey, tk)

    def late_survey(self, t, tk):
        if self.sink.last_to(tk["id"], tk["addr"],
                             r"Two questions about your request") is None:
            self.send(t)
        if self.sink.last_to(tk["id"], tk["addr"],
                             r"Two questions about your request") is None:
            raise Fail("ticket %d: not auto-closed (no survey) 8 days after "
                       "its resolution" % tk["id"])
        if self.rng.random() < 0.35:
            self.answer(t, tk)

    def links(self, t, tk, what):
        self.need(t, tk)
        m = self.sink.last_to(tk["id"], tk["addr"], what)
        if m is None:
            raise Fail("ticket %d: no mail '%s' to %s at the sink" % (
                tk["id"], what, tk["addr"]))
        return m["text"]

    def accept(self, t, tk):
        text = self.links(t, tk, r"\] Resolved: ")
        url = re.search(r"Yes, close it:\s+(\S+)", text).group(1)
        self.web.at(t)
        self.web.form(url, {})
        self.n["accepted"] += 1
        self.dirty = True
        self.waiting.add(tk["id"])
        self.survey_later(t, tk, 0.62)

    def not_fixed(self, t, tk):
        text = self.links(t, tk, r"\] Resolved: ")
        url = re.search(r"not fixed:\s+(\S+)", text).group(1)
        self.web.at(t)
        self.web.form(url, {"comment": self.rng.choice(NOTFIXED)})
        self.n["not_fixed"] += 1
        self.dirty = True
        if tk["sev"] < 3:
            self.sla_ticks(t, [61, 241, 481])
        work = t if tk["sev"] < 3 else self.next_business(t)
        self.at(work + dt.timedelta(minutes=self.rng.randint(30, 400)),
                self.second_try, tk)

    def second_try(self, t, tk):
        self.staff_act(t, tk, "reply", "Sorry about that; we are looking "
                       "at it again and will call you.", by_mail=False)
        self.at(t + dt.timedelta(minutes=self.rng.randint(30, 240)),
                self.resolve, tk)

    def survey_later(self, t, tk, p):
        if self.rng.random() < p:
            self.at(self.web_slot(self.clock(t + dt.timedelta(
                minutes=self.rng.randint(5, 1800)))), self.answer, tk)

    def answer(self, t, tk):
        text = self.links(t, tk, r"Two questions about your request")
        rng = self.rng
        plan = tk["plan"]
        if plan == "fcr" and tk["kind"] != "outage":
            dist = [(5, 62), (4, 30), (3, 5), (2, 2), (1, 1)]
        elif tk.get("cold") or plan == "notfixed":
            dist = [(5, 25), (4, 40), (3, 20), (2, 10), (1, 5)]
        else:
            dist = [(5, 50), (4, 36), (3, 9), (2, 3), (1, 2)]
        r = weighted(rng, dist)
        comment = ""
        if rng.random() < 0.7:
            if r >= 4:
                comment = rng.choice(MIXED[:2] + MIXED[3:4] if tk.get("cold")
                                     or (plan != "fcr" and rng.random() < 0.3)
                                     else GOOD)
            elif r == 3:
                comment = rng.choice(MIXED)
            else:
                comment = rng.choice(BAD + MIXED[1:2])
        url = re.search(r"(?m)^\s*%d\b[^\n]*?(http\S+)" % r, text).group(1)
        self.web.at(t)
        self.web.form(url, {"rating": str(r), "comment": comment})
        self.n["surveys"] += 1
        self.dirty = True

    # ---- the calendar ---------------------------------------------------
    def plan(self):
        rng = self.rng
        day = self.start
        outage_days = sorted(rng.sample(range(2, 27), 2))
        while day < self.end:
            wd = day.weekday() < 5
            times = []
            if wd:
                n = max(4, int(rng.gauss(self.a.per_day, 3)))
                for _ in range(n):
                    h = rng.choice([7, 8, 8, 9, 9, 9, 10, 10, 10, 11, 11, 12,
                                    13, 13, 14, 14, 15, 15, 16])
                    times.append(day.replace(hour=h, minute=rng.randint(0, 59)))
                for _ in range(rng.choice([0, 1, 1, 2])):    # evening, night
                    times.append(day.replace(hour=rng.choice([18, 20, 22, 5]),
                                             minute=rng.randint(0, 59)))
            else:
                for _ in range(rng.choice([0, 1, 2, 3])):
                    times.append(day.replace(hour=rng.randint(8, 20),
                                             minute=rng.randint(0, 59)))
            for t in sorted(times):
                self.at(t, self.new_ticket,
                        weighted(rng, TOPIC_WEIGHTS))
            if day.day - 1 in outage_days:
                h = 3 if day.day - 1 == outage_days[0] else 10
                self.at(day.replace(hour=h, minute=rng.randint(0, 50)),
                        self.new_ticket, "outage")
            # tick and send: every hour in business hours, a few times at
            # night and at weekends
            for h in range(24):
                if (wd and 7 <= h <= 18) or h in (0, 3, 6, 21):
                    self.at(day.replace(hour=h), self.tick)
            day = (day + DAY + 2 * HOUR).replace(hour=0)

    def go(self):
        t0 = time.time()
        self.plan()
        try:
            while self.q:
                t, _, fn, args = heapq.heappop(self.q)
                fn(t.astimezone(self.tz), *args)
            last = self.end - MIN
            self.desk.run(last, "tick")
            self.dirty = True
            self.send(last)
        finally:
            self.web.stop()
        self.n["seconds"] = round(time.time() - t0, 1)
        self.n["deskmail_runs"] = self.desk.calls
        self.n["serve_starts"] = self.web.starts
        self.n["http_requests"] = self.web.requests
        self.n["sink_mails"] = self.sink.count
        self.n["deskmail_s"] = self.desk.secs
        self.n["web_s"] = self.web.secs
        return self.n


def summary(desk, now):
    """The month in a few numbers, from deskmail's own JSON."""
    tickets = json.loads(desk.run(now, "ticket", "list", "--json"))
    outbox = json.loads(desk.run(now, "outbox", "list", "--json"))
    by = {}
    for t in tickets:
        by[t["status"]] = by.get(t["status"], 0) + 1
    sent = [o for o in outbox if o["status"] == "sent"]
    tmpl = {}
    for o in sent:
        tmpl[o["template"]] = tmpl.get(o["template"], 0) + 1
    answered = len({o["ticket"] for o in sent
                    if o["template"] == "survey_answer"})
    print("tickets opened   %d (%s)" % (len(tickets), ", ".join(
        "%s %d" % kv for kv in sorted(by.items()))))
    print("tickets closed   %d" % by.get("closed", 0))
    print("surveys          %d sent, %d answered" % (tmpl.get("survey", 0),
                                                     answered))
    print("mails sent       %d of %d in the outbox (%s)" % (
        len(sent), len(outbox), ", ".join(
            "%s %d" % kv for kv in sorted(tmpl.items()))))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--deskmail", required=True)
    ap.add_argument("--config", required=True)
    ap.add_argument("--sink", required=True, help="the SMTP sink's Maildir")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--month", default="2026-03")
    ap.add_argument("--per-day", type=float, default=13,
                    help="mean new tickets per business day")
    ap.add_argument("--quiet", action="store_true",
                    help="do not pass deskmail's log lines through")
    a = ap.parse_args()
    a.config = os.path.abspath(a.config)
    try:
        mo = Month(a)
        n = mo.go()
        print("simulated %s: %d tickets (%d warm transfers, %d cold "
              "hand-offs), %d customer replies, %d staff mails, %d accepted, "
              "%d not fixed, %d survey answers" % (
                  a.month, n["tickets"], n["warm"], n["cold"],
                  n["customer_mail"], n["staff_mail"], n["accepted"],
                  n["not_fixed"], n["surveys"]))
        print("  %d deskmail runs (%d ticks, %d sends; %.0f s), %d serve "
              "starts and %d HTTP requests (%.0f s), %d mails at the sink; "
              "%.0f s in all" % (
                  n["deskmail_runs"], n["ticks"], n["sends"], n["deskmail_s"],
                  n["serve_starts"], n["http_requests"], n["web_s"],
                  n["sink_mails"], n["seconds"]))
        if os.environ.get("MONTH_PROFILE"):
            for k, (c, s) in sorted(mo.desk.prof.items(),
                                    key=lambda kv: -kv[1][1]):
                print("  %-18s %5d runs %6.1f s  %5.1f ms" % (
                    k, c, s, 1000 * s / c))
        summary(mo.desk, mo.end)
    except Fail as e:
        print("month.py: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
