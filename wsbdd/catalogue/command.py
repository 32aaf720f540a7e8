"""``wsbdd steps``: print the step catalogue (Markdown) or write it as an HTML page."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

__all__ = ["add_parser", "run"]


def add_parser(sub: Any) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        "steps",
        help="list every step (built-in and your phrases) with its meaning and an example",
        description="The step catalogue: every step a feature may use, grouped by purpose, "
        "with a one-line meaning and an example from a feature file.",
    )
    parser.add_argument(
        "paths",
        nargs="*",
        help="feature files or folders to take examples from (default: "
        "behave's paths, usually features/)",
    )
    parser.add_argument(
        "--format",
        choices=("markdown", "html"),
        help="output format (default: from the --output file's extension, else markdown)",
    )
    parser.add_argument("-o", "--output", help="write to this file instead of printing")
    parser.set_defaults(func=run)
    return parser


def run(ns: argparse.Namespace, extra: list[str]) -> int:
    from wsbdd.catalogue import bundled_example_folders, collect
    from wsbdd.catalogue.project import feature_files, load_project
    from wsbdd.catalogue.render import html_page, markdown

    if extra:
        print(f"wsbdd steps: unknown arguments: {' '.join(extra)}", file=sys.stderr)
        return 2
    project = load_project(Path.cwd(), ns.paths or None)
    for problem in project.problems:
        print(f"wsbdd steps: {problem}", file=sys.stderr)
    extra_features = []
    given = [p.resolve() for p in project.feature_paths]
    bundled = [folder for folder in bundled_example_folders() if folder.resolve() not in given]
    if bundled:
        from behave.parser import parse_file

        for file in feature_files(bundled):
            try:
                extra_features.append(parse_file(str(file)))
            except Exception:  # the bundled features are wsbdd's; a broken one is no reason to stop
                continue
    sections = collect(project, extra_features)
    kind = ns.format or (
        "html" if ns.output and ns.output.endswith((".html", ".htm")) else "markdown"
    )
    text = html_page(sections) if kind == "html" else markdown(sections)
    if ns.output:
        Path(ns.output).write_text(text, encoding="utf-8")
        count = sum(len(s.entries) for s in sections)
        print(f"wsbdd steps: {count} steps written to {ns.output}")
    else:
        sys.stdout.write(text)
    return 0
