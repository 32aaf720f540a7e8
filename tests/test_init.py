"""``wsbdd init``: a new project that passes against the demo server, checked by a real run."""

from __future__ import annotations

import os
import re
import subprocess
import sysconfig
import tomllib
import venv
import zipfile
from pathlib import Path
from subprocess import CompletedProcess

from demo_command import demo_server_command
from packaging.requirements import Requirement
from subprocesses import run_module

from wsbdd.scaffold import CI_FILE, FILES, create_project

ROOT = Path(__file__).resolve().parent.parent
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
WHEEL = f"wsbdd-{VERSION}-py3-none-any.whl"


def run(cwd: Path, *args: str, env: dict[str, str] | None = None) -> CompletedProcess[str]:
    return run_module(cwd, *args, env=env)


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


# -- the CI workflow's install line, run in a fresh environment --------------------------------


def fresh_environment(where: Path, *, with_pip: bool = True) -> Path:
    """A new venv that sees this environment's packages except wsbdd (and pip and setuptools).

    wsbdd's dependencies are linked in through a .pth file, so installing the vendored
    wheel needs no download; wsbdd itself must come from the wheel.
    """
    venv.EnvBuilder(with_pip=with_pip).create(where)
    deps = where.parent / f"{where.name}-deps"
    deps.mkdir()
    own = ("wsbdd", "__editable__", "pip", "setuptools", "_distutils_hack", "distutils-")
    for folder in {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}:
        for entry in Path(folder).iterdir():
            name = entry.name.lower()
            if name.startswith(own) or name == "__pycache__" or (deps / entry.name).exists():
                continue
            (deps / entry.name).symlink_to(entry)
    site = Path(
        subprocess.check_output(
            [
                where / "bin" / "python",
                "-c",
                "import sysconfig; print(sysconfig.get_paths()['purelib'])",
            ],
            text=True,
        ).strip()
    )
    (site / "test-dependencies.pth").write_text(f"{deps}\n")
    return where


def in_environment(environment: Path, cwd: Path, *command: str) -> subprocess.CompletedProcess:
    """Run *command* as a shell in CI would, with *environment* activated."""
    variables = {
        k: v for k, v in os.environ.items() if not k.startswith(("WSBDD_", "PYTHON", "VIRTUAL_ENV"))
    }
    variables["PATH"] = f"{environment / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"
    variables["VIRTUAL_ENV"] = str(environment)
    return subprocess.run(
        list(command),
        cwd=cwd,
        env=variables,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )


def install_lines(project: Path) -> list[str]:
    workflow = (project / CI_FILE).read_text()
    return re.findall(r"^\s*- run: (pip install .*)$", workflow, re.MULTILINE)


def requirements(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        text = archive.read(f"wsbdd-{VERSION}.dist-info/METADATA").decode()
    return [
        line.split(":", 1)[1].strip()
        for line in text.splitlines()
        if line.startswith("Requires-Dist:") and "extra ==" not in line
    ]


def same_requirements(a: list[str], b: list[str]) -> bool:
    def key(text: str) -> tuple[str, str]:
        requirement = Requirement(text)
        return requirement.name, str(requirement.specifier)

    return sorted(map(key, a)) == sorted(map(key, b))


def test_the_ci_install_line_installs_wsbdd_from_a_fresh_clone(tmp_path):
    created = run(tmp_path, "wsbdd.cli", "init", "shop")
    assert created.returncode == 0, created.stderr
    assert f"created shop/vendor/{WHEEL}" in created.stdout
    assert (
        f"Commit vendor/ with the project: the CI workflow installs wsbdd from vendor/{WHEEL}."
    ) in created.stdout
    project = tmp_path / "shop"
    assert install_lines(project) == [f"pip install vendor/{WHEEL}"]
    # the wheel says what wsbdd needs, so CI gets the dependencies from PyPI
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert same_requirements(requirements(project / "vendor" / WHEEL), declared)
    # the wheel ships the type hints' marker and not the tests' browser drivers
    with zipfile.ZipFile(project / "vendor" / WHEEL) as built:
        shipped = built.namelist()
    assert "wsbdd/py.typed" in shipped
    assert not [name for name in shipped if "browser" in name or "firefox" in name]
    # building it left nothing behind in the wsbdd checkout
    assert not (ROOT / "build").exists()

    fresh = fresh_environment(tmp_path / "ci")
    for line in install_lines(project):
        installed = in_environment(fresh, project, "bash", "-c", line)
        assert installed.returncode == 0, installed.stdout + installed.stderr
    where = in_environment(fresh, project, "python", "-c", "import wsbdd; print(wsbdd.__file__)")
    assert where.stdout.startswith(str(fresh)), where.stdout + where.stderr
    helped = in_environment(fresh, project, "wsbdd", "--help")
    assert helped.returncode == 0 and "wsbdd" in helped.stdout, helped.stderr
    checked = in_environment(fresh, project, "wsbdd", "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    ran = in_environment(fresh, project, "wsbdd", "run", "--no-color")
    assert ran.returncode == 0, (ran.stdout + ran.stderr)[-4000:]
    assert "2 scenarios passed, 0 failed" in ran.stdout

    # wsbdd installed from that wheel vendors the same wheel, packed from its installed files
    again = in_environment(fresh, tmp_path, "wsbdd", "init", "again")
    assert again.returncode == 0, again.stdout + again.stderr
    with zipfile.ZipFile(project / "vendor" / WHEEL) as first:
        with zipfile.ZipFile(tmp_path / "again" / "vendor" / WHEEL) as second:
            assert sorted(first.namelist()) == sorted(second.namelist())
            for name in first.namelist():
                if not name.endswith("/RECORD"):
                    assert first.read(name) == second.read(name), name

    # a project made by an older wsbdd: init replaces its wheel, and its CI line with it
    old = tmp_path / "again" / "vendor" / "wsbdd-0.0.1-py3-none-any.whl"
    (tmp_path / "again" / "vendor" / WHEEL).rename(old)
    workflow = tmp_path / "again" / CI_FILE
    workflow.write_text(workflow.read_text().replace(WHEEL, old.name))
    upgraded = in_environment(fresh, tmp_path, "wsbdd", "init", "again")
    assert upgraded.returncode == 0, upgraded.stdout + upgraded.stderr
    assert (
        f"replaced again/vendor/{old.name} by again/vendor/{WHEEL}, and again/{CI_FILE} installs it"
    ) in upgraded.stdout
    assert not old.exists()
    assert install_lines(tmp_path / "again") == [f"pip install vendor/{WHEEL}"]

    # the same version again: the wheel is kept
    kept = in_environment(fresh, tmp_path, "wsbdd", "init", "again")
    assert f"kept    again/vendor/{WHEEL} (the same version" in kept.stdout


def test_without_a_wheel_init_and_the_ci_file_say_what_to_do(tmp_path):
    # A venv with no pip (as uv makes them), running wsbdd from its source folder.
    bare = fresh_environment(tmp_path / "bare", with_pip=False)
    result = in_environment(
        bare, tmp_path, "env", f"PYTHONPATH={ROOT}", "python", "-m", "wsbdd.cli", "init", "shop"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    said = result.stderr.strip().splitlines()
    assert len(said) == 1, result.stderr
    assert said[0].startswith("wsbdd init: could not put a wheel of wsbdd in shop/vendor (pip ")
    assert said[0].endswith(
        f"so replace the install step in shop/{CI_FILE} with how your CI gets wsbdd, e.g. a "
        'wheel you commit or pip install "wsbdd @ git+https://…".'
    )
    workflow = (tmp_path / "shop" / CI_FILE).read_text()
    assert "could not put a wheel of wsbdd in vendor/" in workflow
    assert (
        '- run: echo "Install wsbdd here: see the comment above this step." && exit 1' in workflow
    )
    assert not (tmp_path / "shop" / "vendor").exists()


def test_offline_with_no_build_backend_at_hand_init_says_what_pip_missed(tmp_path):
    (tmp_path / "no-wheels").mkdir()
    offline = {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(tmp_path / "no-wheels")}
    result = run(tmp_path, "wsbdd.cli", "init", "shop", env=offline)
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith(
        f"wsbdd init: could not put a wheel of wsbdd in shop/vendor (pip could not build it "
        f"from {ROOT}: ERROR: Could not find a version that satisfies the requirement setuptools"
    ), result.stderr
    assert "exit 1" in (tmp_path / "shop" / CI_FILE).read_text()
    assert not (ROOT / "build").exists()
