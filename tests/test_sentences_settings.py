"""The settings' sentences, pinned whole, from the files, the environment and -D.

Each case is a wsbdd.toml written as a tester would write it, read by
``load_settings`` (what the hooks and ``wsbdd check`` call) in its own project folder.
"""

# ruff: noqa: E501  (the table pins whole sentences, one string each)
from __future__ import annotations

import pytest

from tests.sentences import assert_config_sentence
from wsbdd.model.errors import ConfigError, FeatureMistake
from wsbdd.report.options import ReportOptions
from wsbdd.settings.config import load_settings

FILES = [
    pytest.param(
        "[reconnection]\nattempts = 0",
        "wsbdd.toml [reconnection] attempts is 0: must be a whole number of tries from 1 to 100, e.g. 5.",
        id="reconnection attempts",
    ),
    pytest.param(
        "timeout = nan",
        'wsbdd.toml timeout is NaN: not a duration; use a number of seconds (2, 2.5) or text such as "500 ms" or "2 seconds".',
        id="timeout nan",
    ),
    pytest.param(
        "[token]\nquery_param = 3",
        "wsbdd.toml [token] query_param is 3: must be text in quotes.",
        id="text not text",
    ),
    pytest.param(
        '[token]\nquery_param = "a\\nb"',
        'wsbdd.toml [token] query_param is "a\\nb": must be a single line.',
        id="text two lines",
    ),
    pytest.param(
        '[tls]\nclient_cert = "k.pem"',
        "wsbdd.toml [tls] client_cert: the client certificate and key cannot be loaded (not in PEM form); give a PEM certificate in tls.client_cert and its private key (not protected by a password) in tls.client_key, or both in tls.client_cert.",
        id="tls cert",
    ),
    pytest.param(
        'timeout = "soon"',
        'wsbdd.toml timeout is "soon": not a duration; use a number of seconds (2, 2.5) or text such as "500 ms" or "2 seconds".',
        id="timeout text",
    ),
    pytest.param(
        "timeout = -1",
        'wsbdd.toml timeout is -1: a duration cannot be negative; use a number of seconds (2, 2.5) or text such as "500 ms" or "2 seconds".',
        id="timeout negative",
    ),
    pytest.param(
        "timeout = 0",
        'wsbdd.toml timeout is 0: must be more than 0 seconds; use a number of seconds (2, 2.5) or text such as "500 ms" or "2 seconds".',
        id="timeout zero",
    ),
    pytest.param(
        "timeout = true",
        'wsbdd.toml timeout is true: not a duration; use a number of seconds (2, 2.5) or text such as "500 ms" or "2 seconds".',
        id="timeout bool",
    ),
    pytest.param(
        'settle = "-2 s"',
        'wsbdd.toml settle is "-2 s": a duration cannot be negative; use a number of seconds (2, 2.5) or text such as "500 ms" or "2 seconds".',
        id="settle negative",
    ),
    pytest.param(
        "ping_interval = [1]",
        'wsbdd.toml ping_interval is [1]: not a duration; use a number of seconds (2, 2.5) or text such as "500 ms" or "2 seconds"; write false to turn it off.',
        id="ping list",
    ),
    pytest.param(
        'compression = "maybe"',
        'wsbdd.toml compression is "maybe": must be true or false (yes/no, on/off and 1/0 work too).',
        id="compression",
    ),
    pytest.param(
        "url = 3",
        'wsbdd.toml url is 3: must be a WebSocket URL such as "ws://localhost:8000/ws" in quotes.',
        id="url not text",
    ),
    pytest.param(
        'url = "ftp://x"',
        'wsbdd.toml url is "ftp://x": must be a WebSocket URL such as "ws://localhost:8000/ws" (starting with ws://, wss://, http:// or https://); leave it out to test the bundled demo server.',
        id="url bad",
    ),
    pytest.param(
        'url = """ws://a\nb"""',
        'wsbdd.toml url is "ws://a\\nb": contains a space or a control character; write a space in a path or query as %20.',
        id="url two lines",
    ),
    pytest.param(
        '[token]\nquery_param = ""',
        'wsbdd.toml [token] query_param is "": must not be empty.',
        id="token empty",
    ),
    pytest.param(
        'proxy = "socks9://x"',
        'wsbdd.toml proxy is "socks9://x": must be a proxy URL such as "http://proxy.example:3128" (http://, https://, socks4://, socks4a://, socks5://, socks5h://) or false.',
        id="proxy",
    ),
    pytest.param(
        "proxy = 3",
        'wsbdd.toml proxy is 3: must be a proxy URL such as "http://proxy.example:3128" (http://, https://, socks4://, socks4a://, socks5://, socks5h://) or false.',
        id="proxy2",
    ),
    pytest.param(
        "max_size = 0",
        "wsbdd.toml max_size is 0: must be a whole number of bytes above 0, e.g. 1048576.",
        id="max_size",
    ),
    pytest.param(
        "inbox_limit = -1",
        "wsbdd.toml inbox_limit is -1: must be a whole number of messages, 0 for no limit.",
        id="inbox_limit",
    ),
    pytest.param(
        "subprotocols = 3",
        'wsbdd.toml subprotocols is 3: must be a list of text values, e.g. ["a", "b"].',
        id="subprotocols not list",
    ),
    pytest.param(
        'subprotocols = [""]',
        'wsbdd.toml subprotocols is [""]: every entry must be non-empty text.',
        id="subprotocols empty",
    ),
    pytest.param(
        'subprotocols = ["a b"]',
        'wsbdd.toml subprotocols is ["a b"]: the entry "a b" must not contain spaces.',
        id="subprotocols space",
    ),
    pytest.param(
        'secrets = ["1 x"]',
        'wsbdd.toml secrets is ["1 x"]: the entry "1 x" is not a variable name (use letters, digits, "_", "." and "-").',
        id="secrets bad",
    ),
    pytest.param(
        'codec = "no_such_module_xyz:Codec"',
        'wsbdd.toml codec is "no_such_module_xyz:Codec": the codec "no_such_module_xyz:Codec" cannot be imported (No module named \'no_such_module_xyz\'); check the module name and that it is importable from the project folder.',
        id="codec",
    ),
    pytest.param(
        "auto_reply = 3",
        'wsbdd.toml auto_reply is 3: must be a list of rules; write [[auto_reply]] tables with when = "PING" (the exact text) or matches = "^ping" (a regular expression), and reply = "PONG".',
        id="auto not list",
    ),
    pytest.param(
        "auto_reply = [3]",
        'wsbdd.toml auto_reply is [3]: every rule must be a table; write [[auto_reply]] tables with when = "PING" (the exact text) or matches = "^ping" (a regular expression), and reply = "PONG".',
        id="auto rule not table",
    ),
    pytest.param(
        '[[auto_reply]]\nwhen = "PING"\nreply = "PONG"\nfoo = 1',
        'wsbdd.toml auto_reply is {"when": "PING", "reply": "PONG", "foo": 1}: unknown key "foo"; write [[auto_reply]] tables with when = "PING" (the exact text) or matches = "^ping" (a regular expression), and reply = "PONG".',
        id="auto unknown key",
    ),
    pytest.param(
        '[[auto_reply]]\nwhen = "PING"',
        'wsbdd.toml auto_reply is {"when": "PING"}: the rule has no reply text; write [[auto_reply]] tables with when = "PING" (the exact text) or matches = "^ping" (a regular expression), and reply = "PONG".',
        id="auto no reply",
    ),
    pytest.param(
        '[[auto_reply]]\nwhen = "PING"\nmatches = "P"\nreply = "PONG"',
        'wsbdd.toml auto_reply is {"when": "PING", "matches": "P", "reply": "PONG"}: give either when or matches, not both; write [[auto_reply]] tables with when = "PING" (the exact text) or matches = "^ping" (a regular expression), and reply = "PONG".',
        id="auto both",
    ),
    pytest.param(
        '[[auto_reply]]\nwhen = ""\nreply = "PONG"',
        'wsbdd.toml auto_reply is {"when": "", "reply": "PONG"}: when must be non-empty text.',
        id="auto when empty",
    ),
    pytest.param(
        '[[auto_reply]]\nmatches = ""\nreply = "PONG"',
        'wsbdd.toml auto_reply is {"matches": "", "reply": "PONG"}: matches must be a non-empty regular expression.',
        id="auto matches empty",
    ),
    pytest.param(
        '[[auto_reply]]\nmatches = "(["\nreply = "PONG"',
        'wsbdd.toml auto_reply is {"matches": "([", "reply": "PONG"}: matches is not a valid regular expression (unterminated character set at position 1).',
        id="auto bad regex",
    ),
    pytest.param(
        '[[auto_reply]]\nmatches = "ping"\nreply = "PONG \\\\1"',
        'wsbdd.toml auto_reply is {"matches": "ping", "reply": "PONG \\\\1"}: the reply uses group 1, but matches has no group 1; add it to matches (a part in parentheses) or take it out of the reply.',
        id="auto group",
    ),
    pytest.param(
        '[token]\nplace = "body"',
        'wsbdd.toml [token] place is "body": must be one of "query", "header", "message".',
        id="token place",
    ),
    pytest.param(
        'loop = "trio"',
        'wsbdd.toml loop is "trio": must be "asyncio" or "uvloop".',
        id="loop",
    ),
    pytest.param(
        '[token]\nheader = "Bad Header"',
        'wsbdd.toml [token] header is "Bad Header": must be an HTTP header name such as "Authorization".',
        id="header name",
    ),
    pytest.param(
        '[token]\nmessage = \'{"a": "${nope"}\'',
        'wsbdd.toml [token] message: The placeholder "${nope" is not closed; write "${nope}", or "$${nope" for the literal text.',
        id="token message",
    ),
    pytest.param(
        "token = 3",
        "wsbdd.toml token is 3: must be a table, e.g. [token] with keys.",
        id="table not table",
    ),
    pytest.param(
        '[token]\nplce = "query"',
        'wsbdd.toml [token]: unknown key "plce"; did you mean "place"?',
        id="unknown nested",
    ),
    pytest.param(
        "timout = 3",
        'wsbdd.toml: unknown key "timout"; did you mean "timeout"?',
        id="unknown key",
    ),
    pytest.param(
        '[tls]\nca_file = "missing.pem"',
        'wsbdd.toml [tls] ca_file is "missing.pem": no such file (PROJECT/missing.pem); give the path of the CA certificate file (PEM), absolute or relative to the project folder.',
        id="tls file",
    ),
    pytest.param(
        '[tls]\nca_dir = "missing"',
        'wsbdd.toml [tls] ca_dir is "missing": no such folder (PROJECT/missing); give the path of the folder of CA certificates, absolute or relative to the project folder.',
        id="tls dir",
    ),
    pytest.param(
        '[tls]\nclient_key = "k.pem"',
        "wsbdd.toml [tls] client_key is set but tls.client_cert is not; set tls.client_cert to the certificate that goes with the key.",
        id="tls key only",
    ),
    pytest.param(
        '[tls]\nca_file = "bad.pem"',
        "wsbdd.toml [tls] ca_file: holds no CA certificate OpenSSL can read (no certificate or crl found); give a PEM file with -----BEGIN CERTIFICATE----- blocks.",
        id="tls bad pem",
    ),
    pytest.param(
        "timeout = = 3",
        "wsbdd.toml is not valid TOML: Invalid value (at line 1, column 11)",
        id="bad toml",
    ),
    pytest.param(
        '[variables]\n"1 x" = 3',
        'wsbdd.toml [variables]: "1 x" is not a variable name (use letters, digits, "_", "." and "-").',
        id="variable name",
    ),
]


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the sentences name files as the tester sees them
    (tmp_path / "bad.pem").write_text("not a certificate\n")
    (tmp_path / "k.pem").write_text("x\n")
    return tmp_path


def settings_of(project, body: str = "", userdata=None, environ=None):
    if body:
        (project / "wsbdd.toml").write_text(body + "\n")
    return load_settings(project, userdata=userdata or {}, environ=environ or {})


@pytest.mark.parametrize(("body", "sentence"), FILES)
def test_a_setting_that_is_refused(project, body, sentence):
    expected = sentence.replace("PROJECT", str(project.resolve()))
    assert_config_sentence(expected, settings_of, project, body, kind=ConfigError)


def test_settings_that_are_taken(project):
    assert settings_of(project, 'timeout = "500 ms"\nsubprotocols = "chat"').timeout == 0.5


def test_pyproject_without_a_tool_wsbdd_table(project):
    (project / "pyproject.toml").write_text("[tool]\nwsbdd = 3\n")
    assert_config_sentence(
        "pyproject.toml: tool.wsbdd must be a table, written [tool.wsbdd].",
        settings_of,
        project,
    )


@pytest.mark.parametrize(
    ("environ", "userdata", "sentence"),
    [
        (
            {"WSBDD_TIMEOUT": "soon"},
            {},
            'environment variable WSBDD_TIMEOUT is "soon": not a duration; use a number of seconds (2, 2.5) or text such as "500 ms" or "2 seconds".',
        ),
        (
            {"WSBDD_AUTO_REPLY": "[x"},
            {},
            'environment variable WSBDD_AUTO_REPLY is "[x": not a JSON list of rules; write [[auto_reply]] tables with when = "PING" (the exact text) or matches = "^ping" (a regular expression), and reply = "PONG".',
        ),
        (
            {},
            {"wsbdd.timout": "3"},
            "-D wsbdd.timout: not a wsbdd setting; did you mean wsbdd.timeout?",
        ),
        (
            {},
            {"wsbdd.phrases.x": "3"},
            "-D wsbdd.phrases.x: the phrases settings can only be written in pyproject.toml or wsbdd.toml.",
        ),
        (
            {},
            {"wsbdd.strict": "perhaps"},
            '-D wsbdd.strict is "perhaps": must be true or false (yes/no, on/off and 1/0 work too).',
        ),
    ],
)
def test_the_environment_and_userdata(project, environ, userdata, sentence):
    assert_config_sentence(sentence, settings_of, project, "", userdata, environ)


def test_a_configured_variable_that_cannot_be_filled_in(project):
    from tests.sentences import assert_raises_sentence

    settings = settings_of(project, '[variables]\nx = "${nope}"')
    assert_raises_sentence(
        'The configured variable "x" (wsbdd.toml [variables] x) could not be filled in: The '
        'variable "${nope}" is not set. Set it earlier in the scenario, e.g. And I remember $.id '
        'from Bob\'s last message as "nope"; variables set so far: none.',
        settings.new_variables,
        {},
        kind=FeatureMistake,
    )


@pytest.mark.parametrize(
    ("table", "sentence"),
    [
        (
            {"nope": 1},
            "nope is not a report setting; known settings: cucumber_transcripts, diagram_chars, "
            "metadata, payload_cap, title.",
        ),
        (
            {"metadata": "v2"},
            'metadata must be a table of names and texts, such as { "App version" = "2.4.1" }, '
            'not "v2".',
        ),
        (
            {"metadata": {"Build": [1]}},
            'metadata: the field "Build" must be a text or a number, not [1].',
        ),
        ({"metadata": {" ": "x"}}, "metadata: a field has an empty name."),
        ({"title": ""}, "title must be a non-empty text."),
        ({"cucumber_transcripts": "yes"}, "cucumber_transcripts must be true or false."),
        ({"payload_cap": True}, 'payload_cap must be a size like 65536 or "64 KiB", not true.'),
        ({"payload_cap": "lots"}, 'payload_cap must be a size like 65536 or "64 KiB", not "lots".'),
        ({"payload_cap": 10}, "payload_cap must be at least 256 bytes, not 10."),
        (
            {"diagram_chars": "ten"},
            'diagram_chars must be a whole number of at least 20, not "ten".',
        ),
        ({"diagram_chars": 0}, "diagram_chars must be a whole number of at least 20, not 0."),
    ],
)
def test_report_settings(table, sentence):
    """[tool.wsbdd.report], as TOML gives it; values are shown as written in TOML."""
    assert ReportOptions.from_table({"title": "Run"}).title == "Run"
    assert_config_sentence(f"[tool.wsbdd.report] {sentence}", ReportOptions.from_table, table)


@pytest.mark.parametrize(
    ("names", "problem"),
    [
        (
            '["x signature"]',
            'the entry "x signature" is not a name pattern: letters, digits, "-", "_", "." and '
            "the wildcards * and ?",
        ),
        (
            '["*"]',
            'the entry "*" would make every name a credential; name some letters, e.g. "*pin*"',
        ),
    ],
)
def test_a_credential_name_that_is_not_a_pattern(project, names, problem):
    assert_config_sentence(
        f"wsbdd.toml credential_names is {names}: {problem}.",
        settings_of,
        project,
        f"credential_names = {names}",
        kind=ConfigError,
    )
