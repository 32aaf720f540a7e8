"""The sentences of results files and their merging (wsbdd report merge), pinned whole."""

from __future__ import annotations

import json
from pathlib import Path

from sentences import assert_config_sentence
from test_report_results import _rich_run

from wsbdd import __version__
from wsbdd.report.merge import merge_runs
from wsbdd.report.results import RESULTS_FILE, read_results, results_json


def _written(tmp_path: Path, text: str | bytes, name: str = RESULTS_FILE) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_a_missing_results_file(tmp_path: Path):
    path = tmp_path / "nowhere" / RESULTS_FILE
    assert_config_sentence(f"There is no results file {path}.", read_results, path)


def test_a_results_file_that_cannot_be_read(tmp_path: Path):
    assert_config_sentence(
        f"wsbdd could not read {tmp_path}: Is a directory.", read_results, tmp_path
    )
    path = _written(tmp_path, b'{"format": "\xff\xfe"}')
    assert_config_sentence(
        f"wsbdd could not read {path}: 'utf-8' codec can't decode byte 0xff in position 12: "
        "invalid start byte.",
        read_results,
        path,
    )


def test_a_garbled_results_file(tmp_path: Path):
    path = _written(tmp_path, '{"format": "wsbdd-results/1",\n  "features": [}')
    assert_config_sentence(
        f"{path} is not a wsbdd results file: its JSON is broken at line 2.", read_results, path
    )


def test_a_json_file_that_is_not_a_results_file(tmp_path: Path):
    path = _written(tmp_path, '[{"uri": "features/chat.feature"}]', "cucumber.json")
    assert_config_sentence(
        f"{path} is not a wsbdd results file (wsbdd writes them as results.json beside its "
        "other reports).",
        read_results,
        path,
    )


def test_a_results_file_of_another_wsbdd_version(tmp_path: Path):
    data = json.loads(results_json(_rich_run()))
    data["wsbdd"] = "0.0.9"
    path = _written(tmp_path, json.dumps(data))
    assert_config_sentence(
        f"{path} was written by wsbdd 0.0.9, and this is wsbdd {__version__}: run the tests "
        "again with this version to merge their results.",
        read_results,
        path,
    )


def test_a_results_file_with_a_broken_record(tmp_path: Path):
    data = json.loads(results_json(_rich_run()))
    del data["features"][0]["scenarios"][0]["conversation"]["events"][0]["at"]
    path = _written(tmp_path, json.dumps(data))
    assert_config_sentence(
        f"{path} is not a wsbdd results file: a record in it is incomplete (KeyError: 'at').",
        read_results,
        path,
    )


def test_runs_of_different_wsbdd_versions(tmp_path: Path):
    older = _rich_run()
    older.version = "0.0.9"
    assert_config_sentence(
        f"These results were written by different wsbdd versions ({__version__}, 0.0.9): "
        "run them again with one version to merge them.",
        merge_runs,
        [_rich_run(), older],
    )


def test_merge_with_nothing_to_merge():
    from wsbdd.report.command import _merged

    assert_config_sentence(
        "Name the results to merge: results.json files or the report folders that hold them "
        "(wsbdd report merge reports/shard1 reports/shard2).",
        _merged,
        [],
        False,
    )


def test_merge_of_a_folder_without_results(tmp_path: Path):
    from wsbdd.report.command import results_path

    assert_config_sentence(
        f"The folder {tmp_path} holds no results.json: give a report folder a run wrote "
        f"(wsbdd run --reports {tmp_path}), or the file itself.",
        results_path,
        str(tmp_path),
    )
