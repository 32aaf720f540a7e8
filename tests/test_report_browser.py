"""The browser checks can see: a hostile page is caught in Chromium and in Firefox.

``test_report_run.py`` opens a report full of XSS payloads and expects the
browser to see no script run, no request, no console error. That proves
nothing if the detector is blind, so here a page that does all of those on
purpose must be caught: an inline script changes the title and logs an error,
an ``<img onerror>`` sets ``window.pwned``, an image asks a closed port on
127.0.0.1, and a script throws.
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest
from browsers.chromium import INSTALL_HINT, find_chromium, visit
from browsers.firefox import FIREFOX_HINT, find_firefox, visit_firefox

HOSTILE = """<!doctype html>
<html><head><meta charset="utf-8"><title>calm</title></head>
<body>
<p>Nothing to see.</p>
<details><summary>more</summary>hidden</details>
<script>document.title = 'pwned'; console.error('hostile page logged this');</script>
<img src="missing-picture" onerror="window.pwned = 'img'">
<img src="http://127.0.0.1:{port}/x">
<script>throw new Error('hostile page threw');</script>
</body></html>
"""


def _closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (the system picked it, then it was let go)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def _open(browser: str, page: Path, folder: Path) -> Any:
    if browser == "firefox":
        if find_firefox() is None:
            pytest.fail(FIREFOX_HINT, pytrace=False)
        return visit_firefox(page, workdir=folder / "home", open_all=True)
    if find_chromium() is None:
        pytest.fail(INSTALL_HINT, pytrace=False)
    return visit(page, open_all=True)


@pytest.mark.parametrize("browser", ["chromium", "firefox"])
def test_a_hostile_page_is_caught(browser: str, tmp_path: Path):
    port = _closed_port()
    page = tmp_path / "hostile.html"
    page.write_text(HOSTILE.replace("{port}", str(port)), encoding="utf-8")
    seen = _open(browser, page, tmp_path)
    assert seen.title == "pwned"
    assert seen.title_after_opening == "pwned"
    assert seen.pwned == "img"
    assert seen.opened == 1
    assert f"http://127.0.0.1:{port}/x" in seen.requests
    if browser == "chromium":
        # Chromium reports file:// reads too; Firefox's WebDriver BiDi reports only
        # requests that go through its network stack (http, https, ws, data).
        assert (page.parent / "missing-picture").as_uri() in seen.requests
    assert any("hostile page logged this" in line for line in seen.console_errors)
    assert any("hostile page threw" in line for line in seen.exceptions)


@pytest.mark.parametrize("browser", ["chromium", "firefox"])
def test_a_quiet_page_is_not_flagged(browser: str, tmp_path: Path):
    # The other side: the same detector finds nothing on a page that does nothing.
    page = tmp_path / "quiet.html"
    page.write_text(
        "<!doctype html><meta charset='utf-8'><title>calm</title>"
        "<ul><li>one</li></ul><details><summary>more</summary>text</details>",
        encoding="utf-8",
    )
    seen = _open(browser, page, tmp_path)
    assert (seen.title, seen.pwned, seen.opened) == ("calm", None, 1)
    assert (seen.requests, seen.console_errors, seen.exceptions) == ([], [], [])


@pytest.mark.parametrize("browser", ["chromium", "firefox"])
def test_a_script_the_content_security_policy_blocks_is_reported(browser: str, tmp_path: Path):
    # Under the report's own kind of policy a payload that slipped through escaping
    # would not run; it must still be seen, as the browser's complaint.
    page = tmp_path / "blocked.html"
    page.write_text(
        "<!doctype html><meta charset='utf-8'>"
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'\">"
        "<title>calm</title><p>Nothing to see.</p><script>document.title = 'pwned'</script>",
        encoding="utf-8",
    )
    seen = _open(browser, page, tmp_path)
    assert (seen.title, seen.pwned) == ("calm", None)
    # Chromium logs it as a console error; Firefox as a JavaScript error (an exception).
    complaints = seen.console_errors + seen.exceptions
    assert any("Content-Security-Policy" in c or "Content Security Policy" in c for c in complaints)
