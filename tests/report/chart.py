#!/usr/bin/python3
"""chart.py - open an HTML report in headless Chromium and read its charts
back from the rendered DOM, for tests/report/html.test.

  chart.py CHROMIUM PROFILE-DIR REPORT.html SCREENSHOT.png

Chromium is driven over the DevTools protocol on a pipe
(--remote-debugging-pipe: JSON messages ended by a NUL byte on file
descriptors 3 and 4), Python standard library only.  The page's scripts
are switched off before it loads (the report has none; this proves it
needs none).  Prints one JSON object:

  points    every element with a data-value attribute, in document order:
            tag, series, label, period, value, and its rendered size
  sections  the ids of the <section> elements
  captions  the captions of the tables
  requests  every URL the page asked for (only the file itself is expected)
  console   console messages of level warning or error
  size      the page's content width and height (CSS pixels)
and writes a full-page screenshot (PNG) to SCREENSHOT.png.
"""
import base64
import fcntl
import json
import os
import subprocess
import sys
import threading
import time

WAIT = 30


class Chromium:
    """A headless Chromium and the DevTools pipe to it."""

    def __init__(self, exe, profile):
        cmd_r, self.cmd_w = os.pipe()
        self.ev_r, ev_w = os.pipe()
        # copies numbered 10 and up, so placing them at 3 and 4 cannot
        # overwrite one another
        keep = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (cmd_r, ev_w)]

        def at_3_and_4():
            os.dup2(keep[0], 3)
            os.dup2(keep[1], 4)

        self.log = open(os.path.join(profile, "chromium.log"), "wb")
        self.proc = subprocess.Popen(
            [exe, "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-dev-shm-usage", "--no-first-run",
             "--no-default-browser-check", "--disable-extensions",
             "--disable-background-networking", "--disable-sync",
             "--disable-component-update", "--hide-scrollbars",
             "--mute-audio", "--remote-debugging-pipe",
             "--user-data-dir=" + profile, "about:blank"],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log,
            close_fds=False, preexec_fn=at_3_and_4)
        for fd in [cmd_r, ev_w] + keep:
            os.close(fd)
        self.seq = 0
        self.answers = {}
        self.events = []
        self.gone = False
        self.cv = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        pending = b""
        while True:
            try:
                chunk = os.read(self.ev_r, 65536)
            except OSError:
                chunk = b""
            with self.cv:
                if not chunk:
                    self.gone = True
                    self.cv.notify_all()
                    return
                pending += chunk
                while b"\0" in pending:
                    one, pending = pending.split(b"\0", 1)
                    msg = json.loads(one)
                    if "id" in msg:
                        self.answers[msg["id"]] = msg
                    else:
                        self.events.append(msg)
                self.cv.notify_all()

    def send(self, method, params=None, session=None):
        with self.cv:
            self.seq += 1
            n = self.seq
        msg = {"id": n, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.cmd_w, json.dumps(msg).encode() + b"\0")
        deadline = time.time() + WAIT
        with self.cv:
            while n not in self.answers:
                if self.gone or time.time() > deadline:
                    raise RuntimeError("no answer to " + method)
                self.cv.wait(deadline - time.time())
            ans = self.answers.pop(n)
        if "error" in ans:
            raise RuntimeError(method + ": " + ans["error"].get("message", ""))
        return ans.get("result", {})

    def wait_for(self, method, session):
        deadline = time.time() + WAIT
        with self.cv:
            while True:
                for e in self.events:
                    if e.get("method") == method and \
                            e.get("sessionId") == session:
                        return e
                if self.gone or time.time() > deadline:
                    raise RuntimeError("no event " + method)
                self.cv.wait(deadline - time.time())

    def close(self):
        try:
            self.send("Browser.close")
        except RuntimeError:
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def read_report(b, url, png):
    target = b.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    s = b.send("Target.attachToTarget", {"targetId": target,
                                         "flatten": True})["sessionId"]
    for domain in ("Page", "DOM", "Network", "Log", "Runtime"):
        b.send(domain + ".enable", session=s)
    b.send("Emulation.setScriptExecutionDisabled", {"value": True}, s)
    b.send("Emulation.setDeviceMetricsOverride", {
        "width": 1280, "height": 900, "deviceScaleFactor": 1,
        "mobile": False}, s)
    b.send("Page.navigate", {"url": url}, s)
    b.wait_for("Page.loadEventFired", s)

    root = b.send("DOM.getDocument", {"depth": -1}, s)["root"]["nodeId"]

    def select(css):
        return b.send("DOM.querySelectorAll", {"nodeId": root,
                                               "selector": css}, s)["nodeIds"]

    def attrs(node):
        a = b.send("DOM.getAttributes", {"nodeId": node}, s)["attributes"]
        return dict(zip(a[0::2], a[1::2]))

    def text(node):
        html = b.send("DOM.getOuterHTML", {"nodeId": node}, s)["outerHTML"]
        import html as h
        import re
        return " ".join(h.unescape(re.sub(r"<[^>]+>", " ", html)).split())

    out = {"points": [], "sections": [], "captions": []}
    for node in select("[data-value]"):
        a = attrs(node)
        tag = b.send("DOM.describeNode", {"nodeId": node},
                     s)["node"]["nodeName"].lower()
        try:
            q = b.send("DOM.getBoxModel", {"nodeId": node}, s)["model"]
            size = [q["width"], q["height"]]
        except RuntimeError:
            size = None			# not rendered (or zero area)
        out["points"].append({"tag": tag, "series": a.get("data-series"),
                              "label": a.get("data-label"),
                              "period": a.get("data-period"),
                              "value": a.get("data-value"), "size": size})
    out["sections"] = [attrs(n).get("id") for n in select("section")]
    out["captions"] = [text(n) for n in select("caption")]
    out["scripts"] = len(select("script"))
    with b.cv:
        evs = list(b.events)
    out["requests"] = [e["params"]["request"]["url"] for e in evs
                       if e.get("method") == "Network.requestWillBeSent" and
                       e.get("sessionId") == s]
    out["console"] = [e["params"]["entry"]["text"] for e in evs
                      if e.get("method") == "Log.entryAdded" and
                      e.get("sessionId") == s and
                      e["params"]["entry"]["level"] in ("warning", "error")]
    m = b.send("Page.getLayoutMetrics", session=s)["cssContentSize"]
    out["size"] = [m["width"], m["height"]]
    shot = b.send("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": m["width"], "height": m["height"],
                 "scale": 1}}, s)["data"]
    with open(png, "wb") as f:
        f.write(base64.b64decode(shot))
    return out


def main():
    exe, profile, page, png = sys.argv[1:5]
    os.makedirs(profile, exist_ok=True)
    os.makedirs(os.path.dirname(os.path.abspath(png)), exist_ok=True)
    b = Chromium(exe, profile)
    try:
        out = read_report(b, "file://" + os.path.abspath(page), png)
        out["version"] = b.send("Browser.getVersion")["product"]
    finally:
        b.close()
    json.dump(out, sys.stdout, indent=1)


main()
