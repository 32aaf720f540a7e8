"""What a run was, for the report's header: wsbdd's version, the server, the commit, the
user's own fields.

The commit is read with ``git`` when the project folder is a git checkout; without git, or
outside a checkout, the field is left out quietly (a report is never refused for it).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

from wsbdd import __version__

__all__ = ["git_commit", "run_metadata"]

GIT_TIMEOUT = 5.0
"""Seconds each ``git`` call may take; a slower one (a huge or locked repository) is skipped."""


def _git(folder: Path, *args: str) -> str | None:
    git = shutil.which("git")
    if git is None:
        return None
    try:
        done = subprocess.run(  # noqa: S603 - git, found on PATH, with fixed arguments
            [git, *args],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def git_commit(folder: Path | str = ".") -> str | None:
    """``a42b454c0f1e (main)``, plus ``, with uncommitted changes`` when tracked files differ
    from it; ``None`` when ``folder`` is not in a git checkout or git is not installed."""
    where = Path(folder)
    commit = _git(where, "rev-parse", "--short=12", "HEAD")
    if not commit or not commit.strip():
        return None
    text = commit.strip()
    branch = (_git(where, "rev-parse", "--abbrev-ref", "HEAD") or "").strip()
    if branch and branch != "HEAD":  # "HEAD": a detached checkout, as CI often makes
        text += f" ({branch})"
    changes = _git(where, "status", "--porcelain", "--untracked-files=no")
    if changes:
        text += ", with uncommitted changes"
    return text


def run_metadata(
    base_url: str = "",
    fields: Iterable[tuple[str, str]] = (),
    folder: Path | str = ".",
) -> dict[str, str]:
    """The header's fields in order: wsbdd, Server, Git commit, then the user's own
    (a user field of the same name as one of wsbdd's replaces it, in its place)."""
    found = {"wsbdd": __version__}
    if base_url:
        found["Server"] = base_url
    commit = git_commit(folder)
    if commit:
        found["Git commit"] = commit
    for name, value in fields:
        found[name] = value
    return found
