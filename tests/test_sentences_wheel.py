"""Why ``wsbdd init`` could not put a wheel of wsbdd in ``vendor/``, pinned whole.

Each reason ends the sentence init prints ("wsbdd init: could not put a wheel of wsbdd in
shop/vendor (<reason>), so replace the install step …", tests/test_init.py).  The
wheel is built by pip from a source checkout, or packed again from an installed
distribution's files: here from real broken source trees (a build backend of their own,
so pip needs no download) and real broken ``.dist-info`` folders.
"""

# ruff: noqa: E501  (whole sentences, one string each)
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from importlib import metadata
from pathlib import Path

import pytest

from wsbdd.scaffold.wheel import WheelProblem, _build_from_source, _repack

ROOT = Path(__file__).resolve().parent.parent

# A build backend in the source tree itself: pip builds with it and installs nothing.
_BACKEND = """\
[build-system]
requires = []
build-backend = "backend"
backend-path = ["."]
"""


def source_tree(folder: Path, backend: str, pyproject: str = _BACKEND) -> Path:
    """A source checkout of "wsbdd" as init copies it: pyproject.toml, files, wsbdd/."""
    (folder / "wsbdd").mkdir(parents=True)
    (folder / "wsbdd" / "__init__.py").write_text("")
    (folder / "pyproject.toml").write_text(pyproject)
    (folder / "backend.py").write_text(textwrap.dedent(backend))
    return folder


def problem(call, *args) -> str:
    with pytest.raises(WheelProblem) as raised:
        call(*args)
    return str(raised.value)


def test_pip_that_cannot_be_run(tmp_path, monkeypatch):
    root = source_tree(tmp_path / "src", "")
    missing = tmp_path / "no-python"
    monkeypatch.setattr(sys, "executable", str(missing))  # a venv whose python was removed
    assert problem(_build_from_source, root, tmp_path) == (
        f"pip could not be run to build it from {root}: [Errno 2] No such file or directory: "
        f"'{missing}'"
    )


def test_a_build_backend_that_fails_says_its_own_last_words(tmp_path):
    root = source_tree(
        tmp_path / "src",
        """\
        import sys

        def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
            print("building wsbdd")
            sys.exit("wsbdd/__init__.py has no version")
        """,
    )
    assert problem(_build_from_source, root, tmp_path) == (
        f"pip could not build it from {root}: wsbdd/__init__.py has no version"
    )


def test_a_pyproject_pip_cannot_read(tmp_path):
    root = source_tree(tmp_path / "src", "", pyproject='[project\nname = "wsbdd"\n')
    assert problem(_build_from_source, root, tmp_path) == (
        f"pip could not build it from {root}: TOMLDecodeError: Expected ']' at the end of a "
        "table declaration (at line 1, column 9)"
    )


def test_a_source_tree_that_builds_another_project(tmp_path):
    root = source_tree(
        tmp_path / "src",
        """\
        import os
        import zipfile

        def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
            name = "other-1.0-py3-none-any.whl"
            info = "other-1.0.dist-info"
            with zipfile.ZipFile(os.path.join(wheel_directory, name), "w") as archive:
                archive.writestr(f"{info}/METADATA", "Metadata-Version: 2.1\\nName: other\\nVersion: 1.0\\n")
                archive.writestr(f"{info}/WHEEL", "Wheel-Version: 1.0\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n")
                archive.writestr(f"{info}/RECORD", "")
            return name
        """,
    )
    out = tmp_path / "out"
    out.mkdir()
    assert problem(_build_from_source, root, out) == f"pip built no wheel of wsbdd from {root}"
    assert [path.name for path in out.iterdir()] == ["other-1.0-py3-none-any.whl"]
    assert not (root / "build").exists()  # built from a copy: the tree stays as it was


def installed(site: Path, *, wheel: str | None, record: list[str] | None) -> metadata.Distribution:
    """A real installed distribution of wsbdd 9.9 in ``site`` (what pip leaves behind)."""
    info = site / "wsbdd-9.9.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: wsbdd\nVersion: 9.9\n")
    if wheel is not None:
        (info / "WHEEL").write_text(wheel)
    if record is not None:
        (info / "RECORD").write_text("".join(f"{line},,\n" for line in record))
    (site / "wsbdd").mkdir()
    (site / "wsbdd" / "__init__.py").write_text("")
    return metadata.PathDistribution(info)


WHEEL = "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n"


def test_a_distribution_not_installed_from_a_wheel(tmp_path):
    dist = installed(tmp_path, wheel=None, record=["wsbdd/__init__.py"])
    assert problem(_repack, dist, tmp_path) == (
        "the installed wsbdd 9.9 was not installed from a wheel (it has no WHEEL or RECORD file)"
    )


def test_a_distribution_whose_record_lists_no_dist_info(tmp_path):
    dist = installed(tmp_path, wheel=WHEEL, record=["wsbdd/__init__.py"])
    assert problem(_repack, dist, tmp_path) == "the installed wsbdd 9.9 lists no .dist-info folder"


def test_a_distribution_with_a_file_gone(tmp_path):
    record = ["wsbdd/__init__.py", "wsbdd/gone.py", "wsbdd-9.9.dist-info/METADATA"]
    dist = installed(tmp_path / "site", wheel=WHEEL, record=record)
    assert problem(_repack, dist, tmp_path) == (
        "an installed file of wsbdd cannot be read: [Errno 2] No such file or directory: "
        f"'{tmp_path / 'site' / 'wsbdd' / 'gone.py'}'"
    )
    dist = installed(tmp_path / "whole", wheel=WHEEL, record=record[:1] + record[2:])
    assert _repack(dist, tmp_path).name == "wsbdd-9.9-py3-none-any.whl"


def test_wsbdd_run_from_a_copy_that_is_neither_checkout_nor_installed(tmp_path):
    # The package folder copied somewhere and put on PYTHONPATH: no pyproject.toml beside
    # it, and the installed wsbdd is another folder.
    copy = tmp_path / "lib" / "wsbdd"
    shutil.copytree(ROOT / "wsbdd", copy, ignore=shutil.ignore_patterns("__pycache__"))
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "lib")}
    done = subprocess.run(
        [sys.executable, "-m", "wsbdd.cli", "init", "shop"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == (
        f"wsbdd init: could not put a wheel of wsbdd in shop/vendor (the running wsbdd ({copy}) "
        "is neither a source checkout nor an installed distribution), so replace the install "
        "step in shop/.github/workflows/acceptance-tests.yml with how your CI gets wsbdd, e.g. a wheel you "
        'commit or pip install "wsbdd @ git+https://…".\n'
    )
