"""``wsbdd init``: a new project that passes against the demo server straight away.

Writes a ``wsbdd.toml`` with a small vocabulary (and commented examples), one
feature using it, behave's glue (``features/steps/wsbdd_steps.py`` and
``features/environment.py``) and a CI workflow.  Files that already exist are
left alone, so running it in an existing project only adds what is missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["FILES", "Written", "create_project"]

FILES = {
    "wsbdd.toml": "wsbdd.toml",
    "behave.ini": "behave.ini",
    "features/chat.feature": "chat.feature",
    "features/steps/wsbdd_steps.py": "wsbdd_steps.py.tmpl",
    "features/environment.py": "environment.py.tmpl",
    ".github/workflows/acceptance-tests.yml": "github-actions.yml",
}
"""Where each template goes in the new project."""


@dataclass(frozen=True)
class Written:
    path: Path
    created: bool
    """False when the file was already there and was kept."""


def create_project(target: Path) -> list[Written]:
    """Write the scaffold into *target* (created if needed); never overwrite a file."""
    templates = Path(__file__).parent / "template"
    results = []
    for relative, template in FILES.items():
        path = target / relative
        if path.exists():
            results.append(Written(path, False))
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text((templates / template).read_text(encoding="utf-8"), encoding="utf-8")
        results.append(Written(path, True))
    return results
