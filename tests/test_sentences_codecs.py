"""The ``[codecs]`` table's sentences, pinned whole: one per bad entry, before any scenario.

Each case is a wsbdd.toml (or pyproject.toml) naming a project's own codec, read by
``load_settings`` in a project folder holding the modules the entries name.  Module names
are unique per case: Python keeps a module once imported.
"""

# ruff: noqa: E501  (the table pins whole sentences, one string each)
from __future__ import annotations

import pytest

from tests.sentences import assert_config_sentence, assert_raises_sentence
from wsbdd.codec import BaseCodec, register_codec
from wsbdd.settings.config import load_settings

MODULES = {
    "cgs_ok.py": "from wsbdd.codec import BaseCodec\n\n\nclass LineCodec(BaseCodec):\n    name = 'line'\n\n\nclass NotACodec:\n    pass\n",
    "cgs_bad_import.py": "import cgs_absent_dependency\n",
    "cgs_bad_code.py": "1 / 0\n",
}


class TakenCodec(BaseCodec):
    name = "cgs-taken"


register_codec("cgs-taken", TakenCodec)

CASES = [
    pytest.param(
        '[codecs]\nJsonRpc = "cgs_ok:LineCodec"',
        'wsbdd.toml [codecs] JsonRpc is "cgs_ok:LineCodec": the name "JsonRpc" is not a codec name; write it in lower case, a letter first, then letters, digits, ".", "-" or "_" (e.g. jsonrpc).',
        id="name",
    ),
    pytest.param(
        '[codecs]\nwebsocket = "cgs_ok:LineCodec"',
        'wsbdd.toml [codecs] websocket is "cgs_ok:LineCodec": "websocket" is the name of a protocol wsbdd knows already; give your codec a name of its own, e.g. "my-websocket".',
        id="built-in",
    ),
    pytest.param(
        '[codecs]\nstomp = "cgs_ok:LineCodec"',
        'wsbdd.toml [codecs] stomp is "cgs_ok:LineCodec": "stomp" is the name of a protocol wsbdd knows already; give your codec a name of its own, e.g. "my-stomp".',
        id="a word features use",
    ),
    pytest.param(
        '[codecs]\ncgs-taken = "cgs_ok:LineCodec"',
        'wsbdd.toml [codecs] cgs-taken is "cgs_ok:LineCodec": a codec called "cgs-taken" is already registered (by register_codec); give this one another name, or remove one of the two.',
        id="registered in Python",
    ),
    pytest.param(
        '[codecs]\ncgs-line = "cgs_ok"',
        'wsbdd.toml [codecs] cgs-line is "cgs_ok": write the codec as "module:Class" (e.g. "mycodecs:cgs_ok").',
        id="no class",
    ),
    pytest.param(
        '[codecs]\ncgs-line = "cgs_missing:LineCodec"',
        'wsbdd.toml [codecs] cgs-line is "cgs_missing:LineCodec": there is no module cgs_missing; put cgs_missing.py in the project folder (where the settings file is) or fix the module path.',
        id="module missing",
    ),
    pytest.param(
        '[codecs]\ncgs-line = "cgs_bad_import:LineCodec"',
        "wsbdd.toml [codecs] cgs-line is \"cgs_bad_import:LineCodec\": importing cgs_bad_import failed (ModuleNotFoundError: No module named 'cgs_absent_dependency'); fix the module so that `python -c 'import cgs_bad_import'` works in the project folder.",
        id="module imports what is missing",
    ),
    pytest.param(
        '[codecs]\ncgs-line = "cgs_bad_code:LineCodec"',
        "wsbdd.toml [codecs] cgs-line is \"cgs_bad_code:LineCodec\": importing cgs_bad_code failed (ZeroDivisionError: division by zero); fix the module so that `python -c 'import cgs_bad_code'` works in the project folder.",
        id="module raises",
    ),
    pytest.param(
        '[codecs]\ncgs-line = "cgs_ok:LineCodek"',
        'wsbdd.toml [codecs] cgs-line is "cgs_ok:LineCodek": the module cgs_ok has no "LineCodek"; write "cgs_ok:LineCodec".',
        id="class misspelt",
    ),
    pytest.param(
        '[codecs]\ncgs-line = "cgs_ok:NotACodec"',
        'wsbdd.toml [codecs] cgs-line is "cgs_ok:NotACodec": cgs_ok.NotACodec is not a codec (it has no opening, decode, encode, tick, next_deadline, closing); subclass wsbdd.codec.BaseCodec (docs/codecs.md).',
        id="not a codec",
    ),
    pytest.param(
        '[codecs]\ncgs-line = { codec = "cgs_ok:LineCodec", option = { beat = 1 } }',
        'wsbdd.toml [codecs] cgs-line is {"codec": "cgs_ok:LineCodec", "option": {"beat": 1}}: write { codec = "module:Class", options = {…} }.',
        id="table form",
    ),
    pytest.param(
        "[codecs]\ncgs-line = 3",
        "wsbdd.toml [codecs] cgs-line is 3: must be text in quotes.",
        id="not text",
    ),
]


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the sentences name files as the tester sees them
    for name, source in MODULES.items():
        (tmp_path / name).write_text(source)
    return tmp_path


@pytest.mark.parametrize(("body", "sentence"), CASES)
def test_a_codecs_entry_that_is_refused(project, body, sentence):
    (project / "wsbdd.toml").write_text(body + "\n")
    assert_config_sentence(sentence, load_settings, project, environ={})


def test_pyproject_names_its_table(project):
    (project / "pyproject.toml").write_text('[tool.wsbdd.codecs]\ncgs-line = "cgs_missing:X"\n')
    assert_config_sentence(
        'pyproject.toml [tool.wsbdd.codecs] cgs-line is "cgs_missing:X": there is no module '
        "cgs_missing; put cgs_missing.py in the project folder (where the settings file is) "
        "or fix the module path.",
        load_settings,
        project,
        environ={},
    )


def test_a_misspelt_codecs_name_in_a_feature(project):
    from wsbdd.facade.protocols import ProtocolSession
    from wsbdd.model.errors import FeatureMistake

    (project / "wsbdd.toml").write_text('[codecs]\ncgs-jsonrpc = "cgs_ok:LineCodec"\n')
    load_settings(project, environ={})
    assert_raises_sentence(
        'wsbdd does not know the protocol "cgs-jsonrcp"; did you mean "cgs-jsonrpc"? write '
        '"Socket.IO", "GraphQL", "GraphQL over graphql-ws", "STOMP" or "plain WebSocket", or '
        "the name of a codec of your own (docs/codecs.md).",
        ProtocolSession().use_protocol,
        "cgs-jsonrcp",
        kind=FeatureMistake,
    )
