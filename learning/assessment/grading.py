"""Graders, one per question type. They read only a question's answer key (what
``cms.blocks.QuestionsBlock.answer_keys()`` returns) and the learner's answer, already
checked by :func:`validate_answer`. Pure functions: no database, no clock.

Answer shapes, by question type:

- ``single_choice``: a choice id (string)
- ``multiple_choice``: a list of choice ids
- ``true_false``: a boolean
- ``numeric``: a number
- ``short_text``: a string
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

from learning.assessment import errors

SHORT_TEXT_MAX_LENGTH = 500
# Pass marks compare percents with this slack (66.67 % of a 2/3 pass mark).
NUMERIC_EPSILON = 1e-9
# Numbers are compared with a few units in the last place of slack, so a bound typed by the
# author holds despite binary floating point (3.15 is within 3.14 ± 0.01).
ULPS = 4


@dataclass(frozen=True)
class Result:
    points: float
    max_points: float
    correct: bool

    def as_dict(self) -> dict:
        return {"points": self.points, "max_points": self.max_points, "correct": self.correct}


def validate_answer(question: dict, value):
    """Check ``value`` against a question's public shape (type and choice ids); return it
    normalised (choice ids as strings, numbers as floats). Raises
    :class:`~learning.assessment.errors.WrongAnswerType` or ``UnknownChoice``."""
    kind = question["type"]
    if kind == "single_choice":
        if not isinstance(value, str):
            raise errors.WrongAnswerType(f"Question {question['id']} takes one choice id.")
        if value not in question["choice_ids"]:
            raise errors.UnknownChoice(f"Question {question['id']} has no choice {value}.")
        return value
    if kind == "multiple_choice":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise errors.WrongAnswerType(f"Question {question['id']} takes a list of choice ids.")
        unknown = [v for v in value if v not in question["choice_ids"]]
        if unknown:
            raise errors.UnknownChoice(f"Question {question['id']} has no choice {unknown[0]}.")
        return sorted(set(value))
    if kind == "true_false":
        if not isinstance(value, bool):
            raise errors.WrongAnswerType(f"Question {question['id']} takes true or false.")
        return value
    if kind == "numeric":
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if not number or not math.isfinite(value):
            raise errors.WrongAnswerType(f"Question {question['id']} takes a number.")
        return float(value)
    if kind == "short_text":
        if not isinstance(value, str) or len(value) > SHORT_TEXT_MAX_LENGTH:
            raise errors.WrongAnswerType(
                f"Question {question['id']} takes a text of at most "
                f"{SHORT_TEXT_MAX_LENGTH} characters."
            )
        return value
    raise errors.WrongAnswerType(f"Question {question['id']} cannot be answered.")


def normalise_text(text: str, *, case_sensitive: bool = False) -> str:
    """NFKC, surrounding whitespace removed, inner whitespace runs as one space, and case
    folded unless the question is case sensitive."""
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()
    return text if case_sensitive else text.casefold()


def _single_choice(key: dict, answer) -> float:
    return 1.0 if answer is not None and answer in key["correct_choice_ids"] else 0.0


def _multiple_choice(key: dict, answer) -> float:
    picked = set(answer or [])
    correct = set(key["correct_choice_ids"])
    if not key.get("partial_credit"):
        return 1.0 if picked == correct else 0.0
    # Each right choice picked earns 1/|correct|, each wrong one picked costs as much.
    share = (len(picked & correct) - len(picked - correct)) / len(correct)
    return max(0.0, min(1.0, share))


def _true_false(key: dict, answer) -> float:
    return 1.0 if answer is not None and answer == key["correct_answer"] else 0.0


def _numeric(key: dict, answer) -> float:
    if answer is None:
        return 0.0
    target, tolerance = float(key["answer"]), float(key["tolerance"] or 0)
    slack = ULPS * math.ulp(max(1.0, abs(target), tolerance))
    return 1.0 if abs(float(answer) - target) <= tolerance + slack else 0.0


def _short_text(key: dict, answer) -> float:
    if not isinstance(answer, str) or not answer.strip():
        return 0.0
    case_sensitive = bool(key.get("case_sensitive"))
    given = normalise_text(answer, case_sensitive=case_sensitive)
    accepted = {normalise_text(a, case_sensitive=case_sensitive) for a in key["accepted_answers"]}
    return 1.0 if given in accepted else 0.0


GRADERS = {
    "single_choice": _single_choice,
    "multiple_choice": _multiple_choice,
    "true_false": _true_false,
    "numeric": _numeric,
    "short_text": _short_text,
}


def grade_question(key: dict, answer) -> Result:
    """Grade one answer (None when unanswered) against one question's answer key."""
    share = GRADERS[key["type"]](key, answer)
    max_points = float(key["points"])
    points = round(max_points * share, 4)
    return Result(points=points, max_points=max_points, correct=share >= 1.0)


@dataclass(frozen=True)
class Grade:
    results: dict[str, dict]
    score: float
    max_score: float
    percent: float
    passed: bool


def grade_answers(keys: dict[str, dict], question_ids, answers: dict, pass_mark: int) -> Grade:
    """Grade the questions ``question_ids`` (those of an attempt) with ``keys``. A question
    missing from ``keys`` (removed from the quiz before a regrade) scores nothing and
    counts nothing."""
    results: dict[str, dict] = {}
    score = max_score = 0.0
    for question_id in question_ids:
        key = keys.get(question_id)
        if key is None:
            continue
        result = grade_question(key, answers.get(question_id))
        results[question_id] = result.as_dict()
        score += result.points
        max_score += result.max_points
    percent = round(100 * score / max_score, 2) if max_score else 0.0
    return Grade(
        results=results,
        score=round(score, 4),
        max_score=max_score,
        percent=percent,
        passed=percent + NUMERIC_EPSILON >= pass_mark,
    )
