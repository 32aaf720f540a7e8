"""Mutation testing of the demo server (``wsbdd/demo/``) against the bundled features.

How good are the bundled features as the demo protocol's specification?  Every small defect
mutmut knows how to make (a string, a number, an operator, a keyword, an argument, an
assignment changed) is put into the demo server one at a time, and the bundled features
without ``@load`` run against it.  A mutant the features notice is *killed*; one they do not
notice *survives*: a promise of docs/demo-protocol.md no scenario checks.

Mutants are made by mutmut's own operators (``mutmut.mutation``, libcst); they are run by
this script, not by ``mutmut run`` (docs/mutation.md says why):

1. Map, once: the features run in-process under coverage.py with one dynamic context per
   scenario (``features/chat.feature:42``), the demo server in its thread included, so every
   line of ``wsbdd/demo`` knows the scenarios that execute it.
2. Per mutant: a worker process that has already imported behave, wsbdd and the server's
   libraries forks; the child imports the mutated module in place of the original (nothing is
   written to disk), runs behave on only the scenarios that execute the mutated line, stops
   at the first failure, and exits.  Two workers at a time.  A mutant on a line no scenario
   executes survives as "not covered" without running.  A line run only while the module is
   imported (constants, signatures) selects every scenario that executes that file.
3. A per-mutant time limit guards against loops: 10 s + 3 × the unmutated time of the same
   scenarios (measured in the mapping run, under coverage, so on the slow side).  A mutant
   that hits it counts as killed and is listed apart.

Equivalent mutants (no observable change) are kept in ``bench/mutation-equivalent.toml``,
each with a one-line reason; the kill rate is over the others.

Run (from the README's environment, ``pip install -e '.[test]'``)::

    nice -n 10 python bench/mutation.py                 # everything, 2 workers
    python bench/mutation.py --files chat.py rooms.py   # some files only
    python bench/mutation.py --survivors                # only last run's survivors again
    python bench/mutation.py --list                     # the mutants, nothing run

The last run's results are kept in ``reports/mutation/results.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.abc
import importlib.util
import json
import os
import random
import re
import select
import signal
import subprocess
import sys
import threading
import time
import tomllib
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "wsbdd" / "demo"
EQUIVALENT_FILE = ROOT / "bench" / "mutation-equivalent.toml"
OUT = ROOT / "reports" / "mutation"
FEATURES = "features"
TAGS = "not @load"
#: What each mutant's behave run gets besides the scenario locations.
BEHAVE_ARGS = [
    "-f",
    os.environ.get("WSBDD_MUTATION_FORMAT", "null"),
    "--stop",
    "--no-capture",
    "--no-capture-stderr",
    "--no-logcapture",
]
#: Every run here, the mapping run included, waits at most 1 s for a message a step expects
#: and 2 s for a handshake, instead of the features' generous 10 s: a mutant that sends the
#: wrong thing fails after 1 s, not 10.  The mapping run passes under the same settings
#: (only scenarios that pass there are used), and the demo answers in milliseconds.
#: A wait a feature states itself ("within 10 seconds") is kept as written.
MUTATION_ENV = {"WSBDD_TIMEOUT": "1", "WSBDD_CONNECT_TIMEOUT": "2", "PYTHONDONTWRITEBYTECODE": "1"}
MAP_DEADLINE = 300.0  # seconds for the mapping run
LIMIT_BASE = 10.0
LIMIT_FACTOR = 3.0


@dataclass
class Mutant:
    id: int
    file: str  # relative to ROOT
    line: int
    end_line: int
    statement_line: int
    description: str
    source: str = field(repr=False)
    key: str = ""  # "file:line: description" (+ " #n" when a line has twins)
    body: tuple[int, int] | None = None  # in a def's signature: the body's lines select

    @property
    def module(self) -> str:
        rel = Path(self.file).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        return ".".join(parts)


@dataclass
class Outcome:
    key: str
    status: str  # killed | survived | timeout | not covered | equivalent
    seconds: float = 0.0
    scenarios: int = 0
    reason: str = ""


# --- 1. the mutants (mutmut's operators) ---------------------------------------------------


def _short(code: str, limit: int = 70) -> str:
    text = " ".join(code.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _describe(before: str, after: str, limit: int = 70) -> str:
    """``before → after``; for long code only the part that changed, with a little context."""
    old, new = " ".join(before.split()), " ".join(after.split())
    if len(old) <= limit and len(new) <= limit:
        return f"{old} → {new}"
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    end = 0
    while end < min(len(old), len(new)) - start and old[-1 - end] == new[-1 - end]:
        end += 1
    context = 20
    left = max(0, start - context)

    def part(text: str) -> str:
        middle = text[left : len(text) - max(0, end - context)]
        return ("…" if left else "") + middle + ("…" if end > context else "")

    return f"{_short(part(old), limit + 30)} → {_short(part(new), limit + 30)}"


def _case_only(before: Any, after: Any) -> bool:
    """A string literal only upper- or lower-cased (mutmut's 2nd and 3rd string mutations)."""
    import libcst as cst

    return (
        isinstance(before, cst.SimpleString)
        and isinstance(after, cst.SimpleString)
        and after.value.lower() == before.value.lower()
    )


def make_mutants(files: Sequence[Path], all_strings: bool = False) -> list[Mutant]:
    """Every mutation mutmut's operators make in ``files``, each as a whole mutated module.

    A string literal gets mutmut's ``"XX…XX"`` mutation; its upper- and lower-cased
    variants only with ``all_strings`` (they check the same promise: that the text is
    compared, and they would add a fifth to the run time)."""
    import libcst as cst
    from libcst.metadata import (
        MetadataWrapper,
        PositionProvider,
        WhitespaceInclusivePositionProvider,
    )
    from mutmut.mutation.file_mutation import MutationVisitor
    from mutmut.mutation.mutators import mutation_operators
    from mutmut.mutation.pragma_handling import IgnoredCode

    class Visitor(MutationVisitor):  # records where each mutation is and its statement
        def __init__(self) -> None:
            super().__init__(mutation_operators, IgnoredCode(set(), set(), set()), None)
            self.statements: list[tuple[int, tuple[int, int]]] = []
            self.places: list[tuple[int, int, int, tuple[int, int] | None]] = []

        def on_visit(self, node: cst.CSTNode) -> bool:
            if isinstance(node, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
                position = self.get_metadata(PositionProvider, node, None)
                start = position.start.line if position else 0
                body = (start, start)
                if isinstance(node, cst.FunctionDef) and position:
                    inner = self.get_metadata(PositionProvider, node.body, None)
                    body = (inner.start.line if inner else start + 1, position.end.line)
                self.statements.append((start, body))
            before = len(self.mutations)
            go_on = super().on_visit(node)
            if len(self.mutations) > before:
                position = self.get_metadata(PositionProvider, node, None)
                start, end = (position.start.line, position.end.line) if position else (0, 0)
                statement, body = self.statements[-1] if self.statements else (start, (0, 0))
                # A default value in a def's signature: the body's lines select scenarios.
                signature = body if body != (statement, statement) else None
                place = (start, end, statement, signature)
                self.places.extend([place] * (len(self.mutations) - before))
            return go_on

        def on_leave(self, original_node: cst.CSTNode) -> None:
            if isinstance(original_node, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
                self.statements.pop()
            super().on_leave(original_node)

    mutants: list[Mutant] = []
    for path in files:
        code = path.read_text(encoding="utf-8")
        wrapper = MetadataWrapper(cst.parse_module(code))
        visitor = Visitor()
        module = wrapper.visit(visitor)
        spans = wrapper.resolve(WhitespaceInclusivePositionProvider)
        starts = [0]
        for text_line in code.splitlines(keepends=True):
            starts.append(starts[-1] + len(text_line))
        rel = path.relative_to(ROOT).as_posix()
        seen: dict[str, int] = {}
        for mutation, (start, end, statement, signature) in zip(
            visitor.mutations, visitor.places, strict=True
        ):
            before_code = module.code_for_node(mutation.original_node)
            span = spans[mutation.original_node]
            begin = starts[span.start.line - 1] + span.start.column
            finish = starts[span.end.line - 1] + span.end.column
            if code[begin:finish] == before_code:  # splice the text: fast
                after_code = module.code_for_node(mutation.mutated_node)
                source = code[:begin] + after_code + code[finish:]
            else:
                source = module.deep_replace(mutation.original_node, mutation.mutated_node).code
            if source == code:
                continue
            description = _describe(
                module.code_for_node(mutation.original_node),
                module.code_for_node(mutation.mutated_node),
            )
            if not all_strings and _case_only(mutation.original_node, mutation.mutated_node):
                continue
            key = f"{rel}:{start}: {description}"
            seen[key] = seen.get(key, 0) + 1
            if seen[key] > 1:
                key += f" #{seen[key]}"
            mutants.append(
                Mutant(
                    len(mutants) + 1,
                    rel,
                    start,
                    end,
                    statement,
                    description,
                    source,
                    key,
                    signature,
                )
            )
    return mutants


# --- equivalent mutants and the scope ------------------------------------------------------


@dataclass
class Rule:
    file: str  # relative path, or "*"
    reason: str
    line: re.Pattern[str] | None = None  # over the statement's first line
    change: re.Pattern[str] | None = None  # over "before → after"
    function: re.Pattern[str] | None = None  # over "Class.method" or "function"
    kind: str = "equivalent"  # or "unreachable": code no scenario can reach by design


@dataclass
class Known:
    excluded: dict[str, str]  # file -> reason it is out of scope
    exact: dict[str, str]  # mutant key -> reason
    rules: list[Rule]
    _functions: dict[str, list[tuple[str, int, int]]] = field(default_factory=dict)

    def equivalent(self, mutant: Mutant, lines: dict[str, list[str]]) -> tuple[str, str] | None:
        """("equivalent" or "unreachable", the reason), or None for a mutant to run."""
        if mutant.key in self.exact:
            return "equivalent", self.exact[mutant.key]
        text = lines[mutant.file][mutant.statement_line - 1] if mutant.statement_line else ""
        for rule in self.rules:
            if rule.file not in ("*", mutant.file):
                continue
            if rule.line is not None and not rule.line.search(text):
                continue
            if rule.change is not None and not rule.change.search(mutant.description):
                continue
            if rule.function is not None and not any(
                rule.function.fullmatch(name) and first <= mutant.line <= last
                for name, first, last in self.functions(mutant.file)
            ):
                continue
            return rule.kind, rule.reason
        return None

    def functions(self, file: str) -> list[tuple[str, int, int]]:
        """Every function of ``file`` as ("Class.name", first line, last line)."""
        if file not in self._functions:
            import ast

            found: list[tuple[str, int, int]] = []

            def walk(node: ast.AST, prefix: str) -> None:
                for child in ast.iter_child_nodes(node):
                    if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        name = prefix + child.name
                        first = min([child.lineno, *(d.lineno for d in child.decorator_list)])
                        found.append((name, first, child.end_lineno or child.lineno))
                        walk(child, name + ".")
                    elif isinstance(child, ast.ClassDef):
                        walk(child, prefix + child.name + ".")

            walk(ast.parse((ROOT / file).read_text(encoding="utf-8")), "")
            self._functions[file] = found
        return self._functions[file]


def read_known(path: Path = EQUIVALENT_FILE) -> Known:
    if not path.exists():
        return Known({}, {}, [])
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    excluded = {entry["file"]: entry["reason"] for entry in data.get("out_of_scope", [])}
    exact = {entry["mutant"]: entry["reason"] for entry in data.get("equivalent", [])}

    def pattern(entry: dict[str, str], name: str) -> re.Pattern[str] | None:
        return re.compile(entry[name]) if entry.get(name) else None

    rules = [
        Rule(
            entry["file"],
            entry["reason"],
            pattern(entry, "line"),
            pattern(entry, "change"),
            pattern(entry, "function"),
            entry.get("kind", "equivalent"),
        )
        for entry in data.get("equivalent_rule", [])
    ]
    return Known(excluded, exact, rules)


# --- 2. the coverage map (one run, a context per scenario) ---------------------------------


def map_child(out: Path) -> int:
    """Run the features once under coverage, a dynamic context per scenario; write the map."""
    import coverage
    from behave.__main__ import main as behave_main
    from behave.model import Scenario

    cov = coverage.Coverage(data_file=None, source=[str(DEMO)], branch=False)
    durations: dict[str, float] = {}
    statuses: dict[str, str] = {}
    original = Scenario.run

    def run(self: Any, runner: Any) -> Any:
        location = f"{self.filename}:{self.line}"
        cov.switch_context(location)
        started = time.perf_counter()
        try:
            return original(self, runner)
        finally:
            durations[location] = durations.get(location, 0.0) + time.perf_counter() - started
            statuses[location] = self.status.name
            cov.switch_context("")

    Scenario.run = run  # type: ignore[method-assign]
    cov.start()
    try:
        code = behave_main(["-f", "null", "--tags", TAGS, FEATURES])
    finally:
        cov.stop()
        Scenario.run = original  # type: ignore[method-assign]
    data = cov.get_data()
    lines: dict[str, dict[str, list[str]]] = {}
    for filename in data.measured_files():
        rel = Path(filename).resolve().relative_to(ROOT).as_posix()
        lines[rel] = {
            str(number): sorted(c for c in contexts)
            for number, contexts in data.contexts_by_lineno(filename).items()
        }
    passed = [loc for loc, status in statuses.items() if status == "passed"]
    out.write_text(
        json.dumps(
            {"lines": lines, "durations": durations, "passed": passed, "code": code}, indent=0
        ),
        encoding="utf-8",
    )
    return 0


def coverage_map(cache: Path) -> dict[str, Any]:
    digest = hashlib.sha256()
    for path in sorted([*DEMO.glob("*.py"), *(ROOT / FEATURES).rglob("*")]):
        if path.is_file():
            digest.update(path.read_bytes())
    for path in sorted((ROOT / "wsbdd").rglob("*.py")):
        digest.update(path.read_bytes())
    digest.update(repr(sorted(MUTATION_ENV.items())).encode())
    key = digest.hexdigest()
    if cache.exists():
        data = json.loads(cache.read_text(encoding="utf-8"))
        if data.get("key") == key:
            return data
    result = subprocess.run(
        [sys.executable, __file__, "--map-child", str(cache)],
        cwd=ROOT,
        env={**os.environ, **MUTATION_ENV},
        timeout=MAP_DEADLINE,
        stdout=subprocess.DEVNULL,
    )
    if result.returncode != 0:
        sys.exit(f"mutation: the mapping run failed (exit {result.returncode})")
    data = json.loads(cache.read_text(encoding="utf-8"))
    data["key"] = key
    cache.write_text(json.dumps(data), encoding="utf-8")
    return data


def scenarios_for(mutant: Mutant, data: dict[str, Any]) -> list[str]:
    """The scenarios that execute the mutated code: none means not covered."""
    by_line: dict[str, list[str]] = data["lines"].get(mutant.file, {})
    passed = set(data["passed"])
    if mutant.body is not None:
        wanted = {str(n) for n in range(mutant.body[0], mutant.body[1] + 1)}
    else:  # coverage may record a statement on its first line only
        wanted = {str(n) for n in range(mutant.line, mutant.end_line + 1)}
        wanted.add(str(mutant.statement_line))
    found: set[str] = set()
    import_time = False
    for number in wanted:
        for context in by_line.get(number, []):
            if context:
                found.add(context)
            else:
                import_time = True
    if not found and import_time:
        # Run only while the module is imported (a constant, a signature, the quizzes' data):
        # any scenario may depend on it, so all of them run, the quickest first.
        durations = data["durations"]
        return sorted(passed, key=lambda s: (durations.get(s, 1.0), _location_order(s)))
    return sorted(found & passed, key=_location_order)


def file_scenarios(file: str, data: dict[str, Any]) -> list[str]:
    """The scenarios that run any line of ``file``."""
    found: set[str] = set()
    for contexts in data["lines"].get(file, {}).values():
        found.update(c for c in contexts if c)
    return sorted(found & set(data["passed"]), key=_location_order)


def _location_order(location: str) -> tuple[str, int]:
    file, _, line = location.rpartition(":")
    return file, int(line)


# --- 3. the workers: fork per mutant, mutated module imported in the child -----------------


class MutantImporter(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def __init__(self, name: str, path: Path, source: str) -> None:
        self.name, self.path, self.source = name, path, source

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname != self.name:
            return None
        package = [str(self.path.parent)] if self.path.name == "__init__.py" else None
        return importlib.util.spec_from_file_location(
            fullname, self.path, loader=self, submodule_search_locations=package
        )

    def create_module(self, spec: Any) -> None:
        return None

    def exec_module(self, module: Any) -> None:
        exec(compile(self.source, str(self.path), "exec"), module.__dict__)


def worker() -> int:
    """Read jobs (JSON lines) on stdin, answer one JSON line per job on stdout."""
    sys.dont_write_bytecode = True
    import aiohttp  # noqa: F401  (imported once here, inherited by every forked child)
    import behave.__main__  # noqa: F401
    import socketio  # noqa: F401
    import websockets  # noqa: F401

    import wsbdd.glue.environment  # noqa: F401

    assert not any(name.startswith("wsbdd.demo") for name in sys.modules), "demo imported"
    assert threading.active_count() == 1, "a thread before fork"
    answers = os.fdopen(os.dup(1), "w", buffering=1)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    for line in sys.stdin:
        job = json.loads(line)
        started = time.perf_counter()
        status = run_mutant(job, job["scenarios"], job["limit"], null)
        if status == "survived" and job["wider"]:  # the others that run the same file
            status = run_mutant(job, job["wider"], job["wider_limit"], null)
        answers.write(
            json.dumps(
                {"id": job["id"], "status": status, "seconds": time.perf_counter() - started}
            )
            + "\n"
        )
    return 0


def run_mutant(job: dict[str, Any], scenarios: list[str], limit: float, null: int) -> str:
    """Fork; the child imports the mutant and runs behave on ``scenarios``."""
    pid = os.fork()
    if pid == 0:  # the child: the mutant, then behave
        code = 3
        try:
            os.setpgid(0, 0)
            log = os.environ.get("WSBDD_MUTATION_LOG")  # for looking into one mutant
            out = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND) if log else null
            os.dup2(out, 1)
            os.dup2(out, 2)
            sys.meta_path.insert(
                0, MutantImporter(job["module"], ROOT / job["file"], job["source"])
            )
            from behave.__main__ import main as behave_main

            code = 0 if behave_main([*BEHAVE_ARGS, *scenarios]) == 0 else 1
        finally:
            os._exit(code)
    return wait_for(pid, limit)


def wait_for(pid: int, limit: float) -> str:
    fd = os.pidfd_open(pid)
    try:
        ready, _, _ = select.select([fd], [], [], limit)
        if not ready:
            with _ignore_missing():
                os.killpg(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return "timeout"
        _, status = os.waitpid(pid, 0)
    finally:
        os.close(fd)
    return "survived" if os.waitstatus_to_exitcode(status) == 0 else "killed"


class _ignore_missing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: Any, value: Any, tb: Any) -> bool:
        return kind is ProcessLookupError


def run_jobs(jobs: list[dict[str, Any]], workers: int) -> Iterator[dict[str, Any]]:
    """Hand the jobs to ``workers`` worker processes, each job to the next free one."""
    env = {**os.environ, **MUTATION_ENV}
    procs = [
        subprocess.Popen(
            [sys.executable, __file__, "--worker"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(max(1, min(workers, len(jobs))))
    ]
    pending = list(reversed(jobs))
    busy: dict[int, Any] = {}
    try:
        for proc in procs:
            if pending:
                job = pending.pop()
                assert proc.stdin is not None
                proc.stdin.write(json.dumps(job) + "\n")
                proc.stdin.flush()
                busy[proc.stdout.fileno()] = proc  # type: ignore[union-attr]
        while busy:
            ready, _, _ = select.select(list(busy), [], [], 3600)
            if not ready:
                raise SystemExit("mutation: no worker answered within an hour")
            for fd in ready:
                proc = busy.pop(fd)
                line = proc.stdout.readline()
                if not line:
                    raise SystemExit(f"mutation: a worker died (exit {proc.wait()})")
                yield json.loads(line)
                if pending:
                    proc.stdin.write(json.dumps(pending.pop()) + "\n")
                    proc.stdin.flush()
                    busy[fd] = proc
    finally:
        for proc in procs:
            if proc.stdin:
                proc.stdin.close()
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


# --- the command ---------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=2, help="mutants at a time (default 2)")
    parser.add_argument("--files", nargs="*", default=[], help="only these files of wsbdd/demo")
    parser.add_argument(
        "--survivors", action="store_true", help="only the last run's survivors, merged into it"
    )
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    parser.add_argument(
        "--all-strings", action="store_true", help="also upper- and lower-cased strings"
    )
    parser.add_argument("--sample", type=int, help="run only this many mutants, drawn at random")
    parser.add_argument(
        "--skip",
        type=int,
        default=0,
        help="with --sample: draw past the first SKIP (a sample disjoint from a smaller one)",
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--map-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return worker()
    if args.map_child:
        return map_child(args.map_child)

    started = time.perf_counter()
    known = read_known()
    files = sorted(
        p
        for p in DEMO.glob("*.py")
        if p.relative_to(ROOT).as_posix() not in known.excluded
        and (not args.files or p.name in args.files)
    )
    mutants = make_mutants(files, args.all_strings)
    lines = {
        p.relative_to(ROOT).as_posix(): p.read_text(encoding="utf-8").splitlines() for p in files
    }
    if args.list:
        for mutant in mutants:
            print(mutant.key)
        print(f"{len(mutants)} mutants")
        return 0
    OUT.mkdir(parents=True, exist_ok=True)
    # --survivors with --skip: the disjoint sample's file (partial.json) instead of results.json
    previous = OUT / ("partial.json" if args.survivors and args.skip else "results.json")
    if args.survivors:
        last = json.loads(previous.read_text(encoding="utf-8"))
        again = {o["key"] for o in last["outcomes"] if o["status"] in ("survived", "not covered")}
        # A mutant the features killed cannot be equivalent: a rule that claims one is wrong.
        by_key = {m.key: m for m in mutants}
        for o in last["outcomes"]:
            mutant = by_key.get(o["key"])
            if o["status"] in ("killed", "timeout") and mutant is not None:
                if known.equivalent(mutant, lines) is not None:
                    print(f"warning: killed, yet listed as equivalent: {o['key']}", file=sys.stderr)
        mutants = [m for m in mutants if m.key in again]
    if args.sample is not None:  # a fair sample: the kill rate is an estimate
        drawn = random.Random(17).sample(mutants, min(args.skip + args.sample, len(mutants)))
        mutants = drawn[args.skip :]
    data = coverage_map(OUT / "coverage-map.json")
    mapped = time.perf_counter() - started

    outcomes: dict[str, Outcome] = {}
    jobs: list[dict[str, Any]] = []
    for mutant in mutants:
        known_as = known.equivalent(mutant, lines)
        if known_as is not None:
            outcomes[mutant.key] = Outcome(mutant.key, known_as[0], reason=known_as[1])
            continue
        scenarios = scenarios_for(mutant, data)
        if not scenarios:
            outcomes[mutant.key] = Outcome(mutant.key, "not covered")
            continue
        baseline = sum(data["durations"].get(s, 1.0) for s in scenarios)
        # State set up once (a handler registered, a server started) is made by the first
        # scenario that needs it and used by the others: a mutant that survives its own
        # scenarios meets every other scenario that runs this file before it survives.
        wider = [s for s in file_scenarios(mutant.file, data) if s not in set(scenarios)]
        wider_baseline = sum(data["durations"].get(s, 1.0) for s in wider)
        outcomes[mutant.key] = Outcome(mutant.key, "pending", scenarios=len(scenarios))
        jobs.append(
            {
                "id": mutant.key,
                "module": mutant.module,
                "file": mutant.file,
                "source": mutant.source,
                "scenarios": scenarios,
                "limit": LIMIT_BASE + LIMIT_FACTOR * baseline,
                "baseline": baseline,
                "wider": wider,
                "wider_limit": LIMIT_BASE + LIMIT_FACTOR * wider_baseline,
            }
        )
    # A fixed shuffle: the mutants of one file are spread over the run, so the progress file
    # (reports/mutation/progress.json, every 50 mutants) is a fair sample at any moment.
    random.Random(17).shuffle(jobs)

    baselines = {job["id"]: job["baseline"] for job in jobs}
    base: dict[str, Any] = {"jobs": args.jobs, "mapping_seconds": round(mapped, 1)}
    base["files"] = [p.relative_to(ROOT).as_posix() for p in files]
    base["out_of_scope"] = known.excluded
    done = 0
    for answer in run_jobs(jobs, args.jobs) if jobs else ():
        outcome = outcomes[answer["id"]]
        outcome.status, outcome.seconds = answer["status"], answer["seconds"]
        if outcome.status == "timeout":
            outcome.reason = (
                f"time limit; the same scenarios take {baselines[answer['id']]:.1f} s unmutated"
            )
        done += 1
        if done % 50 == 0:
            print(f"  {done}/{len(jobs)} mutants run", file=sys.stderr, flush=True)
            progress = summarize(outcomes.values(), time.perf_counter() - started, base)
            write_json(OUT / "progress.json", progress)
    elapsed = time.perf_counter() - started
    if args.survivors:  # the earlier full run's verdicts, these mutants' new ones
        merged = {o["key"]: Outcome(**o) for o in last["outcomes"]}
        merged.update(outcomes)
        base["rerun_seconds"] = round(elapsed, 1)
        base["rerun_of"] = len(outcomes)
        result = summarize(merged.values(), last["seconds"], {**last, **base})
        write_json(previous, result)
    else:
        result = summarize(outcomes.values(), elapsed, base)
        if args.sample is not None:
            result["sample"] = args.sample
        if args.skip:
            result["skip"] = args.skip
        write_json(OUT / "partial.json" if args.files or args.skip else previous, result)
    if args.json:
        print(json.dumps(result, indent=1, ensure_ascii=False))
        return 0
    print_summary(result, known)
    return 0


def write_json(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")


def summarize(outcomes: Any, seconds: float, base: dict[str, Any]) -> dict[str, Any]:
    outcomes = list(outcomes)
    counts = {
        s: 0 for s in ("killed", "timeout", "survived", "not covered", "equivalent", "unreachable")
    }
    for outcome in outcomes:
        if outcome.status in counts:
            counts[outcome.status] += 1
    judged = sum(counts.values()) - counts["equivalent"] - counts["unreachable"]
    dead = counts["killed"] + counts["timeout"]
    rate = 100.0 * dead / judged if judged else 100.0
    return {
        **base,
        "mutants": len(outcomes),
        "counts": counts,
        "kill_rate": round(rate, 2),
        "seconds": round(seconds, 1),
        "outcomes": [asdict(o) for o in outcomes],
    }


def print_summary(result: dict[str, Any], known: Known) -> None:
    outcomes = result["outcomes"]

    def section(title: str, status: str, with_reason: bool = False) -> None:
        chosen = [o for o in outcomes if o["status"] == status]
        print(f"\n{title} ({len(chosen)}):")
        for o in chosen:
            print(f"  {o['key']}" + (f"  — {o['reason']}" if with_reason and o["reason"] else ""))

    for file, reason in result["out_of_scope"].items():
        print(f"out of scope: {file} — {reason}")
    section("survived", "survived")
    section("survived, not covered by any scenario", "not covered")
    section("timed out (counted as killed)", "timeout", with_reason=True)
    section("equivalent", "equivalent", with_reason=True)
    section("unreachable from the features by design", "unreachable", with_reason=True)
    c = result["counts"]
    print(
        f"\nmutants: {result['mutants']}  killed: {c['killed']}  timed out: {c['timeout']}  "
        f"survived: {c['survived']}  not covered: {c['not covered']}  "
        f"equivalent: {c['equivalent']}  unreachable: {c['unreachable']}"
    )
    print(
        f"kill rate over the others: {result['kill_rate']:.1f}%  "
        f"run time: {result['seconds']:.0f} s ({result['jobs']} at a time; "
        f"mapping {result['mapping_seconds']:.0f} s)"
    )
    if "sample" in result:
        print(
            f"(a random sample of {result['sample']} mutants, seed 17: "
            "the kill rate is an estimate for all of them)"
        )
    if "rerun_seconds" in result:
        print(
            f"(the {result['rerun_of']} survivors of that run run again: "
            f"{result['rerun_seconds']:.0f} s)"
        )


if __name__ == "__main__":
    sys.exit(main())
