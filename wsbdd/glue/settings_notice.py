"""Where settings were looked for, said when none were found.

Run from the wrong folder, behave finds no ``wsbdd.toml``: the built-in steps
run against the bundled demo server and every phrase of the project is
"undefined", with nothing saying why.  These sentences say it: one line when
the run starts, and one more at the end when steps were undefined.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

__all__ = [
    "check_hint",
    "nearby_settings",
    "no_settings_notice",
    "settings_file",
    "undefined_steps_hint",
]

_LOOKED_FOR = "no wsbdd.toml or [tool.wsbdd] in pyproject.toml"


def settings_file(folder: Path) -> Path | None:
    """The file in *folder* wsbdd reads settings from, or None.

    That is ``wsbdd.toml``, or a ``pyproject.toml`` with a ``[tool.wsbdd]`` table (one
    that cannot be read counts: loading the settings names what is wrong with it).
    """
    own = folder / "wsbdd.toml"
    if own.is_file():
        return own
    pyproject = folder / "pyproject.toml"
    if not pyproject.is_file():
        return None
    try:
        with pyproject.open("rb") as handle:
            tool = tomllib.load(handle).get("tool")
    except (OSError, tomllib.TOMLDecodeError):
        return pyproject
    return pyproject if isinstance(tool, dict) and "wsbdd" in tool else None


def nearby_settings(folder: Path, starts: Iterable[str | Path] = ()) -> Path | None:
    """The nearest settings file above *folder*, or in or above one of *starts*.

    *starts* are where behave found the features (its paths, relative to *folder*, and
    its base folder): a project run as ``behave shop/features`` from one folder up
    keeps its settings in ``shop/``.  *folder* itself is not searched (the caller
    knows it has none).
    """
    folder = folder.resolve()
    seen = {folder}
    chains = [(folder / start).resolve() for start in starts] + [folder.parent]
    for start in chains:
        for candidate in (start, *start.parents):
            if candidate in seen:
                continue
            seen.add(candidate)
            found = settings_file(candidate)
            if found is not None:
                return found
    return None


def _run_from(found: Path, folder: Path, tool: str = "behave") -> str:
    shown = os.path.relpath(found, folder)
    where = os.path.relpath(found.parent, folder)
    return f"found {shown}: run {tool} from that folder (cd {where})"


def _url_given(userdata: Mapping[str, Any], environ: Mapping[str, str]) -> bool:
    return bool(userdata.get("wsbdd.url") or environ.get("WSBDD_URL"))


def no_settings_notice(
    folder: Path,
    starts: Iterable[str | Path] = (),
    userdata: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> str | None:
    """The line to print when a run starts in *folder* with no settings, else None.

    Nothing is said when *folder* has settings, or when a URL is given by ``-D
    wsbdd.url`` or ``WSBDD_URL`` (a run configured from the outside on purpose).
    """
    folder = folder.resolve()
    if settings_file(folder) is not None or _url_given(userdata or {}, environ or {}):
        return None
    found = nearby_settings(folder, starts)
    if found is not None:
        advice = "F" + _run_from(found, folder)[1:]  # not .capitalize(): paths keep their case
    else:
        advice = (
            "Run behave from your project's folder, or pass -D wsbdd.url=ws://… to test a server"
        )
    return (
        f"wsbdd: {_LOOKED_FOR} in {folder}; using the defaults (the bundled demo server, "
        f"no phrases). {advice}."
    )


def _no_phrases(folder: Path, starts: Iterable[str | Path], lead: str, tool: str) -> str | None:
    folder = folder.resolve()
    if settings_file(folder) is not None:
        return None
    found = nearby_settings(folder, starts)
    where = f"; {_run_from(found, folder, tool)}" if found is not None else ""
    return f"{lead} no phrases were loaded: there is {_LOOKED_FOR} in {folder}{where}."


def undefined_steps_hint(
    folder: Path, undefined: int, starts: Iterable[str | Path] = ()
) -> str | None:
    """The line to print after a run with *undefined* steps when no phrases could load."""
    if not undefined:
        return None
    steps = "1 step is" if undefined == 1 else f"{undefined} steps are"
    return _no_phrases(folder, starts, f"wsbdd: {steps} undefined, and", "behave")


def check_hint(folder: Path, starts: Iterable[str | Path] = ()) -> str | None:
    """The line ``wsbdd check`` adds to its findings when no phrases could load."""
    return _no_phrases(folder, starts, "wsbdd check:", "wsbdd check")
