"""The import paths README.md, docs/ and the scaffold give users keep working.

When modules move into folders by layer (issue 13, part 6), a thin re-export stays
at each of these paths. layers-move: keep (the move script leaves this file as is).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PUBLIC = {
    "wsbdd.environment": ["before_all", "after_all", "before_scenario", "after_scenario"],
    "wsbdd.steps": ["session_of", "wsbdd_step"],
    "wsbdd.session": ["Run", "Session"],
    "wsbdd.match": ["where"],
    "wsbdd.runtime": ["on_ws_loop"],
    "wsbdd.config": ["Settings"],
    "wsbdd.http": ["Body"],
    "wsbdd.errors": ["WsbddError", "ExpectationFailed", "FeatureMistake", "ConfigError"],
    "wsbdd.demo": ["DemoServer"],
    "wsbdd.codec": [
        "Acknowledge",
        "BaseCodec",
        "Cancel",
        "Codec",
        "Decoded",
        "Emit",
        "Frame",
        "GraphQLCodec",
        "Intent",
        "JoinNamespace",
        "LeaveNamespace",
        "LegacyGraphQLCodec",
        "Operation",
        "Received",
        "SocketIOCodec",
        "StompAbort",
        "StompAck",
        "StompBegin",
        "StompCodec",
        "StompCommit",
        "StompNack",
        "StompSend",
        "StompSubscribe",
        "StompUnsubscribe",
        "register_codec",
    ],
    "wsbdd.report.results": ["RESULTS_FILE", "read_results", "dump_run", "ResultsFormatter"],
    "wsbdd.report.merge": ["merge_runs"],
    "wsbdd.report.outputs": ["write_reports"],
}
"""Each public module and the names users take from it."""

IMPORT = re.compile(r"^\s*from (wsbdd[\w.]*) import|^\s*import (wsbdd[\w.]*)", re.M)


def documented_imports() -> set[str]:
    files = [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]
    files += (ROOT / "wsbdd/scaffold/template").glob("*.tmpl")
    found = set()
    for file in files:
        for match in IMPORT.finditer(file.read_text(encoding="utf-8")):
            found.add(match.group(1) or match.group(2))
    return found


def test_every_import_the_docs_show_is_pinned_here():
    assert documented_imports() - set(PUBLIC) == set()


def test_the_public_paths_give_their_names():
    lines = [f"from {mod} import {', '.join(names)}" for mod, names in PUBLIC.items() if names]
    lines += ["from wsbdd.steps import *", "from wsbdd.environment import *", "before_step"]
    result = subprocess.run(
        [sys.executable, "-c", "\n".join(lines)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
