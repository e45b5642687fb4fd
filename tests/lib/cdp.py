#!/usr/bin/python3
"""cdp.py - a headless Chromium driven over the DevTools protocol on a
pipe (--remote-debugging-pipe: JSON messages, each ended by a NUL byte, on
file descriptors 3 and 4), Python standard library only: no port, no
websocket, no package whose version must match the browser's.  Shared by
tests/web/browser.py and tests/report/chart.py.
"""
import json
import os
import subprocess
import threading
import time

TIMEOUT = 20


class Error(Exception):
    pass


class Browser:
    ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
            "--disable-dev-shm-usage", "--no-first-run",
            "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-default-browser-check",
            "--disable-extensions", "--mute-audio", "--hide-scrollbars",
            "--remote-debugging-pipe"]

    def __init__(self, exe, profile):
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()
        # above 4, so that placing them at 3 and 4 cannot clobber them
        hr = self._high(to_chrome_r)
        hw = self._high(from_chrome_w)

        def child():
            os.dup2(hr, 3)
            os.dup2(hw, 4)
            os.closerange(5, 65536)

        self.log = open(os.path.join(profile, "chromium.log"), "wb")
        self.proc = subprocess.Popen(
            [exe] + self.ARGS + ["--user-data-dir=" + profile,
                                 "about:blank"],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log,
            close_fds=False, preexec_fn=child)
        for fd in {to_chrome_r, from_chrome_w, hr, hw}:
            os.close(fd)
        self.next_id = 0
        self.replies = {}
        self.events = []
        self.cond = threading.Condition()
        self.dead = False
        threading.Thread(target=self._reader, daemon=True).start()
        self.call("Browser.getVersion")

    @staticmethod
    def _high(fd):
        import fcntl
        return fcntl.fcntl(fd, fcntl.F_DUPFD, 10)

    def _reader(self):
        buf = b""
        while True:
            try:
                data = os.read(self.from_chrome, 1 << 16)
            except OSError:
                data = b""
            if not data:
                with self.cond:
                    self.dead = True
                    self.cond.notify_all()
                return
            buf += data
            while b"\0" in buf:
                raw, buf = buf.split(b"\0", 1)
                msg = json.loads(raw)
                with self.cond:
                    if "id" in msg:
                        self.replies[msg["id"]] = msg
                    else:
                        self.events.append(msg)
                    self.cond.notify_all()

    def call(self, method, params=None, session=None):
        with self.cond:
            self.next_id += 1
            i = self.next_id
        msg = {"id": i, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.to_chrome, json.dumps(msg).encode() + b"\0")
        end = time.time() + TIMEOUT
        with self.cond:
            while i not in self.replies:
                if self.dead:
                    raise Error("chromium exited during " + method)
                left = end - time.time()
                if left <= 0:
                    raise Error("no answer to " + method)
                self.cond.wait(left)
            r = self.replies.pop(i)
        if "error" in r:
            raise Error("%s: %s" % (method, r["error"].get("message")))
        return r.get("result", {})

    def wait_event(self, method, session=None, since=0, pred=None):
        """The first event METHOD at index >= since (and pred(params))."""
        end = time.time() + TIMEOUT
        with self.cond:
            while True:
                for e in self.events[since:]:
                    if e.get("method") == method and \
                            (session is None or
                             e.get("sessionId") == session) and \
                            (pred is None or pred(e.get("params", {}))):
                        return e["params"]
                if self.dead:
                    raise Error("chromium exited waiting for " + method)
                left = end - time.time()
                if left <= 0:
                    raise Error("timed out waiting for " + method)
                self.cond.wait(left)

    def mark(self):
        with self.cond:
            return len(self.events)

    def close(self):
        try:
            self.call("Browser.close")
        except Error:
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
