"""``wsbdd init [DIR]``: scaffold a project, then say the two commands to run."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

__all__ = ["add_parser", "run"]


def add_parser(sub: Any) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        "init",
        help="create a project: config with a vocabulary, one feature, behave glue, CI",
        description="Creates wsbdd.toml, features/chat.feature, features/steps/wsbdd_steps.py, "
        "features/environment.py and .github/workflows/acceptance-tests.yml. Existing "
        "files are kept. The new project passes against the bundled demo server.",
    )
    parser.add_argument("dir", nargs="?", default=".", help="where (default: this folder)")
    parser.set_defaults(func=run)
    return parser


def run(ns: argparse.Namespace, extra: list[str]) -> int:
    from wsbdd.scaffold import create_project

    if extra:
        print(f"wsbdd init: unknown arguments: {' '.join(extra)}", file=sys.stderr)
        return 2
    target = Path(ns.dir)
    if target.exists() and not target.is_dir():
        print(f"wsbdd init: {target} is a file, not a folder.", file=sys.stderr)
        return 2
    for written in create_project(target):
        shown = os.path.relpath(written.path)
        print(f"  {'created' if written.created else 'kept   '} {shown}")
    where = "" if target.resolve() == Path.cwd().resolve() else f"cd {ns.dir} && "
    print(
        f"\nNext: {where}wsbdd run\n"
        "It runs features/chat.feature against wsbdd's demo server. Set url in wsbdd.toml to "
        "test your own app, add your app's words under [[phrases]], and `wsbdd steps` lists "
        "every step you can write."
    )
    return 0
