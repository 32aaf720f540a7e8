"""``bench/run_all.py`` builds the results page from what each benchmark prints.

No real benchmark runs here: a temporary folder holds tiny stand-ins that print
the agreed JSON document, fail, predate ``--json``, or never finish.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType

RUN_ALL = Path(__file__).resolve().parent.parent / "bench" / "run_all.py"

GOOD = '''
"""Exchanges through behave's runner, a stand-in."""
import json, sys
print("warming up")  # a line before the document is tolerated
print(json.dumps({"benchmark": "steps", "rows": [
    {"measure": "200 exchanges, wsbdd / plain", "value": 1.234, "unit": "×",
     "goal": "≤ 1.6×", "met": True},
    {"measure": "added per step | p50", "value": 31.0, "unit": "µs",
     "goal": "≤ 20 µs", "met": False},
    {"measure": "exchanges", "value": 200, "unit": "count", "goal": None, "met": None},
], "notes": ["argv: " + " ".join(sys.argv[1:])]}))
'''
FAILING = '''
"""Crowds, a stand-in that breaks."""
import sys
print("Traceback (most recent call last):", file=sys.stderr)
print("RuntimeError: the broadcast server did not start", file=sys.stderr)
sys.exit(1)
'''
OLD_STYLE = '''
"""Load, a stand-in from before --json."""
import argparse
argparse.ArgumentParser().parse_args()
print("throughput 1.00")
'''
STUCK = '''
"""Matching, a stand-in that never ends (nor does the process it starts)."""
import subprocess, sys, threading
subprocess.Popen([sys.executable, "-c", "import threading; threading.Event().wait()"])
threading.Event().wait()
'''


def _run_all() -> ModuleType:
    spec = importlib.util.spec_from_file_location("run_all_under_test", RUN_ALL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks its module up by name
    spec.loader.exec_module(module)
    return module


def _benches(folder: Path, **scripts: str) -> Path:
    folder.mkdir()
    for name, text in scripts.items():
        (folder / f"bench_{name}.py").write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


def test_the_page_has_the_machine_the_tables_the_commands_and_what_did_not_run(tmp_path: Path):
    folder = _benches(tmp_path / "bench", steps=GOOD, groups=FAILING, load=OLD_STYLE)
    page_path = tmp_path / "docs" / "performance.md"
    argv = ["--bench-dir", str(folder), "--output", str(page_path), "--quick"]
    code = _run_all().main([*argv, "--only", "steps,groups,load,memory"])
    assert code == 1  # groups failed
    page = page_path.read_text(encoding="utf-8")

    assert page.startswith("# Performance\n")
    assert "**Quick run: smoke sizes on a busy machine.**" in page
    assert "2 cores" in page and "ratios taken within one run" in page
    for label in ("| CPU |", "| cores |", "| memory |", "| Python | CPython", "| websockets |"):
        assert label in page
    assert "| behave |" in page and "| date |" in page and "| git commit |" in page

    # The measures with a goal, gathered; then each benchmark's own table and command.
    assert "| steps | 200 exchanges, wsbdd / plain | 1.23× | ≤ 1.6× | yes |" in page
    assert "| steps | added per step \\| p50 | 31.0 µs | ≤ 20 µs | **no** |" in page
    assert "## steps: Exchanges through behave's runner, a stand-in" in page
    assert f"Reproduce: `python {folder / 'bench_steps.py'} --quick`" in page
    assert "| exchanges | 200 |  |  |" in page
    assert "- argv: --json --quick" in page

    assert "## groups: Crowds, a stand-in that breaks" in page
    assert "**failed**: it exited with status 1 and printed no JSON document" in page
    assert "RuntimeError: the broadcast server did not start" in page
    assert "**not run**: it does not take --json or --quick yet" in page
    assert "**not run**:" in page.split("## memory")[1]
    assert "bench_memory.py is not in this checkout" in page
    assert "Not in this table: groups: failed; memory: not run; load: not run" in page
    # The page's order is the benchmarks' order, whatever --only said.
    assert page.index("## steps") < page.index("## groups") < page.index("## memory")
    assert page.index("## memory") < page.index("## load")

    data = json.loads(page_path.with_suffix(".json").read_text(encoding="utf-8"))
    assert [b["name"] for b in data["benchmarks"]] == ["steps", "groups", "memory", "load"]
    assert data["benchmarks"][0]["rows"][0]["value"] == 1.234


def test_only_reruns_some_and_keeps_the_others(tmp_path: Path):
    folder = _benches(tmp_path / "bench", steps=GOOD, groups=FAILING)
    page_path = tmp_path / "performance.md"
    run_all = _run_all()
    argv = ["--bench-dir", str(folder), "--output", str(page_path)]
    assert run_all.main([*argv, "--only", "steps"]) == 0
    assert "## groups" not in page_path.read_text(encoding="utf-8")
    assert run_all.main([*argv, "--only", "groups"]) == 1
    page = page_path.read_text(encoding="utf-8")
    steps = page.split("## steps")[1].split("## groups")[0]
    assert "From an earlier run: ran " in steps
    assert "| 200 exchanges, wsbdd / plain | 1.23× | ≤ 1.6× | yes |" in steps
    assert "**failed**" in page.split("## groups")[1]
    assert "Quick run" not in page


def test_a_benchmark_past_its_deadline_is_stopped_with_what_it_started(tmp_path: Path):
    folder = _benches(tmp_path / "bench", match=STUCK)
    page_path = tmp_path / "performance.md"
    # In a subprocess with its own deadline: if the stuck bench's child outlived the
    # stop, run_all would wait on its output forever and this run would time out.
    done = subprocess.run(
        [sys.executable, str(RUN_ALL), "--bench-dir", str(folder), "--output", str(page_path)]
        + ["--only", "match", "--timeout", "1"],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 1, done.stderr
    page = page_path.read_text(encoding="utf-8")
    assert "**failed**: stopped after its deadline of 1 s" in page


def test_values_read_as_a_person_writes_them():
    show = _run_all().format_value
    assert show(1.23456, "×") == "1.23×"
    assert show(10000.0, "count") == "10,000"
    assert show(1234.5, "ms") == "1,234 ms" or show(1234.5, "ms") == "1,235 ms"
    assert show(31.04, "µs") == "31.0 µs"
    assert show(0.0123, "s") == "0.0123 s"
    assert show(4.5, "%") == "4.50%"
