"""Graders per question type, with their edge cases (no database)."""

import pytest

from learning.assessment import errors
from learning.assessment.grading import (
    grade_answers,
    grade_question,
    normalise_text,
    validate_answer,
)


def key(kind, points=2, **fields):
    return {"type": kind, "points": points, "explanation_html": "", **fields}


SINGLE = key("single_choice", correct_choice_ids=["b"])
MULTI = key("multiple_choice", points=4, correct_choice_ids=["a", "b"], partial_credit=False)
PARTIAL = {**MULTI, "partial_credit": True}
TF = key("true_false", correct_answer=False)


def points(k, answer):
    return grade_question(k, answer).points


def test_single_choice():
    assert grade_question(SINGLE, "b").as_dict() == {"points": 2, "max_points": 2, "correct": True}
    assert points(SINGLE, "a") == 0 and points(SINGLE, None) == 0


def test_multiple_choice_all_or_nothing():
    assert points(MULTI, ["a", "b"]) == 4 and grade_question(MULTI, ["b", "a"]).correct
    assert points(MULTI, ["a"]) == 0
    assert points(MULTI, ["a", "b", "c"]) == 0
    assert points(MULTI, []) == 0 and points(MULTI, None) == 0


def test_multiple_choice_partial_credit():
    assert points(PARTIAL, ["a", "b"]) == 4
    half = grade_question(PARTIAL, ["a"])
    assert half.points == 2 and half.correct is False
    assert points(PARTIAL, ["a", "c"]) == 0  # one right, one wrong: cancels out
    assert points(PARTIAL, ["c", "d"]) == 0  # never below zero
    assert points(PARTIAL, ["a", "b", "c"]) == 2


def test_true_false():
    assert points(TF, False) == 2 and points(TF, True) == 0 and points(TF, None) == 0


@pytest.mark.parametrize(
    ("answer", "right"),
    [
        (3.14, True),
        (3.13, True),  # exactly on the lower bound
        (3.15, True),  # exactly on the upper bound (despite binary floating point)
        (3.1500001, False),
        (3.1299999, False),
        (-3.14, False),
        (None, False),
    ],
)
def test_numeric_tolerance_bounds(answer, right):
    numeric = key("numeric", answer=3.14, tolerance=0.01)
    assert grade_question(numeric, answer).correct is right


def test_numeric_exact_without_tolerance_and_large_values():
    assert grade_question(key("numeric", answer=0.3, tolerance=0), 0.1 + 0.2).correct
    assert grade_question(key("numeric", answer=1e12, tolerance=0), 1e12).correct
    assert not grade_question(key("numeric", answer=1e12, tolerance=0), 1e12 + 1).correct


@pytest.mark.parametrize(
    ("answer", "right"),
    [
        ("Paris", True),
        ("  paris ", True),
        ("PARIS", True),
        ("\uff30\uff41\uff52\uff49\uff53", True),  # fullwidth letters: NFKC
        ("Saint  Denis", True),  # inner whitespace collapsed
        ("saint\tdenis", True),
        ("ﬁne", True),  # the fi ligature: NFKC
        ("Pari", False),
        ("", False),
        ("   ", False),
        (None, False),
    ],
)
def test_short_text_normalised(answer, right):
    text = key(
        "short_text", accepted_answers=["paris", "Saint Denis", "fine"], case_sensitive=False
    )
    assert grade_question(text, answer).correct is right


def test_short_text_case_sensitive():
    text = key("short_text", accepted_answers=["NaCl"], case_sensitive=True)
    assert grade_question(text, " NaCl ").correct
    assert not grade_question(text, "nacl").correct
    assert normalise_text("Ǆ", case_sensitive=False) == normalise_text("ǆ")


def test_grade_answers_totals_and_pass_mark():
    keys = {"q1": SINGLE, "q2": PARTIAL, "q3": TF}
    grade = grade_answers(keys, ["q1", "q2", "q3"], {"q1": "b", "q2": ["a"]}, pass_mark=50)
    assert grade.score == 4 and grade.max_score == 8 and grade.percent == 50
    assert grade.passed is True  # exactly the pass mark passes
    assert grade.results["q3"] == {"points": 0, "max_points": 2, "correct": False}
    assert not grade_answers(keys, ["q1", "q2", "q3"], {"q1": "b"}, pass_mark=50).passed
    # A question that left the quiz (regrade) counts nothing.
    assert grade_answers(keys, ["q1", "gone"], {"q1": "b"}, pass_mark=100).max_score == 2


def test_validate_answer_types():
    single = {"id": "q", "type": "single_choice", "choice_ids": ["a", "b"]}
    multi = {"id": "q", "type": "multiple_choice", "choice_ids": ["a", "b"]}
    assert validate_answer(single, "a") == "a"
    assert validate_answer(multi, ["b", "a", "a"]) == ["a", "b"]
    assert validate_answer({"id": "q", "type": "numeric"}, 3) == 3.0
    with pytest.raises(errors.UnknownChoice):
        validate_answer(single, "c")
    with pytest.raises(errors.UnknownChoice):
        validate_answer(multi, ["a", "z"])
    for question, value in (
        (single, ["a"]),
        (multi, "a"),
        ({"id": "q", "type": "true_false"}, 1),
        ({"id": "q", "type": "numeric"}, float("nan")),
        ({"id": "q", "type": "numeric"}, float("inf")),
        ({"id": "q", "type": "numeric"}, False),
        ({"id": "q", "type": "short_text"}, 5),
    ):
        with pytest.raises(errors.WrongAnswerType):
            validate_answer(question, value)
