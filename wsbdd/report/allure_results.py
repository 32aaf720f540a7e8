"""Each scenario's conversation in Allure, when allure-behave writes the results.

With allure-behave's formatter in the run::

    behave -f allure_behave.formatter:AllureFormatter -o allure-results -f pretty

wsbdd's ``after_scenario`` hook attaches the scenario's conversation (the text
transcript JUnit's ``<system-out>`` holds, secrets masked) to the scenario's
Allure result as "WebSocket conversation", through Allure's own
``allure.attach``: allure-behave's formatter runs each scenario inside its Allure
test, so an attachment made in the hook belongs to that scenario.  After the
run, the result files allure-behave wrote have the run's secrets masked, as
JUnit's files do (step names and failure messages quote what the steps wrote).

Nothing here imports Allure unless its formatter is in the run.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

__all__ = ["ALLURE_FORMATTER", "ATTACHMENT_NAME", "allure_folders", "attach_conversation"]

log = logging.getLogger("wsbdd.report")

ALLURE_FORMATTER = "allure_behave.formatter:AllureFormatter"
ATTACHMENT_NAME = "WebSocket conversation"


def _is_allure(formatter: Any) -> bool:
    return type(formatter).__module__.split(".")[0] == "allure_behave"


def allure_folders(formatters: Iterable[Any]) -> list[Path]:
    """The result folders (``-o allure-results``) of the allure-behave formatters in the run;
    [] when allure-behave is not one of them."""
    folders = []
    for formatter in formatters:
        if _is_allure(formatter):
            name = getattr(getattr(formatter, "stream_opener", None), "name", None)
            if name:
                folders.append(Path(name))
    return folders


def attach_conversation(text: str) -> bool:
    """Attach ``text`` (already masked) to the Allure test in progress; False when Allure
    could not take it (never raises: a report problem must not fail a scenario)."""
    try:
        import allure

        allure.attach(text, name=ATTACHMENT_NAME, attachment_type=allure.attachment_type.TEXT)
    except Exception:  # noqa: BLE001
        log.warning("wsbdd: could not attach the conversation to Allure", exc_info=True)
        return False
    return True
