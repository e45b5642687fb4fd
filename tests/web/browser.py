#!/usr/bin/python3
"""browser.py - drive a real headless Chromium over the DevTools protocol,
for tests/web/browser.test.  Python standard library only: Chromium is
started with --remote-debugging-pipe (the protocol's JSON messages, each
ended by a NUL byte, on file descriptors 3 and 4), so there is no port,
no websocket and no npm package whose version must match the browser's.

The page's own JavaScript is switched off (Emulation.setScriptExecution-
Disabled) and the test clicks and types as a person does, with input
events at the elements' places on the screen (Input.dispatchMouseEvent,
Input.insertText, Input.dispatchKeyEvent), so the flow passing proves the
pages work without JavaScript.  What a screen reader would announce comes
from the accessibility tree (Accessibility.getFullAXTree).

  browser.py CHROMIUM PROFILE-DIR ARTEFACT-DIR accept URL
      open the accept link, click its button; JSON on stdout
  browser.py CHROMIUM PROFILE-DIR ARTEFACT-DIR survey URL RATING COMMENT
      open a rating link, screenshots at phone and desktop widths, check
      the radios and their labels, use the keyboard, choose RATING by
      clicking its label, type COMMENT, send; JSON on stdout
  browser.py CHROMIUM PROFILE-DIR ARTEFACT-DIR status URL
      open a status link at phone and desktop widths: screenshots, the
      accessibility tree (landmarks, headings, lists) and the contrast of
      each kind of text against what is behind it; JSON on stdout
  browser.py CHROMIUM PROFILE-DIR ARTEFACT-DIR requests URL
      the same for a "my requests" link, then click the first request's
      link and report the page it opens; JSON on stdout
"""
import base64
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
from cdp import Browser, Error  # noqa: E402


class Page:
    def __init__(self, b):
        self.b = b
        tid = b.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.s = b.call("Target.attachToTarget",
                        {"targetId": tid, "flatten": True})["sessionId"]
        for d in ("Page", "DOM", "Network", "Log", "Accessibility"):
            self.call(d + ".enable")
        self.call("Emulation.setScriptExecutionDisabled", {"value": True})
        self.desktop()

    def call(self, method, params=None):
        return self.b.call(method, params, self.s)

    def desktop(self):
        self.call("Emulation.setDeviceMetricsOverride", {
            "width": 1280, "height": 800, "deviceScaleFactor": 1,
            "mobile": False})

    def phone(self):
        self.call("Emulation.setDeviceMetricsOverride", {
            "width": 390, "height": 844, "deviceScaleFactor": 1,
            "mobile": True})

    def _load(self, since, act):
        act()
        self.b.wait_event("Page.loadEventFired", self.s, since)
        return self._document(since)

    def _document(self, since):
        """Status and headers of the main document loaded after since."""
        with self.b.cond:
            evs = list(self.b.events[since:])
        docs = [e["params"]["response"] for e in evs
                if e.get("method") == "Network.responseReceived" and
                e.get("sessionId") == self.s and
                e["params"].get("type") == "Document"]
        subs = [{"url": e["params"]["response"]["url"],
                 "status": e["params"]["response"]["status"]}
                for e in evs
                if e.get("method") == "Network.responseReceived" and
                e.get("sessionId") == self.s and
                e["params"].get("type") != "Document"]
        logs = [e["params"]["entry"] for e in evs
                if e.get("method") == "Log.entryAdded" and
                e.get("sessionId") == self.s]
        d = docs[-1] if docs else {"status": None, "headers": {},
                                   "url": None}
        return {"status": d["status"], "url": d["url"],
                "headers": {k.lower(): v for k, v in d["headers"].items()},
                "subresources": subs,
                "log": [{"level": l.get("level"), "source": l.get("source"),
                         "text": l.get("text")} for l in logs]}

    def goto(self, url):
        since = self.b.mark()
        return self._load(since, lambda: self.call("Page.navigate",
                                                   {"url": url}))

    def root(self):
        return self.call("DOM.getDocument", {"depth": -1})["root"]["nodeId"]

    def html(self):
        return self.call("DOM.getOuterHTML", {"nodeId": self.root()})[
            "outerHTML"]

    def node(self, selector):
        n = self.call("DOM.querySelector", {"nodeId": self.root(),
                                            "selector": selector})["nodeId"]
        if not n:
            raise Error("no element " + selector)
        return n

    def center(self, selector):
        n = self.node(selector)
        self.call("DOM.scrollIntoViewIfNeeded", {"nodeId": n})
        q = self.call("DOM.getBoxModel", {"nodeId": n})["model"]["border"]
        return (q[0] + q[2] + q[4] + q[6]) / 4, (q[1] + q[3] + q[5] + q[7]) / 4

    def click(self, selector):
        x, y = self.center(selector)
        for t in ("mouseMoved", "mousePressed", "mouseReleased"):
            p = {"type": t, "x": x, "y": y}
            if t != "mouseMoved":
                p.update(button="left", clickCount=1)
            self.call("Input.dispatchMouseEvent", p)

    def click_and_load(self, selector):
        since = self.b.mark()
        return self._load(since, lambda: self.click(selector))

    def key(self, key, code, vk):
        for t in ("rawKeyDown", "keyUp"):
            self.call("Input.dispatchKeyEvent", {
                "type": t, "key": key, "code": code,
                "windowsVirtualKeyCode": vk, "nativeVirtualKeyCode": vk})

    def type(self, text):
        self.call("Input.insertText", {"text": text})

    def ax(self):
        """The accessibility tree's interesting nodes."""
        out = []
        for n in self.call("Accessibility.getFullAXTree")["nodes"]:
            if n.get("ignored"):
                continue
            props = {p["name"]: p["value"].get("value")
                     for p in n.get("properties", [])}
            out.append({"role": n.get("role", {}).get("value"),
                        "name": n.get("name", {}).get("value", ""),
                        "checked": props.get("checked"),
                        "focused": bool(props.get("focused")),
                        "required": bool(props.get("required")),
                        "level": props.get("level")})
        return [n for n in out if n["role"] in (
            "radio", "textbox", "button", "heading", "group", "link",
            "radiogroup", "banner", "main", "list", "listitem", "time",
            "term", "definition")]

    def contrast(self, selectors):
        """For each selector's first element: its text colour, the first
        opaque background behind it, and the WCAG contrast ratio."""
        self.call("CSS.enable")
        doc = self.call("DOM.getDocument", {"depth": -1})["root"]
        parent = {}
        todo = [doc]
        while todo:
            n = todo.pop()
            for c in n.get("children", []):
                parent[c["nodeId"]] = n["nodeId"]
                todo.append(c)
        out = {}
        for sel in selectors:
            n = self.call("DOM.querySelector", {"nodeId": doc["nodeId"],
                                                "selector": sel})["nodeId"]
            if not n:
                out[sel] = None
                continue
            fg = self._style(n, "color")
            bg = None
            while n and bg is None:
                c = self._style(n, "background-color")
                if c and c[3] > 0:
                    bg = c
                else:
                    n = parent.get(n)
            bg = bg or (255, 255, 255, 1)
            out[sel] = {"color": fg, "background": bg,
                        "ratio": round(ratio(fg, bg), 2)}
        return out

    def _style(self, node, prop):
        import re
        try:
            st = self.call("CSS.getComputedStyleForNode",
                           {"nodeId": node})["computedStyle"]
        except Error:
            return None  # the document node has no style
        for p in st:
            if p["name"] == prop:
                v = [float(x) for x in re.findall(r"[\d.]+", p["value"])]
                return tuple(v + [1.0])[:4] if len(v) >= 3 else None
        return None

    def screenshot(self, path):
        m = self.call("Page.getLayoutMetrics")
        data = self.call("Page.captureScreenshot", {"format": "png"})["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))
        return {"path": path,
                "content_width": m["cssContentSize"]["width"],
                "viewport_width": m["cssLayoutViewport"]["clientWidth"]}


def ratio(fg, bg):
    """WCAG 2 contrast ratio of two sRGB colours (fg over opaque bg)."""
    def lum(c):
        def ch(v):
            v = v / 255
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
        return 0.2126 * ch(c[0]) + 0.7152 * ch(c[1]) + 0.0722 * ch(c[2])
    a = fg[3]
    fg = [fg[i] * a + bg[i] * (1 - a) for i in range(3)]
    l1, l2 = sorted((lum(fg), lum(bg)), reverse=True)
    return (l1 + 0.05) / (l2 + 0.05)


def text_of(html):
    import html as h
    import re
    t = re.sub(r"(?s)<(script|style).*?</\1>", " ", html)
    t = re.sub(r"<[^>]+>", " ", t)
    return " ".join(h.unescape(t).split())


def accept(p, art, url):
    out = {"page": p.goto(url)}
    out["html"] = p.html()
    out["ax"] = p.ax()
    p.phone()
    out["shot_phone"] = p.screenshot(os.path.join(art, "accept-phone.png"))
    p.desktop()
    out["shot_desktop"] = p.screenshot(os.path.join(art, "accept-desktop.png"))
    out["after"] = p.click_and_load("form button[type=submit]")
    out["after_text"] = text_of(p.html())
    p.screenshot(os.path.join(art, "accept-done-desktop.png"))
    return out


def survey(p, art, url, rating, comment):
    out = {"page": p.goto(url)}
    out["html"] = p.html()
    out["ax_before"] = p.ax()
    p.phone()
    out["shot_phone"] = p.screenshot(os.path.join(art, "survey-phone.png"))
    p.desktop()
    out["shot_desktop"] = p.screenshot(os.path.join(art, "survey-desktop.png"))
    # keyboard: Tab reaches the rating group, an arrow key changes it
    p.key("Tab", "Tab", 9)
    out["ax_tab"] = p.ax()
    p.key("ArrowRight", "ArrowRight", 39)
    out["ax_arrow"] = p.ax()
    # the person chooses by clicking the label's text, then types
    p.click("label:has(input[name=rating][value='%s'])" % rating)
    p.click("textarea[name=comment]")
    p.type(comment)
    out["ax_filled"] = p.ax()
    p.phone()
    out["shot_phone_filled"] = p.screenshot(
        os.path.join(art, "survey-phone-filled.png"))
    p.desktop()
    out["after"] = p.click_and_load("form button[type=submit]")
    out["after_text"] = text_of(p.html())
    p.screenshot(os.path.join(art, "survey-done-desktop.png"))
    return out


def status(p, art, url):
    out = {"page": p.goto(url)}
    out["html"] = p.html()
    out["text"] = text_of(out["html"])
    out["ax"] = p.ax()
    out["contrast"] = p.contrast([
        "h1", "h2", "dt", "dd strong", "ol.timeline h3",
        "ol.timeline .when", "ol.timeline .text", "ul.files li",
        "ul.files .size", "p.note", "header p"])
    p.phone()
    out["shot_phone"] = p.screenshot(os.path.join(art, "status-phone.png"))
    p.desktop()
    out["shot_desktop"] = p.screenshot(os.path.join(art,
                                                    "status-desktop.png"))
    return out


def requests(p, art, url):
    """The page of a person's requests at both widths, then its first
    request's link followed as a person does (a click)."""
    out = {"page": p.goto(url)}
    out["html"] = p.html()
    out["text"] = text_of(out["html"])
    out["ax"] = p.ax()
    out["contrast"] = p.contrast([
        "h1", "h2", "p.count", "ol.requests h3 a", "dt", "dd strong",
        "dd time", "p.note", "header p", "strong.address"])
    p.phone()
    out["shot_phone"] = p.screenshot(os.path.join(art, "requests-phone.png"))
    p.desktop()
    out["shot_desktop"] = p.screenshot(os.path.join(art,
                                                    "requests-desktop.png"))
    out["after"] = p.click_and_load("ol.requests h3 a")
    out["after_html"] = p.html()
    out["after_ax"] = p.ax()
    return out


def main():
    exe, profile, art, what = sys.argv[1:5]
    os.makedirs(art, exist_ok=True)
    os.makedirs(profile, exist_ok=True)
    b = Browser(exe, profile)
    try:
        out = {"version": b.call("Browser.getVersion")["product"]}
        p = Page(b)
        if what == "accept":
            out.update(accept(p, art, sys.argv[5]))
        elif what == "status":
            out.update(status(p, art, sys.argv[5]))
        elif what == "requests":
            out.update(requests(p, art, sys.argv[5]))
        else:
            out.update(survey(p, art, sys.argv[5], sys.argv[6], sys.argv[7]))
    finally:
        b.close()
    json.dump(out, sys.stdout, indent=1)


main()
