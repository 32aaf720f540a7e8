"""Planted secrets appear in no output of a run: the console (behave's echo of tables and doc
strings, failure sentences), the HTML report, JUnit and Cucumber JSON."""

from __future__ import annotations

from pathlib import Path

from subprocesses import run_module
from test_behave_runs import make_project

PLANTED = {
    "abc123token": "an Authorization header in a table",
    "key-999-secret": "an X-Api-Key header",
    "cookie-value-1": "a Cookie header",
    "hunter2hunter2": "an X-Password header (a name outside the fixed list)",
    "sesame-open-42": "an X-Session-Id header",
    "pw-in-json-1": "a password in a JSON doc string, quoted back by a failure",
    "k-in-json-2": "an api_key in a JSON doc string",
    "inline-pw-3": "a password in JSON written on the step line",
}

FEATURE = """\
Feature: Secrets stay out of every output

  Scenario: Headers, doc strings and inline JSON with secrets, and a failure quoting them
    Given Alice is connected with headers:
      | name          | value              |
      | Authorization | Bearer abc123token |
      | X-Api-Key     | key-999-secret     |
      | Cookie        | sid=cookie-value-1 |
      | X-Password    | hunter2hunter2     |
      | X-Session-Id  | sesame-open-42     |
    When Alice sends:
      \"\"\"
      {"type": "echo", "content": {"password": "pw-in-json-1", "api_key": "k-in-json-2"}}
      \"\"\"
    And Alice sends {"type": "echo", "content": {"password": "inline-pw-3"}}
    Then Alice receives a message where $.content.password is "nope" within 300 ms
"""


def test_no_planted_secret_appears_in_any_output(tmp_path):
    project = make_project(tmp_path, FEATURE)
    (project / "wsbdd.toml").write_text("timeout = 2\n")
    result = run_module(project, "wsbdd", "run", "-f", "plain", "--reports", "out")
    assert result.returncode == 1  # the scenario fails, quoting the password it got
    outputs = {"console": result.stdout + result.stderr}
    for file in Path(project / "out").rglob("*"):
        if file.is_file():
            outputs[str(file.relative_to(project))] = file.read_text("utf-8", errors="replace")
    assert any(name.endswith(".html") for name in outputs)
    assert any(name.endswith(".xml") for name in outputs)
    assert any(name.endswith(".json") for name in outputs)
    leaks = [
        f"{secret} ({what}) in {name}"
        for secret, what in PLANTED.items()
        for name, text in outputs.items()
        if secret in text
    ]
    assert not leaks, leaks
    assert "$.content.password was" in outputs["console"]  # the failure is still told
    assert "| Authorization | ***" in outputs["console"]  # and the table still read


PROJECT_FEATURE = """\
Feature: The project's own credential names

  Scenario: A PIN and a signature are masked because the settings name them
    Given Alice is connected with headers:
      | name        | value             |
      | X-Signature | sig-77-abcdef     |
    When Alice sends {"type": "echo", "content": {"card_pin": "pin-0042-9913"}}
    Then Alice receives a message where $.content.card_pin is "nope" within 300 ms
"""


def test_credential_names_of_the_project_are_masked_in_every_output(tmp_path):
    project = make_project(tmp_path, PROJECT_FEATURE)
    (project / "wsbdd.toml").write_text(
        'timeout = 2\ncredential_names = ["*pin*", "x-signature"]\n'
    )
    result = run_module(project, "wsbdd", "run", "-f", "plain", "--reports", "out")
    assert result.returncode == 1
    outputs = {"console": result.stdout + result.stderr}
    for file in Path(project / "out").rglob("*"):
        if file.is_file():
            outputs[str(file)] = file.read_text("utf-8", errors="replace")
    leaks = [
        f"{secret} in {name}"
        for secret in ("sig-77-abcdef", "pin-0042-9913")
        for name, text in outputs.items()
        if secret in text
    ]
    assert not leaks, leaks
    assert "$.content.card_pin was" in outputs["console"]
