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
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
from cdp import Browser, Error  # noqa: E402


def read_report(b, url, png):
    target = b.call("Target.createTarget", {"url": "about:blank"})["targetId"]
    s = b.call("Target.attachToTarget", {"targetId": target,
                                         "flatten": True})["sessionId"]
    for domain in ("Page", "DOM", "Network", "Log", "Runtime"):
        b.call(domain + ".enable", session=s)
    b.call("Emulation.setScriptExecutionDisabled", {"value": True}, s)
    b.call("Emulation.setDeviceMetricsOverride", {
        "width": 1280, "height": 900, "deviceScaleFactor": 1,
        "mobile": False}, s)
    b.call("Page.navigate", {"url": url}, s)
    b.wait_event("Page.loadEventFired", s)

    root = b.call("DOM.getDocument", {"depth": -1}, s)["root"]["nodeId"]

    def select(css):
        return b.call("DOM.querySelectorAll", {"nodeId": root,
                                               "selector": css}, s)["nodeIds"]

    def attrs(node):
        a = b.call("DOM.getAttributes", {"nodeId": node}, s)["attributes"]
        return dict(zip(a[0::2], a[1::2]))

    def text(node):
        html = b.call("DOM.getOuterHTML", {"nodeId": node}, s)["outerHTML"]
        import html as h
        import re
        return " ".join(h.unescape(re.sub(r"<[^>]+>", " ", html)).split())

    out = {"points": [], "sections": [], "captions": []}
    for node in select("[data-value]"):
        a = attrs(node)
        tag = b.call("DOM.describeNode", {"nodeId": node},
                     s)["node"]["nodeName"].lower()
        try:
            q = b.call("DOM.getBoxModel", {"nodeId": node}, s)["model"]
            size = [q["width"], q["height"]]
        except Error:
            size = None			# not rendered (or zero area)
        out["points"].append({"tag": tag, "series": a.get("data-series"),
                              "label": a.get("data-label"),
                              "period": a.get("data-period"),
                              "value": a.get("data-value"), "size": size})
    out["sections"] = [attrs(n).get("id") for n in select("section")]
    out["captions"] = [text(n) for n in select("caption")]
    out["scripts"] = len(select("script"))
    with b.cond:
        evs = list(b.events)
    out["requests"] = [e["params"]["request"]["url"] for e in evs
                       if e.get("method") == "Network.requestWillBeSent" and
                       e.get("sessionId") == s]
    out["console"] = [e["params"]["entry"]["text"] for e in evs
                      if e.get("method") == "Log.entryAdded" and
                      e.get("sessionId") == s and
                      e["params"]["entry"]["level"] in ("warning", "error")]
    m = b.call("Page.getLayoutMetrics", session=s)["cssContentSize"]
    out["size"] = [m["width"], m["height"]]
    shot = b.call("Page.captureScreenshot", {
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
    b = Browser(exe, profile)
    try:
        out = read_report(b, "file://" + os.path.abspath(page), png)
        out["version"] = b.call("Browser.getVersion")["product"]
    finally:
        b.close()
    json.dump(out, sys.stdout, indent=1)


main()
