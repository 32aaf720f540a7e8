"""``wsbdd check [paths]``: print each finding as ``file:line: sentence``; exit 1 if any."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

__all__ = ["add_parser", "run"]


def add_parser(sub: Any) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        "check",
        help="check feature files for mistakes without connecting to anything",
        description="Finds undefined steps, broken JSON and JSONPath, unknown matcher words, "
        "variables and clients used too early, and configuration mistakes. Prints "
        "file:line: sentence for each; exits 1 if there is any, 0 when all is well.",
    )
    parser.add_argument("paths", nargs="*", help="feature files or folders (default: all)")
    parser.set_defaults(func=run)
    return parser


def run(ns: argparse.Namespace, extra: list[str]) -> int:
    started = time.perf_counter()
    if extra:
        print(f"wsbdd check: unknown arguments: {' '.join(extra)}", file=sys.stderr)
        return 2
    from wsbdd.check import check

    problems = check(ns.paths or None)
    for problem in problems:
        print(problem)
    took = time.perf_counter() - started
    if problems:
        from wsbdd.glue.settings_notice import check_hint

        hint = check_hint(Path.cwd(), ns.paths)
        if hint:  # run from the wrong folder, the project's phrases "match no step"
            print(hint, file=sys.stderr)
        noun = "problem" if len(problems) == 1 else "problems"
        print(f"wsbdd check: {len(problems)} {noun} ({took:.2f} s)", file=sys.stderr)
        return 1
    print(f"wsbdd check: no problems ({took:.2f} s)", file=sys.stderr)
    return 0
