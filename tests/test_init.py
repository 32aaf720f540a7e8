"""``wsbdd init``: a new project that passes against the demo server, checked by a real run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from demo_command import demo_server_command

from wsbdd.scaffold import FILES, create_project


def run(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("WSBDD_")}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )


def test_init_then_behave_passes_against_the_demo_server(tmp_path):
    created = run(tmp_path, "wsbdd.cli", "init", "shop")
    assert created.returncode == 0, created.stderr
    project = tmp_path / "shop"
    for relative in FILES:
        assert (project / relative).is_file(), relative
    assert "Next: cd shop && wsbdd run" in created.stdout

    checked = run(project, "wsbdd.cli", "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr

    result = run(project, "behave", "--no-color", "-f", "plain")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert "2 scenarios passed, 0 failed" in output
    assert 'When Alice says "hello, Bob" in room "lobby" ... passed' in output

    # the report formatters answer to their short names in a new project too
    result = run(project, "behave", "--no-color", "-f", "wsbdd.html", "-o", "page.html")
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    assert "Alice says" in (project / "page.html").read_text()


def test_the_config_teaches_the_vocabulary_with_comments():
    template = Path(__file__).parent.parent / "wsbdd" / "scaffold" / "template" / "wsbdd.toml"
    text = template.read_text()
    assert "[[phrases]]" in text
    assert '# [[phrases]]\n# preset = "chat"' in text
    for key in ("step", "send", "await", "within", "remember", "steps", "meaning"):
        assert f"#   {key}" in text, key


def test_existing_files_are_kept(tmp_path):
    (tmp_path / "features").mkdir()
    (tmp_path / "features" / "chat.feature").write_text("Feature: mine\n")
    results = {w.path.relative_to(tmp_path).as_posix(): w.created for w in create_project(tmp_path)}
    assert results["features/chat.feature"] is False
    assert results["wsbdd.toml"] is True
    assert (tmp_path / "features" / "chat.feature").read_text() == "Feature: mine\n"


def test_the_ci_snippet_checks_runs_and_keeps_the_reports(tmp_path):
    create_project(tmp_path)
    workflow = (tmp_path / ".github" / "workflows" / "acceptance-tests.yml").read_text()
    assert "run: wsbdd check" in workflow
    assert "run: wsbdd run --reports reports" in workflow
    assert "upload-artifact" in workflow and "if: always()" in workflow


def test_a_new_project_passes_against_wsbdd_demo_server_on_a_url(tmp_path):
    # The demo greets every client; the new project says so in its own settings, so the
    # verdicts are the same whether wsbdd starts the demo or the url points at one.
    create_project(tmp_path)
    with demo_server_command() as url:
        assert url.startswith("ws://127.0.0.1:")
        result = run(tmp_path, "wsbdd.cli", "run", "--no-color", env={"WSBDD_URL": url})
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert "2 scenarios passed, 0 failed" in output
