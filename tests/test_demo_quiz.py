"""The demo server's live quiz on ``/quiz``: the pure game, then real sockets on port 0."""

from __future__ import annotations

import asyncio
import json
import re
import time
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import demo_helpers
import pytest
from demo_helpers import (
    assert_quiet,
    client,
    closed,
    demo_server,
    open_client,
    run_async,
    send,
)
from websockets.asyncio.client import ClientConnection

from wsbdd.demo import DemoServer
from wsbdd.demo.__main__ import main
from wsbdd.demo.questions import BUILT_IN, Question, load_quizzes, parse_quizzes
from wsbdd.demo.quiz import Game, Phase, QuizError, Standing
from wsbdd.demo.quiz_protocol import finished_frame, question_frame

TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
CAPITALS = BUILT_IN["capitals"]


# -- the pure game -----------------------------------------------------------------


class FakeClock:
    """A clock the test moves by hand, in seconds."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def new_game(*players: str, time_limit_ms: int = 10_000) -> tuple[Game, FakeClock]:
    """A capitals game hosted by "host", with ``players`` joined (client id = name)."""
    clock = FakeClock()
    game = Game("abcd1234", "capitals", CAPITALS, "host", time_limit_ms=time_limit_ms, clock=clock)
    for name in players:
        game.join(name, name)
    return game, clock


def refused(code: str, call: Any, *args: Any) -> QuizError:
    with pytest.raises(QuizError) as caught:
        call(*args)
    assert caught.value.code == code, caught.value.message
    return caught.value


def test_the_capitals_bank_has_four_questions_of_four_options_with_varied_answers() -> None:
    assert len(CAPITALS) == 4
    assert all(len(q.options) == 4 for q in CAPITALS)
    assert CAPITALS[0].options == ("Berlin", "Madrid", "Paris", "Rome")
    assert CAPITALS[0].answer == 2
    assert len({q.answer for q in CAPITALS}) == 4
    assert len(BUILT_IN["colours"]) == 2


def test_a_right_answer_scores_100_and_a_bonus_in_proportion_to_the_time_left() -> None:
    game, clock = new_game("ann", "bob", "cat", "dan")
    game.start("host")
    clock.now += 2.5  # a quarter of the 10 s gone: 75 points of bonus
    ann = game.answer("ann", 1, 2)
    clock.now += 0.004  # 7.496 s left -> 74.96 -> 75
    bob = game.answer("bob", 1, "Paris")
    cat = game.answer("cat", 1, "Rome")
    clock.now += 7.496  # exactly at the limit: still in time, no bonus
    dan = game.answer("dan", 1, 2)
    assert (ann.correct, ann.score, ann.time_bonus, ann.total) == (True, 175, 75, 175)
    assert (bob.correct, bob.score, bob.time_bonus) == (True, 175, 75)
    assert (cat.correct, cat.score, cat.time_bonus, cat.total) == (False, 0, 0, 0)
    assert (dan.correct, dan.score, dan.time_bonus) == (True, 100, 0)


def test_an_answer_counts_once_and_only_while_its_question_is_open() -> None:
    game, clock = new_game("ann", "bob", time_limit_ms=1000)
    refused("too_late", game.answer, "ann", 1, 2)  # not started yet
    game.start("host")
    game.answer("ann", 1, 2)
    assert refused("already_answered", game.answer, "ann", 1, 0).message == (
        "You have already answered question 1."
    )
    refused("too_late", game.answer, "bob", 2, 0)  # not the current question
    clock.now += 1.001
    late = refused("too_late", game.answer, "bob", 1, 2)
    assert "time limit of 1000 ms" in late.message
    assert game.player("bob").answered == set()  # type: ignore[union-attr]
    game.close_question()
    refused("too_late", game.answer, "bob", 1, 2)


@pytest.mark.parametrize(
    "choice", [4, -1, True, 2.0, None, "Lyon", "paris", "<b>Paris</b>", "Paris>", "x" * 201]
)
def test_only_an_option_index_or_its_exact_text_is_an_answer(choice: object) -> None:
    game, _ = new_game("ann")
    game.start("host")
    refused("invalid_answer", game.answer, "ann", 1, choice)
    assert game.answer("ann", 1, "Paris").correct  # the refused one did not count


def test_markup_in_an_answer_is_named_in_the_error() -> None:
    game, _ = new_game("ann")
    game.start("host")
    error = refused("invalid_answer", game.answer, "ann", 1, "<script>x</script>")
    assert error.message == "An answer must not contain markup such as < or >."


def test_joining_starting_and_answering_are_for_the_right_people() -> None:
    game, _ = new_game()
    refused("host_cannot_play", game.join, "host", "me")
    refused("no_players", game.start, "host")
    game.join("ann", "ann")
    refused("name_taken", game.join, "ann2", "ann")
    refused("already_joined", game.join, "ann", "anne")
    refused("invalid_name", game.join, "x", "<b>")
    refused("invalid_name", game.join, "x", "")
    assert refused("not_host", game.start, "ann").message == "Only the host can start the quiz"
    game.start("host")
    refused("already_started", game.join, "bob", "bob")
    refused("already_started", game.start, "host")
    refused("not_a_player", game.answer, "host", 1, 2)


def test_the_leaderboard_orders_by_score_then_name_and_ties_share_a_rank() -> None:
    game, clock = new_game("dan", "cat", "bob", "ann", "eve")
    game.start("host")
    for name, choice in [("dan", 2), ("bob", 2), ("ann", 2), ("cat", 0)]:
        game.answer(name, 1, choice)
    clock.now += 5  # eve answers later: a smaller bonus
    game.answer("eve", 1, 2)
    assert game.close_question() == [
        Standing(1, "ann", 200),
        Standing(1, "bob", 200),
        Standing(1, "dan", 200),
        Standing(4, "eve", 150),
        Standing(5, "cat", 0),
    ]


def test_a_departed_player_keeps_their_score_and_is_never_waited_for() -> None:
    game, _ = new_game("ann", "bob", "cat")
    game.leave("cat")  # in the lobby: simply gone
    assert [p.name for p in game.players] == ["ann", "bob"]
    game.start("host")
    game.answer("bob", 1, 2)
    assert not game.everyone_answered()
    game.leave("bob")
    assert not game.everyone_answered()
    game.answer("ann", 1, 0)
    assert game.everyone_answered()
    game.close_question()
    game.next_question()
    assert not game.everyone_answered()
    game.answer("ann", 2, 0)
    assert game.everyone_answered()  # bob counts as having answered
    assert [(s.rank, s.name, s.score) for s in game.standings()] == [
        (1, "ann", 200),
        (1, "bob", 200),
    ]


def test_a_game_ends_after_its_last_question_with_a_winner() -> None:
    game, _ = new_game("ann", "bob")
    game.start("host")
    for number, question in enumerate(CAPITALS, 1):
        assert game.phase is Phase.ASKING and game.number == number
        game.answer("ann", number, question.answer)
        game.answer("bob", number, (question.answer + 1) % 4)
        assert game.everyone_answered()
        game.close_question()
        following = game.next_question()
        assert (following is None) == (number == len(CAPITALS))
    assert game.phase is Phase.FINISHED and game.question is None
    assert finished_frame(game) == {
        "type": "quiz:finished",
        "session": "abcd1234",
        "reason": "completed",
        "standings": [
            {"rank": 1, "name": "ann", "score": 800},
            {"rank": 2, "name": "bob", "score": 0},
        ],
        "winner": "ann",
    }


def test_an_abandoned_or_pointless_game_has_no_winner_and_a_tie_goes_by_name() -> None:
    game, _ = new_game("ann", "bob")
    game.start("host")
    game.answer("ann", 1, 2)
    game.abandon()
    assert (game.phase, game.ended_by, game.winner) == (Phase.FINISHED, "host_left", None)
    for right in (True, False):
        tie, _ = new_game("cat", "bob", "ann")
        question = tie.start("host")
        while question is not None:  # at most 4 rounds
            choice = question.answer if right else (question.answer + 1) % 4
            tie.answer("cat", tie.number, choice)
            tie.answer("bob", tie.number, choice)
            tie.close_question()
            question = tie.next_question()
        assert tie.ended_by == "completed"
        if right:
            assert [(s.rank, s.name) for s in tie.standings()] == [
                (1, "bob"),
                (1, "cat"),
                (3, "ann"),
            ]
            assert tie.winner == "bob"
        else:
            assert tie.winner is None  # nobody scored


def test_a_question_frame_never_carries_the_answer() -> None:
    game, _ = new_game("ann", time_limit_ms=5000)
    game.start("host")
    frame = question_frame(game)
    assert frame == {
        "type": "quiz:question",
        "session": "abcd1234",
        "question": {
            "number": 1,
            "of": 4,
            "text": "What is the capital of France?",
            "options": ["Berlin", "Madrid", "Paris", "Rome"],
            "time_limit_ms": 5000,
        },
    }


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ([], "expected a JSON object mapping quiz names"),
        ({"bad name": [{}]}, "quiz name 'bad name' must be"),
        ({"capitals": []}, 'quiz "capitals" is already a built-in quiz'),
        ({"x": []}, 'quiz "x" must be a non-empty list'),
        ({"x": ["q"]}, 'quiz "x", question 1: expected an object'),
        ({"x": [{"text": "", "options": ["a", "b"], "answer": 0}]}, '"text" must be'),
        ({"x": [{"text": "t", "options": ["a"], "answer": 0}]}, '"options" must be a list of 2'),
        ({"x": [{"text": "t", "options": ["a", "a"], "answer": 0}]}, "must all be different"),
        ({"x": [{"text": "t", "options": ["a", "<b>"], "answer": 0}]}, "without < or >"),
        (
            {"x": [{"text": "t", "options": ["a", "b"], "answer": 0}, {"text": "u"}]},
            'quiz "x", question 2: "options"',
        ),
        ({"x": [{"text": "t", "options": ["a", "b"], "answer": 2}]}, '"answer" must be the index'),
        ({"x": [{"text": "t", "options": ["a", "b"], "answer": True}]}, "0 to 1, got True"),
        ({"x": [{"text": "t", "options": ["a", "b"], "answer": 0, "hint": 1}]}, "'hint'"),
    ],
)
def test_a_bad_quiz_bank_is_a_value_error_naming_the_problem(data: Any, problem: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_quizzes(data)
    assert problem in str(caught.value)


def test_a_quiz_file_is_read_and_its_errors_name_the_file(tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    good.write_text(
        json.dumps({"planets": [{"text": "Red?", "options": ["Mars", "Venus"], "answer": 0}]})
    )
    assert load_quizzes(good) == {"planets": (Question("Red?", ("Mars", "Venus"), 0),)}
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    with pytest.raises(ValueError, match=r"broken\.json: not a JSON quiz file"):
        load_quizzes(broken)
    with pytest.raises(ValueError, match=r'bad\.json: quiz "x" must be a non-empty list'):
        (tmp_path / "bad.json").write_text('{"x": {}}')
        DemoServer(quiz_file=tmp_path / "bad.json")


# -- over real sockets -------------------------------------------------------------

# Replies come at once; the deadline is generous because shared CI machines stall.
WAIT = 5.0


async def receive(ws: ClientConnection, timeout: float = WAIT) -> dict[str, Any]:
    return await demo_helpers.receive(ws, timeout)


async def request(ws: ClientConnection, frame: dict[str, Any]) -> dict[str, Any]:
    await send(ws, frame)
    return await receive(ws)


async def quiz_client(stack: AsyncExitStack, server: DemoServer, name: str) -> ClientConnection:
    """A client of ``/quiz`` named ``name``, its welcome read, closed with ``stack``."""
    return await stack.enter_async_context(client(server, f"/quiz?name={name}"))


async def create(host: ClientConnection, quiz: str = "capitals", **options: Any) -> str:
    created = await request(host, {"type": "quiz:create", "quiz": quiz, **options})
    assert created["type"] == "quiz:created", created
    return created["session"]


async def join(host: ClientConnection, session: str, players: dict[str, ClientConnection]) -> None:
    """Join each player under its name; the host hears of each."""
    for count, (name, ws) in enumerate(players.items(), 1):
        joined = await request(ws, {"type": "quiz:join", "session": session, "name": name})
        assert joined == {"type": "quiz:joined", "session": session, "name": name, "players": count}
        assert await receive(host) == {
            "type": "quiz:player_joined",
            "session": session,
            "name": name,
            "players": count,
        }


def answer(session: str, number: int, choice: object) -> dict[str, Any]:
    return {"type": "quiz:answer", "session": session, "question": number, "answer": choice}


def error(code: str, message: str, request_type: str) -> dict[str, Any]:
    return {"type": "error", "code": code, "message": message, "request_type": request_type}


@run_async
async def test_quiz_welcome_has_the_chat_shape_and_the_chat_still_works() -> None:
    async with demo_server() as server:
        quiz = await open_client(server, "/quiz")
        welcome = await receive(quiz)
        named = await open_client(server, "/quiz?name=Quinn")
        named_welcome = await receive(named)
        chat = await open_client(server, "/?name=Chad")
        chat_welcome = await receive(chat)
        pong = await request(chat, {"type": "ping"})
        for ws in (quiz, named, chat):
            await ws.close()
    assert set(welcome) == {"type", "client_id", "name", "server_time", "message"}
    assert welcome["type"] == "welcome"
    assert welcome["name"] == f"guest-{welcome['client_id'][:6]}"
    assert TIMESTAMP.fullmatch(welcome["server_time"])
    assert welcome["message"] == "Welcome to the wsbdd demo quiz"
    assert named_welcome["name"] == "Quinn"
    assert chat_welcome["message"] == "Welcome to the wsbdd demo chat"
    assert pong["type"] == "pong"


@run_async
async def test_a_full_quiz_with_three_players() -> None:
    async with demo_server() as server, AsyncExitStack() as stack:
        host = await quiz_client(stack, server, "host")
        ann, bob, cat = [await quiz_client(stack, server, name) for name in ("ann", "bob", "cat")]
        players = {"ann": ann, "bob": bob, "cat": cat}
        created = await request(
            host,
            {"type": "quiz:create", "quiz": "capitals", "time_limit_ms": 60_000, "pause_ms": 50},
        )
        session = created["session"]
        await join(host, session, players)
        await send(host, {"type": "quiz:start", "session": session})
        first = [await receive(ws) for ws in (host, ann, bob, cat)]

        ann_result = await request(ann, answer(session, 1, 2))
        bob_result = await request(bob, answer(session, 1, "Paris"))
        await assert_quiet(host, 0.05)  # the question stays open for cat
        cat_result = await request(cat, answer(session, 1, "Rome"))
        boards = [await receive(ws) for ws in (host, ann, bob, cat)]
        second = [await receive(ws) for ws in (host, ann, bob, cat)]

        # Question 2 (Tokyo, 0) to 4 (Canberra, 1): only ann is right.
        for number, right in [(2, 0), (3, 3), (4, 1)]:
            if number > 2:
                assert (await receive(ann))["question"]["number"] == number
                for ws in (host, bob, cat):
                    await receive(ws)
            for name, ws in players.items():
                choice = right if name == "ann" else (right + 1) % 4
                result = await request(ws, answer(session, number, choice))
                assert result["correct"] is (name == "ann"), (number, name, result)
            for ws in (host, ann, bob, cat):
                board = await receive(ws)
                assert (board["type"], board["question"]) == ("quiz:leaderboard", number)
        finished = [await receive(ws) for ws in (host, ann, bob, cat)]
        games_left = server.quiz.games

    assert created == {
        "type": "quiz:created",
        "session": session,
        "quiz": "capitals",
        "questions": 4,
    }
    assert re.fullmatch(r"[0-9a-f]{8}", session)
    question_1 = {
        "type": "quiz:question",
        "session": session,
        "question": {
            "number": 1,
            "of": 4,
            "text": "What is the capital of France?",
            "options": ["Berlin", "Madrid", "Paris", "Rome"],
            "time_limit_ms": 60000,
        },
    }
    assert first == [question_1] * 4
    for result in (ann_result, bob_result):
        assert result["type"] == "quiz:result" and result["correct"] is True
        assert 80 <= result["time_bonus"] <= 100  # answered well within the 60 s
        assert result["score"] == result["total"] == 100 + result["time_bonus"]
    assert cat_result == {
        "type": "quiz:result",
        "session": session,
        "question": 1,
        "correct": False,
        "score": 0,
        "time_bonus": 0,
        "total": 0,
    }
    expected_board = sorted(
        [("ann", ann_result["total"]), ("bob", bob_result["total"]), ("cat", 0)],
        key=lambda entry: (-entry[1], entry[0]),
    )
    assert all(board == boards[0] for board in boards)
    assert boards[0]["type"] == "quiz:leaderboard" and boards[0]["question"] == 1
    assert [(s["name"], s["score"]) for s in boards[0]["standings"]] == expected_board
    assert boards[0]["standings"][-1]["rank"] == 3
    assert [frame["question"]["number"] for frame in second] == [2, 2, 2, 2]
    assert all(frame == finished[0] for frame in finished)
    final = finished[0]
    assert final["type"] == "quiz:finished" and final["reason"] == "completed"
    assert final["winner"] == "ann"
    assert [s["name"] for s in final["standings"]] == ["ann", "bob", "cat"]
    assert final["standings"][0]["score"] > 400 + ann_result["total"]
    assert games_left == {}


@run_async
async def test_an_unknown_session_is_not_found() -> None:
    async with demo_server() as server, client(server, "/quiz") as ws:
        joined = await request(ws, {"type": "quiz:join", "session": "00000000", "name": "x"})
        started = await request(ws, {"type": "quiz:start"})
        answered = await request(ws, answer("nope", 1, 2))
    assert joined == error("session_not_found", "Session not found", "quiz:join")
    assert started == error("session_not_found", "Session not found", "quiz:start")
    assert answered == error("session_not_found", "Session not found", "quiz:answer")


@run_async
async def test_create_refuses_unknown_quizzes_and_out_of_range_options() -> None:
    async with demo_server() as server, client(server, "/quiz") as ws:
        unknown = await request(ws, {"type": "quiz:create", "quiz": "flags"})
        too_fast = await request(
            ws, {"type": "quiz:create", "quiz": "colours", "time_limit_ms": 50}
        )
        other = await request(ws, {"type": "quiz:play"})
    assert unknown == error(
        "unknown_quiz",
        'Unknown quiz "flags"; the known quizzes are capitals, colours.',
        "quiz:create",
    )
    assert too_fast == error(
        "invalid_message", '"time_limit_ms" must be an integer from 100 to 60000.', "quiz:create"
    )
    assert other["code"] == "unknown_type"


@run_async
async def test_only_the_host_starts_and_only_with_players() -> None:
    async with demo_server() as server, AsyncExitStack() as stack:
        host = await quiz_client(stack, server, "host")
        ann = await quiz_client(stack, server, "ann")
        late = await quiz_client(stack, server, "late")
        session = await create(host)
        no_players = await request(host, {"type": "quiz:start", "session": session})
        host_plays = await request(host, {"type": "quiz:join", "session": session, "name": "h"})
        await join(host, session, {"ann": ann})
        taken = await request(late, {"type": "quiz:join", "session": session, "name": "ann"})
        not_host = await request(ann, {"type": "quiz:start", "session": session})
        await send(host, {"type": "quiz:start", "session": session})
        await receive(host)
        await receive(ann)
        too_late_to_join = await request(late, {"type": "quiz:join", "session": session})
        host_answers = await request(host, answer(session, 1, 2))
    assert no_players["code"] == "no_players"
    assert host_plays["code"] == "host_cannot_play"
    assert taken == error(
        "name_taken", 'The name "ann" is already taken in this quiz.', "quiz:join"
    )
    assert not_host == error("not_host", "Only the host can start the quiz", "quiz:start")
    assert too_late_to_join["code"] == "already_started"
    assert host_answers["code"] == "not_a_player"


@run_async
async def test_a_second_answer_to_the_same_question_is_refused() -> None:
    async with demo_server() as server, AsyncExitStack() as stack:
        host = await quiz_client(stack, server, "host")
        ann, bob = await quiz_client(stack, server, "ann"), await quiz_client(stack, server, "bob")
        session = await create(host)
        await join(host, session, {"ann": ann, "bob": bob})
        await send(host, {"type": "quiz:start", "session": session})
        for ws in (host, ann, bob):
            await receive(ws)
        first = await request(ann, answer(session, 1, 1))
        again = await request(ann, answer(session, 1, 2))
    assert first["correct"] is False
    assert again == error(
        "already_answered", "You have already answered question 1.", "quiz:answer"
    )


@run_async
async def test_an_answer_after_the_time_limit_is_too_late() -> None:
    async with demo_server() as server, AsyncExitStack() as stack:
        host = await quiz_client(stack, server, "host")
        ann = await quiz_client(stack, server, "ann")
        session = await create(host, time_limit_ms=150, pause_ms=10_000)
        await join(host, session, {"ann": ann})
        await send(host, {"type": "quiz:start", "session": session})
        await receive(host)
        await receive(ann)
        asked = time.monotonic()
        # Nobody answered: the time limit closes the question (a loaded machine may be late).
        board = await receive(ann)
        waited = time.monotonic() - asked
        late = await request(ann, answer(session, 1, 2))
        await receive(host)  # its leaderboard too
    assert board == {
        "type": "quiz:leaderboard",
        "session": session,
        "question": 1,
        "standings": [{"rank": 1, "name": "ann", "score": 0}],
    }
    assert waited >= 0.1
    assert late["code"] == "too_late"
    assert "time limit of 150 ms" in late["message"]


@run_async
async def test_an_invalid_or_markup_answer_is_refused_and_does_not_count() -> None:
    async with demo_server(quiz_rate_limit=None) as server, AsyncExitStack() as stack:
        host = await quiz_client(stack, server, "host")
        ann = await quiz_client(stack, server, "ann")
        session = await create(host)
        await join(host, session, {"ann": ann})
        await send(host, {"type": "quiz:start", "session": session})
        await receive(host)
        await receive(ann)
        markup = await request(ann, answer(session, 1, "<script>alert(1)</script>"))
        out_of_range = await request(ann, answer(session, 1, 4))
        too_long = await request(ann, answer(session, 1, "Paris" * 100))
        no_number = await request(ann, {"type": "quiz:answer", "session": session, "answer": 2})
        valid = await request(ann, answer(session, 1, "Paris"))
    assert markup == error(
        "invalid_answer", "An answer must not contain markup such as < or >.", "quiz:answer"
    )
    assert out_of_range["code"] == too_long["code"] == "invalid_answer"
    assert "index from 0 to 3 or its exact text" in out_of_range["message"]
    assert no_number["code"] == "invalid_message"
    assert valid["correct"] is True


@run_async
async def test_quiz_messages_over_the_rate_limit_are_refused() -> None:
    async with demo_server(quiz_rate_limit=5) as server, client(server, "/quiz") as ws:
        for _ in range(20):
            await send(ws, {"type": "quiz:start", "session": "none"})
        replies = [await receive(ws) for _ in range(20)]
    async with demo_server(quiz_rate_limit=None) as server, client(server, "/quiz") as ws:
        for _ in range(30):
            await send(ws, {"type": "quiz:start", "session": "none"})
        unlimited = [(await receive(ws))["code"] for _ in range(30)]
    codes = [reply["code"] for reply in replies]
    assert codes[:5] == ["session_not_found"] * 5
    assert "rate_limited" in codes[5:]
    limited = replies[codes.index("rate_limited")]
    assert limited == {
        "type": "error",
        "code": "rate_limited",
        "message": "Too many quiz messages: the rate limit is 5 per second",
    }
    assert "rate limit" in limited["message"]
    assert unlimited == ["session_not_found"] * 30


@run_async
async def test_the_host_leaving_ends_the_quiz_for_every_player() -> None:
    async with demo_server() as server, AsyncExitStack() as stack:
        host = await open_client(server, "/quiz?name=host")
        await receive(host)
        ann = await quiz_client(stack, server, "ann")
        bob = await quiz_client(stack, server, "bob")
        session = await create(host)
        await join(host, session, {"ann": ann, "bob": bob})
        await send(host, {"type": "quiz:start", "session": session})
        for ws in (host, ann, bob):
            await receive(ws)
        await request(ann, answer(session, 1, 2))
        await host.close()
        ends = [await receive(ws) for ws in (ann, bob)]
        rejoin = await request(bob, {"type": "quiz:join", "session": session})
        games_left = server.quiz.games
    assert ends[0] == ends[1]
    assert ends[0]["type"] == "quiz:finished"
    assert ends[0]["reason"] == "host_left"
    assert ends[0]["winner"] is None
    assert [s["name"] for s in ends[0]["standings"]] == ["ann", "bob"]
    assert rejoin["code"] == "session_not_found"
    assert games_left == {}


@run_async
async def test_a_player_who_leaves_stays_in_the_standings_and_is_not_waited_for() -> None:
    async with demo_server() as server, AsyncExitStack() as stack:
        host = await quiz_client(stack, server, "host")
        stayer = await quiz_client(stack, server, "stayer")
        leaver = await open_client(server, "/quiz?name=leaver")
        await receive(leaver)
        session = await create(host, time_limit_ms=30_000, pause_ms=0)
        await join(host, session, {"stayer": stayer, "leaver": leaver})
        await send(host, {"type": "quiz:start", "session": session})
        for ws in (host, stayer, leaver):
            await receive(ws)
        await request(leaver, answer(session, 1, 2))
        await request(stayer, answer(session, 1, 0))
        first_board = await receive(host)
        await receive(stayer)
        await receive(stayer)  # question 2
        await receive(host)
        await leaver.close()
        await request(stayer, answer(session, 2, 0))  # right: Tokyo
        second_board = await receive(host)  # at once, not after 30 s
    assert [(s["name"], s["score"] > 100) for s in first_board["standings"]] == [
        ("leaver", True),
        ("stayer", False),
    ]
    assert second_board["type"] == "quiz:leaderboard" and second_board["question"] == 2
    assert {s["name"] for s in second_board["standings"]} == {"leaver", "stayer"}


@run_async
async def test_the_last_player_to_answer_leaving_closes_the_question() -> None:
    async with demo_server() as server, AsyncExitStack() as stack:
        host = await quiz_client(stack, server, "host")
        stayer = await quiz_client(stack, server, "stayer")
        leaver = await open_client(server, "/quiz?name=leaver")
        await receive(leaver)
        session = await create(host, time_limit_ms=30_000)
        await join(host, session, {"stayer": stayer, "leaver": leaver})
        await send(host, {"type": "quiz:start", "session": session})
        for ws in (host, stayer, leaver):
            await receive(ws)
        await request(stayer, answer(session, 1, 2))
        await leaver.close()
        board = await receive(host)
    assert board["type"] == "quiz:leaderboard"
    assert [(s["name"], s["score"]) for s in board["standings"]][1] == ("leaver", 0)


@run_async
async def test_a_quiz_whose_players_all_left_runs_to_its_end_at_once() -> None:
    async with demo_server() as server, client(server, "/quiz?name=host") as host:
        ann = await open_client(server, "/quiz?name=ann")
        await receive(ann)
        session = await create(host, quiz="colours", time_limit_ms=60_000, pause_ms=0)
        await join(host, session, {"ann": ann})
        await send(host, {"type": "quiz:start", "session": session})
        await receive(host)
        await receive(ann)
        await ann.close()
        rest = [await receive(host) for _ in range(4)]
    assert [(frame["type"], frame.get("question")) for frame in rest[:3]] == [
        ("quiz:leaderboard", 1),
        ("quiz:question", rest[1]["question"]),
        ("quiz:leaderboard", 2),
    ]
    assert rest[1]["question"]["number"] == 2
    assert rest[3]["type"] == "quiz:finished" and rest[3]["winner"] is None
    assert rest[3]["standings"] == [{"rank": 1, "name": "ann", "score": 0}]


@run_async
async def test_a_quiz_file_adds_quizzes(tmp_path: Path) -> None:
    bank = tmp_path / "planets.json"
    planets = [
        {"text": "Which planet is red?", "options": ["Venus", "Mars"], "answer": 1},
        {"text": "Which planet has rings?", "options": ["Saturn", "Mercury"], "answer": 0},
        {"text": "Which is largest?", "options": ["Earth", "Jupiter", "Mars"], "answer": 1},
    ]
    bank.write_text(json.dumps({"planets": planets}))
    async with demo_server(quiz_file=bank) as server, AsyncExitStack() as stack:
        host = await quiz_client(stack, server, "host")
        ann = await quiz_client(stack, server, "ann")
        created = await request(host, {"type": "quiz:create", "quiz": "planets"})
        await join(host, created["session"], {"ann": ann})
        await send(host, {"type": "quiz:start", "session": created["session"]})
        question = await receive(ann)
        await receive(host)  # the question, to the host too
        unknown = await request(host, {"type": "quiz:create", "quiz": "moons"})
    assert (created["quiz"], created["questions"]) == ("planets", 3)
    assert question["question"]["options"] == ["Venus", "Mars"]
    assert unknown["message"] == (
        'Unknown quiz "moons"; the known quizzes are capitals, colours, planets.'
    )


def test_a_bad_quiz_file_stops_the_demo_from_starting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"x": [{"text": "t", "options": ["a", "b"], "answer": 7}]}))
    assert main(["--quiz-file", str(bad)]) == 1
    err = capsys.readouterr().err
    assert f'{bad}: quiz "x", question 1: "answer" must be the index' in err


PLAYERS = 60


@run_async
async def test_sixty_answers_at_the_same_instant_are_each_counted_once() -> None:
    async with demo_server() as server, AsyncExitStack() as stack:
        host = await quiz_client(stack, server, "host")
        names = [f"p{n:02d}" for n in range(PLAYERS)]
        sockets = await asyncio.gather(*(quiz_client(stack, server, name) for name in names))
        players = dict(zip(names, sockets, strict=True))
        session = await create(host, time_limit_ms=60_000)
        joins = await asyncio.gather(
            *(
                request(ws, {"type": "quiz:join", "session": session, "name": name})
                for name, ws in players.items()
            )
        )
        joined_counts = sorted([(await receive(host))["players"] for _ in names])
        await send(host, {"type": "quiz:start", "session": session})
        await receive(host)
        await asyncio.gather(*(receive(ws) for ws in sockets))

        # Answers 0, 1, 2, 3, 0, ...: question 1's answer is 2, so a quarter are right.
        await asyncio.gather(*(send(ws, answer(session, 1, n % 4)) for n, ws in enumerate(sockets)))
        results = await asyncio.gather(*(receive(ws) for ws in sockets))
        after = await asyncio.gather(*(receive(ws) for ws in sockets))  # nothing but the board
        host_board = await receive(host)

    assert sorted(j["players"] for j in joins) == list(range(1, PLAYERS + 1))
    assert joined_counts == list(range(1, PLAYERS + 1))
    assert [r["type"] for r in results] == ["quiz:result"] * PLAYERS
    assert [r["correct"] for r in results] == [n % 4 == 2 for n in range(PLAYERS)]
    assert sum(r["correct"] for r in results) == PLAYERS // 4
    assert all(board == host_board for board in after)
    standings = host_board["standings"]
    assert len(standings) == PLAYERS
    assert {s["name"]: s["score"] for s in standings} == {
        name: result["total"] for name, result in zip(names, results, strict=True)
    }
    assert sum(s["score"] > 0 for s in standings) == PLAYERS // 4
    assert [s["score"] for s in standings] == sorted((s["score"] for s in standings), reverse=True)


@run_async
async def test_stop_ends_a_running_quiz_promptly_and_leaves_no_tasks_or_timers() -> None:
    server = await DemoServer().start()
    quiet = {"ping_interval": None}
    host = await open_client(server, "/quiz", **quiet)
    ann = await open_client(server, "/quiz", **quiet)
    await receive(host)
    await receive(ann)
    session = await create(host, time_limit_ms=60_000)
    await request(ann, {"type": "quiz:join", "session": session, "name": "ann"})
    await receive(host)
    await send(host, {"type": "quiz:start", "session": session})
    await receive(ann)
    timers = [live.timer for live in server.quiz._live.values()]  # the question's time limit

    started = time.monotonic()
    await server.stop()
    took = time.monotonic() - started
    left_over = asyncio.all_tasks() - {asyncio.current_task()}

    assert took < 30  # it did not wait for the 60 s question timer
    assert left_over == set()
    assert server.quiz.games == {}
    assert len(timers) == 1 and timers[0] is not None and timers[0].cancelled()
    assert await closed(host) == (1001, "")
    assert (await closed(ann))[0] == 1001
