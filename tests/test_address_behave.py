"""behave as a user runs it, in a subprocess: addresses with paths and queries, a wss://
server from our own CA, and wsbdd's own WSBDD_* tool variables in the environment."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path
from subprocess import CompletedProcess

import pytest
import trustme
from starlette_app import StarletteServer
from subprocesses import behave as run_behave

FEATURES = Path(__file__).resolve().parent / "features"


def behave(cwd: Path, *args: str, env: dict[str, str]) -> CompletedProcess[str]:
    return run_behave(cwd, "-f", "plain", *args, env=env)


@pytest.fixture(scope="module")
def ca_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("ca")
    ca = trustme.CA()
    server = ca.issue_cert("127.0.0.1")
    files = {"ca": folder / "ca.pem", "cert": folder / "server.pem", "key": folder / "server.key"}
    ca.cert_pem.write_to_path(str(files["ca"]))
    server.cert_chain_pems[0].write_to_path(str(files["cert"]))
    server.private_key_pem.write_to_path(str(files["key"]))
    return files


@pytest.fixture(scope="module")
def tls_app(ca_files: dict[str, Path]) -> Iterator[StarletteServer]:
    with StarletteServer(
        ssl_certfile=str(ca_files["cert"]), ssl_keyfile=str(ca_files["key"])
    ) as server:
        yield server


def test_the_addresses_feature_passes_against_a_starlette_app() -> None:
    with StarletteServer() as app:
        url = app.ws_url + "/ws/rooms/lobby?name=Alice"
        result = behave(FEATURES / "addresses", ".", env={"WSBDD_URL": url})
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert "6 scenarios passed, 0 failed" in output


def test_the_tls_feature_passes_with_our_ca_from_the_environment(
    tls_app: StarletteServer, ca_files: dict[str, Path]
) -> None:
    env = {"WSBDD_URL": tls_app.ws_url + "/ws", "WSBDD_TLS_CA_FILE": str(ca_files["ca"])}
    result = behave(FEATURES / "tls", ".", env=env)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert "1 scenario passed, 0 failed" in output


def test_the_tls_feature_fails_with_a_sentence_without_our_ca(tls_app: StarletteServer) -> None:
    result = behave(FEATURES / "tls", ".", "-D", f"wsbdd.url={tls_app.ws_url}/ws", env={})
    assert result.returncode == 1
    assert (
        "the server's certificate could not be verified (unable to get local issuer "
        "certificate); if the server uses your own CA, set tls.ca_file to that CA's "
        "certificate" in result.stdout
    )
    assert "Traceback" not in result.stdout + result.stderr


def test_wsbdd_tool_variables_do_not_stop_a_run(tmp_path: Path) -> None:
    (tmp_path / "features" / "steps").mkdir(parents=True)
    (tmp_path / "features" / "environment.py").write_text("from wsbdd.environment import *\n")
    (tmp_path / "features" / "steps" / "wsbdd_steps.py").write_text("from wsbdd.steps import *\n")
    (tmp_path / "features" / "echo.feature").write_text(
        textwrap.dedent(
            """\
            Feature: Echo
              Scenario: The demo echoes
                Given Alice is connected
                When Alice sends {"type": "echo", "content": "hi"}
                Then Alice receives a message where $.content is "hi"
            """
        )
    )
    env = {
        "WSBDD_PROGRESS": "1",
        "WSBDD_CHROMIUM": "/usr/bin/chromium",
        "WSBDD_FIREFOX": "/usr/bin/firefox-esr",
        "WSBDD_NODE_MODULES": str(tmp_path),
        "WSBDD_TIMEOUT": "3",
    }
    result = behave(tmp_path, env=env)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert "1 scenario passed, 0 failed" in output


def test_a_bad_step_address_names_its_step_once(tmp_path: Path) -> None:
    (tmp_path / "features" / "steps").mkdir(parents=True)
    (tmp_path / "features" / "environment.py").write_text("from wsbdd.environment import *\n")
    (tmp_path / "features" / "steps" / "wsbdd_steps.py").write_text("from wsbdd.steps import *\n")
    (tmp_path / "features" / "bad.feature").write_text(
        "Feature: Bad\n  Scenario: Not a WebSocket address\n"
        '    Given Alice is connected to "ftp://127.0.0.1/ws"\n'
    )
    result = behave(tmp_path, env={})
    assert result.returncode == 1
    sentence = (
        'ASSERT FAILED: In the step "Given Alice is connected to "ftp://127.0.0.1/ws"": The '
        'address "ftp://127.0.0.1/ws" is not a WebSocket address; write a path such as "/chat", '
        'a query such as "?room=1", or a full URL starting with ws://, wss://, http:// or '
        "https://."
    )
    assert sentence in result.stdout
    assert result.stdout.count("In the step") == 1
