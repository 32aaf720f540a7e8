"""The recorder reads each step for secrets before it runs (and twice before that); a
step with no ``${variable}`` gives the same secrets every time, so it is read once, while a
step that names a variable is read again once the variable may be set."""

from __future__ import annotations

from types import SimpleNamespace

from wsbdd.model.variables import Variables
from wsbdd.report import collect
from wsbdd.report.collect import ReportRecorder


def step(name: str, text: str | None = None, table: object = None) -> SimpleNamespace:
    return SimpleNamespace(name=name, text=text, table=table)


def counting(monkeypatch) -> list[str]:
    read: list[str] = []
    real = collect._inline_json

    def counted(line: str):
        read.append(line)
        return real(line)

    monkeypatch.setattr(collect, "_inline_json", counted)
    return read


def test_a_step_without_variables_is_read_once_and_its_token_is_masked(monkeypatch):
    read = counting(monkeypatch)
    recorder = ReportRecorder()
    fixed = step('Alice connects with token "tok-fixed-123"')
    for _ in range(3):  # the features, the scenario, the step
        recorder.learn_step(fixed, Variables())
    assert len(read) == 1
    assert recorder.masker.mask("sent tok-fixed-123") == "sent ***"
    # Another recorder (another run) reads it for itself.
    other = ReportRecorder()
    other.learn_step(fixed)
    assert len(read) == 2 and other.masker.mask("tok-fixed-123") == "***"


def test_a_step_with_a_variable_is_read_again_once_the_variable_is_set(monkeypatch):
    read = counting(monkeypatch)
    recorder = ReportRecorder()
    later = step('Alice connects with token "${token}"')
    recorder.learn_step(later)  # the features: no variables yet
    assert recorder.masker.mask("tok-later-456") == "tok-later-456"
    recorder.learn_step(later, Variables({"token": "tok-later-456"}))
    assert len(read) == 2
    assert recorder.masker.mask("tok-later-456") == "***"


def test_a_variable_in_the_doc_string_or_the_table_keeps_the_step_read_each_time(monkeypatch):
    read = counting(monkeypatch)
    recorder = ReportRecorder()
    table = SimpleNamespace(
        headings=["header", "value"], rows=[SimpleNamespace(cells=["Authorization", "${auth}"])]
    )
    for one in (
        step("Alice sends", text='{"token": "${t}"}'),
        step("Alice connects with", table=table),
    ):
        recorder.learn_step(one)
        recorder.learn_step(one)
    assert len(read) == 4
