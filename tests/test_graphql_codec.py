"""The GraphQL codecs on strings, with times passed in by hand.

No socket, no loop: each test feeds a codec the messages a GraphQL server sends over
``graphql-transport-ws`` (The Guild's PROTOCOL.md) or the legacy ``graphql-ws``
(Apollo's subscriptions-transport-ws), and checks the frames it answers, the messages
it decodes and what it says about the connection.  The frames are the ones Strawberry
writes (tests/test_graphql_client.py runs the same codecs against it).
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from wsbdd.codec import (
    Cancel,
    Decoded,
    GraphQLCodec,
    LegacyGraphQLCodec,
    Operation,
    Received,
    codec_factory,
    codec_names,
    find_codec,
    refused_intent,
)
from wsbdd.model.variables import Variables
from wsbdd.report.collect import ReportRecorder
from wsbdd.settings.config import GraphQLSettings, Settings, load_settings

CODECS = [GraphQLCodec, LegacyGraphQLCodec]
# What each subprotocol calls the same things on the wire.
WIRE = {
    GraphQLCodec: {"start": "subscribe", "stop": "complete", "next": "next"},
    LegacyGraphQLCodec: {"start": "start", "stop": "stop", "next": "data"},
}


def acked(kind: type[GraphQLCodec] = GraphQLCodec, **options) -> GraphQLCodec:
    codec = kind(**options)
    codec.opening(kind.subprotocols[0], 0.0)
    assert codec.decode('{"type":"connection_ack"}', 0.01) == Decoded(ready=True)
    return codec


def only(decoded: Decoded | None) -> Received:
    assert decoded is not None and decoded.failed is None, decoded
    assert not decoded.replies and not decoded.ready, decoded
    assert len(decoded.messages) == 1, decoded.messages
    message = decoded.messages[0]
    assert isinstance(message, Received)
    if callable(message.label):  # made when first read: read it here
        message = replace(message, label=message.label())
    return message


def sent(frames) -> dict:
    assert len(frames) == 1, frames
    return json.loads(frames[0])


# -- names and registry ----------------------------------------------------------------------


def test_the_codecs_are_registered_by_name():
    assert find_codec("graphql") is GraphQLCodec
    assert find_codec("graphql-transport-ws") is GraphQLCodec
    assert find_codec("graphql-ws") is LegacyGraphQLCodec
    assert {"graphql", "graphql-transport-ws", "graphql-ws"} <= set(codec_names())
    assert GraphQLCodec.name == "graphql-transport-ws"
    assert GraphQLCodec.subprotocols == ("graphql-transport-ws",)
    assert LegacyGraphQLCodec.name == "graphql-ws"
    assert LegacyGraphQLCodec.subprotocols == ("graphql-ws",)
    assert GraphQLCodec.settings_table == LegacyGraphQLCodec.settings_table == "graphql"
    assert isinstance(codec_factory("graphql")(), GraphQLCodec)


@pytest.mark.parametrize("kind", CODECS)
def test_url_for_adds_the_path_when_the_address_has_none(kind):
    codec = kind()
    assert codec.url_for("ws://127.0.0.1:8000") == "ws://127.0.0.1:8000/graphql"
    assert codec.url_for("ws://127.0.0.1:8000/") == "ws://127.0.0.1:8000/graphql"
    assert codec.url_for("http://h:1?token=a") == "ws://h:1/graphql?token=a"
    assert codec.url_for("https://h") == "wss://h/graphql"
    assert codec.url_for("ws://h/api/gql?x=1") == "ws://h/api/gql?x=1"  # its own path: kept
    assert kind(path="subscriptions").url_for("ws://h") == "ws://h/subscriptions"
    assert kind(path="/v1/graphql").url_for("wss://h:9/") == "wss://h:9/v1/graphql"


# -- the handshake ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", CODECS)
def test_opening_sends_connection_init_and_waits_for_the_ack(kind):
    codec = kind(params={"token": "s3cret", "room": 1})
    opening = codec.opening(kind.subprotocols[0], 0.0)
    assert not opening.ready and opening.failed is None and not opening.messages
    assert opening.replies == (
        '{"type": "connection_init", "payload": {"token": "s3cret", "room": 1}}',
    )
    assert codec.next_deadline() is None  # the server keeps the connection alive
    assert codec.decode('{"type":"connection_ack"}', 0.1) == Decoded(ready=True)
    assert codec.ready
    # A second ack changes nothing.
    assert codec.decode('{"type":"connection_ack","payload":{}}', 0.2) == Decoded()


@pytest.mark.parametrize("kind", CODECS)
def test_connection_init_without_params_has_no_payload(kind):
    assert kind().opening(None, 0.0).replies == ('{"type": "connection_init"}',)


def test_params_that_are_not_json_fail_the_opening_in_words():
    failed = GraphQLCodec(params={"when": object()}).opening(None, 0.0).failed
    assert failed is not None and failed.startswith("the connection params cannot be sent as JSON")


def test_the_connection_init_payload_is_a_secret_field():
    import re

    frame = GraphQLCodec(params={"token": "s3cret"}).opening(None, 0).replies[0]
    (pattern,) = GraphQLCodec.secret_fields
    found = re.search(pattern, f"sent\n{frame}\nnext", re.MULTILINE)
    assert found is not None and found.group(1) == '{"token": "s3cret"}'
    assert LegacyGraphQLCodec.secret_fields == GraphQLCodec.secret_fields


@pytest.mark.parametrize(
    ("code", "reason", "sentence"),
    [
        (
            4403,
            "Forbidden",
            "the server refused connection_init: 4403 Forbidden (the connection params were "
            "not accepted)",
        ),
        (
            4400,
            "Invalid connection init payload",
            "the server refused connection_init: 4400 Invalid connection init payload (the "
            "server could not read a message the client sent)",
        ),
        (
            4401,
            "",
            "the server refused connection_init: 4401 Unauthorized (the server got an operation "
            "before it acknowledged connection_init)",
        ),
        (
            4406,
            "Subprotocol not acceptable",
            "the server refused connection_init: 4406 Subprotocol not acceptable (the server "
            "does not speak the subprotocol offered)",
        ),
        (
            4408,
            "Connection initialisation timeout",
            "the server refused connection_init: 4408 Connection initialisation timeout (the "
            "server waited too long for connection_init)",
        ),
        (
            4409,
            "Subscriber for 1 already exists",
            "the server refused connection_init: 4409 Subscriber for 1 already exists (an "
            "operation id was used twice)",
        ),
        (
            4429,
            "",
            "the server refused connection_init: 4429 Too many initialisation requests "
            "(connection_init was sent more than once)",
        ),
    ],
)
@pytest.mark.parametrize("kind", CODECS)
def test_a_refusing_close_code_reads_as_one_sentence(kind, code, reason, sentence):
    assert kind().close_meaning(code, reason) == sentence


@pytest.mark.parametrize("code", [1000, 1001, 1011, 4000, 4999])
def test_other_close_codes_keep_the_clients_words(code):
    assert GraphQLCodec().close_meaning(code, "bye") is None


def test_no_ack_within_the_open_timeout():
    codec = GraphQLCodec()
    assert codec.handshake_timeout(5.0) == (
        "the server did not acknowledge connection_init within 5.0 s"
    )
    assert codec.handshake_timeout(0.25) == (
        "the server did not acknowledge connection_init within 0.25 s"
    )
    assert LegacyGraphQLCodec().handshake_timeout(2) == (
        "the server did not acknowledge connection_init within 2.0 s"
    )


@pytest.mark.parametrize(
    ("payload", "text"),
    [
        ('{"message":"Wrong token"}', "Wrong token"),
        ('"Wrong token"', "Wrong token"),
        ("null", "no reason given"),
        ('{"code":7}', '{"code": 7}'),
    ],
)
def test_a_legacy_connection_error_refuses_the_connection(payload, text):
    codec = LegacyGraphQLCodec(params={"token": "x"})
    codec.opening("graphql-ws", 0)
    decoded = codec.decode(f'{{"type":"connection_error","payload":{payload}}}', 0.1)
    assert decoded == Decoded(
        failed=f"the server refused connection_init with connection_error: {text}",
        reason="connection_error",
    )
    assert not codec.ready


def test_a_connection_error_without_payload():
    codec = LegacyGraphQLCodec()
    assert codec.decode('{"type":"connection_error"}', 0).failed == (
        "the server refused connection_init with connection_error: no reason given"
    )


# -- keep-alives -----------------------------------------------------------------------------


def test_ping_is_answered_with_pong_and_pong_is_chatter():
    codec = acked()
    assert codec.decode('{"type":"ping"}', 1) == Decoded(replies=('{"type": "pong"}',))
    assert codec.decode('{"type":"ping","payload":{"t":1}}', 1) == Decoded(
        replies=('{"type": "pong"}',)
    )
    assert codec.decode('{"type":"pong"}', 2) == Decoded()
    # A ping before the ack is answered too (the protocol allows it any time).
    fresh = GraphQLCodec()
    fresh.opening(None, 0)
    assert fresh.decode('{"type":"ping"}', 0) == Decoded(replies=('{"type": "pong"}',))


def test_legacy_ka_is_chatter():
    codec = acked(LegacyGraphQLCodec)
    assert codec.decode('{"type":"ka"}', 1) == Decoded()
    # ka may come before the ack (Apollo's servers send it right after it).
    fresh = LegacyGraphQLCodec()
    fresh.opening(None, 0)
    assert fresh.decode('{"type":"ka"}', 0) == Decoded()


# -- operations ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", CODECS)
def test_an_operation_is_sent_with_the_next_id(kind):
    codec = acked(kind)
    wire = WIRE[kind]
    first = Operation("counter", "subscription { count(target: 3) }")
    assert sent(codec.encode(first)) == {
        "id": "1",
        "type": wire["start"],
        "payload": {"query": "subscription { count(target: 3) }"},
    }
    assert first.id == "1"
    second = Operation(
        "post",
        "mutation Post($room: Int!, $text: String!) { post(room: $room, text: $text) { id } }",
        variables={"room": 1, "text": "hi"},
        operation_name="Post",
    )
    assert sent(codec.encode(second)) == {
        "id": "2",
        "type": wire["start"],
        "payload": {
            "query": second.query,
            "variables": {"room": 1, "text": "hi"},
            "operationName": "Post",
        },
    }
    assert second.id == "2"
    assert codec.operation_id("counter") == "1" and codec.operation_name("2") == "post"


@pytest.mark.parametrize("kind", CODECS)
def test_cancel_stops_the_operation_by_its_id(kind):
    codec = acked(kind)
    codec.encode(Operation("a", "subscription { count(target: 9) }"))
    codec.encode(Operation("b", "subscription { count(target: 9) }"))
    assert sent(codec.encode(Cancel("b"))) == {"id": "2", "type": WIRE[kind]["stop"]}
    assert sent(codec.encode(Cancel("a"))) == {"id": "1", "type": WIRE[kind]["stop"]}


def test_an_operation_started_again_under_its_name_gets_a_new_id():
    codec = acked()
    codec.encode(Operation("counter", "subscription { count(target: 1) }"))
    again = Operation("counter", "subscription { count(target: 2) }")
    codec.encode(again)
    assert again.id == "2"
    assert sent(codec.encode(Cancel("counter"))) == {"id": "2", "type": "complete"}
    # Results of the first one still carry its name.
    assert only(codec.decode('{"id":"1","type":"next","payload":{"data":null}}', 1)).value[
        "operation"
    ] == ("counter")


def test_ids_are_per_connection():
    one, two = acked(), acked()
    assert sent(one.encode(Operation("x", "{ hello }")))["id"] == "1"
    assert sent(two.encode(Operation("x", "{ hello }")))["id"] == "1"
    assert one.renewed().encode(Operation("x", "{ hello }"))[0].startswith('{"id": "1"')


@pytest.mark.parametrize("kind", CODECS)
def test_cancelling_an_unknown_operation_is_refused_in_words(kind):
    codec = acked(kind)
    with pytest.raises(TypeError) as refused:
        codec.encode(Cancel("counter"))
    assert refused_intent(codec.name, Cancel("counter"), refused.value) == (
        f'The {kind.name} codec cannot send a Cancel: no operation called "counter" was '
        "started on this connection."
    )
    codec.encode(Operation("a", "{ hello }"))
    codec.encode(Operation("b", "{ hello }"))
    with pytest.raises(TypeError, match=r'started on this connection \(it started "a", "b"\)$'):
        codec.encode(Cancel("c"))


@pytest.mark.parametrize(
    ("intent", "reason"),
    [
        (Operation("", "{ hello }"), "an operation needs a name (a non-empty text)"),
        (Operation("q", "  "), 'the operation "q" has no query'),
        (
            Operation("q", "{ hello }", variables=[1]),  # type: ignore[arg-type]
            'the variables of "q" must be a JSON object, not list',
        ),
        (
            Operation("q", "{ hello }", variables={"at": object()}),
            "its variables cannot be sent as JSON (Object of type object is not JSON serializable)",
        ),
        (
            42,
            "it sends an Operation, a Cancel, or text or bytes as a raw frame, not int",
        ),
    ],
)
def test_intents_it_cannot_send(intent, reason):
    codec = acked()
    with pytest.raises(TypeError) as refused:
        codec.encode(intent)
    assert str(refused.value) == reason
    assert codec.operation_id("q") is None  # nothing was recorded, no id was taken
    assert sent(codec.encode(Operation("ok", "{ hello }")))["id"] == "1"


def test_raw_frames_go_out_as_they_stand():
    codec = acked()
    assert codec.encode('{"type":"ping"}') == ('{"type":"ping"}',)
    assert codec.encode(b"\x00") == (b"\x00",)


def test_describe_names_the_operation_and_its_query_shortened():
    codec = GraphQLCodec()
    assert codec.describe(Operation("counter", "subscription { count(target: 3) }")) == (
        "subscribe counter: subscription { count(target: 3) }"
    )
    long = "subscription {\n  messages(room: 1) {\n    id\n    text\n  }\n}" + " x" * 60
    label = codec.describe(Operation("room", long))
    assert label is not None and "\n" not in label
    assert label.startswith("subscribe room: subscription { messages(room: 1) { id text } } x")
    assert len(label) == len("subscribe room: ") + 80 and label.endswith("…")
    assert codec.describe(Cancel("counter")) == "complete counter"
    assert codec.describe("text") is None
    legacy = LegacyGraphQLCodec()
    assert legacy.describe(Operation("q", "{ hello }")) == "start q: { hello }"
    assert legacy.describe(Cancel("q")) == "stop q"


# -- results ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", CODECS)
def test_a_result_is_a_next_message_with_the_operation_name(kind):
    codec = acked(kind)
    codec.encode(Operation("counter", "subscription { count(target: 3) }"))
    frame = f'{{"id":"1","type":"{WIRE[kind]["next"]}","payload":{{"data":{{"count":0}}}}}}'
    message = only(codec.decode(frame, 1.0))
    assert message.value == {
        "type": "next",
        "operation": "counter",
        "id": "1",
        "payload": {"data": {"count": 0}},
    }
    assert message.label == 'counter next {"data": {"count": 0}}'
    assert not message.protocol
    assert message.raw is None  # the frame itself


def test_a_result_with_errors_is_still_a_next_message():
    codec = acked()
    codec.encode(Operation("boom", "subscription { boom }"))
    frame = '{"id":"1","type":"next","payload":{"data":null,"errors":[{"message":"Boom"}]}}'
    message = only(codec.decode(frame, 1.0))
    assert message.value["payload"]["errors"] == [{"message": "Boom"}]
    assert message.label == 'boom next {"data": null, "errors": [{"message": "Boom"}]}'


@pytest.mark.parametrize("kind", CODECS)
def test_an_error_message_carries_a_list_of_errors(kind):
    codec = acked(kind)
    codec.encode(Operation("counter", "subscription { nope }"))
    frame = (
        '{"id":"1","type":"error","payload":[{"message":"Cannot query field \'nope\' on type '
        '\'Subscription\'.","locations":[{"line":1,"column":16}]}]}'
    )
    message = only(codec.decode(frame, 1.0))
    assert message.value == {
        "type": "error",
        "operation": "counter",
        "id": "1",
        "payload": [
            {
                "message": "Cannot query field 'nope' on type 'Subscription'.",
                "locations": [{"line": 1, "column": 16}],
            }
        ],
    }
    assert message.label == ("counter error \"Cannot query field 'nope' on type 'Subscription'.\"")
    assert not message.protocol


def test_a_legacy_error_object_becomes_a_list():
    codec = acked(LegacyGraphQLCodec)
    codec.encode(Operation("q", "{ nope }"))
    message = only(codec.decode('{"id":"1","type":"error","payload":{"message":"Nope"}}', 1))
    assert message.value["payload"] == [{"message": "Nope"}]
    assert message.label == 'q error "Nope"'


def test_error_labels_show_every_message_and_odd_errors_as_json():
    codec = acked()
    codec.encode(Operation("q", "{ a b }"))
    frame = '{"id":"1","type":"error","payload":[{"message":"A"},{"message":"B"},{"code":1}]}'
    assert only(codec.decode(frame, 1)).label == 'q error "A", "B", {"code": 1}'
    assert only(codec.decode('{"id":"1","type":"error","payload":[]}', 1)).label == (
        "q error (no message)"
    )
    assert only(codec.decode('{"id":"1","type":"error"}', 1)).value["payload"] == []


@pytest.mark.parametrize("kind", CODECS)
def test_complete_is_a_protocol_message(kind):
    codec = acked(kind)
    codec.encode(Operation("counter", "subscription { count(target: 3) }"))
    message = only(codec.decode('{"id":"1","type":"complete"}', 2.0))
    assert message.value == {"type": "complete", "operation": "counter", "id": "1"}
    assert message.label == "counter complete"
    assert message.protocol


def test_messages_for_an_id_the_client_never_used():
    codec = acked()
    nxt = only(codec.decode('{"id":"77","type":"next","payload":{"data":{}}}', 1))
    assert nxt.value["operation"] is None and nxt.value["id"] == "77"
    assert nxt.label == '(id 77) next {"data": {}}'
    done = only(codec.decode('{"id":"77","type":"complete"}', 1))
    assert done.value == {"type": "complete", "operation": None, "id": "77"}
    assert done.label == "(id 77) complete"
    # An id that is no text is shown as JSON.
    assert only(codec.decode('{"id":5,"type":"complete"}', 1)).value["id"] == "5"


def test_a_long_result_label_is_shortened():
    codec = acked()
    codec.encode(Operation("big", "{ big }"))
    frame = json.dumps({"id": "1", "type": "next", "payload": {"data": {"big": "x" * 500}}})
    label = only(codec.decode(frame, 1)).label
    assert isinstance(label, str) and len(label) == 160 and label.endswith("…")


def test_a_message_of_another_type_is_an_app_message_as_it_stands():
    codec = acked()
    message = only(codec.decode('{"type":"custom","x":1}', 1))
    assert message.value == {"type": "custom", "x": 1}
    assert message.label == '{"type":"custom","x":1}'
    # The legacy protocol has no ping: there it is such a message too.
    legacy = acked(LegacyGraphQLCodec)
    assert only(legacy.decode('{"type":"ping"}', 1)).value == {"type": "ping"}


@pytest.mark.parametrize(
    ("frame", "why"),
    [
        ("hello", '"hello": it is not JSON'),
        ("[1, 2]", '"[1, 2]": it is no JSON object with a "type"'),
        ('{"id": "1"}', '"{\\"id\\": \\"1\\"}": it is no JSON object with a "type"'),
        ('{"type": 3}', '"{\\"type\\": 3}": it is no JSON object with a "type"'),
        (b"\x01\x02", "binary 2 bytes 0x0102: the protocol sends text, not binary frames"),
    ],
)
@pytest.mark.parametrize("kind", CODECS)
def test_a_malformed_message_fails_the_connection_in_words(kind, frame, why):
    decoded = acked(kind).decode(frame, 1)
    assert decoded == Decoded(
        failed=f"the server sent a malformed {kind.name} message {why}", reason="parse error"
    )


# -- settings --------------------------------------------------------------------------------


def test_graphql_settings_default_and_options():
    table = GraphQLSettings()
    assert (table.url, table.path, table.params, table.http_url) == (None, "/graphql", None, None)
    assert table.options(None) == {"params": None, "path": "/graphql"}
    assert Settings().graphql == table


def test_params_are_filled_in_per_client():
    table = GraphQLSettings(params={"token": "${token_of_client}", "who": "${client}", "n": 3})
    variables = Variables(environ={}).child(client="alice")
    variables.set("token_of_client", "t-1")
    assert table.options(variables) == {
        "params": {"token": "t-1", "who": "alice", "n": 3},
        "path": "/graphql",
    }
    # Without variables the params go as configured.
    assert table.options(None)["params"]["token"] == "${token_of_client}"


def test_codec_for_makes_graphql_codecs_from_the_table():
    settings = Settings(graphql=GraphQLSettings(path="/gql", params={"token": "a"}))
    codec = settings.codec_for(protocol="graphql", variables=Variables(environ={}))()
    assert isinstance(codec, GraphQLCodec)
    assert (codec.params, codec.path) == ({"token": "a"}, "/gql")
    legacy = settings.codec_for(protocol="graphql-ws", params={"token": "b"})()
    assert isinstance(legacy, LegacyGraphQLCodec)
    assert (legacy.params, legacy.path) == ({"token": "b"}, "/gql")
    assert settings.per_client_codec() is False  # the run speaks plain WebSocket
    assert Settings(codec="graphql").per_client_codec() is True


def test_http_address():
    table = GraphQLSettings()
    assert table.http_address("ws://127.0.0.1:8000/graphql") == "http://127.0.0.1:8000/graphql"
    assert table.http_address("wss://h") == "https://h/graphql"
    assert table.http_address("ws://h/?a=1") == "http://h/graphql?a=1"
    mine = GraphQLSettings(http_url="http://api:9/q")
    assert mine.http_address("ws://h/graphql") == "http://api:9/q"


def test_the_graphql_table_is_read(tmp_path):
    (tmp_path / "wsbdd.toml").write_text(
        'protocol = "graphql"\n'
        "[graphql]\n"
        'url = "http://127.0.0.1:8000/graphql"\n'
        'path = "/subscriptions"\n'
        'params = { token = "${env.GQL_TOKEN}", nested = { a = "b" } }\n'
        'http_url = "http://127.0.0.1:8000/graphql"\n'
    )
    settings = load_settings(tmp_path, environ={})
    assert settings.codec == "graphql"
    assert settings.graphql == GraphQLSettings(
        url="ws://127.0.0.1:8000/graphql",
        path="/subscriptions",
        params={"token": "${env.GQL_TOKEN}", "nested": {"a": "b"}},
        http_url="http://127.0.0.1:8000/graphql",
    )
    assert settings.protocol_url("graphql") == "ws://127.0.0.1:8000/graphql"
    assert settings.protocol_url("graphql-ws") == "ws://127.0.0.1:8000/graphql"
    values = settings.config_values()
    assert values["graphql.path"] == "/subscriptions"
    assert "graphql.params" not in values  # a secret: not for ${config.…}
    assert settings.origin_of("graphql.params").endswith("wsbdd.toml [graphql] params")


def test_the_graphql_table_in_pyproject(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.wsbdd.graphql]\npath = "/gql"\nparams = { token = "x" }\n'
    )
    settings = load_settings(tmp_path, environ={})
    assert (settings.graphql.path, settings.graphql.params) == ("/gql", {"token": "x"})


def test_graphql_settings_from_the_environment_and_userdata(tmp_path):
    environ = {
        "WSBDD_GRAPHQL_URL": "ws://127.0.0.1:4000",
        "WSBDD_GRAPHQL_PATH": "/subscriptions",
        "WSBDD_GRAPHQL_PARAMS": '{"token": "abc"}',
        "WSBDD_GRAPHQL_HTTP_URL": "https://127.0.0.1:4000/graphql",
    }
    settings = load_settings(tmp_path, environ=environ)
    assert settings.graphql == GraphQLSettings(
        url="ws://127.0.0.1:4000",
        path="/subscriptions",
        params={"token": "abc"},
        http_url="https://127.0.0.1:4000/graphql",
    )
    over = load_settings(
        tmp_path, environ=environ, userdata={"wsbdd.graphql.params": '{"token": "d"}'}
    )
    assert over.graphql.params == {"token": "d"}


def test_configured_params_are_masked_in_reports():
    settings = Settings(
        graphql=GraphQLSettings(params={"token": "${env.GQL_TOKEN}", "password": "pw-1", "x": "y"})
    )

    class FakeSession:
        vars = Variables(environ={"GQL_TOKEN": "tok-123"})

    FakeSession.settings = settings  # type: ignore[attr-defined]
    recorder = ReportRecorder(settings)
    recorder.learn_session(FakeSession())
    masked = recorder.masker.mask("tok-123 pw-1 y")
    assert masked == "*** *** y"
