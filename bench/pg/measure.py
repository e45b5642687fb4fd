#!/usr/bin/python3
"""bench/pg/measure.py - the measuring half of bench/pg/run.sh, which
starts the PostgreSQL cluster and the SMTP sink and passes them here in
the environment (PG_DIR, PG_PORT, PG_SOCK, PG_USER, PG_PASSWORD, PG_BIN,
SINK_PORT, SINK_DIR, SINK_CA).  Not meant to be run by itself.

Every measurement is taken on a SQLite store and on a PostgreSQL store in
the same round, one after the other, and every line prints both and
PostgreSQL's over SQLite's.  The mails are bench/ingest's (its generator,
imported), the report data bench/report/run.sh's (made once in SQLite,
then copied to PostgreSQL by `deskmail store copy`, or, with a binary
that has no such command yet, by COPY through psql).  Stdlib only.
"""

import argparse
import glob
import hashlib
import importlib.util
import io
import os
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from importlib.machinery import SourceFileLoader

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.dirname(HERE)
TOP = os.path.dirname(BENCH)


def load_ingest():
    """bench/ingest as a module: its mail generator and its Deskmail
    (a fresh `deskmail init` directory, run started and stopped, the
    checks after a run).  It has no .py, so the loader is named."""
    loader = SourceFileLoader("bench_ingest", os.path.join(BENCH, "ingest"))
    spec = importlib.util.spec_from_loader("bench_ingest", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


ing = load_ingest()
ENV = ing.ENV                   # DESKMAIL_NOW fixed, as bench/ingest has it
PG = {k: os.environ.get(k, "") for k in (
    "PG_DIR", "PG_PORT", "PG_SOCK", "PG_USER", "PG_PASSWORD", "PG_BIN",
    "SINK_PORT", "SINK_DIR", "SINK_CA")}
SIDES = ("sqlite", "postgresql")
# for the reports' peak resident set (Debian's package "time")
GNU_TIME = os.access("/usr/bin/time", os.X_OK)


def die(msg):
    sys.exit("bench/pg: " + msg)


def run(cmd, **kw):
    p = subprocess.run(cmd, **kw)
    if p.returncode != 0:
        die("%s: exit %d" % (" ".join(cmd[:5]), p.returncode))
    return p


# --------------------------------------------------------------------------
# the cluster
# --------------------------------------------------------------------------

def as_owner(cmd):
    """cmd as the cluster's owner (tests/lib/pg.sh's pg_as)."""
    if os.getuid() == 0:
        return ["setpriv", "--reuid=postgres", "--regid=postgres",
                "--clear-groups", "--"] + cmd
    return cmd


def psql_admin(sql, db="postgres"):
    """sql as the superuser over the private socket (trust)."""
    return run(as_owner([os.path.join(PG["PG_BIN"], "psql"), "-X", "-q",
                         "-v", "ON_ERROR_STOP=1", "-h", PG["PG_SOCK"], "-p",
                         PG["PG_PORT"], "-U", "postgres", "-d", db, "-c",
                         sql]), stdout=subprocess.DEVNULL)


def server_cpu():
    """cpu seconds the cluster has used so far: the postmaster and every
    process it runs now, and those it has reaped (a backend lives as long
    as its connection: its time is the postmaster's cutime/cstime once it
    exits).  Autovacuum and the checkpointer are in it too."""
    with open(os.path.join(PG["PG_DIR"], "data", "postmaster.pid")) as f:
        pm = f.readline().strip()
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % pid) as f:
                st = f.read()
        except OSError:
            continue
        fields = st[st.rindex(")") + 2:].split()
        # after the name: state ppid ... utime(12) stime(13) cutime cstime
        if pid == pm:
            total += sum(int(x) for x in fields[11:15])
        elif fields[1] == pm:
            total += int(fields[11]) + int(fields[12])
    return total / tick


def with_server(fn):
    """fn() -> (wall, deskmail's cpu), with the cluster's cpu meanwhile
    added: (wall, deskmail's cpu + the server's)."""
    c0 = server_cpu()
    wall, cpu = fn()
    return wall, cpu + server_cpu() - c0


def cpu_of(side, fn):
    """fn() -> (wall, cpu of deskmail's processes); on PostgreSQL the
    server's cpu meanwhile is added, so that both sides count the work of
    storing."""
    return with_server(fn) if side == "postgresql" else fn()


def proc_cpu(pid):
    """user + system seconds of a running process (run)."""
    with open("/proc/%d/stat" % pid) as f:
        st = f.read()
    fields = st[st.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


PSQL_ENV = dict(os.environ, PGPASSWORD=PG["PG_PASSWORD"])


def psql(db, sql):
    """Rows of sql on db as deskmail's user, over TCP as deskmail
    connects; columns split on |."""
    p = run(["psql", "-X", "-q", "-At", "-F", "|", "-v", "ON_ERROR_STOP=1",
             "-h", "127.0.0.1", "-p", PG["PG_PORT"], "-U", PG["PG_USER"],
             "-d", db, "-c", sql], stdout=subprocess.PIPE, text=True,
            env=PSQL_ENV)
    return [line.split("|") for line in p.stdout.splitlines()]


def pg_uri(db):
    return "postgresql://%s@127.0.0.1:%s/%s" % (PG["PG_USER"], PG["PG_PORT"],
                                                db)


def new_database(prefix):
    name = "%s_%d_%06d" % (prefix, os.getpid(), random.randrange(10 ** 6))
    psql_admin("CREATE DATABASE %s OWNER %s" % (name, PG["PG_USER"]))
    return name


def drop_database(name):
    psql_admin("DROP DATABASE IF EXISTS %s" % name)


def to_postgresql(directory, db):
    """Point the `deskmail init` directory at database db (empty), as
    tests/lib/store.sh's dm_init does; `deskmail init` again, or store
    copy, makes the schema there.  Returns the configuration's path."""
    pw = os.path.join(directory, "pg.password")
    with open(pw, "w") as f:
        f.write(PG["PG_PASSWORD"] + "\n")
    os.chmod(pw, 0o600)
    conf = os.path.join(directory, "deskmail.conf")
    with open(conf) as f:
        text = f.read()
    text, n1 = re.subn(r"(?m)^database = .*$", "database = " + pg_uri(db),
                       text)
    text, n2 = re.subn(r"(?m)^database_password_file = .*$",
                       "database_password_file = " + pw, text)
    if n1 != 1:
        die("no 'database =' line in " + conf)
    if n2 != 1:
        text = text.replace("database = " + pg_uri(db), "database = %s\n"
                            "database_password_file = %s" % (pg_uri(db), pw))
    with open(conf, "w") as f:
        f.write(text)
    for suffix in ("", "-wal", "-shm"):
        p = os.path.join(directory, "deskmail.db" + suffix)
        if os.path.exists(p):
            os.unlink(p)
    return conf


class PgDeskmail(ing.Deskmail):
    """bench/ingest's fresh deskmail directory, on a new PostgreSQL
    database.  synchronous = stays in the file (SQLite's setting; what
    PostgreSQL does at commit is the server's synchronous_commit)."""

    def __init__(self, binary, work, sync):
        super().__init__(binary, work, sync)
        self.pgdb = new_database("bench")
        to_postgresql(self.dir, self.pgdb)
        run([binary, "-c", self.conf, "init"], stdout=subprocess.DEVNULL,
            env=ENV)
        # run's own files go beside the key file when the store is no file
        self.sock = os.path.join(self.dir, "deskmail.sock")

    def counts(self, source):
        row, = psql(self.pgdb, (
            "SELECT (SELECT count(*) FROM tickets), (SELECT count(*) FROM "
            "messages), (SELECT count(*) FROM quarantine), (SELECT count(*) "
            "FROM attachments), (SELECT count(*) FROM messages WHERE source "
            "= '%s')" % (source or "")))
        return tuple(int(x) for x in row)

    def remove(self):
        drop_database(self.pgdb)
        shutil.rmtree(self.dir)


def new_deskmail(side, binary, work):
    if side == "sqlite":
        dm = ing.Deskmail(binary, work, "full")
        dm.remove = lambda: shutil.rmtree(dm.dir)
        return dm
    return PgDeskmail(binary, work, "full")


def sqlite_rows(path, query):
    """Rows of query on the SQLite file, as strings."""
    db = sqlite3.connect(path)
    rows = [[("" if v is None else str(v)) for v in r]
            for r in db.execute(query).fetchall()]
    db.close()
    return rows


def sql_of(dm, query):
    """Rows of query on dm's store, as strings."""
    if isinstance(dm, PgDeskmail):
        return psql(dm.pgdb, query)
    return sqlite_rows(dm.db, query)


def exec_sql(dm, query):
    if isinstance(dm, PgDeskmail):
        psql(dm.pgdb, query)
        return
    db = sqlite3.connect(dm.db)
    db.execute(query)
    db.commit()
    db.close()


# --------------------------------------------------------------------------
# ingest
# --------------------------------------------------------------------------

def bench_ingest(a, work, binary, driver, rows):
    gen = ing.Gen(42)
    mails = gen.generate(a.b)
    maildir = os.path.join(work, "mail")
    os.makedirs(maildir, exist_ok=True)
    files = []
    for i, (raw, _, _) in enumerate(mails):
        path = os.path.join(maildir, "m%05d.eml" % (i + 1))
        with open(path, "wb") as f:
            f.write(raw)
        files.append(path)
    expect = [(kind, t) for _, kind, t in mails]
    nbytes = sum(len(raw) for raw, _, _ in mails)
    del mails
    m = min(a.m, a.b)
    listm = os.path.join(work, "sample.list")
    with open(listm, "w") as f:
        f.write("\n".join(files[:m]) + "\n")
    print("ingest: %d mails of bench/ingest's generator (seed 42, %.1f MB); "
          "one process each for the first %d" % (a.b, nbytes / 1e6, m))
    notes = []

    def batch(side):
        dm = new_deskmail(side, binary, work)
        out = os.path.join(dm.dir, "out")
        with open(out, "w") as fo:
            res = cpu_of(side, lambda: ing.timed(
                [binary, "-c", dm.conf, "ingest"] + files, stdout=fo,
                env=ENV))
        notes.append("batch %s: %s" % (side, dm.verify(expect, out)))
        dm.remove()
        return res

    def per_process(side, via_run):
        dm = new_deskmail(side, binary, work)
        out = os.path.join(dm.dir, "out")
        runner = dm.start_run() if via_run else None
        try:
            c0 = proc_cpu(runner.pid) if runner else 0
            res = cpu_of(side, lambda: ing.spawn(
                driver, listm, [binary, "-c", dm.conf, "ingest"],
                use_stdin=True, out=out, env=ENV))
            if runner:
                res = (res[0], res[1] + proc_cpu(runner.pid) - c0)
        finally:
            if runner is not None:
                dm.stop_run(runner)
        notes.append("per-process%s %s: %s" % (
            " via run" if via_run else "", side,
            dm.verify(expect[:m], out,
                      "stdin via run" if via_run else "stdin")))
        dm.remove()
        return res

    cases = [
        ("ingest batch: deskmail ingest FILE... (%d)" % a.b, a.b, batch),
        ("ingest < FILE, one process each, run serving (%d)" % m, m,
         lambda side: per_process(side, True)),
        ("ingest < FILE, one process each, alone (%d)" % m, m,
         lambda side: per_process(side, False)),
    ]
    samples = {(c[0], s): [] for c in cases for s in SIDES}
    for _ in range(a.r):
        for label, _, fn in cases:
            for side in SIDES:
                samples[(label, side)].append(fn(side))
    for label, n, _ in cases:
        fig = {}
        for side in SIDES:
            wall = statistics.median(x[0] for x in samples[(label, side)])
            cpu = statistics.median(x[1] for x in samples[(label, side)])
            fig[side] = (n / wall, cpu / n * 1e6)
        rows.append(("rate", label, fig))
    for note in dict.fromkeys(notes):
        print("  check: " + note)


# --------------------------------------------------------------------------
# send
# --------------------------------------------------------------------------

def bench_send(a, work, binary, rows):
    if not PG["SINK_PORT"]:
        die("no SMTP sink (run.sh starts it for -o send)")
    gen = os.path.join(work, "send-mail")
    run(["/usr/bin/python3", os.path.join(TOP, "tests", "lib", "genmail.py"),
         gen, str(a.s // 2)])
    files = sorted(glob.glob(os.path.join(gen, "*.eml")))
    new = os.path.join(PG["SINK_DIR"], "new")
    stores = {}
    for side in SIDES:
        dm = new_deskmail(side, binary, work)
        with open(dm.conf) as f:
            text = f.read()
        text = re.sub(r"(?m)^url = smtp://127.0.0.1:25$",
                      "url = smtp://127.0.0.1:%s" % PG["SINK_PORT"], text)
        text = re.sub(r"(?m)^auto_reply_limit = .*$",
                      "auto_reply_limit = 100000", text)
        text += ("\n[smtp]\ntls = starttls\nca_file = %s\nuser = bench\n"
                 "password_env = BENCH_SMTP_PASSWORD\n" % PG["SINK_CA"])
        with open(dm.conf, "w") as f:
            f.write(text)
        run([binary, "-c", dm.conf, "ingest"] + files,
            stdout=subprocess.DEVNULL, env=ENV)
        stores[side] = dm
    env = dict(ENV, BENCH_SMTP_PASSWORD="secret")
    queued = {}
    for side in SIDES:
        queued[side] = int(sql_of(stores[side], "SELECT count(*) FROM outbox "
                                  "WHERE status = 'queued'")[0][0])
    if queued["sqlite"] != queued["postgresql"]:
        die("outbox: %d rows queued on SQLite, %d on PostgreSQL" % (
            queued["sqlite"], queued["postgresql"]))
    print("send: %d outbox rows (acknowledgements and team notices of %d "
          "tickets from tests/lib/genmail.py) to bench/smtp_sink.c, STARTTLS "
          "+ AUTH" % (queued["sqlite"], len(files)))

    def one(side):
        dm = stores[side]
        # every row queued again, as bench/smtp requeues between rounds
        exec_sql(dm, "UPDATE outbox SET status = 'queued', sent_at = NULL, "
                 "attempts = 0, last_error = NULL")
        for f in glob.glob(new + "/*"):
            os.unlink(f)
        res = cpu_of(side, lambda: ing.timed(
            [binary, "-c", dm.conf, "send", "-q"], env=env))
        sent = int(sql_of(dm, "SELECT count(*) FROM outbox WHERE status = "
                          "'sent'")[0][0])
        arrived = len(os.listdir(new))
        if sent != queued[side] or arrived != queued[side]:
            die("send on %s: %d queued, %d marked sent, %d arrived" % (
                side, queued[side], sent, arrived))
        return res

    samples = {s: [] for s in SIDES}
    for _ in range(a.r):
        for side in SIDES:
            samples[side].append(one(side))
    fig = {}
    for side in SIDES:
        wall = statistics.median(x[0] for x in samples[side])
        cpu = statistics.median(x[1] for x in samples[side])
        fig[side] = (queued[side] / wall, cpu / queued[side] * 1e6)
    rows.append(("rate", "send: drain the outbox (%d)" % queued["sqlite"],
                 fig))
    print("  check: every round, all %d rows marked sent and %d mails at "
          "the sink, on both" % (queued["sqlite"], queued["sqlite"]))
    for side in SIDES:
        stores[side].remove()
    shutil.rmtree(gen)


# --------------------------------------------------------------------------
# reports
# --------------------------------------------------------------------------

def has_store_copy(binary):
    p = subprocess.run([binary, "--help"], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, env=ENV)
    return re.search(r"(?m)^\s*store copy", p.stdout) is not None


def copy_with_psql(src, db):
    """The stand-in for `deskmail store copy` while a binary has none: every
    table of the SQLite file into the PostgreSQL schema's, by COPY ... FROM
    STDIN (CSV) through psql as the superuser, with triggers off (the
    counters are copied as rows, as store copy does), then every identity
    past the ids copied."""
    lite = sqlite3.connect("file:%s?mode=ro" % src, uri=True)
    tables = [r[0] for r in psql(db, (
        "SELECT table_name FROM information_schema.tables WHERE "
        "table_schema = 'public' AND table_type = 'BASE TABLE' AND "
        "table_name <> 'schema_version'"))]
    cols = {}
    for t, c in psql(db, (
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND is_generated = 'NEVER' "
            "ORDER BY table_name, ordinal_position")):
        cols.setdefault(t, []).append(c)
    have = {r[0] for r in lite.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'")}
    p = subprocess.Popen(as_owner([
        os.path.join(PG["PG_BIN"], "psql"), "-X", "-q", "-v",
        "ON_ERROR_STOP=1", "-h", PG["PG_SOCK"], "-p", PG["PG_PORT"], "-U",
        "postgres", "-d", db]), stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL)
    out = io.TextIOWrapper(p.stdin, encoding="utf-8", newline="\n")
    out.write("SET session_replication_role = replica;\nBEGIN;\n")
    # what `deskmail init` put there (the staff of the configuration)
    out.write("TRUNCATE %s;\n" % ", ".join(t for t in tables if t in have))
    for t in tables:
        if t not in have:
            continue
        c = cols[t]
        out.write("COPY %s (%s) FROM STDIN (FORMAT csv);\n" % (
            t, ", ".join(c)))
        for r in lite.execute("SELECT %s FROM %s" % (
                ", ".join('"%s"' % x for x in c), t)):
            out.write(",".join(map(csv_value, r)) + "\n")
        out.write("\\.\n")
    out.write("COMMIT;\n")
    out.close()
    if p.wait() != 0:
        die("copying %s into %s with psql failed" % (src, db))
    lite.close()
    # identities past the ids copied
    for t, c in psql(db, (
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND is_identity = 'YES'")):
        psql(db, "SELECT setval(pg_get_serial_sequence('%s', '%s'), "
             "coalesce(max(%s), 0) + 1, false) FROM %s" % (t, c, c, t))


def csv_value(v):
    """v as COPY's CSV takes it: NULL unquoted and empty, text quoted (so
    '' stays text), a BLOB in bytea's hex."""
    if v is None:
        return ""
    if isinstance(v, str):
        return '"' + v.replace('"', '""') + '"'
    if isinstance(v, bytes):
        return "\\x" + v.hex()
    return repr(v) if isinstance(v, float) else str(v)


REPORTS = [(r, f) for r in ("csat", "fcr", "sla", "ttr", "themes", "billing",
                            "all")
           for f in ("text", "csv", "json", "html")
           if not (r == "all" and f == "csv")]


def bench_report(a, work, binary, rows):
    data = os.path.join(work, "report")
    t0 = time.perf_counter()
    run([os.path.join(BENCH, "report", "run.sh"), "-n", str(a.n), "--keep",
         data, "--data-only"], env=dict(os.environ, DESKMAIL=binary))
    made = time.perf_counter() - t0
    lite_dir = os.path.join(data, "dm")
    lite_conf = os.path.join(lite_dir, "deskmail.conf")
    pg_dir = os.path.join(data, "pg")
    shutil.rmtree(pg_dir, ignore_errors=True)
    os.makedirs(pg_dir)
    shutil.copy2(lite_conf, pg_dir)
    shutil.copy2(os.path.join(lite_dir, "deskmail.key"), pg_dir)
    db = new_database("report")
    pg_conf = to_postgresql(pg_dir, db)
    src = os.path.join(lite_dir, "deskmail.db")
    t0 = time.perf_counter()
    if a.load == "store-copy" and not has_store_copy(binary):
        die("--load store-copy: this binary has no `store copy`")
    if a.load != "psql" and has_store_copy(binary):
        how = "deskmail store copy"
        run([binary, "-c", pg_conf, "store", "copy", "--from", src, "--to",
             pg_uri(db)], stdout=subprocess.DEVNULL, env=dict(
                 ENV, PGPASSWORD=PG["PG_PASSWORD"]))
    else:
        how = "COPY through psql (%s)" % (
            "--load psql" if a.load == "psql" else
            "this binary has no `store copy`")
        run([binary, "-c", pg_conf, "init"], stdout=subprocess.DEVNULL,
            env=ENV)
        copy_with_psql(src, db)
    copied = time.perf_counter() - t0
    # the SQLite side was ANALYZEd by bench/report/run.sh; the same here
    # (and the visibility map set, which autovacuum would do in time)
    t0 = time.perf_counter()
    psql_admin("VACUUM ANALYZE", db=db)
    analyzed = time.perf_counter() - t0
    size = psql(db, "SELECT pg_size_pretty(pg_database_size(current_"
                "database()))")[0][0]
    counts = {}
    q = ("SELECT (SELECT count(*) FROM tickets) || ' tickets, ' || "
         "(SELECT count(*) FROM events) || ' events, ' || (SELECT count(*) "
         "FROM messages) || ' messages, ' || (SELECT count(*) FROM surveys) "
         "|| ' surveys, ' || (SELECT count(*) FROM sla_results) || ' SLA "
         "results'")
    counts["sqlite"] = sqlite_rows(src, q)[0][0]
    counts["postgresql"] = psql(db, q)[0][0]
    if counts["sqlite"] != counts["postgresql"]:
        die("the copy differs: SQLite %s, PostgreSQL %s" % (
            counts["sqlite"], counts["postgresql"]))
    print("reports: bench/report/run.sh's data, %s (made in SQLite in %.0f "
          "s, %.1f MB; copied to PostgreSQL by %s in %.0f s, VACUUM ANALYZE "
          "%.0f s, %s)" % (counts["sqlite"], made, os.path.getsize(src) / 1e6,
                           how, copied, analyzed, size))
    confs = {"sqlite": lite_conf, "postgresql": pg_conf}
    outs = os.path.join(work, "report-out")
    os.makedirs(outs, exist_ok=True)

    peak = {}

    def best(cmd, out, env=ENV):
        """The best wall time of the rounds; peak[out]: the largest
        resident set (MB) the process reached."""
        b = None
        rss = out + ".rss"
        for _ in range(a.r):
            with open(out, "wb") as fo:
                # through GNU time: a child of this python carries the
                # python's resident set into its own ru_maxrss (Linux
                # keeps the high-water mark across exec), time's does not
                t, _ = ing.timed((["/usr/bin/time", "-f", "%M", "-o", rss]
                                  if GNU_TIME else []) + cmd, stdout=fo,
                                 env=env)
            b = t if b is None or t < b else b
            if GNU_TIME:
                with open(rss) as f:
                    kb = int(f.read().split()[-1])
                peak[out] = max(peak.get(out, 0), kb / 1024)
            else:
                peak[out] = float("nan")
        return b

    # baseline: the whole events table read by each database's own shell,
    # timed by the shell (.timer, psql's timing): the query, without the
    # shell's start (psql's alone takes 0.1-0.2 s here)
    scan = "SELECT count(*), sum(length(detail)) FROM events;"
    lite_t, pg_t = [], []
    for _ in range(a.r):
        p = run(["sqlite3", src], input=".timer on\n" + scan + "\n",
                stdout=subprocess.PIPE, text=True)
        lite_t.append(float(re.search(r"Run Time: real ([0-9.]+)",
                                      p.stdout).group(1)))
        p = run(["psql", "-X", "-q", "-At", "-h", "127.0.0.1", "-p",
                 PG["PG_PORT"], "-U", PG["PG_USER"], "-d", db, "-c",
                 "\\timing on", "-c", scan], stdout=subprocess.PIPE,
                text=True, env=PSQL_ENV)
        pg_t.append(float(re.search(r"Time: ([0-9.]+) ms",
                                    p.stdout).group(1)) / 1e3)
    rows.append(("ms", "baseline: events scan in sqlite3 / psql (query only)",
                 {"sqlite": min(lite_t), "postgresql": min(pg_t)}))
    # baseline: what a report costs before it reads anything (the process,
    # opening the store: on PostgreSQL a connection, SCRAM, a backend)
    fig = {}
    for side in SIDES:
        fig[side] = best([binary, "-c", confs[side], "report", "ttr",
                          "--from", "2099-01-01", "--to", "2099-01-02"],
                         os.path.join(outs, "empty"))
    rows.append(("ms", "baseline: report ttr of a day without tickets", fig))
    differ = []
    for r, f in REPORTS:
        fig = {}
        digest = {}
        for side in SIDES:
            out = os.path.join(outs, "%s-%s.%s" % (r, side, f))
            fig[side] = best([binary, "-c", confs[side], "report", r,
                              "--format", f], out)
            fig["rss-" + side] = peak[out]
            with open(out, "rb") as fh:
                digest[side] = hashlib.sha256(fh.read()).hexdigest()
        # PostgreSQL's JIT (on in Debian's defaults) compiles every query
        # whose estimate passes jit_above_cost, 0.1-0.3 s each here: the
        # same report without it, set by libpq's PGOPTIONS for this
        # process only (the cluster's settings stay)
        out = os.path.join(outs, "%s-nojit.%s" % (r, f))
        if a.no_jit_off:
            rows.append(("ms", "report %s --format %s" % (r, f), fig))
            continue
        fig["nojit"] = best([binary, "-c", confs["postgresql"], "report", r,
                             "--format", f], out,
                            dict(ENV, PGOPTIONS="-c jit=off"))
        rows.append(("ms", "report %s --format %s" % (r, f), fig))
        if digest["sqlite"] != digest["postgresql"]:
            differ.append("%s %s" % (r, f))
    if differ:
        print("  note: output differs between the stores for: %s (kept in "
              "%s)" % (", ".join(differ), outs))
    else:
        print("  check: every report's output is byte for byte the same on "
              "both stores")
    drop_database(db)


# --------------------------------------------------------------------------

def table(rows):
    """The figures so far, one line each: SQLite's, PostgreSQL's, the
    ratio."""
    hdr = "%-54s %10s %10s %9s %14s %12s" % (
        "", "SQLite", "PostgreSQL", "PG/SQLite", "PG jit=off",
        "peak MB S/PG")
    print(hdr)
    print("-" * len(hdr))
    unit = None
    for kind, label, fig in rows:
        if kind != unit:
            print("msg/s (higher is faster)" if kind == "rate" else
                  "ms, whole process (lower is faster)")
            unit = kind
        lite, pg = fig["sqlite"], fig["postgresql"]
        if kind == "rate":
            print("  %-52s %10.0f %10.0f %8.2fx" % (label, lite[0], pg[0],
                                                   pg[0] / lite[0]))
        else:
            nojit = fig.get("nojit")
            extra = ""
            if "rss-sqlite" in fig:
                extra = "%14s %6.0f %5.0f" % (
                    "%6.0f %6.2fx" % (nojit * 1e3, nojit / lite) if nojit
                    else "-", fig["rss-sqlite"], fig["rss-postgresql"])
            print("  %-52s %10.0f %10.0f %8.2fx %s" % (
                label, lite * 1e3, pg * 1e3, pg / lite, extra))
    cpu = [(label, fig) for kind, label, fig in rows if kind == "rate"]
    if cpu:
        print("cpu per mail (us): deskmail's processes, run's when it serves, "
              "and on PostgreSQL the server's:")
        for label, fig in cpu:
            print("  %-52s %10.0f %10.0f" % (label, fig["sqlite"][1],
                                             fig["postgresql"][1]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--deskmail", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("-n", type=int, default=100000)
    ap.add_argument("-b", type=int, default=2000)
    ap.add_argument("-m", type=int, default=300)
    ap.add_argument("-s", type=int, default=2000)
    ap.add_argument("-r", type=int, default=3)
    ap.add_argument("-o", default="ingest send report")
    ap.add_argument("--pinned", default="no")
    ap.add_argument("--no-jit-off", action="store_true")
    ap.add_argument("--load", default="auto",
                    choices=("auto", "store-copy", "psql"))
    a = ap.parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    if min(a.n, a.b, a.m, a.s, a.r) < 1:
        die("-n, -b, -m, -s and -r must be positive")
    what = a.o.split()
    for w in what:
        if w not in ("ingest", "send", "report"):
            die("-o: ingest, send or report, not %s" % w)
    work = a.work
    # a private copy, and the whole program beside it, as bench/ingest
    binary = os.path.join(work, "deskmail")
    shutil.copy2(a.deskmail, binary)
    whole = os.path.join(os.path.dirname(a.deskmail), "libexec", "deskmail")
    if os.access(whole, os.X_OK):
        os.makedirs(os.path.join(work, "libexec"), exist_ok=True)
        shutil.copy2(whole, os.path.join(work, "libexec", "deskmail"))
    driver = os.path.join(work, "spawn")
    run([os.environ.get("CC", "cc"), "-O2", "-o", driver,
         os.path.join(BENCH, "spawn.c")])
    digest = []
    for b in (binary, os.path.join(work, "libexec", "deskmail")):
        if os.path.exists(b):
            with open(b, "rb") as f:
                digest.append(hashlib.sha256(f.read()).hexdigest()[:12])
    digest = ", libexec/deskmail ".join(digest)
    server = subprocess.run([os.path.join(PG["PG_BIN"], "postgres"),
                             "--version"], stdout=subprocess.PIPE,
                            text=True).stdout.strip()
    sqlite_v = sqlite3.connect(":memory:").execute(
        "SELECT sqlite_version()").fetchone()[0]
    settings = dict(psql("postgres", (
        "SELECT name, setting FROM pg_settings WHERE name IN ('fsync', "
        "'synchronous_commit', 'wal_sync_method', 'shared_buffers', "
        "'jit', 'work_mem')")))
    print("bench/pg: SQLite beside PostgreSQL, %s" % time.strftime(
        "%Y-%m-%d %H:%M UTC", time.gmtime()))
    print("  binary   %s (sha256 %s)" % (os.path.realpath(a.deskmail), digest))
    print("  stores   SQLite %s (WAL, synchronous = full); %s on 127.0.0.1 "
          "(fsync %s, synchronous_commit %s, wal_sync_method %s, "
          "shared_buffers %s x 8 kB, work_mem %s kB, jit %s)" % (
              sqlite_v, server, settings.get("fsync"),
              settings.get("synchronous_commit"),
              settings.get("wal_sync_method"),
              settings.get("shared_buffers"), settings.get("work_mem"),
              settings.get("jit")))
    print("  machine  %d CPUs online, pinned: %s (the cluster too); load "
          "average before: %s" % (os.cpu_count(), a.pinned, " ".join(
              "%.2f" % x for x in os.getloadavg())))
    print("  rounds   %d (ingest and send: median; reports: best), SQLite "
          "and PostgreSQL one after the other in every round" % a.r)
    print()
    rows = []
    if "ingest" in what:
        bench_ingest(a, work, binary, driver, rows)
    if "send" in what:
        bench_send(a, work, binary, rows)
    if "report" in what:
        if rows:
            print()
            table(rows)         # so far: the reports can take long
            print()
        bench_report(a, work, binary, rows)
    print()
    table(rows)
    print("load average after: %s" % " ".join("%.2f" % x
                                               for x in os.getloadavg()))


if __name__ == "__main__":
    main()
