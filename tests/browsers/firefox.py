"""Open a report in a real headless Firefox and say what happened.

The Firefox half of :mod:`browsers.chromium`: it drives Debian's
``firefox-esr`` over WebDriver BiDi (the W3C protocol Firefox speaks on
``--remote-debugging-port``, with the ``websockets`` client wsbdd already
depends on) and fills the same :class:`~browsers.chromium.PageVisit`:
console errors, uncaught exceptions, every request the page made, the title,
``window.pwned``, optionally after opening every ``<details>`` element, and a
screenshot.

Unlike Chromium's DevTools, BiDi reports only requests that go through
Firefox's network stack (http, https, ws, data), not reads of ``file://`` URLs.

Firefox gets a fresh profile and ``HOME`` in a folder of its own (``workdir``,
a temporary folder unless given), prefs that keep it off the network on its
own account (updates, telemetry, safe browsing, captive-portal checks, remote
settings), ``MOZ_DISABLE_NONLOCAL_CONNECTIONS=1`` (Mozilla's own test switch: no
connection leaves 127.0.0.1, and remote settings stay off) and picks its own port.

``cd tests && python -m browsers.firefox ../reports/report.html shot.png`` prints
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
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from websockets.asyncio.client import connect

from browsers.chromium import (
    OPEN_ALL,
    TWO_FRAMES,
    PageVisit,
    run_cli,
    start_browser,
    stop_browser,
)

__all__ = ["find_firefox", "visit_firefox", "FirefoxMissing", "FIREFOX_HINT", "PREFS"]

FIREFOX_HINT = (
    "Firefox is not installed; install it with "
    "`apt-get update && apt-get install -y --no-install-recommends firefox-esr` (Debian) "
    "or set WSBDD_FIREFOX to the browser's path."
)

PREFS: dict[str, bool | int | str] = {
    "browser.shell.checkDefaultBrowser": False,
    "browser.startup.homepage_override.mstone": "ignore",
    "browser.aboutwelcome.enabled": False,
    "browser.newtabpage.enabled": False,
    "app.update.disabledForTesting": True,
    "app.update.auto": False,
    "app.normandy.enabled": False,
    "extensions.update.enabled": False,
    "extensions.getAddons.cache.enabled": False,
    "extensions.blocklist.enabled": False,
    "browser.safebrowsing.malware.enabled": False,
    "browser.safebrowsing.phishing.enabled": False,
    "browser.safebrowsing.downloads.enabled": False,
    "browser.safebrowsing.blockedURIs.enabled": False,
    "browser.safebrowsing.update.enabled": False,
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
    "network.dns.disablePrefetch": True,
    "network.prefetch-next": False,
    "network.http.speculative-parallel-limit": 0,
    "datareporting.policy.dataSubmissionEnabled": False,
    "datareporting.healthreport.uploadEnabled": False,
    "toolkit.telemetry.enabled": False,
    "toolkit.telemetry.server": "",
    "services.settings.server": "data:,#remote-settings-dummy/v1",
    "toolkit.startup.max_resumed_crashes": -1,
    "browser.tabs.warnOnClose": False,
}
"""Written to the fresh profile's ``user.js``: nothing that phones home on its own."""


class FirefoxMissing(RuntimeError):
    """No Firefox binary was found."""


def find_firefox() -> str | None:
    """``$WSBDD_FIREFOX``, else ``firefox-esr`` (or ``firefox``) found on PATH."""
    configured = os.environ.get("WSBDD_FIREFOX")
    if configured:
        return configured if Path(configured).exists() else shutil.which(configured)
    for name in ("firefox-esr", "firefox"):
        found = shutil.which(name)
        if found:
            return found
    return None


class BidiError(RuntimeError):
    """A WebDriver BiDi command failed."""


class _Bidi:
    """A minimal WebDriver BiDi client: commands with ids, events kept in order."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.ids = itertools.count(1)
        self.pending: dict[int, asyncio.Future[Any]] = {}
        self.events: list[tuple[str, dict[str, Any]]] = []
        self.reader = asyncio.get_running_loop().create_task(self._read())

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                message = json.loads(raw)
                if message.get("type") == "event":
                    self.events.append((message["method"], message.get("params", {})))
                    continue
                future = self.pending.pop(message.get("id"), None)
                if future is None or future.done():
                    continue
                if message.get("type") == "error":
                    future.set_exception(
                        BidiError(f"{message.get('error')}: {message.get('message')}")
                    )
                else:
                    future.set_result(message.get("result", {}))
        finally:
            for future in self.pending.values():
                if not future.done():
                    future.set_exception(BidiError("Firefox closed the connection"))

    async def send(self, method: str, params: dict[str, Any], *, timeout: float = 30) -> Any:
        ident = next(self.ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.pending[ident] = future
        await self.ws.send(json.dumps({"id": ident, "method": method, "params": params}))
        return await asyncio.wait_for(future, timeout)

    async def close(self) -> None:
        self.reader.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self.reader


def _value(remote: dict[str, Any]) -> Any:
    """A BiDi RemoteValue as plain Python (nodes, functions and the like by their type)."""
    kind = remote.get("type")
    value = remote.get("value")
    if kind in ("undefined", "null"):
        return None
    if kind == "number":
        special = {"NaN": float("nan"), "-0": -0.0, "Infinity": float("inf")}
        return special.get(value, float("-inf") if value == "-Infinity" else value)
    if kind in ("string", "boolean"):
        return value
    if kind == "bigint":
        return int(value)
    if kind in ("array", "set"):
        return [_value(item) for item in value or []]
    if kind in ("object", "map"):
        return {(k if isinstance(k, str) else str(_value(k))): _value(v) for k, v in value or []}
    return kind


_TIMINGS = """(() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const paint = n => {
    const entry = performance.getEntriesByName(n)[0];
    return entry ? entry.startTime : null;
  };
  return {
    fp: paint('first-paint'), fcp: paint('first-contentful-paint'),
    dcl: nav ? nav.domContentLoadedEventEnd : null, load: nav ? nav.loadEventEnd : null,
  };
})()"""


async def _visit(
    path: Path,
    *,
    binary: str,
    workdir: Path,
    open_all: bool,
    screenshot: Path | None,
    full_page: bool,
    evaluate: Sequence[str],
    width: int,
    height: int,
    timeout: float,
) -> PageVisit:
    profile = workdir / "profile"
    profile.mkdir(parents=True, exist_ok=True)
    (profile / "user.js").write_text(
        "".join(f"user_pref({json.dumps(k)}, {json.dumps(v)});\n" for k, v in PREFS.items())
    )
    environment = dict(
        os.environ,
        HOME=str(workdir),
        MOZ_CRASHREPORTER_DISABLE="1",
        MOZ_DISABLE_NONLOCAL_CONNECTIONS="1",
    )
    process = None
    try:
        process, endpoint = await start_browser(
            [
                binary,
                "--headless",
                "--no-remote",
                "--profile",
                str(profile),
                "--remote-debugging-port",
                "0",
                "about:blank",
            ],
            "WebDriver BiDi listening on ",
            timeout,
            env=environment,
            name="Firefox",
        )
        url = path.resolve().as_uri()
        visit = PageVisit(url=url)
        async with connect(
            endpoint + "/session",
            max_size=None,
            proxy=None,
            open_timeout=timeout,
            ping_interval=None,
        ) as ws:
            bidi = _Bidi(ws)
            try:
                await bidi.send("session.new", {"capabilities": {}}, timeout=timeout)
                tree = await bidi.send("browsingContext.getTree", {"maxDepth": 0})
                context = tree["contexts"][0]["context"]
                await bidi.send(
                    "session.subscribe",
                    {"events": ["log.entryAdded", "network.beforeRequestSent"]},
                )
                await bidi.send(
                    "browsingContext.setViewport",
                    {"context": context, "viewport": {"width": width, "height": height}},
                )
                await bidi.send(
                    "browsingContext.navigate",
                    {"context": context, "url": url, "wait": "complete"},
                    timeout=timeout,
                )

                async def run(expression: str) -> Any:
                    answer = await bidi.send(
                        "script.evaluate",
                        {
                            "expression": expression,
                            "target": {"context": context},
                            "awaitPromise": True,
                            "resultOwnership": "none",
                        },
                        timeout=timeout,
                    )
                    if answer.get("type") == "exception":
                        details = answer.get("exceptionDetails", {})
                        raise BidiError(f"{expression!r} threw: {details.get('text')}")
                    return _value(answer.get("result", {}))

                await run(TWO_FRAMES)
                timings = await run(_TIMINGS) or {}
                for key, attribute in (
                    ("fp", "first_paint_ms"),
                    ("fcp", "first_contentful_paint_ms"),
                    ("dcl", "dom_content_loaded_ms"),
                    ("load", "load_ms"),
                ):
                    if isinstance(timings.get(key), int | float):
                        setattr(visit, attribute, round(float(timings[key]), 1))
                visit.title = await run("document.title")
                if open_all:
                    visit.opened = int(await run(OPEN_ALL) or 0)
                    await run(TWO_FRAMES)
                    visit.title_after_opening = await run("document.title")
                for expression in evaluate:
                    visit.evaluated[expression] = await run(expression)
                visit.pwned = await run("window.pwned === undefined ? null : String(window.pwned)")
                if screenshot is not None:
                    shot = await bidi.send(
                        "browsingContext.captureScreenshot",
                        {
                            "context": context,
                            "origin": "document" if full_page else "viewport",
                            "format": {"type": "image/png"},
                        },
                        timeout=timeout,
                    )
                    screenshot.write_bytes(base64.b64decode(shot["data"]))
                    visit.screenshot = screenshot
                with contextlib.suppress(Exception):
                    await bidi.send("browser.close", {}, timeout=5)
            finally:
                await bidi.close()
        _record(visit, bidi.events)
        return visit
    finally:
        if process is not None:
            await stop_browser(process)


def _firefox_own(params: dict[str, Any]) -> bool:
    """A request Firefox makes for itself, not for the page.

    Firefox draws list bullets and the ``<details>`` disclosure triangle with a font
    of its own, embedded in its built-in stylesheet as a ``data:`` URL: a ``font``
    request of initiator type ``other``, even under the report's ``default-src 'none'``.
    It never leaves the browser.
    """
    request = params.get("request", {})
    return (
        request.get("url", "").startswith("data:font/")
        and request.get("destination") == "font"
        and params.get("initiator", {}).get("type") == "other"
    )


def _record(visit: PageVisit, events: list[tuple[str, dict[str, Any]]]) -> None:
    """Fill ``visit`` from the BiDi events.

    ``console.error`` calls are console errors; the ``javascript`` log entries,
    uncaught exceptions and the browser's own complaints about the page (a script
    the Content-Security-Policy blocked), are exceptions.
    """
    for method, params in events:
        if method == "log.entryAdded" and params.get("level") == "error":
            text = params.get("text") or ""
            if params.get("type") == "javascript":
                visit.exceptions.append(text)
            else:
                visit.console_errors.append(text)
        elif method == "network.beforeRequestSent" and not _firefox_own(params):
            requested = params.get("request", {}).get("url", "")
            if requested.split("#")[0] != visit.url:
                visit.requests.append(requested)


def visit_firefox(
    path: str | Path,
    *,
    workdir: str | Path | None = None,
    open_all: bool = False,
    screenshot: str | Path | None = None,
    full_page: bool = False,
    evaluate: Sequence[str] = (),
    width: int = 1280,
    height: int = 900,
    timeout: float = 60.0,
) -> PageVisit:
    """Load ``path`` in headless Firefox and report what the page did.

    ``workdir`` holds Firefox's profile and ``HOME`` (a temporary folder, removed
    afterwards, when not given). Raises :class:`FirefoxMissing` (with
    :data:`FIREFOX_HINT`) when there is no Firefox.
    """
    binary = find_firefox()
    if binary is None:
        raise FirefoxMissing(FIREFOX_HINT)
    own = workdir is None
    folder = Path(tempfile.mkdtemp(prefix="wsbdd-firefox-")) if own else Path(workdir)
    try:
        return asyncio.run(
            _visit(
                Path(path),
                binary=binary,
                workdir=folder,
                open_all=open_all,
                screenshot=Path(screenshot) if screenshot is not None else None,
                full_page=full_page,
                evaluate=evaluate,
                width=width,
                height=height,
                timeout=timeout,
            )
        )
    finally:
        if own:
            shutil.rmtree(folder, ignore_errors=True)


def main(argv: Sequence[str] | None = None) -> int:
    return run_cli("browsers.firefox", visit_firefox, argv)


if __name__ == "__main__":
    sys.exit(main())
