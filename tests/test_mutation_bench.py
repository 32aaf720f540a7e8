"""bench/mutation.py: its mutants, its equivalent mutants, one real run of each verdict."""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import mutation  # noqa: E402

ROOMS = ROOT / "wsbdd" / "demo" / "rooms.py"


def all_mutants() -> list[mutation.Mutant]:
    known = mutation.read_known()
    files = sorted(
        p
        for p in mutation.DEMO.glob("*.py")
        if p.relative_to(ROOT).as_posix() not in known.excluded
    )
    return mutation.make_mutants(files)


def test_each_mutant_is_one_change_that_compiles() -> None:
    original = ROOMS.read_text(encoding="utf-8")
    mutants = mutation.make_mutants([ROOMS])
    assert len(mutants) > 20
    assert len({m.key for m in mutants}) == len(mutants)
    for mutant in mutants:
        assert mutant.source != original
        compile(mutant.source, mutant.file, "exec")
        assert " → " in mutant.description
        assert mutant.module == "wsbdd.demo.rooms"


def test_every_equivalent_entry_still_matches_a_mutant() -> None:
    """A rule or entry that matches nothing is stale: the demo changed under it."""
    known = mutation.read_known()
    mutants = all_mutants()
    lines = {m.file: (ROOT / m.file).read_text(encoding="utf-8").splitlines() for m in mutants}
    keys = {m.key for m in mutants}
    for key in known.exact:
        assert key in keys, f"no mutant {key!r}"
    for rule in known.rules:
        matched = [m for m in mutants if mutation.Known({}, {}, [rule]).equivalent(m, lines)]
        assert matched, f"the rule for {rule.file} ({rule.reason}) matches no mutant"


def test_a_default_value_selects_the_body_of_its_function() -> None:
    mutants = mutation.make_mutants([ROOT / "wsbdd" / "demo" / "chat.py"])
    default = next(m for m in mutants if m.description == "50.0 → 51.0")
    assert default.body is not None and default.body[0] > default.line


def test_a_mutant_the_features_notice_is_killed_and_the_original_survives() -> None:
    """Both through the real workers: a forked child imports the mutant and runs behave."""
    scenario = "features/server_errors.feature"
    text = (ROOT / scenario).read_text(encoding="utf-8").splitlines()
    line = next(n for n, t in enumerate(text, 1) if "A room name with spaces is refused" in t)
    location = f"{scenario}:{line}"
    mutant = next(
        m
        for m in mutation.make_mutants([ROOMS])
        if m.description == '"invalid_room" → "XXinvalid_roomXX"'
    )
    base = {"module": mutant.module, "file": mutant.file, "limit": 60.0, "baseline": 1.0}
    jobs = [
        {**base, "id": "mutant", "source": mutant.source, "scenarios": [location], "wider": []},
        {
            **base,
            "id": "original",
            "source": ROOMS.read_text(encoding="utf-8"),
            "scenarios": [location],
            "wider": [],
        },
    ]
    answers = {a["id"]: a for a in mutation.run_jobs(jobs, 1)}
    assert answers["mutant"]["status"] == "killed", json.dumps(answers)
    assert answers["original"]["status"] == "survived", json.dumps(answers)
