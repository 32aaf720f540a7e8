"""Open a report in a real headless Chromium and say what happened.

Used by wsbdd's tests and its report benchmark (it is not part of the installed
package): it drives Debian's
``chromium`` over the DevTools protocol (with the ``websockets`` client wsbdd
already depends on) and records console errors, uncaught exceptions, every
network request, the page title and paint timings, optionally after opening
every ``<details>`` element, and takes a screenshot.

Its Firefox counterpart is :mod:`browsers.firefox`.

``cd tests && python -m browsers.chromium ../reports/report.html shot.png`` prints
the findings as JSON.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from websockets.asyncio.client import connect

__all__ = [
    "find_chromium",
    "PageVisit",
    "visit",
    "ChromiumMissing",
    "INSTALL_HINT",
    "start_browser",
    "stop_browser",
]

INSTALL_HINT = (
    "Chromium is not installed; install it with `apt-get update && apt-get install -y "
    "--no-install-recommends chromium` "
    "(Debian/Ubuntu) or set WSBDD_CHROMIUM to the browser's path."
)
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-extensions",
    "--hide-scrollbars",
    "--mute-audio",
    "--disable-renderer-backgrounding",
    "--disable-background-timer-throttling",
    "--disable-backgrounding-occluded-windows",
    "--remote-debugging-port=0",
)


_PAINT_REPORT_WAIT = 5.0
"""Seconds to wait, after two frames, for Chromium to report the first contentful paint."""


class ChromiumMissing(RuntimeError):
    """No Chromium binary was found."""


def find_chromium() -> str | None:
    """``$WSBDD_CHROMIUM``, else ``chromium`` (or ``chromium-browser``, …) found on PATH."""
    configured = os.environ.get("WSBDD_CHROMIUM")
    if configured:
        return configured if Path(configured).exists() else shutil.which(configured)
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


@dataclass
class PageVisit:
    """What a page did in the browser."""

    url: str
    title: str = ""
    title_after_opening: str | None = None
    pwned: Any = None
    """The value of ``window.pwned`` (a payload that ran would set it)."""
    console_errors: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    """Every URL the page asked for, except the report itself."""
    first_paint_ms: float | None = None
    first_contentful_paint_ms: float | None = None
    dom_content_loaded_ms: float | None = None
    load_ms: float | None = None
    opened: int = 0
    """How many ``<details>`` elements were opened (``open_all``)."""
    screenshot: Path | None = None
    evaluated: dict[str, Any] = field(default_factory=dict)
    """Results of the ``evaluate`` expressions, run after everything was opened."""
    evaluate_errors: dict[str, str] = field(default_factory=dict)
    """What each expression run in the page that threw (or did not parse) said, by expression.

    Chromium answers such an expression with ``exceptionDetails`` rather than an
    uncaught-exception event, so it is not in :attr:`exceptions`.
    """


class _DevTools:
    """A minimal DevTools protocol client: commands with ids, events to callbacks."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.ids = itertools.count(1)
        self.pending: dict[int, asyncio.Future[Any]] = {}
        self.waiters: list[tuple[Any, asyncio.Future[Any]]] = []
        self.events: list[tuple[str, dict[str, Any]]] = []
        self.reader = asyncio.get_running_loop().create_task(self._read())

    async def _read(self) -> None:
        async for raw in self.ws:
            message = json.loads(raw)
            if "id" in message:
                future = self.pending.pop(message["id"], None)
                if future is not None and not future.done():
                    if "error" in message:
                        future.set_exception(RuntimeError(str(message["error"])))
                    else:
                        future.set_result(message.get("result", {}))
            elif "method" in message:
                event = (message["method"], message.get("params", {}))
                self.events.append(event)
                for test, future in list(self.waiters):
                    if not future.done() and test(*event):
                        future.set_result(event[1])
                        self.waiters.remove((test, future))

    async def send(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        *,
        session: str | None = None,
        timeout: float = 30,
    ) -> Any:
        ident = next(self.ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.pending[ident] = future
        message: dict[str, Any] = {"id": ident, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        await self.ws.send(json.dumps(message))
        return await asyncio.wait_for(future, timeout)

    def expect(
        self, method: str, name: str | None = None, loader: str | None = None
    ) -> asyncio.Future[Any]:
        """A future for event ``method`` (whose ``name`` and ``loaderId`` match, if given)."""
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

        def test(seen: str, params: dict[str, Any]) -> bool:
            return (
                seen == method
                and (name is None or params.get("name") == name)
                and (loader is None or params.get("loaderId") == loader)
            )

        for seen, params in self.events:
            if test(seen, params):
                future.set_result(params)
                return future

        self.waiters.append((test, future))
        return future

    def lifecycle(self, name: str, loader: str | None) -> float | None:
        """Timestamp (seconds) of lifecycle event ``name`` of one navigation, if it happened."""
        for method, params in self.events:
            if (
                method == "Page.lifecycleEvent"
                and params.get("name") == name
                and (loader is None or params.get("loaderId") == loader)
            ):
                return float(params["timestamp"])
        return None

    async def close(self) -> None:
        self.reader.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self.reader


async def start_browser(
    command: Sequence[str],
    marker: str,
    timeout: float,
    *,
    env: dict[str, str] | None = None,
    name: str = "Chromium",
) -> tuple[asyncio.subprocess.Process, str]:
    """Start a browser and return it with the address it printed after ``marker``.

    The browser picks its own port (``--remote-debugging-port=0``) and says which on
    stderr; stderr is read for as long as the browser runs, so it never blocks on a
    full pipe. Stop it with :func:`stop_browser`.
    """
    process = await asyncio.create_subprocess_exec(
        *command,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    assert process.stderr is not None
    seen: list[str] = []

    async def endpoint() -> str:
        assert process.stderr is not None
        while True:
            line = await process.stderr.readline()
            if not line:
                raise RuntimeError(f"{name} exited before it said {marker!r}:\n" + "".join(seen))
            text = line.decode("utf-8", "replace")
            seen.append(text)
            if marker in text:
                return text.split(marker, 1)[1].strip()

    try:
        url = await asyncio.wait_for(endpoint(), timeout)
    except BaseException:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()
        raise

    async def drain() -> None:
        assert process.stderr is not None
        while await process.stderr.readline():
            pass

    process.drain_task = asyncio.get_running_loop().create_task(drain())  # type: ignore[attr-defined]
    return process, url


async def stop_browser(process: asyncio.subprocess.Process, grace: float = 10) -> None:
    """End a browser from :func:`start_browser`: politely, then by force after ``grace`` s."""
    if process.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            process.terminate()
        try:
            await asyncio.wait_for(process.wait(), grace)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
    drain = getattr(process, "drain_task", None)
    if drain is not None:
        drain.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await drain


# Page scripts shared with browsers.firefox: open every <details>; wait for two frames.
OPEN_ALL = """(() => {
  const all = document.querySelectorAll('details');
  all.forEach(d => { d.open = true; });
  return all.length;
})()"""
TWO_FRAMES = "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))"


async def _visit(
    path: Path,
    *,
    binary: str,
    open_all: bool,
    screenshot: Path | None,
    full_page: bool,
    evaluate: Sequence[str],
    width: int,
    height: int,
    timeout: float,
) -> PageVisit:
    profile = tempfile.mkdtemp(prefix="wsbdd-chromium-")
    process = None
    try:
        process, endpoint = await start_browser(
            [binary, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            "DevTools listening on ",
            timeout,
        )
        url = path.resolve().as_uri()
        visit = PageVisit(url=url)
        async with connect(
            endpoint, max_size=None, proxy=None, open_timeout=timeout, ping_interval=None
        ) as ws:
            tools = _DevTools(ws)
            try:
                target = await tools.send("Target.createTarget", {"url": "about:blank"})
                attached = await tools.send(
                    "Target.attachToTarget", {"targetId": target["targetId"], "flatten": True}
                )
                session = attached["sessionId"]
                for domain in ("Page", "Runtime", "Log", "Network"):
                    await tools.send(f"{domain}.enable", session=session)
                await tools.send("Page.bringToFront", session=session)
                await tools.send(
                    "Page.setLifecycleEventsEnabled", {"enabled": True}, session=session
                )
                await tools.send(
                    "Emulation.setDeviceMetricsOverride",
                    {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
                    session=session,
                )
                loaded = tools.expect("Page.loadEventFired")
                navigation = await tools.send("Page.navigate", {"url": url}, session=session)
                loader = navigation.get("loaderId")
                await asyncio.wait_for(loaded, timeout)

                async def run(expression: str) -> Any:
                    result = await tools.send(
                        "Runtime.evaluate",
                        {"expression": expression, "returnByValue": True, "awaitPromise": True},
                        session=session,
                        timeout=timeout,
                    )
                    thrown = result.get("exceptionDetails")
                    if thrown is not None:
                        # A throw or a syntax error is an answer, not an error, in
                        # the DevTools protocol: keep it, or a broken script looks
                        # like one that returned nothing.
                        said = thrown.get("exception", {}).get("description")
                        visit.evaluate_errors[expression] = said or thrown.get("text", "")
                    return result.get("result", {}).get("value")

                await run(TWO_FRAMES)
                # Paint timings as Chromium's own lifecycle events report them,
                # counted from the start of the navigation.  Two animation frames
                # have passed, so a page with content has painted by now and the
                # event is on its way; a page with nothing to paint never sends it.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(
                        tools.expect("Page.lifecycleEvent", "firstContentfulPaint", loader),
                        min(timeout, _PAINT_REPORT_WAIT),
                    )
                started = tools.lifecycle("init", loader)
                if started is not None:
                    for name, attribute in (
                        ("firstPaint", "first_paint_ms"),
                        ("firstContentfulPaint", "first_contentful_paint_ms"),
                        ("DOMContentLoaded", "dom_content_loaded_ms"),
                        ("load", "load_ms"),
                    ):
                        at = tools.lifecycle(name, loader)
                        if at is not None:
                            setattr(visit, attribute, round((at - started) * 1000, 1))
                visit.title = await run("document.title")
                if open_all:
                    visit.opened = await run(OPEN_ALL) or 0
                    await run(TWO_FRAMES)
                    visit.title_after_opening = await run("document.title")
                for expression in evaluate:
                    visit.evaluated[expression] = await run(expression)
                visit.pwned = await run("window.pwned === undefined ? null : String(window.pwned)")
                if screenshot is not None:
                    params: dict[str, Any] = {"format": "png"}
                    if full_page:
                        metrics = await tools.send("Page.getLayoutMetrics", session=session)
                        size = metrics.get("cssContentSize") or metrics["contentSize"]
                        params["captureBeyondViewport"] = True
                        params["clip"] = {
                            "x": 0,
                            "y": 0,
                            "width": size["width"],
                            "height": min(size["height"], 16000),
                            "scale": 1,
                        }
                    shot = await tools.send(
                        "Page.captureScreenshot", params, session=session, timeout=timeout
                    )
                    screenshot.write_bytes(base64.b64decode(shot["data"]))
                    visit.screenshot = screenshot
                with contextlib.suppress(Exception):
                    await tools.send("Browser.close", timeout=5)
            finally:
                await tools.close()
        for method, params in tools.events:
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                visit.console_errors.append(
                    " ".join(str(a.get("value", a.get("description", ""))) for a in params["args"])
                )
            elif method == "Runtime.exceptionThrown":
                details = params.get("exceptionDetails", {})
                visit.exceptions.append(
                    details.get("exception", {}).get("description") or details.get("text", "")
                )
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                visit.console_errors.append(params["entry"].get("text", ""))
            elif method == "Network.requestWillBeSent":
                requested = params["request"]["url"]
                if requested != url and requested.split("#")[0] != url:
                    visit.requests.append(requested)
        return visit
    finally:
        if process is not None:
            await stop_browser(process)
        shutil.rmtree(profile, ignore_errors=True)


def visit(
    path: str | Path,
    *,
    open_all: bool = False,
    screenshot: str | Path | None = None,
    full_page: bool = False,
    evaluate: Sequence[str] = (),
    width: int = 1280,
    height: int = 900,
    timeout: float = 60.0,
) -> PageVisit:
    """Load ``path`` in headless Chromium and report what the page did.

    Raises :class:`ChromiumMissing` (with :data:`INSTALL_HINT`) when there is no Chromium.
    """
    binary = find_chromium()
    if binary is None:
        raise ChromiumMissing(INSTALL_HINT)
    return asyncio.run(
        _visit(
            Path(path),
            binary=binary,
            open_all=open_all,
            screenshot=Path(screenshot) if screenshot is not None else None,
            full_page=full_page,
            evaluate=evaluate,
            width=width,
            height=height,
            timeout=timeout,
        )
    )


def run_cli(program: str, open_page: Callable[..., PageVisit], argv: Sequence[str] | None) -> int:
    """``python -m <program> REPORT.html [SCREENSHOT.png] [--open] [--full]``: print the visit."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        print(
            f"usage: python -m {program} REPORT.html [SCREENSHOT.png] [--open] [--full]",
            file=sys.stderr,
        )
        return 2
    result = open_page(
        args[0],
        open_all="--open" in args,
        full_page="--full" in args,
        screenshot=next((a for a in args[1:] if not a.startswith("--")), None),
    )
    data = {k: (str(v) if isinstance(v, Path) else v) for k, v in result.__dict__.items()}
    print(json.dumps(data, indent=2))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    return run_cli("browsers.chromium", visit, argv)


if __name__ == "__main__":
    sys.exit(main())
