"""Old and new wsbdd alternated in one run: is a change faster or slower where users feel it?

Run ``python bench/compare_revisions.py OLD_REV [--rounds 8]`` from a checkout.  The
old revision is checked out into a temporary git worktree; each measurement runs
the *same* benchmark code (this checkout's) with ``PYTHONPATH`` pointing at one tree
or the other, alternately (old, new, new, old, …), so both meet the machine in the
same state:

- the 200-exchange send→reply scenario run by behave (``bench_steps``' wsbdd
  variant, against the demo server in its own process): scenario time and the
  median step, new ÷ old;
- a crowd through behave (``bench_scenarios``; 1,000 clients by default, ``--crowd
  1000,10000`` for more): the connect step and one broadcast received and matched by
  every client, new ÷ old;
- load, closed loop (``bench_load --modes closed``: 100 echo clients × 200 messages,
  each waiting for its reply): wsbdd's throughput new ÷ old, and each side's ratio to
  the plain ``websockets`` script run beside it in the same child;
- matching one message (``bench_match --quick``): each row's µs, new ÷ old; its
  reference rows (plain dict access, jsonpath_ng alone) run no wsbdd code, so their
  ratios show how far the machine drifted between the two sides.

Ratios below 1 mean the new code is faster (for throughput, above 1).  Left out:
memory (``bench_memory --wsbdd-from``) and HTTP.  Bounded: every child has its own deadline; the
default run takes about three minutes here.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import bench_scenarios, bench_steps  # noqa: E402


def alternate(rounds: int, trees: dict[str, Path], run: Callable[[], object]) -> dict:
    """``run()`` once per tree per round, the order flipped each round."""
    found: dict[str, list] = {side: [] for side in trees}
    order = list(trees)
    for _ in range(rounds):
        for side in order:
            bench_steps.ROOT = trees[side]  # the children's PYTHONPATH
            found[side].append(run())
        order.reverse()
    return found


def median_ratio(new: list[float], old: list[float]) -> tuple[float, list[float]]:
    per_round = [n / o for n, o in zip(new, old, strict=True)]
    return statistics.median(per_round), per_round


def steps(trees: dict[str, Path], rounds: int) -> list[str]:
    with tempfile.TemporaryDirectory() as folder, bench_steps.demo_server() as url:
        projects = bench_steps.write_projects(Path(folder), 200, 20)

        def once() -> tuple[float, float]:
            stamps = bench_steps.run_one("wsbdd", projects["wsbdd"], url, 200, 20)
            gaps = [b - a for a, b in zip(stamps, stamps[1:], strict=False)]
            return stamps[-1] - stamps[0], statistics.median(gaps)

        found = alternate(rounds, trees, once)
    total, per = median_ratio([t for t, _ in found["new"]], [t for t, _ in found["old"]])
    step, _ = median_ratio([s for _, s in found["new"]], [s for _, s in found["old"]])
    return [
        f"200-exchange scenario through behave, new ÷ old: {total:.2f} "
        f"(rounds {' '.join(f'{r:.2f}' for r in per)}); median step {step:.2f}"
    ]


def crowd(trees: dict[str, Path], rounds: int, size: int = 1000) -> list[str]:
    def once() -> tuple[float, float]:
        found = bench_scenarios.crowd(size, 1, 5)
        return found["wsbdd ramp"][0], found["wsbdd broadcast"][0]

    found = alternate(max(2, rounds // 2), trees, once)
    ramp, ramps = median_ratio([r for r, _ in found["new"]], [r for r, _ in found["old"]])
    fan, fans = median_ratio([b for _, b in found["new"]], [b for _, b in found["old"]])
    return [
        f"crowd of {size:,} through behave, connect step new ÷ old: {ramp:.2f} "
        f"(rounds {' '.join(f'{r:.2f}' for r in ramps)})",
        f"crowd of {size:,}, one broadcast received and matched, new ÷ old: {fan:.2f} "
        f"(rounds {' '.join(f'{r:.2f}' for r in fans)})",
    ]


def load(trees: dict[str, Path], rounds: int) -> list[str]:
    """bench_load's closed loop in a child per side: wsbdd's throughput and its ratio to plain."""

    def once() -> dict[str, float]:
        result = subprocess.run(
            [
                sys.executable,
                str(ROOT / "bench" / "bench_load.py"),
                *("--modes", "closed", "--no-artillery", "--repetitions", "1", "--json"),
            ],
            env=bench_steps.child_environment("", Path(tempfile.gettempdir()) / "unused"),
            capture_output=True,
            text=True,
            timeout=600,
            check=True,
        )
        return {row["measure"]: row["value"] for row in json.loads(result.stdout)["rows"]}

    found = alternate(max(2, rounds // 2), trees, once)
    mine = "closed: wsbdd throughput"
    versus = "closed: wsbdd/plain throughput"
    ratio, per = median_ratio([r[mine] for r in found["new"]], [r[mine] for r in found["old"]])
    return [
        f"load, closed loop, wsbdd throughput new ÷ old: {ratio:.2f} "
        f"(rounds {' '.join(f'{r:.2f}' for r in per)}); wsbdd ÷ plain in the same child: "
        f"new {statistics.median(r[versus] for r in found['new']):.2f}, "
        f"old {statistics.median(r[versus] for r in found['old']):.2f}"
    ]


def match(trees: dict[str, Path], rounds: int) -> list[str]:
    def once() -> dict[str, float]:
        result = subprocess.run(
            [sys.executable, str(ROOT / "bench" / "bench_match.py"), "--json", "--quick"],
            env=bench_steps.child_environment("", Path(tempfile.gettempdir()) / "unused"),
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
        return {row["measure"]: row["value"] for row in json.loads(result.stdout)["rows"]}

    found = alternate(max(4, rounds // 2), trees, once)
    lines = []
    for measure in found["new"][0]:
        new = [run[measure] for run in found["new"]]
        old = [run[measure] for run in found["old"]]
        ratio, _ = median_ratio(new, old)
        lines.append(f"{measure}: new ÷ old {ratio:.2f}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("old", help="the revision to compare with (e.g. a commit)")
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--crowd", default="1000", help="crowd sizes, e.g. 1000,10000")
    parser.add_argument("--skip", default="", help="of steps,crowd,load,match, comma-separated")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wsbdd-old-") as folder:
        old = Path(folder) / "tree"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(old), args.old],
            check=True,
            capture_output=True,
        )
        try:
            trees = {"old": old, "new": ROOT}
            skip = {part.strip() for part in args.skip.split(",") if part.strip()}
            sizes = [int(size) for size in args.crowd.split(",") if size.strip()]
            parts: list[Callable[[], list[str]]] = []
            if "steps" not in skip:
                parts.append(lambda: steps(trees, args.rounds))
            if "crowd" not in skip:
                parts += [lambda size=size: crowd(trees, args.rounds, size) for size in sizes]
            if "load" not in skip:
                parts.append(lambda: load(trees, args.rounds))
            if "match" not in skip:
                parts.append(lambda: match(trees, args.rounds))
            for part in parts:
                for line in part():
                    print(line, flush=True)
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(old)],
                check=False,
                capture_output=True,
            )


if __name__ == "__main__":
    main()
