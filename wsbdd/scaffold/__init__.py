"""``wsbdd init``: a new project that passes against the demo server straight away.

Writes a ``wsbdd.toml`` with a small vocabulary (and commented examples), one
feature using it, behave's glue (``features/steps/wsbdd_steps.py`` and
``features/environment.py``) and a CI workflow that installs wsbdd from the
wheel in ``vendor/`` (see :mod:`wsbdd.scaffold.wheel`).  Files that already
exist are left alone, so running it in an existing project only adds what is
missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from wsbdd.scaffold.wheel import VENDOR, Vendored

__all__ = ["CI_FILE", "FILES", "Written", "create_project", "install_step", "repoint_ci"]

CI_FILE = ".github/workflows/acceptance-tests.yml"
_INSTALL = "@INSTALL_WSBDD@"

FILES = {
    "wsbdd.toml": "wsbdd.toml",
    "behave.ini": "behave.ini",
    "features/chat.feature": "chat.feature",
    "features/steps/wsbdd_steps.py": "wsbdd_steps.py.tmpl",
    "features/environment.py": "environment.py.tmpl",
    CI_FILE: "github-actions.yml",
}
"""Where each template goes in the new project."""


@dataclass(frozen=True)
class Written:
    path: Path
    created: bool
    """False when the file was already there and was kept."""


def install_step(vendored: Vendored | None) -> str:
    """The CI workflow's step that installs wsbdd: the vendored wheel, or what to write."""
    if vendored is not None and vendored.path is not None:
        return (
            f"      # wsbdd itself is the wheel `wsbdd init` put in {VENDOR}/: commit it with the\n"
            "      # project. Its dependencies come from PyPI. After upgrading wsbdd, run\n"
            "      # `wsbdd init` again: it replaces the wheel and this line.\n"
            f"      - run: pip install {VENDOR}/{vendored.path.name}"
        )
    reason = " ".join((vendored.problem if vendored else "no wheel was made").split())
    return (
        "      # `wsbdd init` could not put a wheel of wsbdd in vendor/, so this step cannot\n"
        f"      # install it yet ({reason[:300]}).\n"
        "      # Replace it with how this job gets wsbdd, e.g. a wheel you commit\n"
        '      # (pip install vendor/wsbdd-….whl) or pip install "wsbdd @ git+https://…".\n'
        '      - run: echo "Install wsbdd here: see the comment above this step." && exit 1'
    )


def create_project(target: Path, vendored: Vendored | None = None) -> list[Written]:
    """Write the scaffold into *target* (created if needed); never overwrite a file.

    *vendored* is the wheel :func:`~wsbdd.scaffold.wheel.vendor_wheel` put in the
    project, which the CI workflow installs.
    """
    templates = Path(__file__).parent / "template"
    results = []
    for relative, template in FILES.items():
        path = target / relative
        if path.exists():
            results.append(Written(path, False))
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        text = (templates / template).read_text(encoding="utf-8")
        if relative == CI_FILE:
            text = text.replace(_INSTALL, install_step(vendored))
        path.write_text(text, encoding="utf-8")
        results.append(Written(path, True))
    return results


def repoint_ci(target: Path, vendored: Vendored) -> bool:
    """Make a kept CI workflow install the new wheel instead of the ones it replaced."""
    path = target / CI_FILE
    if vendored.path is None or not vendored.replaced or not path.is_file():
        return False
    text = original = path.read_text(encoding="utf-8")
    for old in vendored.replaced:
        text = text.replace(old.name, vendored.path.name)
    if text == original:
        return False
    path.write_text(text, encoding="utf-8")
    return True
