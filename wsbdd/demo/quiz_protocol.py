"""The quiz's frames: what a game's state looks like on the wire.

Each function turns part of a :class:`~.quiz.Game` into the JSON object sent to
clients, or reads a field of a client's request. Pure, like :mod:`.protocol`:
the right answer never leaves the server, and that is checked in one place,
:func:`question_frame`.
"""

from __future__ import annotations

from .protocol import ChatError, Frame
from .quiz import Game, Result, Standing

__all__ = [
    "finished_frame",
    "leaderboard_frame",
    "question_frame",
    "question_number",
    "result_frame",
    "standings_json",
]


def question_number(frame: Frame) -> int:
    """Read the ``question`` number of an answer, or raise ``invalid_message``."""
    number = frame.get("question")
    # bool is an int in Python, but `true` is not a question number in JSON.
    if isinstance(number, bool) or not isinstance(number, int):
        raise ChatError("invalid_message", 'An answer needs a "question" number.')
    return number


def question_frame(game: Game) -> Frame:
    """``quiz:question``: the current question, its options and time limit, never its answer."""
    question = game.question
    assert question is not None, f"no current question in {game!r}"
    return {
        "type": "quiz:question",
        "session": game.session,
        "question": {
            "number": game.number,
            "of": len(game.questions),
            "text": question.text,
            "options": list(question.options),
            "time_limit_ms": game.time_limit_ms,
        },
    }


def result_frame(game: Game, result: Result) -> Frame:
    """``quiz:result``: what one answer scored, for the player who gave it."""
    return {
        "type": "quiz:result",
        "session": game.session,
        "question": result.question,
        "correct": result.correct,
        "score": result.score,
        "time_bonus": result.time_bonus,
        "total": result.total,
    }


def leaderboard_frame(game: Game, standings: list[Standing]) -> Frame:
    """``quiz:leaderboard``: the standings once a question has closed."""
    return {
        "type": "quiz:leaderboard",
        "session": game.session,
        "question": game.number,
        "standings": standings_json(standings),
    }


def finished_frame(game: Game) -> Frame:
    """``quiz:finished``: the final standings, the winner and why the game ended."""
    return {
        "type": "quiz:finished",
        "session": game.session,
        "reason": game.ended_by,
        "standings": standings_json(game.standings()),
        "winner": game.winner,
    }


def standings_json(standings: list[Standing]) -> list[Frame]:
    """Standings as JSON objects ``{"rank", "name", "score"}``."""
    return [{"rank": s.rank, "name": s.name, "score": s.score} for s in standings]
