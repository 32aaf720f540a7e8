"""Settings: five sources in order, value parsing, and one-line errors that name the source."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from wsbdd.model.errors import ConfigError, FeatureMistake
from wsbdd.settings.config import Settings, TokenSettings, load_settings


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run each test in its own folder, so file names in messages are short and exact."""
    monkeypatch.chdir(tmp_path)


def write(name: str, text: str) -> None:
    Path(name).write_text(textwrap.dedent(text), encoding="utf-8")


def load(
    userdata: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    return load_settings(".", userdata=userdata or {}, environ=environ or {})


def config_error(
    userdata: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> str:
    with pytest.raises(ConfigError) as caught:
        load(userdata, environ)
    return str(caught.value)


# -- no configuration -------------------------------------------------------------------------


def test_no_configuration_gives_the_defaults() -> None:
    settings = load()
    assert settings == Settings()
    assert settings.url is None
    assert settings.timeout == 5.0
    assert settings.quiet_window == 0.3
    assert settings.settle == 0.1
    assert settings.connect_timeout == 5.0
    assert settings.close_timeout == 2.0
    assert settings.token == TokenSettings()
    assert settings.token.place == "query"
    assert settings.token.message == '{"type": "auth", "token": "${token}"}'
    assert dict(settings.headers) == {}
    assert settings.subprotocols == ()
    assert settings.compression is False
    assert settings.proxy is None
    assert settings.ping_interval == 20.0 and settings.ping_timeout == 20.0
    assert settings.max_size == 1048576
    assert settings.strict is False and settings.ignore == ()
    assert dict(settings.variables) == {} and settings.secrets == ()
    assert dict(settings.extras) == {}
    assert settings.source == "defaults"
    assert settings.origin_of("url") == "default"


def test_a_pyproject_without_a_wsbdd_table_is_fine() -> None:
    write("pyproject.toml", '[project]\nname = "app"\n[tool.behave]\npaths = ["features"]\n')
    assert load() == Settings()


def test_missing_project_dir_gives_defaults(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "nowhere", userdata={}, environ={})
    assert settings.source == "defaults"


def test_settings_are_read_only() -> None:
    settings = load()
    with pytest.raises(AttributeError):
        settings.timeout = 3  # type: ignore[misc]
    with pytest.raises(TypeError):
        settings.headers["X"] = "y"  # type: ignore[index]


# -- reading every key ---------------------------------------------------------------------------


FULL_PYPROJECT = """
[tool.wsbdd]
url = "wss://chat.example.com/ws"
timeout = 3
quiet_window = "500 ms"
settle = 0.2
connect_timeout = "10 s"
close_timeout = "1 second"
subprotocols = ["chat.v1", "chat.v2"]
compression = true
proxy = "http://proxy.example:3128"
ping_interval = false
ping_timeout = "30 seconds"
max_size = 65536
strict = "yes"
ignore = ['$.type is "welcome"', '$.type is "presence"']
secrets = ["token", "password"]

[tool.wsbdd.token]
place = "header"
query_param = "access_token"
header = "X-Auth"
scheme = ""
message = '{"action": "login", "jwt": "${token}"}'

[tool.wsbdd.headers]
Origin = "https://chat.example.com"
X-Client-Version = 3

[tool.wsbdd.variables]
room = "lobby"
max_players = 4
token = "${env.CHAT_TOKEN}"

[tool.wsbdd.phrases]
join = { step = 'client {client} joins room "{room}"' }

[tool.wsbdd.report]
html = "reports/wsbdd.html"
"""


def test_every_key_is_read_from_pyproject() -> None:
    write("pyproject.toml", FULL_PYPROJECT)
    settings = load()
    assert settings.url == "wss://chat.example.com/ws"
    assert settings.timeout == 3.0 and isinstance(settings.timeout, float)
    assert settings.quiet_window == 0.5
    assert settings.settle == 0.2
    assert settings.connect_timeout == 10.0
    assert settings.close_timeout == 1.0
    assert settings.subprotocols == ("chat.v1", "chat.v2")
    assert settings.compression is True
    assert settings.proxy == "http://proxy.example:3128"
    assert settings.ping_interval is None
    assert settings.ping_timeout == 30.0
    assert settings.max_size == 65536
    assert settings.strict is True
    assert settings.ignore == ('$.type is "welcome"', '$.type is "presence"')
    assert settings.secrets == ("token", "password")
    assert settings.token == TokenSettings(
        place="header",
        query_param="access_token",
        header="X-Auth",
        scheme="",
        message='{"action": "login", "jwt": "${token}"}',
    )
    assert dict(settings.headers) == {"Origin": "https://chat.example.com", "X-Client-Version": "3"}
    assert dict(settings.variables) == {
        "room": "lobby",
        "max_players": 4,
        "token": "${env.CHAT_TOKEN}",
    }
    assert dict(settings.extras) == {
        "phrases": {"join": {"step": 'client {client} joins room "{room}"'}},
        "report": {"html": "reports/wsbdd.html"},
    }
    assert settings.source == "pyproject.toml [tool.wsbdd]"
    assert settings.origin_of("token.place") == "pyproject.toml [tool.wsbdd.token] place"
    assert settings.origin_of("timeout") == "pyproject.toml [tool.wsbdd] timeout"


def test_wsbdd_toml_uses_top_level_keys() -> None:
    write(
        "wsbdd.toml",
        """
        url = "ws://localhost:9000"
        strict = true
        [token]
        place = "message"
        [variables]
        room = "kitchen"
        """,
    )
    settings = load()
    assert settings.url == "ws://localhost:9000"
    assert settings.strict is True
    assert settings.token.place == "message"
    assert dict(settings.variables) == {"room": "kitchen"}
    assert settings.source == "wsbdd.toml"
    assert settings.origin_of("token.place") == "wsbdd.toml [token] place"


def test_token_header_value() -> None:
    assert TokenSettings().header_value("abc") == "Bearer abc"
    assert TokenSettings(scheme="").header_value("abc") == "abc"


# -- precedence ----------------------------------------------------------------------------------


def test_precedence_across_all_five_sources() -> None:
    write(
        "pyproject.toml",
        """
        [tool.wsbdd]
        url = "ws://pyproject"
        timeout = 1
        quiet_window = 1
        settle = 1
        connect_timeout = 1
        """,
    )
    write(
        "wsbdd.toml",
        """
        timeout = 2
        quiet_window = 2
        settle = 2
        """,
    )
    environ = {"WSBDD_QUIET_WINDOW": "3", "WSBDD_SETTLE": "3", "HOME": "/x"}
    userdata = {"wsbdd.settle": "4", "unrelated": "value"}
    settings = load(userdata, environ)
    assert settings.url == "ws://pyproject"  # only in pyproject
    assert settings.connect_timeout == 1.0  # pyproject
    assert settings.timeout == 2.0  # wsbdd.toml beats pyproject
    assert settings.quiet_window == 3.0  # environment beats both files
    assert settings.settle == 4.0  # -D beats everything
    assert settings.close_timeout == 2.0  # default
    assert settings.source == (
        "pyproject.toml [tool.wsbdd] + wsbdd.toml + environment (WSBDD_QUIET_WINDOW, "
        "WSBDD_SETTLE) + -D (wsbdd.settle)"
    )
    assert settings.origin_of("url") == "pyproject.toml [tool.wsbdd] url"
    assert settings.origin_of("timeout") == "wsbdd.toml timeout"
    assert settings.origin_of("quiet_window") == "environment variable WSBDD_QUIET_WINDOW"
    assert settings.origin_of("settle") == "-D wsbdd.settle"
    assert settings.origin_of("close_timeout") == "default"


def test_tables_merge_key_by_key() -> None:
    write(
        "pyproject.toml",
        """
        [tool.wsbdd.token]
        place = "header"
        header = "X-Token"
        [tool.wsbdd.variables]
        room = "lobby"
        team = "red"
        [tool.wsbdd.headers]
        Origin = "https://a"
        """,
    )
    write(
        "wsbdd.toml",
        """
        [token]
        header = "X-Auth"
        [variables]
        team = "blue"
        [headers]
        X-Extra = "1"
        """,
    )
    settings = load(
        {"wsbdd.token.scheme": "Token", "wsbdd.variables.player": "p1"},
        {"WSBDD_TOKEN_QUERY_PARAM": "t"},
    )
    assert settings.token == TokenSettings(
        place="header", query_param="t", header="X-Auth", scheme="Token"
    )
    assert dict(settings.variables) == {"room": "lobby", "team": "blue", "player": "p1"}
    assert dict(settings.headers) == {"Origin": "https://a", "X-Extra": "1"}


def test_nested_token_keys_from_environment_and_userdata() -> None:
    assert load(environ={"WSBDD_TOKEN_PLACE": "header"}).token.place == "header"
    assert load({"wsbdd.token.place": "message"}).token.place == "message"
    both = load({"wsbdd.token.place": "message"}, {"WSBDD_TOKEN_PLACE": "header"})
    assert both.token.place == "message"


def test_every_setting_can_come_from_the_environment() -> None:
    environ = {
        "WSBDD_URL": "ws://env:1/ws",
        "WSBDD_TIMEOUT": "2.5",
        "WSBDD_QUIET_WINDOW": "100ms",
        "WSBDD_SETTLE": "0",
        "WSBDD_CONNECT_TIMEOUT": "3 seconds",
        "WSBDD_CLOSE_TIMEOUT": "4s",
        "WSBDD_SUBPROTOCOLS": "a, b ,c",
        "WSBDD_COMPRESSION": "on",
        "WSBDD_PROXY": "socks5://127.0.0.1:1080",
        "WSBDD_PING_INTERVAL": "off",
        "WSBDD_PING_TIMEOUT": "none",
        "WSBDD_MAX_SIZE": "2048",
        "WSBDD_STRICT": "1",
        "WSBDD_IGNORE": '$.type is "welcome"',
        "WSBDD_SECRETS": "token,password",
        "WSBDD_TOKEN_PLACE": "HEADER",
        "WSBDD_TOKEN_QUERY_PARAM": "jwt",
        "WSBDD_TOKEN_HEADER": "X-Token",
        "WSBDD_TOKEN_SCHEME": "",
        "WSBDD_TOKEN_MESSAGE": '{"auth": "${token}"}',
    }
    settings = load(environ=environ)
    assert settings == Settings(
        url="ws://env:1/ws",
        timeout=2.5,
        quiet_window=0.1,
        settle=0.0,
        connect_timeout=3.0,
        close_timeout=4.0,
        subprotocols=("a", "b", "c"),
        compression=True,
        proxy="socks5://127.0.0.1:1080",
        ping_interval=None,
        ping_timeout=None,
        max_size=2048,
        strict=True,
        ignore=('$.type is "welcome"',),
        secrets=("token", "password"),
        token=TokenSettings("header", "jwt", "X-Token", "", '{"auth": "${token}"}'),
        source=settings.source,
        origins=settings.origins,
    )


def test_userdata_strings_and_toml_booleans() -> None:
    settings = load(
        {
            "wsbdd.url": "ws://cli/ws",
            "wsbdd.timeout": "2.5",  # [tool.behave.userdata] numbers arrive as strings
            "wsbdd.strict": True,  # TOML booleans stay booleans
            "wsbdd.compression": "false",
            "wsbdd.subprotocols": "x,y",
            "wsbdd.headers.X-Api-Key": "abc",
            "wsbdd.variables.room": "lobby",
            "wsbdd.variables.user.name": "bob",
        }
    )
    assert settings.url == "ws://cli/ws"
    assert settings.timeout == 2.5
    assert settings.strict is True
    assert settings.compression is False
    assert settings.subprotocols == ("x", "y")
    assert dict(settings.headers) == {"X-Api-Key": "abc"}
    assert dict(settings.variables) == {"room": "lobby", "user.name": "bob"}
    assert settings.origin_of("variables.room") == "-D wsbdd.variables.room"


def test_userdata_without_the_wsbdd_prefix_is_ignored() -> None:
    assert load({"url": "nonsense", "wsbdd": "x", "other.timeout": "-1"}) == Settings()


def test_unrelated_environment_variables_are_ignored() -> None:
    assert load(environ={"HOME": "/x", "HTTPS_PROXY": "http://p:1", "WSBDDX": "1"}) == Settings()


def test_environ_defaults_to_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WSBDD_TIMEOUT", "7")
    assert load_settings(".").timeout == 7.0


# -- value parsing -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        (2, 2.0),
        (2.5, 2.5),
        ("2", 2.0),
        ("2.5", 2.5),
        (".5", 0.5),
        ("500 ms", 0.5),
        ("500ms", 0.5),
        ("250 milliseconds", 0.25),
        ("2 s", 2.0),
        ("2 sec", 2.0),
        ("2 seconds", 2.0),
        ("1 second", 1.0),
        (" 3 S ", 3.0),
        # Issue 13: one set of units everywhere (wsbdd.match.grammar.DURATION_UNITS), so a
        # setting takes minutes as a step's "within 2 minutes" does.
        ("2 minutes", 120.0),
        ("1 min", 60.0),
        ("5 MSEC", 0.005),
    ],
)
def test_durations(text: Any, seconds: float) -> None:
    assert load({"wsbdd.timeout": text}).timeout == seconds


@pytest.mark.parametrize(
    ("text", "value"),
    [
        (True, True),
        (False, False),
        ("true", True),
        ("False", False),
        ("yes", True),
        ("no", False),
        ("1", True),
        ("0", False),
        ("on", True),
        ("OFF", False),
    ],
)
def test_booleans(text: Any, value: bool) -> None:
    assert load({"wsbdd.strict": text}).strict is value


def test_zero_is_allowed_for_quiet_window_and_settle() -> None:
    settings = load({"wsbdd.quiet_window": "0", "wsbdd.settle": 0})
    assert settings.quiet_window == 0.0 and settings.settle == 0.0


def test_a_single_string_in_toml_is_one_entry_not_split_on_commas() -> None:
    write("pyproject.toml", '[tool.wsbdd]\nignore = \'$.type is one of "a", "b"\'\n')
    assert load().ignore == ('$.type is one of "a", "b"',)


def test_proxy_can_be_turned_off_explicitly() -> None:
    write("pyproject.toml", '[tool.wsbdd]\nproxy = "http://p:1"\n')
    assert load(environ={"WSBDD_PROXY": "none"}).proxy is None
    assert load({"wsbdd.proxy": False}).proxy is None


# -- variables from configuration ------------------------------------------------------------------


def test_config_values_for_templates() -> None:
    write("pyproject.toml", FULL_PYPROJECT)
    values = load().config_values()
    assert values["url"] == "wss://chat.example.com/ws"
    assert values["token.place"] == "header"
    assert values["headers.Origin"] == "https://chat.example.com"
    assert values["subprotocols"] == ["chat.v1", "chat.v2"]
    assert "variables" not in values and "secrets" not in values


def test_new_variables_renders_configured_values_once_per_scenario() -> None:
    write(
        "pyproject.toml",
        """
        [tool.wsbdd]
        url = "ws://app/ws"
        [tool.wsbdd.variables]
        token = "${env.CHAT_TOKEN}"
        room = "room-${random_string}"
        greeting = "hello ${room}"
        where = "${config.url}"
        players = 4
        literal = "$${not_rendered}"
        """,
    )
    settings = load()
    first = settings.new_variables({"CHAT_TOKEN": "t0k"})
    second = settings.new_variables({"CHAT_TOKEN": "t0k"})
    assert first.get("token") == "t0k"
    assert first.get("greeting") == f"hello {first.get('room')}"
    assert first.get("room") == first.get("room")  # fixed within a scenario
    assert first.get("room") != second.get("room")  # fresh for the next one
    assert first.get("where") == "ws://app/ws"
    assert first.get("players") == 4
    assert first.get("literal") == "${not_rendered}"
    assert first.get("config.token.place") == "query"
    assert first.names() == ["token", "room", "greeting", "where", "players", "literal"]
    demo = settings.new_variables({"CHAT_TOKEN": "t"}, config={"url": "ws://127.0.0.1:5555"})
    assert demo.get("where") == "ws://127.0.0.1:5555"


def test_new_variables_names_the_configured_variable_on_failure() -> None:
    write("pyproject.toml", '[tool.wsbdd.variables]\ntoken = "${env.CHAT_TOKEN}"\n')
    with pytest.raises(FeatureMistake) as caught:
        load().new_variables({})
    assert str(caught.value) == (
        'The configured variable "token" (pyproject.toml [tool.wsbdd.variables] token) could '
        'not be filled in: The environment variable "CHAT_TOKEN" (used as '
        '"${env.CHAT_TOKEN}") is not set; set it in the environment that runs the tests, '
        "e.g. in the CI job."
    )


# -- errors: files -------------------------------------------------------------------------------


def test_unknown_key_in_pyproject_suggests_the_right_one() -> None:
    write("pyproject.toml", "[tool.wsbdd]\ntimout = 3\n")
    assert config_error() == (
        'pyproject.toml [tool.wsbdd]: unknown key "timout"; did you mean "timeout"?'
    )


def test_unknown_key_without_a_close_match_lists_the_keys() -> None:
    write("pyproject.toml", "[tool.wsbdd]\nbanana = 3\n")
    assert config_error() == (
        'pyproject.toml [tool.wsbdd]: unknown key "banana"; known keys: "url", "timeout", '
        '"quiet_window", "settle", "connect_timeout", "close_timeout", "subprotocols", '
        '"compression", "same_cpu", "console_hold", "loop", "proxy", "ping_interval", '
        '"ping_timeout", "max_size", "inbox_limit", "codec", "protocol", "auto_reply", "strict", '
        '"ignore", "secrets", "credential_names", "token", "tls", "socketio", "graphql", '
        '"reconnection", "stomp", '
        '"headers", "variables", "codecs", "phrases", "load", "report".'
    )


def test_unknown_token_key() -> None:
    write("pyproject.toml", '[tool.wsbdd.token]\nplac = "header"\n')
    assert config_error() == (
        'pyproject.toml [tool.wsbdd.token]: unknown key "plac"; did you mean "place"?'
    )
    write("pyproject.toml", "")
    write("wsbdd.toml", '[token]\nplac = "header"\n')
    assert config_error() == 'wsbdd.toml [token]: unknown key "plac"; did you mean "place"?'


def test_unknown_key_in_wsbdd_toml() -> None:
    write("wsbdd.toml", "strickt = true\n")
    assert config_error() == 'wsbdd.toml: unknown key "strickt"; did you mean "strict"?'


def test_a_tool_wsbdd_header_in_wsbdd_toml_is_explained() -> None:
    write("wsbdd.toml", '[tool.wsbdd]\nurl = "ws://x"\n')
    assert config_error() == (
        'wsbdd.toml: unknown key "tool"; in wsbdd.toml write the settings at the top level, '
        "without a table header."
    )


def test_bad_toml() -> None:
    write("pyproject.toml", "[tool.wsbdd]\nurl = ws://oops\n")
    assert config_error() == (
        "pyproject.toml is not valid TOML: Invalid value (at line 2, column 7)"
    )
    write("pyproject.toml", "")
    write("wsbdd.toml", "timeout = \n")
    assert config_error().startswith("wsbdd.toml is not valid TOML: ")


def test_file_names_outside_the_working_directory_are_shown_in_full(tmp_path: Path) -> None:
    project = tmp_path / "elsewhere"
    project.mkdir()
    (project / "wsbdd.toml").write_text("timeout = -1\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(project, userdata={}, environ={})
    assert str(caught.value).startswith("elsewhere/wsbdd.toml timeout is -1: ")
    with pytest.raises(ConfigError) as caught:
        load_settings(project.resolve(), userdata={}, environ={})
    assert str(caught.value).startswith("elsewhere/wsbdd.toml timeout is -1: ")


def test_tool_wsbdd_must_be_a_table() -> None:
    write("pyproject.toml", '[tool]\nwsbdd = "yes"\n')
    assert config_error() == "pyproject.toml: tool.wsbdd must be a table, written [tool.wsbdd]."


def test_token_must_be_a_table() -> None:
    write("pyproject.toml", '[tool.wsbdd]\ntoken = "abc"\n')
    assert config_error() == (
        'pyproject.toml [tool.wsbdd] token is "abc": must be a table, e.g. [token] with keys.'
    )


# -- errors: values ------------------------------------------------------------------------------

DURATION_HELP = 'use a number of seconds (2, 2.5) or text such as "500 ms" or "2 seconds"'


def test_negative_timeout_in_pyproject() -> None:
    write("pyproject.toml", "[tool.wsbdd]\ntimeout = -1\n")
    assert config_error() == (
        f"pyproject.toml [tool.wsbdd] timeout is -1: a duration cannot be negative; "
        f"{DURATION_HELP}."
    )


@pytest.mark.parametrize("key", ["timeout", "connect_timeout", "close_timeout"])
def test_zero_wait_is_rejected(key: str) -> None:
    assert config_error({f"wsbdd.{key}": "0"}) == (
        f'-D wsbdd.{key} is "0": must be more than 0 seconds; {DURATION_HELP}.'
    )


@pytest.mark.parametrize("value", ["soon", "2 fortnights", "", True, [1], "nan", "inf", "1e400"])
def test_not_a_duration(value: Any) -> None:
    text = config_error({"wsbdd.quiet_window": value})
    assert text.startswith("-D wsbdd.quiet_window is ")
    assert text.endswith(f": not a duration; {DURATION_HELP}.")


def test_ping_interval_zero_points_to_false() -> None:
    assert config_error(environ={"WSBDD_PING_INTERVAL": "0"}) == (
        'environment variable WSBDD_PING_INTERVAL is "0": must be more than 0 seconds; '
        f"{DURATION_HELP}; write false to turn it off."
    )


@pytest.mark.parametrize("value", ["ftp://x", "localhost:8000", "ws://", "", 8000])
def test_url_must_be_a_websocket_url(value: Any) -> None:
    text = config_error(environ={"WSBDD_URL": value})
    assert text.startswith("environment variable WSBDD_URL is ")
    assert 'must be a WebSocket URL such as "ws://localhost:8000/ws"' in text


def test_an_http_url_is_taken_as_its_websocket_twin() -> None:
    write("pyproject.toml", '[tool.wsbdd]\nurl = "https://chat.example.com/ws?v=2"\n')
    assert load().url == "wss://chat.example.com/ws?v=2"
    assert load(environ={"WSBDD_URL": "http://127.0.0.1:8000/ws/"}).url == (
        "ws://127.0.0.1:8000/ws/"
    )


def test_url_error_mentions_the_demo_server() -> None:
    assert config_error({"wsbdd.url": "chat"}) == (
        '-D wsbdd.url is "chat": must be a WebSocket URL such as "ws://localhost:8000/ws" '
        "(starting with ws://, wss://, http:// or https://); leave it out to test the bundled "
        "demo server."
    )


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (
            "ws://127.0.0.1:99999/ws",
            'has the port "99999"; a port is a whole number from 1 to 65535',
        ),
        ("ws://127.0.0.1:0/ws", "has the port 0; a port is a whole number from 1 to 65535"),
        ("ws://:8000/ws", 'has no host name; it must be a WebSocket URL such as "ws://localhost'),
        ("ws://127.0.0.1:8000/my room", "contains a space or a control character; write a space"),
        ("ws://127.0.0.1:8000/ws#top", 'has a "#…" part, which a WebSocket address cannot carry'),
        ("ws://alice@127.0.0.1:8000/ws", 'names a user without a password ("user@host")'),
    ],
)
def test_an_unusable_url_is_one_sentence_at_load_time(value: str, problem: str) -> None:
    write("wsbdd.toml", f'url = "{value}"\n')
    text = config_error()
    assert text.startswith(f'wsbdd.toml url is "{value}": {problem}')
    assert text.count("\n") == 0 and text.endswith(".")


def test_the_configured_url_keeps_its_path_and_query_as_written() -> None:
    for url in [
        "ws://127.0.0.1:8000/ws",
        "ws://127.0.0.1:8000/ws/",
        "ws://127.0.0.1:8000/ws?name=x&flag",
        "ws://127.0.0.1:8000/a%2Fb?q=%20x+y",
        "ws://127.0.0.1:8000",
    ]:
        assert load(environ={"WSBDD_URL": url}).url == url


def test_token_place_lists_the_allowed_values() -> None:
    assert config_error({"wsbdd.token.place": "body"}) == (
        '-D wsbdd.token.place is "body": must be one of "query", "header", "message".'
    )
    write("wsbdd.toml", "[token]\nplace = 3\n")
    assert config_error() == (
        'wsbdd.toml [token] place is 3: must be one of "query", "header", "message".'
    )


def test_boolean_errors() -> None:
    assert config_error({"wsbdd.strict": "maybe"}) == (
        '-D wsbdd.strict is "maybe": must be true or false (yes/no, on/off and 1/0 work too).'
    )


@pytest.mark.parametrize("value", ["0", "-5", "big", 1.5, True])
def test_max_size_errors(value: Any) -> None:
    assert config_error({"wsbdd.max_size": value}).endswith(
        ": must be a whole number of bytes above 0, e.g. 1048576."
    )


def test_inbox_limit_from_the_environment_and_its_default() -> None:
    assert load().inbox_limit == 0
    assert load(environ={"WSBDD_INBOX_LIMIT": "5"}).inbox_limit == 5


@pytest.mark.parametrize("value", ["-1", "many", 2.5, True, -3])
def test_inbox_limit_errors(value: Any) -> None:
    assert config_error({"wsbdd.inbox_limit": value}).endswith(
        ": must be a whole number of messages, 0 for no limit."
    )


def test_proxy_errors() -> None:
    assert config_error({"wsbdd.proxy": "ftp://p"}) == (
        '-D wsbdd.proxy is "ftp://p": must be a proxy URL such as "http://proxy.example:3128" '
        "(http://, https://, socks4://, socks4a://, socks5://, socks5h://) or false."
    )


def test_list_errors() -> None:
    write("pyproject.toml", "[tool.wsbdd]\nsubprotocols = 3\n")
    assert config_error() == (
        "pyproject.toml [tool.wsbdd] subprotocols is 3: must be a list of text values, e.g. "
        '["a", "b"].'
    )
    write("pyproject.toml", '[tool.wsbdd]\nsubprotocols = ["ok", 1]\n')
    assert config_error().endswith(": every entry must be non-empty text.")
    write("pyproject.toml", '[tool.wsbdd]\nsubprotocols = ["chat v1"]\n')
    assert config_error().endswith(': the entry "chat v1" must not contain spaces.')
    write("pyproject.toml", '[tool.wsbdd]\nsecrets = ["api key"]\n')
    assert config_error().endswith(
        ': the entry "api key" is not a variable name (use letters, digits, "_", "." and "-").'
    )


def test_text_errors() -> None:
    write("pyproject.toml", "[tool.wsbdd.token]\nquery_param = 5\n")
    assert config_error() == (
        "pyproject.toml [tool.wsbdd.token] query_param is 5: must be text in quotes."
    )
    write("pyproject.toml", "")
    assert config_error({"wsbdd.token.query_param": "  "}).endswith(": must not be empty.")
    assert config_error({"wsbdd.token.scheme": "a\nb"}).endswith(": must be a single line.")
    assert config_error({"wsbdd.token.header": "X Token"}).endswith(
        ': must be an HTTP header name such as "Authorization".'
    )


def test_token_message_placeholders_are_checked() -> None:
    write("pyproject.toml", '[tool.wsbdd.token]\nmessage = \'{"token": "${token"}\'\n')
    assert config_error() == (
        'pyproject.toml [tool.wsbdd.token] message: The placeholder "${token" is not closed; '
        'write "${token}", or "$${token" for the literal text.'
    )


def test_header_errors() -> None:
    write("pyproject.toml", '[tool.wsbdd.headers]\n"Bad Name" = "x"\n')
    assert config_error() == (
        'pyproject.toml [tool.wsbdd.headers] Bad Name is "Bad Name": must be an HTTP header '
        'name such as "Authorization".'
    )
    write("pyproject.toml", "[tool.wsbdd.headers]\nX-Flag = true\n")
    assert config_error() == (
        "pyproject.toml [tool.wsbdd.headers] X-Flag is true: must be text in quotes."
    )
    write("pyproject.toml", "")
    assert config_error({"wsbdd.headers.X-A": "${oops"}).startswith(
        '-D wsbdd.headers.X-A: The placeholder "${oops" is not closed'
    )


def test_variable_name_errors() -> None:
    write("pyproject.toml", '[tool.wsbdd.variables]\n"env.HOME" = "x"\n')
    assert config_error() == (
        'pyproject.toml [tool.wsbdd.variables]: the variable name "env.HOME" cannot start '
        'with "env." or "config.".'
    )
    write("pyproject.toml", '[tool.wsbdd.variables]\n"my room" = "x"\n')
    assert "is not a variable name" in config_error()
    write("pyproject.toml", '[tool.wsbdd.variables]\nroom = "${room"\n')
    assert "is not closed" in config_error()


# -- errors: environment and -D ------------------------------------------------------------------


def test_wsbdd_variables_that_are_not_settings_are_left_alone() -> None:
    environ = {
        "WSBDD_PROGRESS": "1",
        "WSBDD_CHROMIUM": "/usr/bin/chromium",
        "WSBDD_FIREFOX": "/usr/bin/firefox",
        "WSBDD_NODE_MODULES": "/opt/node_modules",
        "WSBDD_HEADERS": "X=1",
        "WSBDD_MY_OWN_THING": "x",
        "WSBDD_TIMEOUT": "7",
    }
    settings = load(environ=environ)
    assert settings.timeout == 7.0
    assert settings.source == "environment (WSBDD_TIMEOUT)"


def test_a_typo_in_a_settings_file_is_still_caught() -> None:
    write("wsbdd.toml", "timout = 3\n")
    assert config_error(environ={"WSBDD_PROGRESS": "1"}) == (
        'wsbdd.toml: unknown key "timout"; did you mean "timeout"?'
    )


def test_unknown_userdata_key() -> None:
    assert config_error({"wsbdd.timout": "3"}) == (
        "-D wsbdd.timout: not a wsbdd setting; did you mean wsbdd.timeout?"
    )
    assert config_error({"wsbdd.token.plac": "header"}) == (
        "-D wsbdd.token.plac: not a wsbdd setting; did you mean wsbdd.token.place?"
    )
    assert config_error({"wsbdd.token": "header"}).startswith(
        "-D wsbdd.token: not a wsbdd setting; did you mean wsbdd.token."
    )
    assert config_error({"wsbdd.headers": "x"}) == (
        "-D wsbdd.headers: not a wsbdd setting; did you mean wsbdd.headers.NAME?"
    )


def test_extras_can_only_come_from_files() -> None:
    assert config_error({"wsbdd.report.html": "x.html"}) == (
        "-D wsbdd.report.html: the report settings can only be written in pyproject.toml or "
        "wsbdd.toml."
    )


def test_userdata_error_names_the_option() -> None:
    assert config_error({"wsbdd.timeout": "-2"}) == (
        f'-D wsbdd.timeout is "-2": a duration cannot be negative; {DURATION_HELP}.'
    )


def test_errors_are_one_line() -> None:
    write("pyproject.toml", "[tool.wsbdd]\nurl = '''ws://a\nb'''\n")
    assert "\n" not in config_error()
