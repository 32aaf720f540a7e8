"""One identity per client: each handshake of a group gets its own path, query, token, headers.

Against the real Starlette app (tests/starlette_app.py), whose ``/ws`` greets each
client with what its own handshake carried, and the demo server for tokens.
"""

from __future__ import annotations

from pathlib import Path
from subprocess import CompletedProcess

import pytest
from subprocesses import behave as run_behave

from tests.starlette_app import StarletteServer
from wsbdd.facade.session import Run
from wsbdd.match import where
from wsbdd.model.errors import FeatureMistake
from wsbdd.settings.config import Settings, TokenSettings


@pytest.fixture(scope="module")
def app():
    with StarletteServer() as server:
        yield server


@pytest.fixture(scope="module")
def app_run(app):
    settings = Settings(
        url=app.ws_url,
        timeout=5.0,
        token=TokenSettings(place="query", query_param="token"),
    )
    with Run.start(settings) as run:
        yield run


@pytest.fixture
def s(app_run):
    with app_run.session() as session:
        yield session


def hello(session, name):
    return session.receive(name, where('$.type is "hello"')).json


def test_every_member_of_a_group_gets_its_own_path_query_token_and_header(s):
    s.vars.set("tokens", {f"player{i}": f"secret-{i}" for i in range(1, 6)})
    names = [f"player{i}" for i in range(1, 6)]
    s.connect_group(
        "players",
        names,
        "/ws/seat/${index}?user=${client}",
        token="${tokens.${client}}",
        headers={"X-Player": "${client}", "X-Seat-${index}": "yes"},
    )
    for index, name in enumerate(names, 1):
        facts = hello(s, name)
        assert facts["path"] == f"/ws/seat/{index}"
        assert facts["params"] == {"user": name, "token": f"secret-{index}"}
        assert facts["headers"]["x-player"] == name
        assert facts["headers"][f"x-seat-{index}"] == "yes"


def test_plain_text_without_placeholders_is_the_same_for_everyone(s):
    s.connect_all(["A", "B"], "/ws?room=lobby", headers={"X-Team": "red"})
    for name in ("A", "B"):
        facts = hello(s, name)
        assert facts["params"] == {"room": "lobby"}
        assert facts["headers"]["x-team"] == "red"


def test_a_missing_token_names_the_client_and_the_tokens_there_before_anyone_connects(s):
    s.vars.set("tokens", {"player1": "a", "player2": "b"})
    with pytest.raises(FeatureMistake) as caught:
        s.connect_group(
            "players", ["player1", "player2", "player3"], "/ws", token="${tokens.${client}}"
        )
    assert str(caught.value) == (
        'For player3: "${tokens.player3}" is not set: the table "tokens" has no entry '
        '"player3" (its entries: player1, player2).'
    )
    assert list(s.pool.names) == []


def test_the_demo_signs_each_client_in_as_the_user_of_its_own_token():
    """The demo's token auth (wsbdd/demo/auth.py): each client is its own user."""
    from wsbdd.demo.auth import DEFAULT_TOKENS

    with Run.start(Settings(timeout=5.0)) as run, run.session() as s:
        names = sorted(DEFAULT_TOKENS.values())  # alice, bob
        s.vars.set("tokens", {user: token for token, user in DEFAULT_TOKENS.items()})
        s.connect_group("users", names, "/secure", token="${tokens.${client}}")
        for name in names:
            reply = s.receive(name, where('$.type is "authenticated"')).json
            assert reply["user"] == name


def test_a_load_ramp_gives_each_client_its_own_address_and_token(s):
    from wsbdd.load.driver import LoadDriver

    names = [f"crowd{i}" for i in range(1, 21)]
    s.vars.set("tokens", {name: f"t{i}" for i, name in enumerate(names, 1)})
    metrics = LoadDriver.of(s).connect(
        "crowd", names, "/ws?user=${client}&n=${index}", rate=400, token="${tokens.${client}}"
    )
    assert metrics.connected == 20
    for index, name in enumerate(names, 1):
        assert hello(s, name)["params"] == {"user": name, "n": str(index), "token": f"t{index}"}


# -- the same, as a feature writer runs it: behave in a subprocess --------------------------

FEATURES = Path(__file__).resolve().parent / "features" / "identities"


def behave(cwd: Path, url: str, *args: str) -> CompletedProcess[str]:
    return run_behave(cwd, "-f", "plain", "-D", f"wsbdd.url={url}", *args)


def test_the_identities_features_pass_against_the_starlette_app(app):
    result = behave(FEATURES, app.ws_url, ".")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert "2 scenarios passed, 0 failed" in output


def test_a_client_without_a_token_fails_the_step_with_one_sentence(app, tmp_path):
    (tmp_path / "steps").mkdir()
    (tmp_path / "environment.py").write_text("from wsbdd.environment import *\n")
    (tmp_path / "steps" / "wsbdd_steps.py").write_text("from wsbdd.steps import *\n")
    (tmp_path / "wsbdd.toml").write_text(
        '[token]\nplace = "query"\n[variables.tokens]\nplayer1 = "one"\nplayer2 = "two"\n'
    )
    (tmp_path / "x.feature").write_text(
        "Feature: Tokens\n  Scenario: One too many\n"
        '    Given 3 clients in group "players" are connected to "/ws" '
        'with token "${tokens.${client}}"\n'
    )
    result = behave(tmp_path, app.ws_url, ".")
    output = result.stdout + result.stderr
    assert result.returncode == 1
    assert (
        'ASSERT FAILED: In the step "Given 3 clients in group "players" are connected to "/ws" '
        'with token "***"": For player3: "${tokens.player3}" is not set: the table "tokens" has '
        'no entry "player3" (its entries: player1, player2).'
    ) in output, output[-2000:]
    assert "Traceback" not in output


def test_a_table_of_per_client_tokens_is_masked_in_reports():
    from types import SimpleNamespace

    from wsbdd.model.variables import Variables
    from wsbdd.report.collect import ReportRecorder

    variables = Variables({"tokens": {"player1": "first-secret", "player2": "second-secret"}})
    step = SimpleNamespace(
        name='2 clients in group "g" are connected with token "${tokens.${client}}"', table=None
    )
    recorder = ReportRecorder()
    recorder.learn_step(step, variables)
    assert recorder.masker.mask("got first-secret and second-secret") == "got *** and ***"

    named = ReportRecorder(SimpleNamespace(secrets=("pw",), headers={}, variables={}))
    named.learn_session(SimpleNamespace(vars=Variables({"pw": {"Alice": "alice-pass"}})))
    assert named.masker.mask("alice-pass") == "***"
