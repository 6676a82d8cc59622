"""Open a page in real headless Chromium and record what happened: console errors, network
requests, a full-page screenshot. Talks the DevTools protocol over `--remote-debugging-pipe`
(file descriptors 3 and 4), so no port is opened and no extra library is needed.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from typing import Any

CHROMIUM_NAMES = ("chromium", "chromium-browser")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--remote-debugging-pipe",
)


def find_chromium() -> str | None:
    return next((path for name in CHROMIUM_NAMES if (path := shutil.which(name))), None)


@dataclass
class PageVisit:
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    screenshot: bytes = b""
    pdf: bytes = b""
    probe: Any = None


class _Pipe:
    def __init__(self, process: subprocess.Popen[bytes], write_fd: int, read_fd: int) -> None:
        self.process = process
        self.write_fd = write_fd
        self.reader = os.fdopen(read_fd, "rb")
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self.write_fd, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return dict(reply.get("result", {}))
            self.events.append(reply)

    def wait_for(self, method: str) -> None:
        while not any(event.get("method") == method for event in self.events):
            self.events.append(self._read())

    def _read(self) -> dict[str, Any]:
        chunks = []
        while (byte := self.reader.read(1)) != b"\0":
            if not byte:
                raise RuntimeError("chromium closed the DevTools pipe")
            chunks.append(byte)
        return dict(json.loads(b"".join(chunks)))


def visit(chromium: str, url: str, width: int = 1000, probe: str = "null") -> PageVisit:
    """Load `url`, wait for the load event, and collect requests, errors, screenshot and PDF.

    `probe` is a JavaScript expression evaluated through DevTools after loading (the page's own
    Content-Security-Policy does not apply to it); its JSON value lands in `PageVisit.probe`.
    """
    to_chrome_read, to_chrome_write = os.pipe()
    from_chrome_read, from_chrome_write = os.pipe()

    def wire_pipes() -> None:  # runs in the child: Chromium expects fds 3 (in) and 4 (out)
        inbound, outbound = os.dup(to_chrome_read), os.dup(from_chrome_write)
        os.dup2(inbound, 3)
        os.dup2(outbound, 4)

    with tempfile.TemporaryDirectory() as profile:
        process = subprocess.Popen(
            [chromium, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            close_fds=False,
            preexec_fn=wire_pipes,
        )
        os.close(to_chrome_read)
        os.close(from_chrome_write)
        pipe = _Pipe(process, to_chrome_write, from_chrome_read)
        try:
            return _load(pipe, url, width, probe)
        finally:
            with contextlib.suppress(RuntimeError):
                pipe.call("Browser.close")
            os.close(to_chrome_write)
            pipe.reader.close()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _load(pipe: _Pipe, url: str, width: int, probe: str) -> PageVisit:
    target = pipe.call("Target.createTarget", url="about:blank")["targetId"]
    session = pipe.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
    for domain in ("Page", "Network", "Runtime", "Log"):
        pipe.call(f"{domain}.enable", session)
    pipe.call("Emulation.setDeviceMetricsOverride", session, width=width, height=800,
              deviceScaleFactor=1, mobile=False)
    pipe.events.clear()
    pipe.call("Page.navigate", session, url=url)
    pipe.wait_for("Page.loadEventFired")
    size = pipe.call("Page.getLayoutMetrics", session)["cssContentSize"]
    pipe.call("Emulation.setDeviceMetricsOverride", session, width=width,
              height=int(size["height"]), deviceScaleFactor=1, mobile=False)
    shot = pipe.call("Page.captureScreenshot", session, format="png")["data"]
    pdf = pipe.call("Page.printToPDF", session)["data"]
    value = pipe.call("Runtime.evaluate", session, expression=probe, returnByValue=True)
    result = PageVisit(screenshot=base64.b64decode(shot), pdf=base64.b64decode(pdf),
                       probe=value["result"].get("value"))
    for event in pipe.events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Network.requestWillBeSent" and params["request"]["url"] != url:
            result.requests.append(params["request"]["url"])
        elif method == "Runtime.consoleAPICalled" and params["type"] in ("error", "warning"):
            result.console_errors.append(" ".join(str(a.get("value")) for a in params["args"]))
        elif method == "Runtime.exceptionThrown":
            result.console_errors.append(params["exceptionDetails"]["text"])
        elif method == "Log.entryAdded" and params["entry"]["level"] in ("error", "warning"):
            result.console_errors.append(params["entry"]["text"])
    return result


def png_pixel(png: bytes, x: int, y: int) -> tuple[int, int, int]:
    """The RGB colour at (x, y) of an 8-bit, non-interlaced RGB or RGBA PNG (what Chromium's
    screenshots are), decoded with the standard library: rows are unfiltered only down to y."""
    import struct
    import zlib

    chunks: dict[bytes, bytes] = {}
    offset = 8
    data = b""
    while offset < len(png):
        length, kind = struct.unpack(">I4s", png[offset : offset + 8])
        body = png[offset + 8 : offset + 8 + length]
        if kind == b"IDAT":
            data += body
        else:
            chunks.setdefault(kind, body)
        offset += 12 + length
    width, _, depth, colour_type, _, _, interlace = struct.unpack(">IIBBBBB", chunks[b"IHDR"])
    assert depth == 8 and colour_type in (2, 6) and not interlace, "unsupported PNG"
    channels = 3 if colour_type == 2 else 4
    stride = width * channels
    raw = zlib.decompress(data)
    previous = bytearray(stride)
    for row in range(y + 1):
        start = row * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            corner = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                guess = left + up - corner
                near = min((abs(guess - left), 0, left), (abs(guess - up), 1, up),
                           (abs(guess - corner), 2, corner))
                line[i] = (line[i] + near[2]) & 0xFF
        previous = line
    red, green, blue = previous[x * channels : x * channels + 3]
    return red, green, blue
