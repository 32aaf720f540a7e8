"""The examples in the docs run as written.

- Every wsbdd module whose docstrings hold ``>>>`` examples is put through
  :mod:`doctest` (found by reading the source, so modules without examples, such
  as the behave glue that registers steps, are never imported here).
- Every ```` ```python ```` block in README.md and docs/*.md runs, each in a fresh
  namespace in an empty folder with no ``WSBDD_*`` variable, so ``Run.start()``
  starts the bundled demo server as the page says. A block that starts with
  ``>>>`` is a doctest. A block whose line before the fence is
  ``<!-- example: not run (why) -->`` is skipped for that reason, and one marked
  ``<!-- example: run by tests/FILE.py -->`` is run by that test instead (it needs
  behave or an app of its own); both markers are checked here. A block marked
  ``<!-- example: continues the block above -->`` runs after the page's previous
  block, in its namespace, as a reader reads them.
"""

from __future__ import annotations

import contextlib
import doctest
import importlib
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from starlette_app import StarletteServer, build_chat_app

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
MARKER = re.compile(
    r"<!-- example: (not run \((?P<why>.+)\)|run by (?P<test>tests/\S+\.py)"
    r"|(?P<continues>continues the block above)) -->"
)


@dataclass(frozen=True)
class Block:
    page: Path
    line: int
    code: str
    skipped: str | None = None
    run_by: str | None = None
    after: Block | None = None
    """The block this one continues (run first, in the same namespace)."""

    @property
    def name(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def python_blocks(page: Path) -> list[Block]:
    """The page's ```python blocks, with the marker on the line before each, if any."""
    lines = page.read_text(encoding="utf-8").splitlines()
    blocks = []
    for i, line in enumerate(lines):
        if line.strip() != "```python":
            continue
        end = next(j for j in range(i + 1, len(lines)) if lines[j].strip() == "```")
        before = next((lines[j] for j in range(i - 1, -1, -1) if lines[j].strip()), "")
        marker = MARKER.fullmatch(before.strip())
        blocks.append(
            Block(
                page,
                i + 2,  # the block's first line of code, counted from 1
                "\n".join(lines[i + 1 : end]) + "\n",
                marker and marker.group("why"),
                marker and marker.group("test"),
                blocks[-1] if marker and marker.group("continues") and blocks else None,
            )
        )
    return blocks


BLOCKS = [block for page in PAGES for block in python_blocks(page)]


def modules_with_doctests() -> list[str]:
    found = []
    for path in sorted((ROOT / "wsbdd").rglob("*.py")):
        if ">>> " in path.read_text(encoding="utf-8"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return found


def run_doctests(tests: list[doctest.DocTest]) -> str:
    """Run the examples; the report of the failed ones, or "" when all passed."""
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report = io.StringIO()
    for test in tests:
        runner.run(test, out=report.write)
    return report.getvalue()


@pytest.fixture
def clean_place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty folder and no WSBDD_* variable: what a reader trying the example has."""
    for variable in [v for v in os.environ if v.startswith("WSBDD_")]:
        monkeypatch.delenv(variable)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("module", modules_with_doctests())
def test_the_docstring_examples_run(module: str, clean_place: Path):
    imported = importlib.import_module(module)
    tests = [t for t in doctest.DocTestFinder().find(imported) if t.examples]
    assert tests, f"{module} mentions >>> but holds no example doctest can find"
    failed = run_doctests(tests)
    assert not failed, failed


def test_the_examples_we_promised_are_there():
    """The module examples this suite was written for; a rename must not drop them quietly."""
    assert {"wsbdd.facade.session", "wsbdd.demo.server", "wsbdd.load.driver"} <= set(
        modules_with_doctests()
    )
    assert len([b for b in BLOCKS if b.skipped is None and b.run_by is None]) >= 2


@pytest.mark.parametrize(
    "block", [b for b in BLOCKS if b.run_by is None], ids=lambda block: block.name
)
def test_the_python_in_the_docs_runs(block: Block, clean_place: Path):
    if block.skipped:
        pytest.skip(f"{block.name}: {block.skipped}")
    if block.code.lstrip().startswith(">>>"):
        parsed = doctest.DocTestParser().get_doctest(
            block.code, {}, block.name, str(block.page), block.line - 1
        )
        failed = run_doctests([parsed])
        assert not failed, failed
        return
    chain = [block]
    while chain[0].after is not None:
        chain.insert(0, chain[0].after)
    namespace = {"__name__": "__doc_example__"}
    with contextlib.redirect_stdout(io.StringIO()):
        for part in chain:
            exec(compile(part.code, part.name, "exec"), namespace)


@pytest.mark.parametrize(
    "block", [b for b in BLOCKS if b.run_by is not None], ids=lambda block: block.name
)
def test_a_block_run_elsewhere_names_a_test_that_reads_its_page(block: Block):
    assert block.run_by is not None
    runner = ROOT / block.run_by
    assert runner.is_file(), f"{block.name} says {block.run_by} runs it; there is no such file"
    assert block.page.name in runner.read_text(encoding="utf-8")


def test_the_http_example_signs_in_and_joins_on_a_real_app(clean_place: Path):
    """docs/http.md's "From Python", against a Django-like login on Starlette, not port 8000."""
    (block,) = [b for b in python_blocks(ROOT / "docs" / "http.md") if b.run_by]
    assert "ws://127.0.0.1:8000" in block.code
    app = build_chat_app(users={"alice": "wonderland"})
    with StarletteServer(app) as server:
        code = block.code.replace("ws://127.0.0.1:8000", server.ws_url)
        exec(compile(code, block.name, "exec"), {"__name__": "__doc_example__"})
