"""The quiz bank: the built-in quizzes, and quizzes loaded from a JSON file.

A quiz is a named, ordered list of :class:`Question`. The bank is plain data;
:func:`load_quizzes` checks a file thoroughly, so a typo in a quiz is a
``ValueError`` naming the file, the quiz and the question when the server
starts, not a surprise in the middle of a game.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import Any

__all__ = ["BUILT_IN", "MAX_OPTION", "Question", "load_quizzes", "parse_quizzes"]

MAX_OPTION = 200
"""Longest option (and so longest text answer), in characters."""

_QUIZ_NAME = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
_MAX_OPTIONS = 10


@dataclass(frozen=True)
class Question:
    """One multiple-choice question; ``answer`` is the index of the right option."""

    text: str
    options: tuple[str, ...]
    answer: int


BUILT_IN: dict[str, tuple[Question, ...]] = {
    # The right answer's index differs from question to question; the first
    # one is 2, which tests rely on.
    "capitals": (
        Question("What is the capital of France?", ("Berlin", "Madrid", "Paris", "Rome"), 2),
        Question("What is the capital of Japan?", ("Tokyo", "Seoul", "Beijing", "Bangkok"), 0),
        Question(
            "What is the capital of Canada?", ("Toronto", "Vancouver", "Montreal", "Ottawa"), 3
        ),
        Question(
            "What is the capital of Australia?", ("Sydney", "Canberra", "Melbourne", "Perth"), 1
        ),
    ),
    "colours": (
        Question("Which colour do blue and yellow make?", ("green", "purple", "orange"), 0),
        Question("What colour is a clear daytime sky?", ("red", "blue"), 1),
    ),
}
"""The quizzes every demo server knows."""


def load_quizzes(path: str | PathLike[str]) -> dict[str, tuple[Question, ...]]:
    """Read extra quizzes from a JSON file ``{"name": [{"text", "options", "answer"}, ...]}``.

    Raises ``ValueError`` naming the file and the problem if the file is not
    such a quiz bank, or redefines a built-in quiz.
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError alike
        raise ValueError(f"{path}: not a JSON quiz file: {exc}") from None
    try:
        return parse_quizzes(data)
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None


def parse_quizzes(data: Any) -> dict[str, tuple[Question, ...]]:
    """Check decoded JSON and turn it into quizzes; ``ValueError`` says what is wrong."""
    if not isinstance(data, dict) or not data:
        raise ValueError("expected a JSON object mapping quiz names to lists of questions")
    quizzes: dict[str, tuple[Question, ...]] = {}
    for name, questions in data.items():
        if not _QUIZ_NAME.fullmatch(name):
            raise ValueError(
                f"quiz name {name!r} must be 1 to 64 letters, digits or _ . : - characters"
            )
        if name in BUILT_IN:
            raise ValueError(f'quiz "{name}" is already a built-in quiz; choose another name')
        if not isinstance(questions, list) or not questions:
            raise ValueError(f'quiz "{name}" must be a non-empty list of questions')
        quizzes[name] = tuple(
            _question(item, f'quiz "{name}", question {number}')
            for number, item in enumerate(questions, 1)
        )
    return quizzes


def _question(item: Any, where: str) -> Question:
    if not isinstance(item, dict):
        raise ValueError(f'{where}: expected an object with "text", "options" and "answer"')
    extra = sorted(set(item) - {"text", "options", "answer"})
    if extra:
        raise ValueError(f"{where}: unknown field {extra[0]!r}")
    text = item.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f'{where}: "text" must be a non-empty string')
    options = item.get("options")
    if (
        not isinstance(options, list)
        or not 2 <= len(options) <= _MAX_OPTIONS
        or not all(isinstance(option, str) for option in options)
    ):
        raise ValueError(f'{where}: "options" must be a list of 2 to {_MAX_OPTIONS} strings')
    for option in options:
        if not option.strip() or len(option) > MAX_OPTION or "<" in option or ">" in option:
            raise ValueError(
                f"{where}: option {option!r} must be 1 to {MAX_OPTION} characters without < or >"
            )
    if len(set(options)) != len(options):
        raise ValueError(f'{where}: "options" must all be different')
    answer = item.get("answer")
    # bool is an int in Python, but `true` is not an index in JSON.
    if isinstance(answer, bool) or not isinstance(answer, int) or not 0 <= answer < len(options):
        raise ValueError(
            f'{where}: "answer" must be the index of the right option, '
            f"0 to {len(options) - 1}, got {answer!r}"
        )
    return Question(text, tuple(options), answer)
