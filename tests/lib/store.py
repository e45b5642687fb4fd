"""store.py - tests/lib/store.sh for the Python tests: the store a test's
deskmail runs on.  The suite runs twice (tests/run-all.sh): on SQLite, the
default, and with DESKMAIL_TEST_DATABASE=pg on PostgreSQL, each test in a
database of its own.

  is_pg()               true on the PostgreSQL leg
  init(binary, dir)     `deskmail init DIR` on the store under test
                        (store.sh's dm_init); the CompletedProcess
  script(dir, sql)      run the SQL script on DIR's store, committed
  rows(dir, sql)        the rows of one query, each a tuple of strings
                        (None for NULL)
  held_writer(dir)      a context manager: another process holds the
                        store's writer lock meanwhile

Without the suite's cluster (tests/lib/pg-suite.sh), the first init starts
a private one (in a temporary directory, stopped at exit), as store.sh
does for a shell test.
"""
import atexit
import csv
import io
import os
import shutil
import sqlite3
import subprocess
import tempfile
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
WRITER_LOCK = 2037539180	# src/store_pg.c's advisory lock of writers
_cluster_lock = threading.Lock()	# tests that init from several threads


def is_pg():
    return os.environ.get("DESKMAIL_TEST_DATABASE") == "pg"


def _cluster():
    if os.environ.get("DESKMAIL_TEST_PG_PORT"):
        return
    d = tempfile.mkdtemp(prefix="dm-pg-")
    p = subprocess.run([os.path.join(HERE, "pg-suite.sh"), "start", d],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       check=True)
    atexit.register(lambda: (subprocess.run(
        [os.path.join(HERE, "pg-suite.sh"), "stop", d],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
        shutil.rmtree(d, ignore_errors=True)))
    for word in p.stdout.decode().split():
        if "=" in word:
            k, v = word.split("=", 1)
            os.environ[k] = v


def init(binary, dir, timeout=120):
    if is_pg():
        with _cluster_lock:
            _cluster()
    return subprocess.run(
        ["bash", "-c", '. "$1" && dm=$2 && dm_init "$3"', "init",
         os.path.join(HERE, "store.sh"), binary, dir],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)


def _psql(dir, args, **kw):
    uri = None
    with open(os.path.join(dir, "deskmail.conf"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("database = "):
                uri = line[len("database = "):].strip()
                break
    with open(os.path.join(dir, "pg.password"), encoding="utf-8") as f:
        pw = f.read().strip()
    env = dict(os.environ, PGPASSWORD=pw)
    return ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", uri] + args, env


def script(dir, sql):
    if not is_pg():
        con = sqlite3.connect(os.path.join(dir, "deskmail.db"))
        try:
            con.executescript(sql)
            con.commit()
        finally:
            con.close()
        return
    argv, env = _psql(dir, ["-1", "-f", "-"])
    p = subprocess.run(argv, input=sql.encode(), env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0:
        raise RuntimeError("psql: %s" % p.stderr.decode().strip())


def rows(dir, sql):
    if not is_pg():
        con = sqlite3.connect(os.path.join(dir, "deskmail.db"))
        try:
            return [tuple(None if x is None else str(x) for x in r)
                    for r in con.execute(sql).fetchall()]
        finally:
            con.close()
    argv, env = _psql(dir, ["--csv", "-P", "null=\\N", "-c", sql])
    p = subprocess.run(argv, env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    if p.returncode != 0:
        raise RuntimeError("psql: %s" % p.stderr.decode().strip())
    out = list(csv.reader(io.StringIO(p.stdout.decode())))[1:]
    return [tuple(None if x == "\\N" else x for x in r) for r in out]


class held_writer:
    """Another process holds the writer lock while the block runs:
    BEGIN EXCLUSIVE on SQLite, the writers' advisory lock on PostgreSQL
    (held by a psql that waits on its standard input)."""

    def __init__(self, dir):
        self.dir = dir

    def __enter__(self):
        if not is_pg():
            self.con = sqlite3.connect(os.path.join(self.dir, "deskmail.db"),
                                       isolation_level=None)
            self.con.execute("BEGIN EXCLUSIVE")
            return self
        argv, env = _psql(self.dir, ["-At"])
        self.proc = subprocess.Popen(argv, env=env, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE)
        self.proc.stdin.write(b"BEGIN; SELECT pg_advisory_xact_lock(%d); "
                              b"SELECT 'held';\n" % WRITER_LOCK)
        self.proc.stdin.flush()
        for line in self.proc.stdout:
            if line.strip() == b"held":
                break
        else:
            raise RuntimeError("psql did not take the writer lock")
        return self

    def __exit__(self, *exc):
        if not is_pg():
            self.con.execute("ROLLBACK")
            self.con.close()
            return False
        self.proc.stdin.write(b"ROLLBACK;\n")
        self.proc.stdin.close()
        self.proc.stdout.close()
        self.proc.wait(timeout=30)
        return False
