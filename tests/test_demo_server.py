"""The bundled demo chat server, exercised over real sockets on port 0."""

from __future__ import annotations

import asyncio
import logging
import re
import signal
import sys
import time
import uuid

import pytest
from demo_helpers import (
    assert_quiet,
    client,
    closed,
    demo_server,
    open_client,
    receive,
    receive_many,
    request,
    run_async,
    send,
)
from websockets.asyncio.client import connect
from websockets.asyncio.server import ServerConnection
from websockets.exceptions import InvalidStatus
from websockets.http11 import Request, Response

from wsbdd.demo import DemoServer
from wsbdd.demo.__main__ import main
from wsbdd.demo.ratelimit import TokenBucket
from wsbdd.demo.sanitize import strip_html

TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


def is_uuid4(value: object) -> bool:
    return isinstance(value, str) and uuid.UUID(value).version == 4


# -- pure parts -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("<b>hi</b> there", "hi there"),
        ("<script>alert(1)</script>ok", "ok"),
        ("<style>p { color: red }</style><p>styled</p>", "styled"),
        ('<img src=x onerror="alert(1)">pic', "pic"),
        ("fish &amp; chips &copy &#39;", "fish &amp; chips &copy &#39;"),
        ("1 < 2 & 3 > 2", "1 < 2 & 3 > 2"),
        ("<!-- hidden -->seen", "seen"),
        ("no markup at all", "no markup at all"),
    ],
)
def test_strip_html_keeps_text_and_entities_drops_markup(raw: str, clean: str) -> None:
    assert strip_html(raw) == clean


def test_token_bucket_allows_a_burst_then_refills_with_time() -> None:
    now = [100.0]
    bucket = TokenBucket(rate=5, clock=lambda: now[0])
    assert [bucket.allow() for _ in range(6)] == [True] * 5 + [False]
    now[0] += 0.2  # one token's worth of time at 5 per second
    assert bucket.allow() is True
    assert bucket.allow() is False


# -- 1. welcome, 2. ping --------------------------------------------------------------


@run_async
async def test_welcome_names_a_guest_after_its_client_id() -> None:
    async with demo_server() as server:
        ws = await open_client(server)
        welcome = await receive(ws)
        await ws.close()
    assert welcome["type"] == "welcome"
    assert is_uuid4(welcome["client_id"])
    assert welcome["name"] == f"guest-{welcome['client_id'][:6]}"
    assert TIMESTAMP.fullmatch(welcome["server_time"])
    assert welcome["message"] == "Welcome to the wsbdd demo chat"
    assert server.url == f"ws://127.0.0.1:{server.port}" and server.port > 0


@run_async
async def test_welcome_uses_the_name_from_the_query_on_any_plain_path() -> None:
    async with demo_server() as server:
        ws = await open_client(server, "/chat?name=Alice")
        welcome = await receive(ws)
        await ws.close()
    assert (welcome["type"], welcome["name"]) == ("welcome", "Alice")


@run_async
async def test_ping_answers_pong_copying_the_id_when_present() -> None:
    async with demo_server() as server, client(server) as ws:
        with_id = await request(ws, {"type": "ping", "id": {"n": 7}})
        without_id = await request(ws, {"type": "ping"})
    assert with_id["type"] == "pong" and with_id["id"] == {"n": 7}
    assert TIMESTAMP.fullmatch(with_id["server_time"])
    assert without_id["type"] == "pong" and "id" not in without_id


# -- 3. join, 4. leave --------------------------------------------------------------------


@run_async
async def test_join_tells_the_joiner_the_members_and_only_the_others_who_joined() -> None:
    async with (
        demo_server() as server,
        client(server, "/?name=bob") as bob,
        client(server, "/?name=alice") as alice,
    ):
        assert await request(bob, {"type": "join", "room": "lobby"}) == {
            "type": "joined",
            "room": "lobby",
            "members": ["bob"],
        }
        assert await request(alice, {"type": "join", "room": "lobby"}) == {
            "type": "joined",
            "room": "lobby",
            "members": ["alice", "bob"],
        }
        assert await receive(bob) == {"type": "user_joined", "room": "lobby", "user": "alice"}
        await assert_quiet(alice)


@run_async
async def test_join_with_a_name_renames_the_client() -> None:
    async with demo_server() as server, client(server) as ws:
        joined = await request(ws, {"type": "join", "room": "r1", "name": "Carol"})
        you = await request(ws, {"type": "whoami"})
    assert joined["members"] == ["Carol"]
    assert you["name"] == "Carol"


@pytest.mark.parametrize("room", ["", "x" * 65, "has space", "<b>", 42, None])
@run_async
async def test_join_refuses_an_invalid_room_name(room: object) -> None:
    async with demo_server() as server, client(server) as ws:
        error = await request(ws, {"type": "join", "room": room})
    assert error["type"] == "error"
    assert error["code"] == "invalid_room"
    assert error["request_type"] == "join"
    assert error["message"]


@run_async
async def test_joining_a_room_twice_is_an_error() -> None:
    async with demo_server() as server, client(server) as ws:
        await request(ws, {"type": "join", "room": "a.b:c-d_e"})
        error = await request(ws, {"type": "join", "room": "a.b:c-d_e"})
    assert (error["type"], error["code"]) == ("error", "already_in_room")


@run_async
async def test_leave_confirms_and_tells_the_others() -> None:
    async with (
        demo_server() as server,
        client(server, "/?name=alice") as alice,
        client(server, "/?name=bob") as bob,
    ):
        await request(alice, {"type": "join", "room": "lobby"})
        await request(bob, {"type": "join", "room": "lobby"})
        await receive(alice)  # user_joined bob
        assert await request(bob, {"type": "leave", "room": "lobby"}) == {
            "type": "left",
            "room": "lobby",
        }
        assert await receive(alice) == {
            "type": "user_left",
            "room": "lobby",
            "user": "bob",
            "reason": "left",
        }
        error = await request(bob, {"type": "leave", "room": "lobby"})
    assert (error["code"], error["request_type"]) == ("not_in_room", "leave")


# -- 5. message ------------------------------------------------------------------------------


@run_async
async def test_message_reaches_every_member_including_the_sender_and_no_one_else() -> None:
    async with (
        demo_server() as server,
        client(server, "/?name=alice") as alice,
        client(server, "/?name=bob") as bob,
        client(server, "/?name=eve") as eve,
    ):
        await request(alice, {"type": "join", "room": "lobby"})
        await request(bob, {"type": "join", "room": "lobby"})
        await receive(alice)  # user_joined bob
        await request(eve, {"type": "join", "room": "elsewhere"})
        await send(alice, {"type": "message", "room": "lobby", "content": "hi", "id": "m-1"})
        to_alice, to_bob = await receive(alice), await receive(bob)
        await assert_quiet(eve)
    assert to_alice == to_bob
    assert to_bob["type"] == "chat"
    assert (to_bob["room"], to_bob["from"], to_bob["content"]) == ("lobby", "alice", "hi")
    assert is_uuid4(to_bob["id"])
    assert to_bob["client_msg_id"] == "m-1"
    assert TIMESTAMP.fullmatch(to_bob["sent_at"])


@run_async
async def test_message_with_exclude_sender_skips_the_sender() -> None:
    async with demo_server() as server, client(server) as alice, client(server) as bob:
        await request(alice, {"type": "join", "room": "lobby"})
        await request(bob, {"type": "join", "room": "lobby"})
        await receive(alice)  # user_joined
        await send(
            alice, {"type": "message", "room": "lobby", "content": "psst", "exclude_sender": True}
        )
        to_bob = await receive(bob)
        await assert_quiet(alice)
    assert to_bob["content"] == "psst"
    assert "client_msg_id" not in to_bob


@run_async
async def test_message_content_is_stripped_of_html_and_scripts() -> None:
    async with demo_server() as server, client(server) as ws:
        await request(ws, {"type": "join", "room": "lobby"})
        bold = await request(ws, {"type": "message", "room": "lobby", "content": "<b>hi</b> there"})
        script = await request(
            ws, {"type": "message", "room": "lobby", "content": "<script>alert(1)</script>ok"}
        )
        empty = await request(
            ws, {"type": "message", "room": "lobby", "content": "<script>alert(1)</script>"}
        )
    assert bold["content"] == "hi there"
    assert script["content"] == "ok"
    assert (empty["code"], empty["request_type"]) == ("empty_message", "message")


@run_async
async def test_message_content_limit_is_2000_characters() -> None:
    async with demo_server() as server, client(server) as ws:
        await request(ws, {"type": "join", "room": "lobby"})
        at_limit = await request(ws, {"type": "message", "room": "lobby", "content": "a" * 2000})
        over = await request(ws, {"type": "message", "room": "lobby", "content": "a" * 2001})
    assert at_limit["type"] == "chat" and len(at_limit["content"]) == 2000
    assert over["code"] == "message_too_long"
    assert over["message"] == "Message content is 2001 characters; the limit is 2000"


@run_async
async def test_message_errors_for_non_members_and_non_string_content() -> None:
    async with demo_server() as server, client(server) as ws:
        outsider = await request(ws, {"type": "message", "room": "lobby", "content": "hi"})
        await request(ws, {"type": "join", "room": "lobby"})
        not_text = await request(ws, {"type": "message", "room": "lobby", "content": 5})
    assert outsider["code"] == "not_in_room"
    assert not_text["code"] == "invalid_message"


@run_async
async def test_fifty_clients_in_one_room_all_receive_one_message() -> None:
    async with demo_server() as server:
        crowd = [await open_client(server) for _ in range(50)]
        try:
            await asyncio.gather(*(receive(ws) for ws in crowd))  # welcome
            for ws in crowd:
                await request(ws, {"type": "join", "room": "stage"})
            # Drain the user_joined notifications: member i saw 49 - i others join.
            await asyncio.gather(*(receive_many(ws, 49 - i) for i, ws in enumerate(crowd)))
            await send(crowd[0], {"type": "message", "room": "stage", "content": "to all"})
            frames = await asyncio.gather(*(receive(ws) for ws in crowd))
        finally:
            await asyncio.gather(*(ws.close() for ws in crowd))
    assert [frame["content"] for frame in frames] == ["to all"] * 50
    assert len({frame["id"] for frame in frames}) == 1


# -- 6. subscriptions -----------------------------------------------------------------------


@run_async
async def test_subscribe_sends_count_updates_the_last_one_marked() -> None:
    async with demo_server() as server, client(server) as ws:
        subscribed = await request(
            ws, {"type": "subscribe", "topic": "prices", "count": 3, "interval_ms": 10}
        )
        updates = await receive_many(ws, 3)
        await assert_quiet(ws, 0.1)
        gone = await request(ws, {"type": "unsubscribe", "topic": "prices"})
    assert subscribed == {"type": "subscribed", "topic": "prices"}
    assert [(u["type"], u["topic"], u["n"], u["last"]) for u in updates] == [
        ("update", "prices", 1, False),
        ("update", "prices", 2, False),
        ("update", "prices", 3, True),
    ]
    assert all(TIMESTAMP.fullmatch(u["server_time"]) for u in updates)
    assert gone["code"] == "not_subscribed"  # finished subscriptions are forgotten


@run_async
async def test_unsubscribe_stops_the_updates() -> None:
    async with demo_server() as server, client(server) as ws:
        await request(ws, {"type": "subscribe", "topic": "t", "count": 50, "interval_ms": 20})
        first = await receive(ws)
        await send(ws, {"type": "unsubscribe", "topic": "t"})
        frame = await receive(ws)
        while frame["type"] == "update":  # updates already on their way
            frame = await receive(ws)
        await assert_quiet(ws, 0.1)
    assert first["n"] == 1
    assert frame == {"type": "unsubscribed", "topic": "t"}


@run_async
async def test_subscribe_validates_its_fields() -> None:
    async with demo_server() as server, client(server) as ws:
        too_many = await request(ws, {"type": "subscribe", "topic": "t", "count": 51})
        too_fast = await request(ws, {"type": "subscribe", "topic": "t", "interval_ms": 5})
        no_topic = await request(ws, {"type": "subscribe"})
    assert [too_many["code"], too_fast["code"], no_topic["code"]] == ["invalid_message"] * 3
    assert too_many["message"] == '"count" must be an integer from 1 to 50.'


# -- 7. echo, 8. whoami, 9. delay --------------------------------------------------------


@run_async
async def test_echo_repeats_the_content_n_times() -> None:
    async with demo_server() as server, client(server) as ws:
        await send(ws, {"type": "echo", "content": {"any": ["json"]}, "times": 3})
        echoes = await receive_many(ws, 3)
        once = await request(ws, {"type": "echo", "content": "x"})
        too_many = await request(ws, {"type": "echo", "content": "x", "times": 11})
    assert echoes == [{"type": "echo", "content": {"any": ["json"]}, "n": n} for n in (1, 2, 3)]
    assert once == {"type": "echo", "content": "x", "n": 1}
    assert too_many["code"] == "invalid_message"


@run_async
async def test_whoami_shows_identity_rooms_x_headers_and_query() -> None:
    headers = {"X-Trace-Id": "abc-123", "X-Tenant": "acme", "Accept-Language": "en"}
    async with (
        demo_server() as server,
        client(server, "/chat?name=dora&lang=en", additional_headers=headers) as ws,
    ):
        await request(ws, {"type": "join", "room": "b"})
        await request(ws, {"type": "join", "room": "a"})
        you = await request(ws, {"type": "whoami"})
    assert you["type"] == "you"
    assert is_uuid4(you["client_id"])
    assert you["name"] == "dora"
    assert you["rooms"] == ["a", "b"]
    assert you["subprotocol"] is None
    assert you["headers"] == {"X-Trace-Id": "abc-123", "X-Tenant": "acme"}
    assert you["query"] == {"name": "dora", "lang": "en"}


@run_async
async def test_delay_answers_later_without_blocking_other_requests() -> None:
    async with demo_server() as server, client(server) as ws:
        started = time.monotonic()
        await send(ws, {"type": "delay", "ms": 1000, "content": "later"})
        pong = await request(ws, {"type": "ping"})
        delayed = await receive(ws)
        elapsed = time.monotonic() - started
        without_content = await request(ws, {"type": "delay", "ms": 0})
    assert pong["type"] == "pong"
    assert delayed == {"type": "delayed", "content": "later"}
    assert elapsed >= 1.0
    assert without_content == {"type": "delayed", "content": None}


# -- 10. close, 11. crash, 12. binary -------------------------------------------------------


@run_async
async def test_close_uses_the_code_and_reason_asked_for() -> None:
    async with demo_server() as server:
        ws = await open_client(server)
        await receive(ws)
        bad = await request(ws, {"type": "close", "code": 1001})
        await send(ws, {"type": "close", "code": 4000, "reason": "bye now"})
        assert await closed(ws) == (4000, "bye now")
        plain = await open_client(server)
        await receive(plain)
        await send(plain, {"type": "close"})
        assert await closed(plain) == (1000, "")
    assert (bad["code"], bad["request_type"]) == ("invalid_close_code", "close")


@run_async
async def test_crash_drops_the_connection_without_a_close_frame(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    async with demo_server() as server:
        ws = await open_client(server)
        await receive(ws)
        await send(ws, {"type": "crash"})
        code, _ = await closed(ws)
        still_serving = await open_client(server)
        welcome = await receive(still_serving)
        await still_serving.close()
    assert code == 1006
    assert welcome["type"] == "welcome"
    assert [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info] == []


@run_async
async def test_binary_frames_come_back_unchanged() -> None:
    async with demo_server() as server, client(server) as ws:
        await ws.send(b"\x00\x01binary\xff")
        async with asyncio.timeout(2):
            data = await ws.recv()
    assert data == b"\x00\x01binary\xff"


# -- 13. malformed frames, 14. rate limit, 15. size limit ----------------------------------


@run_async
async def test_malformed_frames_get_errors_and_the_connection_stays_open() -> None:
    async with demo_server() as server, client(server) as ws:
        await ws.send("{not json")
        bad_json = await receive(ws)
        await ws.send("[1, 2]")
        not_object = await receive(ws)
        no_type = await request(ws, {"room": "lobby"})
        odd_type = await request(ws, {"type": 3})
        unknown = await request(ws, {"type": "foo"})
        pong = await request(ws, {"type": "ping"})
    assert bad_json["type"] == "error" and bad_json["code"] == "invalid_json"
    assert bad_json["message"].startswith("Invalid JSON: Expecting property name")
    assert "request_type" not in bad_json
    assert not_object["code"] == "invalid_message"
    assert no_type["code"] == odd_type["code"] == "missing_type"
    assert unknown == {
        "type": "error",
        "code": "unknown_type",
        "message": 'Unknown message type "foo"',
        "request_type": "foo",
    }
    assert pong["type"] == "pong"


@run_async
async def test_hostile_json_is_refused_without_dropping_the_connection() -> None:
    async with demo_server() as server, client(server) as ws:
        await ws.send('{"type": "echo", "content": "\\ud800"}')
        surrogate = await receive(ws)
        await ws.send("[" * 5000 + "]" * 5000)
        deep = await receive(ws)
        await ws.send('{"type": "echo", "content": NaN}')
        nan = await receive(ws)
        emoji = await request(ws, {"type": "echo", "content": "\U0001f600 é"})
    assert surrogate["code"] == "invalid_message"
    assert deep == {
        "type": "error",
        "code": "invalid_json",
        "message": "Invalid JSON: nested too deeply",
    }
    assert nan["code"] == "invalid_json"
    assert emoji["content"] == "\U0001f600 é"


@run_async
async def test_rate_limit_drops_frames_over_the_limit_and_keeps_the_connection() -> None:
    async with demo_server() as server, client(server) as ws:
        for n in range(80):
            await send(ws, {"type": "ping", "id": n})
        replies = await receive_many(ws, 80)
        await asyncio.sleep(0.1)  # the bucket refills with time: 5 tokens
        pong = await request(ws, {"type": "ping", "id": "after"})
    limited = [r for r in replies if r["type"] == "error"]
    assert limited, "expected at least one rate_limited error"
    assert limited[0] == {
        "type": "error",
        "code": "rate_limited",
        "message": "Rate limit exceeded: at most 50 messages per second",
    }
    assert sum(r["type"] == "pong" for r in replies) >= 50
    assert pong == {"type": "pong", "id": "after", "server_time": pong["server_time"]}


@run_async
async def test_no_rate_limit_when_disabled() -> None:
    async with demo_server(rate_limit=None) as server, client(server) as ws:
        for n in range(200):
            await send(ws, {"type": "ping", "id": n})
        replies = await receive_many(ws, 200)
    assert [r["id"] for r in replies] == list(range(200))


@run_async
async def test_frames_over_max_size_close_the_connection_with_1009() -> None:
    async with demo_server(max_size=1000) as server, client(server) as ws:
        await ws.send("x" * 2000)
        code, _ = await closed(ws)
    assert code == 1009


# -- 16. subprotocols ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("offered", "negotiated"),
    [
        (None, None),
        (["chat.v2"], "chat.v2"),
        (["chat.v1", "chat.v2"], "chat.v1"),
        (["other", "chat.v2"], "chat.v2"),
        (["other"], None),
    ],
)
@run_async
async def test_subprotocols_are_optional(offered: list[str] | None, negotiated: str | None) -> None:
    async with demo_server() as server, client(server, subprotocols=offered) as ws:
        you = await request(ws, {"type": "whoami"})
    assert ws.subprotocol == negotiated
    assert you["subprotocol"] == negotiated


# -- 17. /secure ---------------------------------------------------------------------------


@run_async
async def test_secure_without_a_token_is_refused_with_401() -> None:
    async with demo_server() as server:
        with pytest.raises(InvalidStatus) as refused:
            await open_client(server, "/secure")
    response = refused.value.response
    assert response.status_code == 401
    assert bytes(response.body) == b"Missing token\n"
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="wsbdd-demo"'


@run_async
async def test_secure_with_an_unknown_token_errors_then_closes_4001() -> None:
    async with demo_server() as server:
        ws = await open_client(server, "/secure?token=nope")
        error = await receive(ws)
        code_reason = await closed(ws)
    assert error == {"type": "error", "code": "invalid_token", "message": "Invalid token"}
    assert code_reason == (4001, "invalid token")


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/secure?token=alice-token", None),
        ("/secure", {"Authorization": "Bearer alice-token"}),
    ],
)
@run_async
async def test_secure_with_a_valid_token_authenticates(path: str, headers: dict | None) -> None:
    async with demo_server() as server:
        ws = await open_client(server, path, additional_headers=headers)
        first = await receive(ws)
        joined = await request(ws, {"type": "join", "room": "vip"})
        await ws.close()
    assert first["type"] == "authenticated"
    assert first["user"] == "alice"
    assert is_uuid4(first["client_id"])
    assert joined["members"] == ["alice"]


@run_async
async def test_custom_tokens_replace_the_default_ones() -> None:
    async with demo_server(tokens={"t-1": "zed"}) as server:
        good = await open_client(server, "/secure?token=t-1")
        bad = await open_client(server, "/secure?token=alice-token")
        authenticated, refused = await receive(good), await receive(bad)
        await good.close()
    assert authenticated["user"] == "zed"
    assert refused["code"] == "invalid_token"


# -- 18. /login ------------------------------------------------------------------------------


@run_async
async def test_login_with_a_valid_token_authenticates() -> None:
    async with demo_server() as server:
        ws = await open_client(server, "/login")
        await assert_quiet(ws, 0.1)  # no welcome before auth
        first = await request(ws, {"type": "auth", "token": "bob-token"})
        you = await request(ws, {"type": "whoami"})
        await ws.close()
    assert first["type"] == "authenticated" and first["user"] == "bob"
    assert you["name"] == "bob" and you["client_id"] == first["client_id"]


@run_async
async def test_login_with_an_invalid_token_errors_then_closes_4001() -> None:
    async with demo_server() as server:
        ws = await open_client(server, "/login")
        error = await request(ws, {"type": "auth", "token": "wrong"})
        code_reason = await closed(ws)
    assert error["code"] == "invalid_token"
    assert code_reason == (4001, "invalid token")


@run_async
async def test_login_with_another_first_frame_requires_authentication() -> None:
    async with demo_server() as server:
        ws = await open_client(server, "/login")
        error = await request(ws, {"type": "join", "room": "lobby"})
        code_reason = await closed(ws)
    assert error["type"] == "error" and error["code"] == "auth_required"
    assert code_reason == (4001, "authentication required")


@run_async
async def test_login_without_auth_in_time_closes_4001() -> None:
    async with demo_server(auth_timeout=0.2) as server:
        ws = await open_client(server, "/login")
        code_reason = await closed(ws)
    assert code_reason == (4001, "authentication timeout")


# -- 19. disconnect cleanup, 20. stop ------------------------------------------------------


@pytest.mark.parametrize("how", ["close", "crash"])
@run_async
async def test_a_departed_client_leaves_its_rooms_and_its_tasks_stop(how: str) -> None:
    async with demo_server() as server, client(server, "/?name=stayer") as stayer:
        leaver = await open_client(server, "/?name=leaver")
        await receive(leaver)
        await request(stayer, {"type": "join", "room": "lobby"})
        await request(leaver, {"type": "join", "room": "lobby"})
        await request(leaver, {"type": "join", "room": "side"})
        await receive(stayer)  # user_joined leaver
        await request(leaver, {"type": "subscribe", "topic": "t", "count": 50, "interval_ms": 1000})
        if how == "close":
            await leaver.close()
        else:
            await send(leaver, {"type": "crash"})
        notice = await receive(stayer)
        tasks = {t.get_name() for t in asyncio.all_tasks()}
        members = await request(stayer, {"type": "join", "room": "side"})
        sessions = {session.name for session in server.chat.sessions}
    assert notice == {
        "type": "user_left",
        "room": "lobby",
        "user": "leaver",
        "reason": "disconnected",
    }
    assert not any("leaver" in name for name in tasks)
    assert members["members"] == ["stayer"]
    assert sessions == {"stayer"}


@run_async
async def test_stop_closes_clients_with_1001_promptly_and_leaves_no_tasks() -> None:
    server = await DemoServer(auth_timeout=30).start()
    quiet = {"ping_interval": None}  # no client keepalive tasks, so every task left is the server's
    chatty = await open_client(server, **quiet)
    await receive(chatty)
    await request(chatty, {"type": "join", "room": "lobby"})
    await request(chatty, {"type": "subscribe", "topic": "t", "count": 50, "interval_ms": 1000})
    await send(chatty, {"type": "delay", "ms": 60_000})
    waiting_for_login = await open_client(server, "/login", **quiet)
    await request(chatty, {"type": "ping"})  # the delay task is running by now

    started = time.monotonic()
    await server.stop()
    took = time.monotonic() - started
    left_over = asyncio.all_tasks() - {asyncio.current_task()}
    await server.stop()  # idempotent

    assert took < 30  # it did not wait for the 60 s delay task
    assert left_over == set()
    assert await closed(chatty) == (1001, "")
    assert (await closed(waiting_for_login))[0] == 1001


@run_async
async def test_another_route_can_be_added_by_path() -> None:
    class Greeter:
        def check(self, connection: ServerConnection, request: Request) -> Response | None:
            return None

        async def handle(self, connection: ServerConnection) -> None:
            await connection.send('{"type": "hello"}')

    async with demo_server() as server:
        server.routes["/greeter"] = Greeter()
        ws = await open_client(server, "/greeter?x=1")
        hello = await receive(ws)
        await ws.close()
    assert hello == {"type": "hello"}


# -- running it from a shell --------------------------------------------------------------


@run_async
async def test_python_m_wsbdd_demo_serves_until_sigterm() -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "wsbdd.demo",
        "--port",
        "0",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        # A positive deadline costs nothing when the server starts; a loaded CI
        # machine can take many seconds just to import Python packages.
        async with asyncio.timeout(45):
            line = (await proc.stdout.readline()).decode()  # type: ignore[union-attr]
        match = re.fullmatch(r"wsbdd demo server listening on (ws://127\.0\.0\.1:(\d+))\n", line)
        if not match:
            proc.kill()
            errors = (await proc.stderr.read()).decode()  # type: ignore[union-attr]
            raise AssertionError(f"first line {line!r}; stderr: {errors}")
        assert int(match[2]) > 0
        async with asyncio.timeout(45):
            line = (await proc.stdout.readline()).decode()  # type: ignore[union-attr]
        socketio = re.fullmatch(
            r"the chat over Socket\.IO listening on http://127\.0\.0\.1:(\d+)\n", line
        )
        assert socketio, f"second line {line!r}"
        ws = await connect(match[1], proxy=None, compression=None, open_timeout=2)
        welcome = await receive(ws)
        # The Socket.IO chat answers Engine.IO's opening over WebSocket on its own port.
        sio = await connect(
            f"ws://127.0.0.1:{socketio[1]}/socket.io/?EIO=4&transport=websocket",
            proxy=None,
            compression=None,
            open_timeout=2,
        )
        async with asyncio.timeout(10):
            opening = await sio.recv()
        await sio.close()
        proc.send_signal(signal.SIGTERM)
        async with asyncio.timeout(30):
            returncode = await proc.wait()
        code, _ = await closed(ws)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert welcome["type"] == "welcome"
    assert isinstance(opening, str) and opening.startswith('0{"sid":')
    assert returncode == 0
    assert code == 1001


def test_main_rejects_unknown_options() -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--bogus"])
    assert exited.value.code == 2


@pytest.mark.parametrize("depth", [99, 100, 101])
def test_nesting_is_refused_past_the_documented_depth_on_every_python(depth: int) -> None:
    from wsbdd.demo.protocol import MAX_DEPTH, ChatError, decode

    # The frame itself is one level; its content nests the rest.
    content = "[" * (depth - 1) + "]" * (depth - 1)
    text = f'{{"type": "echo", "content": {content}}}'
    if depth <= MAX_DEPTH:
        assert decode(text)["type"] == "echo"
    else:
        with pytest.raises(ChatError, match="nested too deeply"):
            decode(text)


@pytest.mark.parametrize(
    "text, message",
    [
        ("[" * 1500, "Invalid JSON: nested too deeply"),  # unclosed: 3.13 reads to the end
        ("[" * 101 + "x", "Invalid JSON: nested too deeply"),
        ('["' + "[" * 500 + '", x]', "Invalid JSON: Expecting value: line 1 column 506 (char 505)"),
        ("[" * 50, "Invalid JSON: Expecting value: line 1 column 51 (char 50)"),
    ],
)
def test_invalid_json_is_refused_for_its_depth_the_same_way_on_every_python(text, message):
    # Brackets inside a string do not count; what is opened before the error does.
    from wsbdd.demo.protocol import ChatError, decode

    with pytest.raises(ChatError) as refused:
        decode(text)
    assert (refused.value.code, refused.value.message) == ("invalid_json", message)
