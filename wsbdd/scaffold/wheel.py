"""A wheel of the running wsbdd in the new project's ``vendor/``, for its CI to install.

wsbdd is not on a package index, so ``pip install wsbdd`` cannot work in CI.
``wsbdd init`` puts a wheel of the wsbdd that runs it into the project instead,
and the CI workflow installs that exact file: a fresh clone of the project has
everything its CI needs, with no access to wherever wsbdd came from.

The wheel is built by pip from the source folder when wsbdd runs from a checkout
(an editable install, or a ``PYTHONPATH``), and otherwise packed again from the
installed files of the distribution (the files its wheel installed, listed in
its ``RECORD``).  Run again with the same version, init keeps the wheel; with
another version, it replaces it.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Literal

import wsbdd

__all__ = ["VENDOR", "Vendored", "WheelProblem", "build_wheel", "running_version", "vendor_wheel"]

VENDOR = "vendor"
"""The project folder the wheel goes in."""

_NOT_PACKED = frozenset({"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"})
"""dist-info files the installer wrote, not part of the wheel it installed."""


class WheelProblem(Exception):
    """Why no wheel of wsbdd could be made: the end of a sentence, lower case."""


@dataclass(frozen=True)
class Vendored:
    """What init did about the wheel in ``vendor/``."""

    path: Path | None
    """The wheel the CI workflow installs; None when none could be made."""
    state: Literal["created", "kept", "replaced", "missing"]
    replaced: tuple[Path, ...] = ()
    """Wheels of other wsbdd versions, removed for this one."""
    problem: str = ""
    """Why a wheel could not be made (state "missing", or "kept" an older one)."""


def _source_root() -> Path | None:
    """The source folder the running wsbdd is imported from, if it is a checkout."""
    root = Path(wsbdd.__file__).resolve().parent.parent
    try:
        with (root / "pyproject.toml").open("rb") as handle:
            project = tomllib.load(handle).get("project", {})
    except (OSError, tomllib.TOMLDecodeError):
        return None
    return root if isinstance(project, dict) and project.get("name") == "wsbdd" else None


def _installed() -> metadata.Distribution | None:
    """The installed distribution the running wsbdd package belongs to."""
    try:
        dist = metadata.distribution("wsbdd")
    except metadata.PackageNotFoundError:
        return None
    here = Path(wsbdd.__file__).resolve()
    try:
        same = Path(str(dist.locate_file("wsbdd/__init__.py"))).resolve() == here
    except OSError:
        same = False
    return dist if same else None


def running_version() -> str:
    """The version of the running wsbdd, as its wheel's file name spells it."""
    root = _source_root()
    if root is not None:
        with (root / "pyproject.toml").open("rb") as handle:
            version = tomllib.load(handle)["project"].get("version")
        if isinstance(version, str):
            return version
    dist = _installed()
    return dist.version if dist is not None else wsbdd.__version__


def _build_from_source(root: Path, out_dir: Path) -> Path:
    # pip builds in the folder it is given, leaving build/ and *.egg-info behind: build
    # from a copy of what the build reads, so the user's checkout stays as it was.
    with tempfile.TemporaryDirectory(prefix="wsbdd-source-") as scratch:
        copy = Path(scratch) / "wsbdd"
        copy.mkdir()
        for item in root.iterdir():
            if item.is_file() and not item.name.startswith("."):
                shutil.copy2(item, copy / item.name)
        shutil.copytree(
            root / "wsbdd", copy / "wsbdd", ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )
        command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet"]
        try:
            done = subprocess.run(
                [*command, "--wheel-dir", str(out_dir), str(copy)],
                capture_output=True,
                text=True,
                timeout=300,
                stdin=subprocess.DEVNULL,
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise WheelProblem(f"pip could not be run to build it from {root}: {error}") from None
    if done.returncode != 0:
        raise WheelProblem(f"pip could not build it from {root}: {_pip_reason(done)}")
    wheels = sorted(out_dir.glob("wsbdd-*.whl"))
    if not wheels:
        raise WheelProblem(f"pip built no wheel of wsbdd from {root}")
    return wheels[0]


def _pip_reason(done: subprocess.CompletedProcess[str]) -> str:
    """The line of pip's failure that says what went wrong (not "see above")."""
    said = [line.strip() for line in (done.stderr or done.stdout).splitlines() if line.strip()]
    if "[end of output]" in said:
        # A subprocess failed (the build backend, or the pip that installs what it needs):
        # pip quotes its output in a box; its error line, else its last words, say why.
        end = said.index("[end of output]")
        starts = [i for i, line in enumerate(said[:end]) if line.endswith("lines of output]")]
        quoted = said[starts[-1] + 1 : end] if starts else []
        if quoted:
            return _error_line(quoted) or quoted[-1]
    found = _error_line(said)
    if found:
        return found
    # pip's own traceback ends with the exception (pip._vendor.tomli.TOMLDecodeError: …).
    told = [line for line in said if not line.startswith(("hint:", "note:"))]
    last = re.sub(r"^(?:\w+\.)+(\w+:)", r"\1", told[-1]) if told else ""
    return last or f"exit code {done.returncode}"


def _error_line(said: list[str]) -> str | None:
    for line in said:
        if (
            line.lower().startswith("error:")
            and line != "ERROR: Exception:"  # pip itself crashed: its traceback ends below
            and not line.endswith(("-with-error", "-failed"))
        ):
            return line
    return None


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return "sha256=" + digest.decode("ascii")


def _repack(dist: metadata.Distribution, out_dir: Path) -> Path:
    """The wheel *dist* was installed from, packed again from its installed files."""
    tags = [
        line.split(":", 1)[1].strip()
        for line in (dist.read_text("WHEEL") or "").splitlines()
        if line.startswith("Tag:")
    ]
    # RECORD as written: Python 3.12+ leaves out of ``dist.files`` a listed file that is
    # gone, and the wheel would then lack it without a word.
    record_text = dist.read_text("RECORD") or ""
    files = [row[0] for row in csv.reader(record_text.splitlines()) if row and row[0]]
    if not tags or not files:
        raise WheelProblem(
            f"the installed wsbdd {dist.version} was not installed from a wheel "
            "(it has no WHEEL or RECORD file)"
        )
    entries: list[tuple[str, Path]] = []
    info = ""
    for name in files:
        parts = name.split("/")
        if parts[0] == ".." or "__pycache__" in parts or name.endswith(".pyc"):
            continue  # console scripts and caches: the installer makes those
        if parts[0].endswith(".dist-info"):
            info = parts[0]
            if len(parts) == 2 and parts[1] in _NOT_PACKED:
                continue
        entries.append((name, Path(str(dist.locate_file(name)))))
    if not info:
        raise WheelProblem(f"the installed wsbdd {dist.version} lists no .dist-info folder")
    # The wheel format wants the .dist-info folder last.
    entries.sort(key=lambda entry: entry[0].startswith(info + "/"))
    wheel = out_dir / f"wsbdd-{dist.version}-{tags[0]}.whl"
    record = []
    try:
        with zipfile.ZipFile(wheel, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, source in entries:
                data = source.read_bytes()
                archive.writestr(name, data)
                record.append(f"{name},{_record_hash(data)},{len(data)}")
            record.append(f"{info}/RECORD,,")
            archive.writestr(f"{info}/RECORD", "\n".join(record) + "\n")
    except OSError as error:
        raise WheelProblem(f"an installed file of wsbdd cannot be read: {error}") from None
    return wheel


def build_wheel(out_dir: Path) -> Path:
    """Make a wheel of the running wsbdd in *out_dir*; :class:`WheelProblem` says why not."""
    root = _source_root()
    if root is not None:
        return _build_from_source(root, out_dir)
    dist = _installed()
    if dist is None:
        raise WheelProblem(
            f"the running wsbdd ({Path(wsbdd.__file__).parent}) is neither a source checkout "
            "nor an installed distribution"
        )
    return _repack(dist, out_dir)


def vendor_wheel(project: Path) -> Vendored:
    """Put a wheel of the running wsbdd in ``project/vendor/``, unless one of its version is."""
    vendor = project / VENDOR
    existing = sorted(vendor.glob("wsbdd-*.whl"))
    version = running_version()
    for wheel in existing:
        if wheel.name.startswith(f"wsbdd-{version}-"):
            return Vendored(wheel, "kept")
    with tempfile.TemporaryDirectory(prefix="wsbdd-wheel-") as scratch:
        try:
            built = build_wheel(Path(scratch))
        except WheelProblem as problem:
            if existing:
                return Vendored(existing[-1], "kept", problem=str(problem))
            return Vendored(None, "missing", problem=str(problem))
        vendor.mkdir(parents=True, exist_ok=True)
        target = vendor / built.name
        shutil.move(str(built), target)
    for old in existing:
        if old != target:
            os.remove(old)
    return Vendored(target, "replaced" if existing else "created", tuple(existing))
