"""The quizmaster: runs every live quiz of one demo server.

It keeps the games by session id, with the connections of each game's host
and players, answers the ``quiz:*`` requests, and keeps time: one event-loop
timer per game closes a question at its time limit and, after a pause, asks
the next one.

Every command here is a plain (not ``async``) method. A request is checked
and applied to its :class:`~.quiz.Game`, and the replies are written to the
connections' buffers (``broadcast``), all without yielding to the event loop,
so requests arriving together are applied one after the other, each fully.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from websockets.asyncio.server import broadcast

from .protocol import ChatError, Frame, encode, int_field
from .questions import Question
from .quiz import Game, Phase, QuizError
from .quiz_protocol import (
    finished_frame,
    leaderboard_frame,
    question_frame,
    question_number,
    result_frame,
)
from .session import Session

__all__ = ["QuizCommand", "QuizMaster"]

QuizCommand = Callable[[Session, Frame], None]


@dataclass
class _LiveGame:
    """A game and the connections taking part in it."""

    game: Game
    host: Session
    players: dict[str, Session] = field(default_factory=dict)  # by client id
    timer: asyncio.TimerHandle | None = None

    def everyone(self) -> list[Session]:
        return [self.host, *self.players.values()]

    def stop_timer(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None


class QuizMaster:
    """The live quizzes of one server: creating, joining, starting and timing them."""

    def __init__(
        self,
        quizzes: dict[str, tuple[Question, ...]],
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.quizzes = dict(quizzes)
        self.clock = clock
        self._live: dict[str, _LiveGame] = {}
        self.commands: dict[str, QuizCommand] = {
            "quiz:create": self.create,
            "quiz:join": self.join,
            "quiz:start": self.start,
            "quiz:answer": self.answer,
        }

    @property
    def games(self) -> dict[str, Game]:
        """The games under way (or waiting for players), by session id."""
        return {session: live.game for session, live in self._live.items()}

    # -- requests -------------------------------------------------------------

    def create(self, session: Session, frame: Frame) -> None:
        """``quiz:create`` -> ``quiz:created``; the sender hosts the new game."""
        quiz = frame.get("quiz")
        if not isinstance(quiz, str) or quiz not in self.quizzes:
            known = ", ".join(sorted(self.quizzes))
            shown = f'"{quiz}"' if isinstance(quiz, str) else repr(quiz)
            raise QuizError("unknown_quiz", f"Unknown quiz {shown}; the known quizzes are {known}.")
        time_limit_ms = int_field(frame, "time_limit_ms", 10_000, 100, 60_000)
        pause_ms = int_field(frame, "pause_ms", 200, 0, 10_000)
        game = Game(
            self._new_session_id(),
            quiz,
            self.quizzes[quiz],
            session.client_id,
            time_limit_ms=time_limit_ms,
            pause_ms=pause_ms,
            clock=self.clock,
        )
        self._live[game.session] = _LiveGame(game, session)
        _tell(
            [session],
            {
                "type": "quiz:created",
                "session": game.session,
                "quiz": quiz,
                "questions": len(game.questions),
            },
        )

    def join(self, session: Session, frame: Frame) -> None:
        """``quiz:join`` -> ``quiz:joined`` to the player, ``quiz:player_joined`` to the host."""
        live = self._find(frame)
        game = live.game
        player = game.join(session.client_id, frame.get("name", session.name))
        live.players[session.client_id] = session
        count = len(game.players)
        _tell(
            [session],
            {"type": "quiz:joined", "session": game.session, "name": player.name, "players": count},
        )
        _tell(
            [live.host],
            {
                "type": "quiz:player_joined",
                "session": game.session,
                "name": player.name,
                "players": count,
            },
        )

    def start(self, session: Session, frame: Frame) -> None:
        """``quiz:start`` (host only) -> question 1 to the players and the host."""
        live = self._find(frame)
        live.game.start(session.client_id)
        self._ask(live)

    def answer(self, session: Session, frame: Frame) -> None:
        """``quiz:answer`` -> ``quiz:result`` to the player; the last answer closes the question."""
        live = self._find(frame)
        number = question_number(frame)
        result = live.game.answer(session.client_id, number, frame.get("answer"))
        _tell([session], result_frame(live.game, result))
        if live.game.everyone_answered():
            self._close_question(live)

    # -- connections coming and going ---------------------------------------------

    def depart(self, session: Session) -> None:
        """A connection closed: its games end if it hosted them; it stops counting as a player."""
        for live in list(self._live.values()):
            if live.host is session:
                self._end(live, abandoned=True)
            elif live.players.pop(session.client_id, None) is not None:
                live.game.leave(session.client_id)
                if live.game.everyone_answered():
                    self._close_question(live)  # the game never waits for the departed

    def close(self) -> None:
        """Stop every game's timer and forget the games (the server is stopping)."""
        for live in self._live.values():
            live.stop_timer()
        self._live.clear()

    # -- keeping time ---------------------------------------------------------------

    def _ask(self, live: _LiveGame) -> None:
        game = live.game
        _tell(live.everyone(), question_frame(game))
        if game.everyone_answered():  # every player has left: nobody to wait for
            self._close_question(live)
            return
        live.timer = asyncio.get_running_loop().call_later(
            game.time_left(), self._time_up, live, game.number
        )

    def _time_up(self, live: _LiveGame, number: int) -> None:
        game = live.game
        if game.phase is Phase.ASKING and game.number == number:
            self._close_question(live)

    def _close_question(self, live: _LiveGame) -> None:
        live.stop_timer()
        standings = live.game.close_question()
        _tell(live.everyone(), leaderboard_frame(live.game, standings))
        live.timer = asyncio.get_running_loop().call_later(
            live.game.pause_ms / 1000, self._after_pause, live
        )

    def _after_pause(self, live: _LiveGame) -> None:
        live.timer = None
        if live.game.next_question() is None:
            self._end(live, abandoned=False)
        else:
            self._ask(live)

    def _end(self, live: _LiveGame, *, abandoned: bool) -> None:
        live.stop_timer()
        if abandoned:
            live.game.abandon()
        self._live.pop(live.game.session, None)
        _tell(live.everyone(), finished_frame(live.game))

    # -- helpers ---------------------------------------------------------------------

    def _find(self, frame: Frame) -> _LiveGame:
        session = frame.get("session")
        live = self._live.get(session) if isinstance(session, str) else None
        if live is None:
            raise ChatError("session_not_found", "Session not found")
        return live

    def _new_session_id(self) -> str:
        for _ in range(100):  # 4 billion ids: a clash is rare, and the next draw settles it
            session = secrets.token_hex(4)
            if session not in self._live:
                return session
        raise RuntimeError(f"no free quiz session id among {len(self._live)} games")


def _tell(sessions: Iterable[Session], frame: Frame) -> None:
    """Write ``frame`` to each session's connection now; closed ones are skipped."""
    broadcast((session.connection for session in sessions), encode(frame))
