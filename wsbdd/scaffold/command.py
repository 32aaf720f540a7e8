"""``wsbdd init [DIR]``: scaffold a project, then say the two commands to run."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from wsbdd.scaffold import CI_FILE, create_project, repoint_ci
from wsbdd.scaffold.wheel import VENDOR, Vendored, vendor_wheel

__all__ = ["add_parser", "run"]


def add_parser(sub: Any) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        "init",
        help="create a project: config with a vocabulary, one feature, behave glue, CI",
        description="Creates wsbdd.toml, features/chat.feature, features/steps/wsbdd_steps.py, "
        "features/environment.py, .github/workflows/acceptance-tests.yml and a wheel of this "
        "wsbdd in vendor/ for that workflow to install. Existing files are kept (the wheel is "
        "replaced when this wsbdd has another version). The new project passes against the "
        "bundled demo server.",
    )
    parser.add_argument("dir", nargs="?", default=".", help="where (default: this folder)")
    parser.set_defaults(func=run)
    return parser


def _tell_wheel(vendored: Vendored, target: Path, repointed: bool) -> None:
    if vendored.path is None:
        print(
            f"wsbdd init: could not put a wheel of wsbdd in {os.path.relpath(target / VENDOR)} "
            f"({vendored.problem}), so replace the install step in "
            f"{os.path.relpath(target / CI_FILE)} with how your CI gets wsbdd, e.g. a wheel you "
            'commit or pip install "wsbdd @ git+https://…".',
            file=sys.stderr,
        )
        return
    shown = os.path.relpath(vendored.path)
    if vendored.state == "replaced":
        old = ", ".join(os.path.relpath(path) for path in vendored.replaced)
        also = f", and {os.path.relpath(target / CI_FILE)} installs it" if repointed else ""
        print(f"  replaced {old} by {shown}{also}")
    elif vendored.state == "kept":
        print(f"  kept    {shown} (the same version; delete it and run init again to rebuild it)")
        if vendored.problem:
            print(f"wsbdd init: could not make a new wheel: {vendored.problem}.", file=sys.stderr)
    else:
        print(f"  created {shown}")


def run(ns: argparse.Namespace, extra: list[str]) -> int:
    if extra:
        print(f"wsbdd init: unknown arguments: {' '.join(extra)}", file=sys.stderr)
        return 2
    target = Path(ns.dir)
    if target.exists() and not target.is_dir():
        print(f"wsbdd init: {target} is a file, not a folder.", file=sys.stderr)
        return 2
    vendored = vendor_wheel(target)
    for written in create_project(target, vendored):
        shown = os.path.relpath(written.path)
        print(f"  {'created' if written.created else 'kept   '} {shown}")
    _tell_wheel(vendored, target, repoint_ci(target, vendored))
    where = "" if target.resolve() == Path.cwd().resolve() else f"cd {ns.dir} && "
    print(
        f"\nNext: {where}wsbdd run\n"
        "It runs features/chat.feature against wsbdd's demo server. Set url in wsbdd.toml to "
        "test your own app, add your app's words under [[phrases]], and `wsbdd steps` lists "
        "every step you can write."
    )
    if vendored.path is not None:
        print(
            f"Commit {VENDOR}/ with the project: the CI workflow installs wsbdd from "
            f"{VENDOR}/{vendored.path.name}."
        )
    return 0
