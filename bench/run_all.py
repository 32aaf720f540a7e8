"""Run every benchmark and write the results page, ``docs/performance.md``.

Run ``python bench/run_all.py [--quick] [--only steps,groups] [--timeout S]``.

Each benchmark (``bench/bench_<name>.py``: steps, scenarios, groups, memory, load, match,
report, http, receive, runtime, socketio, graphql, parallel) runs in turn, alone, as a
subprocess with ``--json`` (and ``--quick`` when given), under a deadline (``--timeout``,
900 s each; 300 s with ``--quick``); a benchmark past it is stopped, its whole process
group with it.  Each prints one JSON document::

    {"benchmark": "steps",
     "rows": [{"measure": str, "value": float, "unit": str,
               "goal": str | null, "met": bool | null}],
     "notes": [str]}

The page gets the machine (CPU, cores, memory, Python, library versions, date,
git commit), a table of every measure that has a goal, and per benchmark its
table, its notes and the command that reproduces it.  A benchmark that is not in
the checkout, or does not take ``--json`` yet, is recorded as "not run" with the
reason; one that exits non-zero or overruns its deadline is recorded as failed
(with what it printed on stderr) and makes this command exit 1.

The data behind the page is kept beside it (``docs/performance.json``).  With
``--only``, the named benchmarks run again and the others keep their earlier
results, each marked with when and at which commit it ran.

This measures nothing itself and asserts nothing: a benchmark's numbers are what
it printed, from one run, on whatever else the machine was doing.
"""

from __future__ import annotations

import argparse
import ast
import datetime
import json
import os
import platform
import re
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = (
    "steps",
    "scenarios",
    "groups",
    "memory",
    "load",
    "match",
    "report",
    "http",
    "receive",
    "runtime",
    "socketio",
    "graphql",
    "parallel",
)
TIMEOUT = 900.0
QUICK_TIMEOUT = 300.0

NOISE = """\
- The machine is a shared VM with 2 cores, and other work ran beside these
  benchmarks. The same run repeated can differ by up to 2× in throughput and far
  more in tail latency, so read **ratios taken within one run** (each benchmark
  measures wsbdd and its baseline in the same run, interleaved or in rotated
  order), not absolute times, and never a ratio from this page against one from
  another run or machine.
- Each benchmark ran once. A goal met or missed here is met or missed on that
  one run: before acting on a number, run the benchmark's command again (twice),
  on a quiet machine if you can.
"""


@dataclass
class Outcome:
    """What one benchmark said, or why it said nothing."""

    name: str
    script: str
    """The benchmark's path, relative to the repository when it is inside it."""
    title: str = ""
    status: str = "ok"
    """``ok``, ``failed`` or ``not run``."""
    reason: str = ""
    stderr: str = ""
    """The last lines it printed on stderr, when it failed."""
    rows: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    quick: bool = False
    ran_at: str = ""
    commit: str = ""


def _shown(path: Path) -> str:
    try:
        return path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


def _title(script: Path) -> str:
    """The first line of the benchmark's docstring (read, not imported)."""
    try:
        doc = ast.get_docstring(ast.parse(script.read_text(encoding="utf-8")))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return ""
    return doc.strip().splitlines()[0].rstrip(".") if doc else ""


def _document(stdout: str) -> dict[str, Any] | None:
    """The JSON document a benchmark printed: all of stdout, else its last top-level object."""
    decoder = json.JSONDecoder()
    starts = [0] + [
        i + 1 for i, c in enumerate(stdout) if c == "\n" and stdout[i + 1 : i + 2] == "{"
    ]
    for start in reversed(starts):
        try:
            found, _ = decoder.raw_decode(stdout[start:].lstrip())
        except ValueError:
            continue
        if isinstance(found, dict):
            return found
    return None


def _shape_problem(document: dict[str, Any]) -> str | None:
    """Why the document is not of the agreed shape (None: it is)."""
    rows, notes = document.get("rows"), document.get("notes", [])
    if not isinstance(rows, list):
        return 'it has no "rows" list'
    if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
        return '"notes" is not a list of strings'
    for number, row in enumerate(rows, 1):
        if not isinstance(row, dict):
            return f"row {number} is not an object"
        if not isinstance(row.get("measure"), str) or not isinstance(row.get("unit"), str):
            return f'row {number} has no "measure" or "unit" string'
        value = row.get("value")
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f'row {number} ({row["measure"]}) has no number as its "value"'
        if row.get("goal") is not None and not isinstance(row["goal"], str):
            return f'row {number} ({row["measure"]}): "goal" is neither a string nor null'
        if row.get("met") is not None and not isinstance(row["met"], bool):
            return f'row {number} ({row["measure"]}): "met" is neither true, false nor null'
    return None


def _tail(text: str, lines: int = 6) -> str:
    kept = [line.rstrip() for line in text.strip().splitlines() if line.strip()]
    return "\n".join(kept[-lines:])


def run_benchmark(name: str, folder: Path, *, quick: bool, timeout: float) -> Outcome:
    """Run ``folder/bench_<name>.py --json`` with a deadline and read what it printed."""
    script = folder / f"bench_{name}.py"
    outcome = Outcome(name, _shown(script), quick=quick, ran_at=_now(), commit=_commit()[0])
    if not script.is_file():
        outcome.status, outcome.reason = "not run", f"{outcome.script} is not in this checkout"
        return outcome
    outcome.title = _title(script)
    command = [sys.executable, str(script), "--json", *(["--quick"] if quick else [])]
    started = time.perf_counter()
    # Its own session, so that a benchmark past its deadline is stopped together
    # with the servers and browsers it started.
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        stdout, stderr = process.communicate()
        outcome.seconds = time.perf_counter() - started
        outcome.status = "failed"
        outcome.reason = f"stopped after its deadline of {timeout:g} s"
        outcome.stderr = _tail(stderr)
        return outcome
    outcome.seconds = time.perf_counter() - started
    code = process.returncode
    refused = re.search(r"unrecognized arguments: (.+)", stderr) if code == 2 else None
    if refused:
        flags = " or ".join(refused.group(1).split())
        outcome.status, outcome.reason = "not run", f"it does not take {flags} yet"
        return outcome
    document = _document(stdout)
    if document is None:
        outcome.status = "failed" if code else "not run"
        outcome.reason = (
            f"it exited with status {code} and printed no JSON document"
            if code
            else "it printed no JSON document (does it take --json yet?)"
        )
    elif (problem := _shape_problem(document)) is not None:
        outcome.status, outcome.reason = (
            "failed",
            f"its JSON document is not the agreed shape: {problem}",
        )
    else:
        outcome.rows = [
            {k: row.get(k) for k in ("measure", "value", "unit", "goal", "met")}
            for row in document["rows"]
        ]
        outcome.notes = list(document.get("notes", []))
        if code:
            outcome.status, outcome.reason = "failed", f"it exited with status {code}"
    if outcome.status == "failed":
        outcome.stderr = _tail(stderr)
    return outcome


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _git(*args: str) -> str:
    try:
        done = subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=30, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip()


def _commit() -> tuple[str, bool]:
    """The checked-out commit (short) and whether tracked files differ from it."""
    return _git("rev-parse", "--short", "HEAD"), bool(_git("status", "--porcelain", "-uno"))


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _chromium() -> str:
    """The browser the report benchmark opens its page in, as it names itself."""
    try:
        # The browser drivers live with the tests (they are not part of the installed package).
        sys.path.insert(0, str(ROOT / "tests"))
        from browsers.chromium import find_chromium

        binary = find_chromium()
        if binary is None:
            return "not installed"
        done = subprocess.run(
            [binary, "--version"], capture_output=True, text=True, timeout=30, check=True
        )
    except (ImportError, OSError, subprocess.SubprocessError):
        return "unknown"
    return done.stdout.strip() or "unknown"


def machine() -> dict[str, str]:
    """What the numbers were measured on, as label → text."""
    cpu = platform.processor() or platform.machine()
    memory = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    cores = os.cpu_count() or 0
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cores
    commit, dirty = _commit()
    try:
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        load = "unknown"
    return {
        "CPU": cpu,
        "cores": f"{cores}" + (f" ({usable} usable)" if usable != cores else ""),
        "memory": memory or "unknown",
        "system": platform.platform(),
        "Python": f"{platform.python_implementation()} {platform.python_version()}",
        "websockets": _version("websockets"),
        "behave": _version("behave"),
        "uvloop": _version("uvloop"),
        "Chromium": _chromium(),
        "date": _now(),
        "git commit": (commit or "unknown") + (" with uncommitted changes" if dirty else ""),
        "load average at start (1, 5, 15 min)": load,
    }


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def format_value(value: float, unit: str) -> str:
    """A number as a person reads it: a few significant digits, the unit beside it."""
    if unit == "count" and float(value).is_integer():
        return f"{int(value):,}"
    size = abs(value)
    if unit == "×":
        return f"{value:.2f}×"
    if size >= 100:
        text = f"{value:,.0f}"
    elif size >= 10:
        text = f"{value:.1f}"
    elif size >= 1 or size == 0:
        text = f"{value:.2f}"
    else:
        text = f"{value:.3g}"
    return f"{text}{unit}" if unit in ("×", "%") else f"{text} {unit}".rstrip()


def _met(met: bool | None) -> str:
    return {True: "yes", False: "**no**", None: ""}[met]


def _command(outcome: Outcome) -> str:
    return f"python {outcome.script}" + (" --quick" if outcome.quick else "")


def render_page(
    outcomes: list[Outcome],
    computer: dict[str, str],
    *,
    quick: bool,
    regenerate: str,
    fresh: set[str] | None = None,
) -> str:
    """The Markdown of ``docs/performance.md``; ``fresh``: the benchmarks this run ran (all)."""
    lines = [
        "# Performance",
        "",
        "<!-- Written by `python bench/run_all.py` from docs/performance.json: "
        "change the benchmarks or the generator, not this page. -->",
        "",
    ]
    if quick or any(o.quick for o in outcomes if o.status == "ok"):
        lines += [
            "> **Quick run: smoke sizes on a busy machine.** These numbers show that each "
            "benchmark runs and what it reports, not how fast wsbdd is: sizes are cut down "
            "(`--quick`) and other work shared the machine. Regenerate the page with "
            "`python bench/run_all.py` on a quiet machine for numbers to quote.",
            "",
        ]
    lines += [
        f"Regenerate this page with `{regenerate}`. Each benchmark runs alone, in turn, "
        "with `--json`; its table below is what it printed. `--only steps,groups` re-runs "
        "some and keeps the others; `--quick` uses smoke sizes.",
        "",
        "## How to read these numbers",
        "",
        NOISE,
        "## Machine",
        "",
        "| | |",
        "|---|---|",
    ]
    lines += [f"| {label} | {_cell(text)} |" for label, text in computer.items()]
    goals = [(o, r) for o in outcomes for r in o.rows if r.get("goal") is not None]
    lines += ["", "## Goals", ""]
    if goals:
        lines += ["| benchmark | measure | value | goal | met |", "|---|---|---|---|---|"]
        for o, r in goals:
            lines.append(
                f"| {o.name} | {_cell(r['measure'])} | {format_value(r['value'], r['unit'])} "
                f"| {_cell(r['goal'])} | {_met(r['met'])} |"
            )
    else:
        lines.append("No benchmark that ran reported a measure with a goal.")
    missed = [f"{o.name}: {o.status}" for o in outcomes if o.status != "ok"]
    if missed:
        lines += ["", "Not in this table: " + "; ".join(missed) + " (see below)."]
    for o in outcomes:
        lines += ["", f"## {o.name}" + (f": {o.title}" if o.title else ""), ""]
        earlier = fresh is not None and o.name not in fresh
        when = f"ran {o.ran_at} at commit {o.commit or 'unknown'}"
        lines.append(
            (
                f"Command: `{_command(o)}`."
                if o.status == "not run"
                else f"Reproduce: `{_command(o)}` (add `--json` for this table as JSON)."
                f" Took {o.seconds:.0f} s." + (" Quick sizes." if o.quick else "")
            )
            + (f" From an earlier run: {when}." if earlier else "")
        )
        if o.status != "ok":
            lines.append("")
            lines.append(f"**{o.status}**: {o.reason}")
            if o.stderr:
                lines += ["", "Its last lines on stderr:", "", "```text", o.stderr, "```"]
            if o.rows:
                lines += ["", "What it reported before it stopped:"]
        if o.rows:
            lines += ["", "| measure | value | goal | met |", "|---|---|---|---|"]
            for r in o.rows:
                goal = _cell(r["goal"]) if r.get("goal") is not None else ""
                lines.append(
                    f"| {_cell(r['measure'])} | {format_value(r['value'], r['unit'])} "
                    f"| {goal} | {_met(r.get('met'))} |"
                )
        if o.notes:
            lines += [""] + [f"- {_cell(note)}" for note in o.notes]
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="pass --quick to every benchmark")
    parser.add_argument(
        "--only", help=f"comma-separated names, of: {', '.join(BENCHMARKS)} (default: all)"
    )
    parser.add_argument("--timeout", type=float, help="seconds per benchmark (900; --quick: 300)")
    parser.add_argument(
        "--output", type=Path, default=ROOT / "docs" / "performance.md", help="the page to write"
    )
    parser.add_argument(
        "--bench-dir", type=Path, default=Path(__file__).resolve().parent, help=argparse.SUPPRESS
    )
    options = parser.parse_args(argv)
    names = list(BENCHMARKS)
    if options.only:
        names = [n.strip().removeprefix("bench_") for n in options.only.split(",") if n.strip()]
        unknown = [n for n in names if n not in BENCHMARKS]
        if unknown:
            parser.error(
                f"no benchmark named {', '.join(unknown)}; they are {', '.join(BENCHMARKS)}"
            )
    timeout = options.timeout or (QUICK_TIMEOUT if options.quick else TIMEOUT)
    data_path = options.output.with_suffix(".json")
    kept: dict[str, Outcome] = {}
    if options.only and data_path.is_file():
        try:
            stored = json.loads(data_path.read_text(encoding="utf-8"))
            kept = {o["name"]: Outcome(**o) for o in stored.get("benchmarks", [])}
        except (ValueError, TypeError, KeyError) as exc:
            print(f"run_all: ignoring {data_path} ({exc})", file=sys.stderr)

    computer = machine()
    for name in names:
        print(f"run_all: {name} …", file=sys.stderr, flush=True)
        outcome = run_benchmark(name, options.bench_dir, quick=options.quick, timeout=timeout)
        kept[name] = outcome
        said = outcome.status + (f" ({outcome.reason})" if outcome.reason else "")
        print(f"run_all: {name}: {said}, {outcome.seconds:.0f} s", file=sys.stderr, flush=True)
    outcomes = [kept[name] for name in BENCHMARKS if name in kept]

    script = _shown(Path(__file__))
    regenerate = f"python {script}" + (" --quick" if options.quick else "")
    page = render_page(
        outcomes, computer, quick=options.quick, regenerate=regenerate, fresh=set(names)
    )
    options.output.parent.mkdir(parents=True, exist_ok=True)
    options.output.write_text(page, encoding="utf-8")
    data = {"machine": computer, "benchmarks": [asdict(o) for o in outcomes]}
    data_path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"run_all: wrote {_shown(options.output)} and {_shown(data_path)}", file=sys.stderr)
    return 1 if any(kept[name].status == "failed" for name in names) else 0


if __name__ == "__main__":
    sys.exit(main())
