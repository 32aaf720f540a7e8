"""A live quiz game as pure state: players, the current question, answers, scores.

:class:`Game` holds no sockets and no timers. Every change is one plain method
call that checks the rules, then updates the state, with no ``await`` in
between, so answers arriving together on the event loop are each counted once.
The server (:mod:`.quizmaster`) decides when to call :meth:`Game.close_question`
and :meth:`Game.next_question`; the game only knows what time it is, through
the clock it is given, to score answers and refuse late ones.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .protocol import ChatError
from .questions import MAX_OPTION, Question

__all__ = [
    "BASE_POINTS",
    "MAX_BONUS",
    "Game",
    "Phase",
    "Player",
    "QuizError",
    "Result",
    "Standing",
    "choice_index",
]

BASE_POINTS = 100
"""Points for a right answer, before the time bonus."""

MAX_BONUS = 100
"""Time bonus for a right answer given at once; it falls to 0 at the time limit."""

_MAX_NAME = 64


class QuizError(ChatError):
    """A quiz request the game refuses, answered with an ``error`` frame."""


class Phase(enum.Enum):
    """Where a game is: waiting for players, asking, showing the leaderboard, or over."""

    LOBBY = "lobby"
    ASKING = "asking"
    REVIEWING = "reviewing"
    FINISHED = "finished"


@dataclass
class Player:
    """One player of a game; ``present`` turns False when their connection goes."""

    client_id: str
    name: str
    score: int = 0
    answered: set[int] = field(default_factory=set)
    present: bool = True


@dataclass(frozen=True)
class Result:
    """The outcome of one answer: what it scored and the player's new total."""

    question: int
    correct: bool
    score: int
    time_bonus: int
    total: int


@dataclass(frozen=True)
class Standing:
    """One line of a leaderboard. Equal scores share a rank (1, 2, 2, 4)."""

    rank: int
    name: str
    score: int


class Game:
    """One session of a quiz, from the lobby to the final standings.

    ``host`` is the client id of the connection that created the game; players
    are known by their client ids too, and show on leaderboards by name.
    ``clock`` returns seconds (``time.monotonic`` by default); tests pass a
    fake one to score answers at exact moments.
    """

    def __init__(
        self,
        session: str,
        quiz: str,
        questions: Sequence[Question],
        host: str,
        *,
        time_limit_ms: int = 10_000,
        pause_ms: int = 200,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not questions:
            raise ValueError("a quiz needs at least one question")
        if time_limit_ms <= 0:
            raise ValueError(f"time_limit_ms must be positive, got {time_limit_ms}")
        self.session = session
        self.quiz = quiz
        self.questions = tuple(questions)
        self.host = host
        self.time_limit_ms = time_limit_ms
        self.pause_ms = pause_ms
        self.phase = Phase.LOBBY
        self.number = 0  # the current question, from 1; 0 before the start
        self.ended_by: str | None = None  # "completed" or "host_left" once finished
        self._clock = clock
        self._deadline = 0.0
        self._players: dict[str, Player] = {}

    def __repr__(self) -> str:
        return f"<Game {self.session} {self.quiz} {self.phase.value} q{self.number}>"

    # -- what there is to know ---------------------------------------------------

    @property
    def players(self) -> list[Player]:
        """Every player, in the order they joined, including those who left mid-game."""
        return list(self._players.values())

    @property
    def question(self) -> Question | None:
        """The question being asked or reviewed; None in the lobby and at the end."""
        if self.phase in (Phase.ASKING, Phase.REVIEWING):
            return self.questions[self.number - 1]
        return None

    def player(self, client_id: str) -> Player | None:
        """Return the player with this client id, or None."""
        return self._players.get(client_id)

    def time_left(self) -> float:
        """Seconds until the current question's time limit (0 when it has passed)."""
        if self.phase is not Phase.ASKING:
            return 0.0
        return max(0.0, self._deadline - self._clock())

    def everyone_answered(self) -> bool:
        """Whether every player still here has answered the current question."""
        return self.phase is Phase.ASKING and all(
            self.number in player.answered for player in self._players.values() if player.present
        )

    def standings(self) -> list[Standing]:
        """The leaderboard: by score, highest first, then by name."""
        ordered = sorted(self._players.values(), key=lambda player: (-player.score, player.name))
        standings: list[Standing] = []
        for position, player in enumerate(ordered, 1):
            tied = standings and standings[-1].score == player.score
            rank = standings[-1].rank if tied else position
            standings.append(Standing(rank, player.name, player.score))
        return standings

    @property
    def winner(self) -> str | None:
        """The first of a completed game's standings, if they scored; None otherwise.

        A tie at the top goes to the first by name, as the standings list them.
        """
        if self.ended_by != "completed":
            return None
        standings = self.standings()
        return standings[0].name if standings and standings[0].score > 0 else None

    # -- what players and the host do -----------------------------------------

    def join(self, client_id: str, name: object) -> Player:
        """Add a player before the start; raise :class:`QuizError` if they may not join."""
        if client_id == self.host:
            raise QuizError("host_cannot_play", "The host of a quiz cannot join it as a player.")
        if self.phase is not Phase.LOBBY:
            raise QuizError("already_started", f"Quiz session {self.session} has already started.")
        if client_id in self._players:
            raise QuizError(
                "already_joined", f"You have already joined quiz session {self.session}."
            )
        if (
            not isinstance(name, str)
            or not 0 < len(name) <= _MAX_NAME
            or name.isspace()
            or "<" in name
            or ">" in name
        ):
            raise QuizError(
                "invalid_name", f'A "name" is 1 to {_MAX_NAME} characters, without < or >.'
            )
        if any(player.name == name for player in self._players.values()):
            raise QuizError("name_taken", f'The name "{name}" is already taken in this quiz.')
        player = self._players[client_id] = Player(client_id, name)
        return player

    def leave(self, client_id: str) -> Player | None:
        """A player's connection went: gone from the lobby, or kept in the standings.

        Once the game has started, a departed player keeps their score and counts
        as having answered every question that follows.
        """
        if self.phase is Phase.LOBBY:
            return self._players.pop(client_id, None)
        player = self._players.get(client_id)
        if player is not None:
            player.present = False
        return player

    def start(self, client_id: str) -> Question:
        """The host starts the game: question 1 is asked now."""
        if client_id != self.host:
            raise QuizError("not_host", "Only the host can start the quiz")
        if self.phase is not Phase.LOBBY:
            raise QuizError("already_started", f"Quiz session {self.session} has already started.")
        if not self._players:
            raise QuizError("no_players", "The quiz cannot start before a player has joined.")
        return self._ask(1)

    def answer(self, client_id: str, number: int, choice: object) -> Result:
        """Score a player's answer to question ``number``: an option's index or its text."""
        player = self._players.get(client_id)
        if player is None:
            raise QuizError("not_a_player", "Only players who joined this quiz can answer.")
        if self.phase is not Phase.ASKING or number != self.number:
            raise self._too_late(number)
        if number in player.answered:
            raise QuizError("already_answered", f"You have already answered question {number}.")
        question = self.questions[number - 1]
        index = choice_index(question, choice)
        remaining = self._deadline - self._clock()
        if remaining < 0:
            raise self._too_late(number)
        correct = index == question.answer
        bonus = _time_bonus(remaining, self.time_limit_ms / 1000) if correct else 0
        points = BASE_POINTS + bonus if correct else 0
        player.answered.add(number)
        player.score += points
        return Result(number, correct, points, bonus, player.score)

    # -- what the server does when time passes ------------------------------------

    def close_question(self) -> list[Standing]:
        """Stop taking answers to the current question; return the leaderboard."""
        if self.phase is not Phase.ASKING:
            raise RuntimeError(f"no question is being asked in {self!r}")
        self.phase = Phase.REVIEWING
        return self.standings()

    def next_question(self) -> Question | None:
        """Ask the next question after the leaderboard; None (and the game ends) after the last."""
        if self.phase is not Phase.REVIEWING:
            raise RuntimeError(f"no leaderboard is being shown in {self!r}")
        if self.number == len(self.questions):
            self.phase = Phase.FINISHED
            self.ended_by = "completed"
            return None
        return self._ask(self.number + 1)

    def abandon(self) -> list[Standing]:
        """End the game at once because its host left; return the standings so far."""
        self.phase = Phase.FINISHED
        self.ended_by = "host_left"
        return self.standings()

    def _ask(self, number: int) -> Question:
        self.phase = Phase.ASKING
        self.number = number
        self._deadline = self._clock() + self.time_limit_ms / 1000
        return self.questions[number - 1]

    def _too_late(self, number: int) -> QuizError:
        return QuizError(
            "too_late",
            f"Question {number} is not open: answers count only for the current question, "
            f"within its time limit of {self.time_limit_ms} ms.",
        )


def choice_index(question: Question, choice: object) -> int:
    """Return the option index a player chose, given as an index or as the option's text."""
    if isinstance(choice, int) and not isinstance(choice, bool):
        if 0 <= choice < len(question.options):
            return choice
    elif isinstance(choice, str) and len(choice) <= MAX_OPTION:
        if "<" in choice or ">" in choice:
            raise QuizError("invalid_answer", "An answer must not contain markup such as < or >.")
        if choice in question.options:
            return question.options.index(choice)
    raise QuizError(
        "invalid_answer",
        f"An answer is an option's index from 0 to {len(question.options) - 1} "
        f"or its exact text, at most {MAX_OPTION} characters.",
    )


def _time_bonus(remaining: float, limit: float) -> int:
    """Up to :data:`MAX_BONUS` points, in proportion to the time left."""
    return max(0, min(MAX_BONUS, round(MAX_BONUS * remaining / limit)))
