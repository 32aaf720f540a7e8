"""Reports a product owner reads, and the files CI dashboards read.

* :mod:`wsbdd.report.html`: one self-contained HTML file per run, each scenario
  in the writer's words with its conversation drawn as a sequence diagram
  (``-f wsbdd.report.html:HtmlFormatter -o reports/report.html``);
* :mod:`wsbdd.report.cucumber`: Cucumber JSON
  (``-f wsbdd.report.cucumber:CucumberJsonFormatter -o reports/cucumber.json``);
* JUnit XML is behave's own (``--junit``); wsbdd's hooks print each scenario's
  conversation so it lands in ``<system-out>``.

Around them: :mod:`~wsbdd.report.collect` (what the hooks keep),
:mod:`~wsbdd.report.model` (the run as plain records),
:mod:`~wsbdd.report.diagram` (a conversation as lanes and rows),
:mod:`~wsbdd.report.mask` (secrets never reach a report),
:mod:`~wsbdd.report.text` (payloads and times as people read them),
:mod:`~wsbdd.report.labels` (a codec's messages as events: labels, acks linked to emits),
:mod:`~wsbdd.report.options` (``[tool.wsbdd.report]``),
:mod:`~wsbdd.report.outputs` (what ``wsbdd run`` hands to behave).
"""

from wsbdd.report.collect import Conversation, ReportRecorder, current_recorder
from wsbdd.report.mask import Masker
from wsbdd.report.options import ReportOptions
from wsbdd.report.text import transcript_text

__all__ = [
    "Conversation",
    "Masker",
    "ReportOptions",
    "ReportRecorder",
    "current_recorder",
    "transcript_text",
]
