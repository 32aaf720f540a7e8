"""``wsbdd check``: every kind of mistake, found without connecting, with its exact sentence."""

from __future__ import annotations

import json
import textwrap
import time
from pathlib import Path
from subprocess import CompletedProcess

import pytest
from subprocesses import run_module

from wsbdd.check import check

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "features" / "steps").mkdir(parents=True)
    (tmp_path / "features" / "environment.py").write_text("from wsbdd.environment import *\n")
    (tmp_path / "features" / "steps" / "wsbdd_steps.py").write_text("from wsbdd.steps import *\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def findings(project: Path, scenario: str, config: str = "", name: str = "x.feature") -> list[str]:
    """Check one scenario (indented under a Feature line) and return the findings as text."""
    body = "Feature: Checked\n  Scenario: One\n" + textwrap.indent(
        textwrap.dedent(scenario), "    "
    )
    (project / "features" / name).write_text(body)
    if config:
        (project / "wsbdd.toml").write_text(textwrap.dedent(config))
    return [str(problem) for problem in check()]


def test_a_clean_feature_has_no_findings(project):
    assert (
        findings(
            project,
            """\
            Given clients Alice and Bob are connected
            When Alice sends {"type": "join", "room": "lobby"}
            Then Alice receives a message where $.type is "joined"
            And I remember $.members from Alice's last message as "members"
            And Bob receives no message where $.members is "${members}" within 100 ms
            """,
        )
        == []
    )


def test_an_undefined_step_suggests_the_closest_step(project):
    assert findings(
        project,
        """\
        Given Alice is connected
        Then Alice recieves a message where $.type is "chat"
        """,
    ) == [
        'features/x.feature:4: No step matches "Then Alice recieves a message where $.type is '
        '"chat""; did you mean "{client} receives a message where {conditions} [within {time}]"?'
    ]


def test_an_undefined_step_suggests_a_configured_phrase(project):
    config = """\
    [[phrases]]
    step = '{client} joins room "{room}"'
    send = '{"type": "join", "room": "${room}"}'
    """
    assert findings(project, 'Given Alice is connected\nWhen Alice join room "x"\n', config) == [
        'features/x.feature:4: No step matches "When Alice join room "x""; did you mean '
        '"{client} joins room "{room}""?'
    ]


def test_a_step_after_the_wrong_keyword(project):
    assert findings(project, "Given Alice is still connected\n") == [
        'features/x.feature:3: "Alice is still connected" is a Then step, but here it follows '
        "Given; write it after Then (or And under a Then)."
    ]


def test_malformed_inline_json(project):
    assert findings(
        project, 'Given Alice is connected\nWhen Alice sends {"type": "join" "room": "x"}\n'
    ) == [
        "features/x.feature:4: The JSON is not valid: Expecting ',' delimiter at line 1, "
        'column 17: {"type": "join" "room": "x"}'
    ]


NOT_JSON = '{"level": 2,}'


def python_json_reason(text: str) -> str:
    """Why ``text`` is not JSON, as wsbdd says it on every Python: Python 3.13's words and
    place for a trailing comma (3.11 and 3.12 said "Expecting property name enclosed in
    double quotes", at the brace), else Python's own."""
    if text.rstrip().endswith(",}"):
        comma = text.rstrip().rindex(",")
        return f"Illegal trailing comma before end of object at line 1, column {comma + 1}"
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        return f"{exc.msg} at line {exc.lineno}, column {exc.colno}"
    raise AssertionError(f"{text} is JSON")


def test_malformed_json_in_a_docstring(project):
    scenario = '''\
    Given Alice is connected
    When Alice sends:
      """
      {"type": "ping",}
      """
    '''
    assert findings(project, scenario) == [
        "features/x.feature:4: The JSON is not valid: Illegal trailing comma before end of "
        'object at line 1, column 16: {"type": "ping",}'
    ]


def test_malformed_jsonpath(project):
    (problem,) = findings(
        project, 'Given Alice is connected\nThen Alice receives a message where $..[ is "x"\n'
    )
    assert problem.startswith('features/x.feature:4: The JSONPath "$..[" is not valid')


def test_unknown_matcher_words_in_a_condition_and_a_table(project):
    scenario = """\
    Given Alice is connected
    Then Alice receives a message where $.type iss "chat"
    And Alice receives a message where $.n is greter than 3 and $.type is "x"
    And Alice receives a message where:
      | path   | matcher        | value |
      | $.n    | is greter than | 3     |
    """
    found = findings(project, scenario)
    assert len(found) == 3
    assert found[0].startswith('features/x.feature:4: Unknown matcher "iss"; did you mean "is"?')
    typo = 'Unknown matcher "is greter than"; did you mean "is greater than"?'
    assert found[1].startswith(f"features/x.feature:5: {typo}")
    assert found[2].startswith(f"features/x.feature:6: {typo}")


def test_unknown_marker_in_a_template(project):
    scenario = '''\
    Given Alice is connected
    Then Alice receives a message like:
      """
      {"id": "#uuidd"}
      """
    '''
    (problem,) = findings(project, scenario)
    assert problem.startswith(
        'features/x.feature:4: Unknown marker "#uuidd" in the JSON template; did you mean "#uuid"?'
    )


def test_a_variable_used_before_it_is_set(project):
    scenario = """\
    Given Alice is connected
    When Alice sends {"type": "echo", "content": "${mesage_id}"}
    And I remember $.content from Alice's last message as "message_id"
    Then Alice receives a message where $.content is "${message_id}"
    """
    assert findings(project, scenario) == [
        'features/x.feature:4: The variable "${mesage_id}" is used before it is set. Set it in '
        'an earlier step, e.g. And I remember $.id from Bob\'s last message as "mesage_id".'
    ]


def test_configured_variables_generators_and_environment_are_always_set(project):
    config = """\
    [variables]
    room = "lobby"
    """
    scenario = """\
    Given Alice is connected
    When Alice sends {"room": "${room}", "id": "${uuid}", "home": "${env.HOME}"}
    And Alice sends {"url": "${config.url}", "when": "${now}"}
    And Alice sends 2 messages {"n": ${i}, "of": ${n}}
    """
    assert findings(project, scenario, config) == []


def test_an_unknown_setting(project):
    assert findings(
        project, 'Given Alice is connected\nWhen Alice sends {"u": "${config.urll}"}\n'
    ) == [
        'features/x.feature:4: "${config.urll}" is not a wsbdd setting. '
        'Did you mean "${config.url}"?'
    ]


def test_a_client_used_before_it_connects(project):
    scenario = """\
    Given Alice is connected
    Then Bob receives a message where $.type is "chat"
    And Bob receives no message within 100 ms
    """
    assert findings(project, scenario) == [
        'features/x.feature:4: Bob is used before it connects. Add "Given Bob is connected" '
        "earlier in the scenario (or in its Background)."
    ]


def test_background_and_group_members_count_as_connected(project):
    (project / "features" / "x.feature").write_text(
        textwrap.dedent(
            """\
            Feature: Background
              Background:
                Given Alice is connected

              Scenario: Uses the background's client and a group's members
                Given 3 clients in group "players" are connected
                When Alice sends {"type": "ping"}
                Then player2 receives no message within 100 ms
                And every client in group "players" receives a message where $.type is "welcome"
            """
        )
    )
    assert [str(p) for p in check()] == []


def test_a_group_used_before_it_exists(project):
    assert findings(
        project, 'Given Alice is connected\nWhen every client in group "team" sends {"a": 1}\n'
    ) == [
        'features/x.feature:4: There is no group "team" yet. Add "Given 5 clients in group '
        '"team" are connected" earlier in the scenario.'
    ]


def test_phrases_are_read_too_including_their_steps(project):
    config = """\
    [[phrases]]
    preset = "chat"
    """
    scenario = """\
    Given Alice is in room "lobby"
    When Alice says "hi" in room "lobby"
    And Bob says "hi" in room "lobby"
    Then every client in group "crew" hears Alice say "hi" in room "lobby"
    """
    assert findings(project, scenario, config) == [
        'features/x.feature:5: Bob is used before it connects. Add "Given Bob is connected" '
        "earlier in the scenario (or in its Background).",
        'features/x.feature:6: There is no group "crew" yet. Add "Given 5 clients in group '
        '"crew" are connected" earlier in the scenario.',
    ]


def test_a_phrase_whose_steps_match_nothing_is_reported_on_its_config_line(project):
    config = """\
    [[phrases]]
    preset = "chat"

    [[phrases]]
    step  = '{client} is ready in "{room}"'
    steps = ['${client} is connected', '${client} jions room "${room}"']
    """
    assert findings(project, "Given Alice is connected\n", config) == [
        "wsbdd.toml:5: wsbdd.toml phrases, phrase 2 '{client} is ready in \"{room}\"': step 2 "
        '"${client} jions room "${room}"" matches no step; did you mean "{client} joins room '
        '"{room}""?'
    ]


def test_a_malformed_phrase_is_a_finding_on_its_line(project):
    config = """\
    timeout = 2

    [[phrases]]
    step = '{client} orders "{item}"'
    send = '{"item": "${itme}"}'
    """
    (problem,) = findings(project, "Given Alice is connected\n", config)
    assert problem.startswith(
        "wsbdd.toml:4: wsbdd.toml phrases, phrase 1 '{client} orders \"{item}\"': send uses "
        '"${itme}", which is not a parameter of this phrase'
    )


def test_unreadable_config_is_one_finding_not_every_phrase_line_as_undefined(project):
    config = """\
    [[phrases]]
    preset = "chat"
    timeout = = 2
    """
    scenario = """\
    Given Alice is in room "lobby"
    When Alice says "hi" in room "lobby"
    Then Alice receives a message where $.type is "chat"
    """
    (problem,) = findings(project, scenario, config)
    assert problem.startswith("wsbdd.toml:3: wsbdd.toml is not valid TOML: Invalid value")


def test_a_malformed_phrase_does_not_make_the_other_phrases_undefined(project):
    config = """\
    [[phrases]]
    preset = "chat"

    [[phrases]]
    step = '{client} orders "{item}"'
    send = '{"item": "${itme}"}'
    """
    (problem,) = findings(project, 'Given Alice is in room "lobby"\n', config)
    assert problem.startswith("wsbdd.toml:5: wsbdd.toml phrases, phrase 2 '{client} orders")


def test_tags_that_look_like_known_ones_and_config_tags_no_feature_has(project):
    (project / "pyproject.toml").write_text(
        '[tool.behave]\ndefault_tags = ["not @slow", "@smoke or @regresion"]\n'
    )
    (project / "features" / "x.feature").write_text(
        "@strikt\nFeature: Tags\n  @smoke @regression\n  Scenario: One\n"
        "    Given Alice is connected\n"
    )
    assert [str(p) for p in check()] == [
        "features/x.feature:2: @strikt is not a tag wsbdd or behave acts on; did you mean "
        "@strict (wsbdd: fail when a client received a message no step checked)?",
        "pyproject.toml:2: [tool.behave] default_tags names @regresion, but no feature or "
        "scenario has that tag; did you mean @regression?",
        "pyproject.toml:2: [tool.behave] default_tags names @slow, but no feature or scenario "
        "has that tag.",
    ]


def test_a_broken_ignore_condition_in_config(project):
    (problem,) = findings(
        project, "Given Alice is connected\n", "ignore = ['$.type iz \"heartbeat\"']\n"
    )
    assert problem.startswith('wsbdd.toml:1: wsbdd.toml ignore: Unknown matcher "iz"; known')


def test_paths_narrow_the_check_and_a_missing_path_is_a_finding(project):
    findings(project, "Given Alice is connected\nThen Zed is connected\n", name="bad.feature")
    (project / "features" / "good.feature").write_text(
        "Feature: Good\n  Scenario: One\n    Given Alice is connected\n"
    )
    assert [str(p) for p in check(["features/good.feature"])] == []
    assert [str(p) for p in check(["features/nope.feature"])] == [
        "features/nope.feature:1: There is no such file or folder."
    ]


def wsbdd(cwd: Path, *args: str) -> CompletedProcess[str]:
    return run_module(cwd, "wsbdd.cli", *args, timeout=120)


def test_the_command_prints_file_line_sentence_and_exits_1(project):
    findings(project, 'Given Alice is connected\nWhen Alice sends {"a": }\n')
    result = wsbdd(project, "check")
    assert result.returncode == 1
    assert result.stdout.startswith("features/x.feature:4: The JSON is not valid:")
    assert "wsbdd check: 1 problem" in result.stderr


def test_the_bundled_features_are_clean():
    result = wsbdd(ROOT, "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""
    assert "wsbdd check: no problems" in result.stderr


def test_checking_the_bundled_features_is_quick(monkeypatch):
    monkeypatch.chdir(ROOT)
    check()  # the first call pays for imports and compiling the step patterns
    started = time.perf_counter()
    assert check() == []
    took = time.perf_counter() - started
    # About 50 ms on an idle machine; the bound only catches a slowdown by orders
    # of magnitude, not a busy shared CI box.
    assert took < 60, f"checking the bundled features took {took:.2f} s (a hang?)"


# -- one identity per client ----------------------------------------------------------------


def test_per_client_identities_are_accepted_where_a_step_is_about_several_clients(project):
    config = """\
    [variables.pw]
    Alice = "a"
    """
    assert (
        findings(
            project,
            """\
            Given I set "t" to the table:
              | client  | token |
              | player1 | abc   |
            And 2 clients in group "g" are connected to "/${client}" with token "${t.${client}}"
            And clients Alice, Bob are connected to "/?${index}" with token "${pw.${client}}"
            And clients Carol, Dave in group "more" are connected with headers:
              | name     | value     |
              | X-Player | ${client} |
            And 3 clients in group "crowd" are connected with token "${t.${client}}" at 9 per second
            When every client in group "g" sends {"who": "${client}", "seat": ${index}}
            Then every client in group "g" receives a message where $.who is "${client}"
            """,
            config,
        )
        == []
    )


def test_client_and_index_in_a_step_about_one_client_say_what_they_mean(project):
    assert findings(project, 'Given Alice is connected to "/ws?user=${client}"\n') == [
        'features/x.feature:3: "${client}" stands for each client only in a step about several '
        'clients (a group, "clients Alice, Bob are connected …", "every client in group …"); '
        "in a step about one client, write its name itself."
    ]


def test_a_nested_placeholder_needs_its_table(project):
    assert findings(
        project, 'Given 2 clients in group "g" are connected with token "${tokns.${client}}"\n'
    ) == [
        'features/x.feature:3: "${tokns.${client}}" reads the table "tokns", which is not set. '
        'Set it in an earlier step, e.g. Given I set "tokns" to the table: (with | client | '
        "value | rows), or under [variables.tokns] in the settings."
    ]


def test_a_capture_from_a_text_frame_sets_its_variable(project):
    assert (
        findings(
            project,
            """\
            Given Alice is connected
            Then Alice receives a message where $.type is "ack"
            And I remember the text matching "ack:(\\d+)" from Alice's last message as "ack"
            When Alice sends {"ack": "${ack}"}
            """,
        )
        == []
    )


def test_typed_phrase_arguments_are_checked(project):
    config = """\
    [[phrases]]
    step  = '{client} joins with {profile:json}'
    send  = '{"type": "join", "profile": ${profile}}'
    await = '$.type is "joined"'

    [[phrases]]
    step  = '{client} gets a reply where {cond:condition}'
    await = '${cond}'
    """
    found = findings(
        project,
        """\
        Given Alice is connected
        When Alice joins with {"level": 2, "name": "${client}"} within 2 seconds
        And Alice joins with {"level": 2,}
        Then Alice gets a reply where $.level is 2 and $.name starts with "A"
        And Alice gets a reply where $.level iz 2
        """,
        config,
    )
    assert found[:2] == [
        'features/x.feature:4: "${client}" stands for each client only in a step about several '
        'clients (a group, "clients Alice, Bob are connected …", "every client in group …"); '
        "in a step about one client, write its name itself.",
        'features/x.feature:5: {profile} must be JSON, such as {"level": 2}, [1, 2], 3 or '
        f'"text": {python_json_reason(NOT_JSON)}: {NOT_JSON}',
    ]
    assert found[2].startswith('features/x.feature:7: Unknown matcher "iz"; known matchers: is,')
    assert len(found) == 3


def test_http_steps_need_no_connection_and_set_the_variables_they_remember(project):
    assert (
        findings(
            project,
            """\
            When Alice opens "/accounts/login/"
            And I remember the text matching "value=\\"([^\\"]+)\\"" from the response as "csrf"
            And I remember Alice's cookie "csrftoken" as "cookie"
            And Alice posts the form {"csrfmiddlewaretoken": "${csrf}", "c": "${cookie}"} to "/x"
            Then the response status is 302 and $.queued is true
            And I remember $.id from the response as "id"
            And I remember the response header "Location" as "next"
            When I PATCH "/api/${id}${next}" with the JSON:
              \"\"\"
              {"text": "hi"}
              \"\"\"
            Then the response is like:
              \"\"\"
              {"id": "#number"}
              \"\"\"
            Given Alice is connected to "/chat/stream/"
            """,
        )
        == []
    )


def test_mistakes_in_http_steps_are_found(project):
    found = findings(
        project,
        """\
        When I POST {"text": "hi",} to "/api/rooms/1/announce"
        Then the response is JSON where $.queued iz true
        And the response is like:
          \"\"\"
          {"id":
          \"\"\"
        And the response header "WWW-Authenticate" startz with "Basic"
        """,
    )
    assert len(found) == 4, found
    assert "x.feature:9: " in found[3] and "starts with" in found[3]
    assert "x.feature:3: The JSON is not valid" in found[0]
    # One grammar (issue 13): the closest known phrase is "is true", for the words "iz true".
    assert (
        "x.feature:4: " in found[1]
        and 'Unknown matcher "iz true"; did you mean "is true"?' in found[1]
    )
    assert "x.feature:5: The JSON is not valid" in found[2]


def test_socketio_steps_connect_clients_and_read_event_paths_as_the_steps_do(project):
    clean = """\
    Given the server speaks Socket.IO
    And clients Alice and Bob are connected over Socket.IO with auth {"name": "${client}"}
    When Mallory connects to namespace "/admin" with auth {"password": "x"}
    And Carol is connected over Socket.IO
    And Alice emits "echo" with {"a": 1}, "two" and waits for the acknowledgement
    Then Alice receives the event "echo" where $.a is 1 and $args[1] is "two"
    And Bob receives no event "echo" where $event is "echo" within 100 ms
    And Mallory's connection to namespace "/admin" is refused with message "no"
    And Carol has received exactly 0 events "echo"
    """
    assert findings(project, clean) == []
    # The same path in a plain message step is not JSONPath: the checker says so there only.
    assert findings(
        project, 'Given Alice is connected\nThen Alice receives a message where $args[1] is "two"\n'
    ) == [
        'features/x.feature:4: The JSONPath "$args[1]" is not valid (Parse error at 1:1 near '
        "token args (ID)); check its brackets and quotes, e.g. $.items[0].name or "
        "$.items[?(@.id == 3)]."
    ]
    broken = """\
    Given Alice is connected over Socket.IO
    Then Alice receives the event "echo" where $args[1 is "two"
    And Dave receives no event "echo" within 100 ms
    """
    found = findings(project, broken)
    assert len(found) == 2, found
    assert found[0].startswith("features/x.feature:4: ") and "$args[1" in found[0]
    assert found[1].startswith("features/x.feature:5: Dave is used before it connects.")
