"""behave hooks that run wsbdd: ``from wsbdd.environment import *`` in environment.py.

If your environment.py defines a hook of its own, call wsbdd's from it::

    from wsbdd import environment as wsbdd_env

    def before_scenario(context, scenario):
        wsbdd_env.before_scenario(context, scenario)
        ...  # your own set-up
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any

from behave.model_core import Status

from wsbdd.facade.protocols import PROTOCOL_TAGS
from wsbdd.facade.session import Run, Session
from wsbdd.glue.behave_speed import speed_up_context, speed_up_statuses
from wsbdd.glue.feature_files import guard_feature_parsing, unread_problem
from wsbdd.glue.mistakes import empty_scenario, outlines_without_examples, scenario_mistake
from wsbdd.glue.settings_notice import no_settings_notice, undefined_steps_hint
from wsbdd.glue.undefined import explain
from wsbdd.io.pool import thaw_crowds
from wsbdd.report.collect import ReportRecorder, start_recording
from wsbdd.report.console import write_held
from wsbdd.settings.config import load_settings

# behave imports the hooks before it parses the features: a file it cannot parse must not
# stop the others (see wsbdd/glue/feature_files.py).
guard_feature_parsing()

__all__ = [
    "before_all",
    "after_all",
    "before_scenario",
    "after_scenario",
    "before_step",
    "after_feature",
]


def before_all(context: Any) -> None:
    """Load settings, start the event-loop thread, and the demo server if no URL is configured."""
    # behave's runner writes context.text and .table before every step, each write
    # walking the stack; wsbdd's context walks it once per line of code instead.
    speed_up_context(context)
    # Its step cycle asks behave's Status predicates ~20 questions a step, each a row of
    # Python-level __eq__ calls; wsbdd's predicates look the answer up instead.
    speed_up_statuses()
    unread = unread_problem()
    if unread is not None:  # said first: the run goes on without those files
        for line in unread.splitlines():
            print(f"wsbdd: {line}", file=sys.__stderr__ or sys.stderr, flush=True)
    for noisy in ("websockets", "websockets.client", "websockets.server", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    userdata = dict(context.config.userdata)
    notice = no_settings_notice(Path.cwd(), _feature_folders(context), userdata, os.environ)
    if notice:  # run from the wrong folder, every phrase would be "undefined" with no reason
        print(notice, file=sys.stderr, flush=True)
    settings = load_settings(Path.cwd(), userdata=userdata, environ=os.environ)
    context.wsbdd_run = Run(settings).open()
    # Reports: secrets written in the features are known (and masked on the console)
    # before the first step is printed.
    context.wsbdd_report = start_recording(settings, context.wsbdd_run.base_url, context)


def before_scenario(context: Any, scenario: Any) -> None:
    """Give the scenario a fresh session: no clients, no variables, its own strictness."""
    run: Run = context.wsbdd_run
    tags = {str(tag).lower() for tag in scenario.effective_tags}
    strict = run.settings.strict or "strict" in tags
    context.wsbdd = run.session(strict=strict)
    context.wsbdd.location = (str(scenario.filename), int(scenario.line))
    for tag in tags:
        if tag in PROTOCOL_TAGS or tag in run.settings.codecs:  # @stomp, @jsonrpc
            context.wsbdd.use_protocol(tag)
    recorder: ReportRecorder | None = getattr(context, "wsbdd_report", None)
    if recorder is not None:
        recorder.learn_session(context.wsbdd)
        for step in scenario.all_steps:
            recorder.learn_step(step, context.wsbdd.vars)
    mistake = scenario_mistake(scenario)
    if mistake is not None:  # fails this scenario before its first step; the run goes on
        raise AssertionError(recorder.masker.mask(mistake) if recorder is not None else mistake)


def before_step(context: Any, step: Any) -> None:
    session: Session | None = getattr(context, "wsbdd", None)
    if session is not None:
        session.begin_step(f"{step.keyword} {step.name}")
        recorder: ReportRecorder | None = getattr(context, "wsbdd_report", None)
        if recorder is not None:
            recorder.learn_step(step, session.vars)
            recorder.show_step(step, session.vars)


def after_scenario(context: Any, scenario: Any) -> None:
    """Close every client of the scenario; fail it on a send nothing reported yet, and in
    strict mode on messages nobody expected.

    Then keep the scenario's conversation (close events included) for the reports,
    and print it as text when behave writes JUnit, so it lands in ``<system-out>``, and
    when the scenario failed, so behave's console shows it after the failure.
    """
    session: Session | None = getattr(context, "wsbdd", None)
    if session is None:
        return
    steps = list(getattr(scenario, "all_steps", ()))
    undefined = [step for step in steps if step.status == Status.undefined]
    if undefined:  # behave prints only a Python snippet: say what was meant, and where
        write_held()  # the steps' lines before the notes about them
        for step in undefined:
            print(f"wsbdd: {explain(step)}", file=sys.__stderr__ or sys.stderr, flush=True)
    problems = None  # a scenario that has failed already says why
    if scenario.status in (Status.passed, Status.untested):
        problems = empty_scenario(scenario)
    if problems is None and scenario.status == Status.passed:
        problems = session.sends_problem()  # a last step's send that failed, reported nowhere yet
        if problems is None and session.strict:
            problems = session.strict_problems()
    session.close()
    recorder: ReportRecorder | None = getattr(context, "wsbdd_report", None)
    if recorder is not None:
        # The conversation as text: for JUnit (behave's capture puts it in <system-out>),
        # and after a failure, where behave's console formatters show what was captured.
        failed = bool(problems) or scenario.status.has_failed()
        recorder.keep(scenario, session, print_text=bool(context.config.junit) or failed)
        recorder.note_server(session.run.socketio_address())
        if problems:
            problems = recorder.masker.mask(problems)
    if problems:
        raise AssertionError(problems)


def after_feature(context: Any, feature: Any) -> None:
    """Fail the feature when a Scenario Outline in it has no Examples rows: behave never
    runs such an outline, and would say nothing."""
    missing = outlines_without_examples(feature)
    if missing:
        raise AssertionError("\n".join(missing))


def _feature_folders(context: Any) -> list[str]:
    """Where behave found the features: a project's settings may be above them."""
    runner = getattr(context, "_runner", None)
    base_dir = getattr(runner, "base_dir", None) if runner is not None else None
    return [*(context.config.paths or ()), *([base_dir] if base_dir else [])]


def _undefined_steps(context: Any) -> int:
    runner = getattr(context, "_runner", None)
    return len(getattr(runner, "undefined_steps", None) or ()) if runner is not None else 0


def after_all(context: Any) -> None:
    """Stop the demo server and the event loop; nothing is left running.

    When steps were undefined and no settings file was found, say so before behave
    prints its snippets: the project's phrases were never loaded.
    """
    write_held()  # the last steps' lines before anything printed from here on
    hint = undefined_steps_hint(Path.cwd(), _undefined_steps(context), _feature_folders(context))
    if hint:  # behave captures after_all's output and shows it only when the hook fails
        print(hint, file=sys.__stderr__ or sys.stderr, flush=True)
    run: Run | None = getattr(context, "wsbdd_run", None)
    if run is not None:
        run.close()
    thaw_crowds()  # the last scenario's crowd, frozen while it was connected
    recorder: ReportRecorder | None = getattr(context, "wsbdd_report", None)
    if recorder is not None:  # secrets masked in the files behave's formatters wrote
        recorder.finish(context.config.junit_directory if context.config.junit else None)
    unread = unread_problem()
    if unread is not None:  # the files left out fail the run, though every other one passed
        raise AssertionError(unread)
