"""A minimal headless-Chromium driver over the DevTools protocol on a pipe (standard library only).

Why not Playwright or Selenium: both would add a dependency, and Playwright wants to download its
own browser. Chromium's `--remote-debugging-pipe` speaks the same protocol over file descriptors
3 (commands in) and 4 (replies out), NUL-separated JSON, so a hundred lines of Python drive the
system's Chromium directly, offline.
"""

from __future__ import annotations

import base64
import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from probes.kinds.browser import FLAGS as PROBE_FLAGS

# The probe's own flags (probes/kinds/browser.py), except that a test page is a file and needs no
# server: no host name resolves at all, not even 127.0.0.1.
FLAGS = (
    *(flag for flag in PROBE_FLAGS if not flag.startswith("--host-resolver-rules")),
    "--metrics-recording-only",
    "--host-resolver-rules=MAP * ~NOTFOUND",  # even a stray request could not leave the machine
    "--remote-debugging-pipe",
)


WRITTEN: list[Path] = []  # screenshots and PDFs the tests wrote; conftest prints them at the end


def find_chromium() -> str | None:
    """The Chromium to drive: $ADVISOR_CHROMIUM, else the first of the usual names on PATH."""
    explicit = os.environ.get("ADVISOR_CHROMIUM")
    if explicit:
        return explicit if Path(explicit).exists() else None
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


class BrowserError(RuntimeError):
    pass


class Chromium:
    """One headless Chromium with a fresh profile; `page()` opens a tab to drive."""

    def __init__(self, executable: str, timeout_s: float = 60.0):
        self.timeout_s = timeout_s
        self.profile = tempfile.mkdtemp(prefix="advisor-chromium-")
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        def wire_fds() -> None:  # in the child: its fd 3 reads our commands, fd 4 writes replies
            a, b = os.dup(to_browser_r), os.dup(from_browser_w)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.process = subprocess.Popen(
            [executable, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            close_fds=False,  # keep the fds 3 and 4 wired above; Python's own fds are close-on-exec
            preexec_fn=wire_fds,
            start_new_session=True,
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._next_id = 0
        self._replies: dict[int, dict[str, Any]] = {}
        self._events: queue.Queue[dict[str, Any]] = queue.Queue()
        self.events: list[dict[str, Any]] = []
        self._lock = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        buffer = b""
        while True:
            try:
                chunk = os.read(self._from_browser, 1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                with self._lock:
                    self._replies[-1] = {"closed": True}
                    self._lock.notify_all()
                return
            buffer += chunk
            while b"\0" in buffer:
                raw, buffer = buffer.split(b"\0", 1)
                message = json.loads(raw)
                with self._lock:
                    if "id" in message:
                        self._replies[message["id"]] = message
                    else:
                        self.events.append(message)
                    self._lock.notify_all()

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> dict[str, Any]:
        self._next_id += 1
        command: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            command["sessionId"] = session
        os.write(self._to_browser, json.dumps(command).encode() + b"\0")
        deadline = time.monotonic() + self.timeout_s
        with self._lock:
            while self._next_id not in self._replies:
                if -1 in self._replies:
                    raise BrowserError(f"Chromium closed the pipe during {method}: {self._stderr_tail()}")
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise BrowserError(f"no reply to {method} within {self.timeout_s} s")
                self._lock.wait(remaining)
            reply = self._replies.pop(self._next_id)
        if "error" in reply:
            raise BrowserError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    def wait_for_event(self, method: str, session: str | None, since: int) -> dict[str, Any]:
        deadline = time.monotonic() + self.timeout_s
        with self._lock:
            while True:
                for event in self.events[since:]:
                    if event.get("method") == method and event.get("sessionId") == session:
                        return event
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise BrowserError(f"no {method} event within {self.timeout_s} s")
                self._lock.wait(remaining)

    def page(self, width: int = 1280, height: int = 800) -> Page:
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, session)
        for domain in ("Page", "Network", "Runtime"):
            self.send(f"{domain}.enable", session=session)
        page.viewport(width, height)
        return page

    def _stderr_tail(self) -> str:
        if self.process.poll() is None or self.process.stderr is None:
            return "(still running)"
        return self.process.stderr.read().decode(errors="replace")[-2000:]

    def close(self) -> None:
        try:
            self.send("Browser.close")
        except BrowserError:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, 9)
            self.process.wait(timeout=10)
        for fd in (self._to_browser, self._from_browser):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Page:
    def __init__(self, browser: Chromium, session: str):
        self.browser = browser
        self.session = session

    def send(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.browser.send(method, params, self.session)

    def viewport(self, width: int, height: int, mobile: bool = False) -> None:
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
        )

    def color_scheme(self, scheme: str) -> None:
        self.send("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": scheme}]})

    def open(self, path: Path) -> None:
        since = len(self.browser.events)
        self.send("Page.navigate", {"url": path.resolve().as_uri()})
        self.browser.wait_for_event("Page.loadEventFired", self.session, since)

    def evaluate(self, expression: str, awaited: bool = False) -> Any:
        reply = self.send(
            "Runtime.evaluate", {"expression": expression, "awaitPromise": awaited, "returnByValue": True}
        )
        if "exceptionDetails" in reply:
            raise BrowserError(f"script failed: {reply['exceptionDetails'].get('text')} {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def requests(self) -> list[str]:
        """Every URL this page asked the network stack for, in order."""
        return [
            e["params"]["request"]["url"]
            for e in self.browser.events
            if e.get("method") == "Network.requestWillBeSent" and e.get("sessionId") == self.session
        ]

    def screenshot(self, path: Path, full_page: bool = False) -> Path:
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            params["captureBeyondViewport"] = True
            metrics = self.send("Page.getLayoutMetrics")["cssContentSize"]
            params["clip"] = {"x": 0, "y": 0, "width": metrics["width"], "height": metrics["height"], "scale": 1}
        path.write_bytes(base64.b64decode(self.send("Page.captureScreenshot", params)["data"]))
        return path

    def pdf(self, path: Path) -> Path:
        path.write_bytes(base64.b64decode(self.send("Page.printToPDF", {"printBackground": False})["data"]))
        return path
