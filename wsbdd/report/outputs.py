"""What ``wsbdd run`` and ``wsbdd demo`` ask behave for, and where the files end up.

::

    reports/report.html     the HTML report (open it in a browser)
    reports/junit/          JUnit XML, one file per feature, conversations in <system-out>
    reports/cucumber.json   Cucumber JSON for dashboards
    reports/results.json    the whole run as data, for ``wsbdd report merge``

A merged run (``wsbdd report merge``, ``wsbdd run --processes``) has no behave
run behind it: :func:`write_reports` writes the same four from its records.

The console keeps behave's normal output: if none of the formatters the user
(or the project's behave configuration) chose writes to the console, the
project's default format (``pretty`` unless configured) is added.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wsbdd.report.model import RunReport

__all__ = ["REPORT_FILES", "behave_args", "describe_reports", "write_reports"]

HTML_FORMATTER = "wsbdd.report.html:HtmlFormatter"
CUCUMBER_FORMATTER = "wsbdd.report.cucumber:CucumberJsonFormatter"
RESULTS_FORMATTER = "wsbdd.report.results:ResultsFormatter"
REPORT_FILES = {
    "html": "report.html",
    "junit": "junit",
    "cucumber": "cucumber.json",
    "results": "results.json",  # wsbdd.report.results.RESULTS_FILE (that module loads behave)
}


def _mentions_format(args: Sequence[str]) -> bool:
    return any(
        arg in ("-f", "--format")
        or arg.startswith("--format=")
        or (arg.startswith("-f") and not arg.startswith("--"))
        for arg in args
    )


def _console_format(args: list[str], extra: Sequence[str], cwd: Path) -> str | None:
    """The format to add so something still prints to the console, or ``None`` if one does."""
    try:
        from behave.configuration import Configuration

        previous = Path.cwd()
        os.chdir(cwd)
        try:
            with (
                contextlib.redirect_stdout(io.StringIO()),
                contextlib.redirect_stderr(io.StringIO()),
            ):
                config = Configuration(command_args=list(args), load_config=True)
        finally:
            os.chdir(previous)
        formats = list(config.format or [])
        named = [o for o in (config.outputs or []) if getattr(o, "name", None) not in (None, "-")]
        if len(formats) > len(named):
            return None
        return config.default_format or "pretty"
    except (Exception, SystemExit):
        # behave will report the bad argument itself; decide on the words alone.
        return None if _mentions_format(extra) else "pretty"


def behave_args(reports: Path, extra: Sequence[str], cwd: Path) -> list[str]:
    """behave's command line for a run that writes all three reports under ``reports``."""
    ours = [
        "-f",
        HTML_FORMATTER,
        "-o",
        str(reports / REPORT_FILES["html"]),
        "-f",
        CUCUMBER_FORMATTER,
        "-o",
        str(reports / REPORT_FILES["cucumber"]),
        "-f",
        RESULTS_FORMATTER,
        "-o",
        str(reports / REPORT_FILES["results"]),
        "--junit",
        "--junit-directory",
        str(reports / REPORT_FILES["junit"]),
    ]
    args = ours + list(extra)
    console = _console_format(args, extra, cwd)
    if console:
        args += ["-f", console]
    return args


def write_reports(run: RunReport, folder: Path) -> None:
    """Write a merged run's report.html, junit/, cucumber.json and results.json in ``folder``."""
    import json

    from wsbdd.report.cucumber import to_cucumber
    from wsbdd.report.html import render_html
    from wsbdd.report.junit import write_junit
    from wsbdd.report.results import results_json

    folder.mkdir(parents=True, exist_ok=True)
    (folder / REPORT_FILES["html"]).write_text(render_html(run), encoding="utf-8")
    write_junit(run, folder / REPORT_FILES["junit"])
    cucumber = json.dumps(to_cucumber(run), indent=2, ensure_ascii=False) + "\n"
    (folder / REPORT_FILES["cucumber"]).write_text(cucumber, encoding="utf-8")
    (folder / REPORT_FILES["results"]).write_text(results_json(run), encoding="utf-8")


def _shown(path: Path, cwd: Path) -> str:
    try:
        return str(path.relative_to(cwd))
    except ValueError:
        return str(path)


def describe_reports(reports: Path, cwd: Path | None = None) -> str:
    """Lines telling where the reports are (only the ones that were written)."""
    cwd = (cwd or Path.cwd()).resolve()
    html = reports / REPORT_FILES["html"]
    junit = reports / REPORT_FILES["junit"]
    cucumber = reports / REPORT_FILES["cucumber"]
    lines = []
    if html.is_file():
        lines.append(f"wsbdd: report         {_shown(html, cwd)}  (open it in a browser)")
    if junit.is_dir() and any(junit.glob("*.xml")):
        lines.append(f"wsbdd: JUnit XML      {_shown(junit, cwd)}{os.sep}")
    if cucumber.is_file():
        lines.append(f"wsbdd: Cucumber JSON  {_shown(cucumber, cwd)}")
    results = reports / REPORT_FILES["results"]
    if results.is_file():
        lines.append(f"wsbdd: results        {_shown(results, cwd)}  (for wsbdd report merge)")
    if not lines:
        lines.append(f"wsbdd: no report was written in {_shown(reports, cwd)}")
    return "\n".join(lines)
