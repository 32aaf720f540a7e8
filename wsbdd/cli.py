"""The ``wsbdd`` command: run features, run the bundled demo, serve the demo server.

``wsbdd demo``          runs the bundled features against the bundled demo server
``wsbdd run [ARGS]``    runs behave in the current project (ARGS go to behave);
                        ``--processes N`` runs it in N processes with one merged report
``wsbdd demo-server``   serves the demo chat server until Ctrl-C
``wsbdd init [DIR]``    scaffolds a project that passes against the demo server
``wsbdd check [PATHS]`` finds mistakes in feature files without connecting
``wsbdd steps``         prints the step catalogue (Markdown, or HTML with -o steps.html)
``wsbdd report merge``  merges the results of several runs into one report
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from wsbdd import __version__

__all__ = ["main"]


def _source_root() -> Path | None:
    """The wsbdd checkout this package was installed from (holds the bundled features)."""
    root = Path(__file__).resolve().parent.parent
    if (root / "features").is_dir() and (root / "environment.py").is_file():
        return root
    return None


def _behave(args: list[str], cwd: Path) -> int:
    from behave.__main__ import main as behave_main

    from wsbdd.settings.config import unreadable_project_file

    problem = unreadable_project_file(cwd)
    if problem is not None:  # behave would read it first and end in a traceback
        print(f"wsbdd: {problem}", file=sys.stderr)
        return 2
    previous = Path.cwd()
    os.chdir(cwd)
    try:
        return int(behave_main(args) or 0)
    finally:
        os.chdir(previous)


def _reports_args(reports: Path, extra: list[str], cwd: Path) -> list[str]:
    """The HTML report, JUnit XML and Cucumber JSON under ``reports``, plus the console."""
    from wsbdd.report.outputs import behave_args

    return behave_args(reports, extra, cwd)


def _tell_reports(reports: Path) -> None:
    from wsbdd.report.outputs import describe_reports

    print(describe_reports(reports))


def _parallel(ns: argparse.Namespace, extra: list[str], cwd: Path) -> int:
    from wsbdd.parallel.run import run_parallel
    from wsbdd.settings.config import unreadable_project_file

    problem = unreadable_project_file(cwd)
    if problem is not None:
        print(f"wsbdd: {problem}", file=sys.stderr)
        return 2
    return run_parallel(
        extra, cwd, Path(ns.reports).resolve(), ns.processes, shard_timeout=ns.shard_timeout
    )


def cmd_run(ns: argparse.Namespace, extra: list[str]) -> int:
    if ns.processes is not None:
        return _parallel(ns, extra, Path.cwd())
    reports = Path(ns.reports).resolve()
    code = _behave(_reports_args(reports, extra, Path.cwd()), Path.cwd())
    _tell_reports(reports)
    return code


def cmd_demo(ns: argparse.Namespace, extra: list[str]) -> int:
    root = _source_root()
    if root is None:
        print(
            "wsbdd demo: the bundled features ship with the wsbdd source; clone the "
            "repository and run `pip install -e .` there.",
            file=sys.stderr,
        )
        return 2
    reports = Path(ns.reports).resolve()
    print(
        f"wsbdd {__version__}: running the bundled features in {root / 'features'} "
        "against the bundled demo server"
    )
    if ns.processes is not None:
        return _parallel(ns, extra, root)
    code = _behave(_reports_args(reports, extra, root), root)
    _tell_reports(reports)
    return code


def cmd_demo_server(ns: argparse.Namespace, extra: list[str]) -> int:
    from wsbdd.demo.__main__ import main as demo_main

    argv = ["--host", ns.host, "--port", str(ns.port)]
    if ns.no_rate_limit:
        argv.append("--no-rate-limit")
    return demo_main(argv)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise argparse.ArgumentTypeError(
            f'--shard-timeout takes a number of seconds above 0, such as 600, not "{text}"'
        )
    return value


def _parallel_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--processes",
        nargs="?",
        const="",
        default=None,
        metavar="N",
        help="run the scenarios in N processes, one merged report (N left out: one per CPU)",
    )
    parser.add_argument(
        "--shard-timeout",
        type=_seconds,
        default=None,
        metavar="SECONDS",
        help="stop a process of a parallel run after this long (default: from the timeouts)",
    )


def _paths_kept(argv: list[str]) -> list[str]:
    """``--processes features/`` means one process per CPU on features/, not N="features/"."""
    kept = list(argv)
    for i, arg in enumerate(kept[:-1]):
        if arg == "--processes":
            following = kept[i + 1]
            place = following.rsplit(":", 1)[0] if ":" in following else following
            if not following.startswith("-") and Path(place).exists():
                kept[i] = "--processes="
    return kept


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wsbdd", description="Behaviour-driven acceptance tests for WebSocket applications."
    )
    parser.add_argument("--version", action="version", version=f"wsbdd {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the features of the current project with behave")
    run.add_argument("--reports", default="reports", help="folder for reports (default: reports)")
    _parallel_options(run)
    run.set_defaults(func=cmd_run)

    demo = sub.add_parser("demo", help="run the bundled features against the bundled demo server")
    demo.add_argument("--reports", default="reports", help="folder for reports (default: reports)")
    _parallel_options(demo)
    demo.set_defaults(func=cmd_demo)

    server = sub.add_parser("demo-server", help="serve the bundled demo chat server")
    server.add_argument("--host", default="127.0.0.1")
    server.add_argument("--port", type=int, default=0, help="0 picks a free port (default)")
    server.add_argument("--no-rate-limit", action="store_true")
    server.set_defaults(func=cmd_demo_server)

    # The feature writer's tools: each module adds its own subcommand.
    from wsbdd.catalogue import command as steps_command
    from wsbdd.check import command as check_command
    from wsbdd.crowd import command as load_command
    from wsbdd.report import command as report_command
    from wsbdd.scaffold import command as init_command

    init_command.add_parser(sub)
    check_command.add_parser(sub)
    steps_command.add_parser(sub)
    report_command.add_parser(sub)
    load_command.add_parser(sub)
    return parser


def _start_shards_early(args: list[str]) -> bool:
    """``run``/``demo`` with ``--processes``: start the shard processes before anything else."""
    from wsbdd.parallel.spawn import PRESTARTED, available_cpus, processes_wanted

    wanted = processes_wanted(args)
    if wanted is None:
        return False
    cpus = len(available_cpus())
    try:
        count = min(int(wanted), cpus) if wanted else cpus
    except ValueError:
        return False  # the run itself says what is wrong with the number
    cwd = Path.cwd() if args[0] == "run" else _source_root()
    if cwd is None or count < 1:
        return False
    PRESTARTED.start(count, cwd)
    return True


def main(argv: list[str] | None = None) -> int:
    args = _paths_kept(sys.argv[1:] if argv is None else argv)
    if not _start_shards_early(args):
        return _main(args)
    from wsbdd.parallel.spawn import PRESTARTED

    try:
        return _main(args)
    finally:
        PRESTARTED.dismiss()  # any the run did not take (a wrong argument, --help)


def _main(args: list[str]) -> int:
    parser = build_parser()
    ns, extra = parser.parse_known_args(args)
    if extra and ns.command == "demo-server":
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    return ns.func(ns, extra)


if __name__ == "__main__":
    sys.exit(main())
