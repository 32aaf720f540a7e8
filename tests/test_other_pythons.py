"""tests/other_pythons.sh, the command docs/contributing.md gives for running the suite on
other Pythons: which interpreters it picks and what it says about those it cannot use.

Only its ``--list`` mode runs here: the real thing is one whole suite per Python (minutes
each), which is why neither the README's test command nor CI runs it.
"""

import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).parent / "other_pythons.sh"
THIS = f"{platform.python_version()} {sys.executable}\n"


def _list(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["/bin/bash", str(SCRIPT), "--list", *args],
        capture_output=True,
        text=True,
        timeout=30,
        env=env,
    )


def _bin_with(tmp_path: Path, links: dict[str, str]) -> Path:
    """A folder for PATH holding only the commands named (the script needs dirname)."""
    folder = tmp_path / "bin"
    folder.mkdir()
    for name, target in {"dirname": shutil.which("dirname") or "/usr/bin/dirname", **links}.items():
        (folder / name).symlink_to(target)
    return folder


def test_a_named_interpreter_is_listed_with_its_version():
    listed = _list(sys.executable)
    assert (listed.returncode, listed.stdout, listed.stderr) == (0, THIS, "")


def test_the_same_python_named_twice_runs_once():
    assert _list(sys.executable, sys.executable).stdout == THIS


def test_a_name_that_is_no_python_stops_with_one_sentence(tmp_path):
    missing = str(tmp_path / "python3.99")
    listed = _list(sys.executable, missing)
    assert (listed.returncode, listed.stdout) == (2, "")
    assert listed.stderr == (
        f"{missing} did not run (not found, or not a Python interpreter): name one that "
        "runs, such as ~/.pyenv/versions/3.12.1/bin/python3\n"
    )


def test_with_no_names_it_takes_every_pyenv_python(tmp_path):
    root = tmp_path / "pyenv"
    for version in ("3.12.1", "3.13.0"):
        (root / "versions" / version / "bin").mkdir(parents=True)
        (root / "versions" / version / "bin" / "python3").symlink_to(sys.executable)
    listed = _list(env={**os.environ, "PYENV_ROOT": str(root)})
    # Both links are this interpreter, so the second is the same Python and is left out.
    assert (listed.returncode, listed.stdout) == (
        0,
        f"{platform.python_version()} {root}/versions/3.12.1/bin/python3\n",
    )


def test_without_pyenv_it_takes_the_python3_minor_commands_on_path(tmp_path):
    name = f"python3.{sys.version_info.minor}"
    folder = _bin_with(tmp_path, {name: sys.executable})
    env = {"PATH": str(folder), "PYENV_ROOT": str(tmp_path / "no-pyenv"), "HOME": str(tmp_path)}
    listed = _list(env=env)
    assert (listed.returncode, listed.stdout) == (
        0,
        f"{platform.python_version()} {folder / name}\n",
    )


def test_when_it_finds_no_python_it_says_how_to_name_one(tmp_path):
    folder = _bin_with(tmp_path, {})
    env = {"PATH": str(folder), "PYENV_ROOT": str(tmp_path / "no-pyenv"), "HOME": str(tmp_path)}
    listed = _list(env=env)
    assert (listed.returncode, listed.stdout) == (2, "")
    assert listed.stderr == (
        "No Python 3.11 or newer found: install one (for example pyenv install 3.12) or "
        "name its interpreter: tests/other_pythons.sh /path/to/python3.12\n"
    )
