"""``wsbdd report merge``: one report from the results of several runs.

::

    wsbdd report merge reports/shard1 reports/shard2 --reports reports/all
    wsbdd report merge reports/first reports/rerun --rerun

Each RESULTS argument is a ``results.json`` file or a report folder holding one
(every ``wsbdd run`` writes it).  The merged run's report.html, junit/,
cucumber.json and results.json are written into ``--reports`` (default
``reports``).  With ``--rerun`` the later runs (by the time they started) are
reruns of the first one's failures: a rerun's verdict wins, and a scenario
that failed and then passed is flagged flaky.  Exit status: 0 when every
merged scenario passed (or was skipped), 1 when any failed, 2 when the input
is refused (one sentence).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from wsbdd.model.errors import ConfigError

__all__ = ["add_parser", "merge_command", "results_path"]

_EXAMPLE = "wsbdd report merge reports/shard1 reports/shard2"


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """``wsbdd report …``: the report tools (today: ``merge``)."""
    report = sub.add_parser("report", help="work with the reports of finished runs (merge)")
    tools = report.add_subparsers(dest="report_command", required=True, metavar="merge")
    merge = tools.add_parser(
        "merge",
        help="merge the results of several runs into one report",
        description="Merges the results of several runs (the shards of a run, or a run and "
        "a rerun of its failures) into one HTML report, JUnit XML and Cucumber JSON. "
        "RESULTS are results.json files or the report folders that hold them.",
    )
    merge.add_argument("results", nargs="*", metavar="RESULTS", help="results.json or its folder")
    merge.add_argument(
        "--reports",
        default="reports",
        help="folder for the merged reports (default: reports)",
    )
    merge.add_argument(
        "--rerun",
        action="store_true",
        help="the later runs rerun the first one's failures: their verdicts win, and a "
        "scenario that failed and then passed is flagged flaky",
    )
    merge.set_defaults(func=merge_command)
    return report


def results_path(given: str) -> Path:
    """The results file an argument names: the file itself, or ``results.json`` in a folder."""
    from wsbdd.report.results import RESULTS_FILE

    path = Path(given)
    if path.is_dir():
        inside = path / RESULTS_FILE
        if not inside.is_file():
            raise ConfigError(
                f"The folder {given} holds no {RESULTS_FILE}: give a report folder a run "
                f"wrote (wsbdd run --reports {given}), or the file itself."
            )
        return inside
    return path


def _merged(results: list[str], rerun: bool) -> Any:
    from wsbdd.report.merge import merge_runs, repeated
    from wsbdd.report.results import read_results

    if not results:
        raise ConfigError(
            "Name the results to merge: results.json files or the report folders that hold "
            f"them ({_EXAMPLE})."
        )
    paths = list(dict.fromkeys(results_path(given).resolve() for given in results))
    runs = [read_results(path) for path in paths]
    if not rerun:
        twice = repeated(runs)
        if twice:
            print(
                f"wsbdd: {len(twice)} scenario{'s' * (len(twice) != 1)} ran in more than one "
                "of these runs; the later result of each is kept (give --rerun when the later "
                "runs rerun the first one's failures, to flag the flaky ones)."
            )
    return merge_runs(runs, rerun=rerun), len(runs)


def merge_command(ns: argparse.Namespace, extra: list[str]) -> int:
    """Run ``wsbdd report merge``; the exit status of the merged verdict (2: refused)."""
    if extra:
        print(f"wsbdd report merge: unknown arguments: {' '.join(extra)}", file=sys.stderr)
        return 2
    try:
        run, count = _merged(list(ns.results), ns.rerun)
    except ConfigError as problem:
        print(f"wsbdd report merge: {problem}", file=sys.stderr)
        return 2
    from wsbdd.report.outputs import describe_reports, write_reports

    reports = Path(ns.reports).resolve()
    write_reports(run, reports)
    counts = run.count("scenarios")
    flaky = sum(1 for scenario in run.scenarios if scenario.flaky)
    summary = (
        f"wsbdd: merged {count} run{'s' * (count != 1)}: {counts['total']} scenarios, "
        f"{counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped"
    )
    if ns.rerun:
        summary += f"; {flaky} flaky (failed, then passed when run again)"
    print(summary)
    print(describe_reports(reports))
    return 1 if counts["failed"] else 0
