"""The repo's docs point only inside the repo: every Markdown link is a relative path
(or a loopback address a reader's own server answers on)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINK = re.compile(r"\]\(([^)\s]+)\)|<(https?://[^>\s]+)>")
LOOPBACK = re.compile(r"^https?://(127\.0\.0\.1|localhost)(:\d+)?(/|$)")


def _pages() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def test_every_link_stays_in_the_repo():
    outside = []
    for page in _pages():
        for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
            for match in LINK.finditer(line):
                target = match.group(1) or match.group(2)
                if re.match(r"^[a-z][a-z0-9+.-]*:", target) and not LOOPBACK.match(target):
                    outside.append(f"{page.relative_to(ROOT)}:{number}: {target}")
    assert not outside, "links outside the repo:\n" + "\n".join(outside)


def test_relative_links_lead_to_files_that_exist():
    missing = []
    for page in _pages():
        for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
            for match in LINK.finditer(line):
                target = (match.group(1) or "").split("#")[0]
                if not target or re.match(r"^[a-z][a-z0-9+.-]*:", target):
                    continue
                if not (page.parent / target).exists():
                    missing.append(f"{page.relative_to(ROOT)}:{number}: {target}")
    assert not missing, "links to files that do not exist:\n" + "\n".join(missing)
