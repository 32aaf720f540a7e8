"""The README's "A real app on its first day" runs as written, against a real Starlette app.

Its settings and scenarios are read from the README itself, so the page cannot
drift from what works.  The settings file keeps its example address (the run
points at the app with WSBDD_URL, which a team would do in CI too) and its
``[tls]`` CA file, made here by trustme.
"""

from __future__ import annotations

import re
from pathlib import Path

import trustme
from starlette_app import StarletteServer, build_chat_app
from subprocesses import behave

README = Path(__file__).resolve().parent.parent / "README.md"


def section_blocks() -> tuple[str, str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("### A real app on its first day", 1)[1].split("\n## ", 1)[0]
    toml = re.search(r"```toml\n(.*?)```", section, re.DOTALL)
    gherkin = re.search(r"```gherkin\n(.*?)```", section, re.DOTALL)
    assert toml and gherkin, "the README's first-day section lost its examples"
    return toml.group(1), gherkin.group(1)


def test_the_first_day_examples_pass_against_a_real_app(tmp_path: Path) -> None:
    settings, scenarios = section_blocks()
    (tmp_path / "features" / "steps").mkdir(parents=True)
    (tmp_path / "features" / "environment.py").write_text("from wsbdd.environment import *\n")
    (tmp_path / "features" / "steps" / "wsbdd_steps.py").write_text("from wsbdd.steps import *\n")
    (tmp_path / "wsbdd.toml").write_text(settings)
    (tmp_path / "certs").mkdir()
    trustme.CA().cert_pem.write_to_path(str(tmp_path / "certs" / "our-ca.pem"))
    (tmp_path / "features" / "first_day.feature").write_text(
        "Feature: A real app on its first day\n\n"
        + "\n".join("  " + line if line.strip() else line for line in scenarios.splitlines())
    )
    app = build_chat_app(users={"alice": "pw-of-alice"}, api_key="key-of-rooms")
    with StarletteServer(app) as server:
        env = {
            "WSBDD_URL": server.ws_url + "/chat/ws?v=2",
            "ALICE_PW": "pw-of-alice",
            "KEY": "key-of-rooms",
            "PLAYER1_TOKEN": "t-one",
            "PLAYER2_TOKEN": "t-two",
        }
        result = behave(tmp_path, "-f", "plain", env=env)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert "3 scenarios passed, 0 failed" in output
    assert "pw-of-alice" not in output and "key-of-rooms" not in output
