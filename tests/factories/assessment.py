"""Quizzes for assessment tests: courses holding quizzes, and answers built from the
quiz's own answer keys."""

from __future__ import annotations

from cms import headless
from cms.models import SectionPage
from tests.factories import courses as cf


def quiz_course(*, instructors=(), quiz=None, reading: bool = False, **fields):
    """A live course with one section: an optional reading, then ``quiz`` (by default
    :func:`tests.factories.courses.quiz`, one question of every type). Returns
    ``(course, section, quiz lesson id)``."""
    page = cf.course(instructors=instructors, **fields)
    lessons = [cf.reading("Intro")] if reading else []
    lessons.append(quiz or cf.quiz("Check"))
    part = cf.section(page, title="Part", lessons=lessons)
    return page, part, part.lessons[-1].id


def numbered_quiz(count: int, *, title: str = "Big quiz", **options):
    """A quiz of ``count`` questions cycling through every question type."""
    _, base = cf.quiz(title)
    questions = [base["questions"][n % len(base["questions"])] for n in range(count)]
    return ("quiz", {**base, "questions": questions, "shuffle": False, **options})


def quiz_with(**options):
    """:func:`tests.factories.courses.quiz` with some options changed."""
    kind, value = cf.quiz("Check")
    return (kind, {**value, **options})


def answer_keys(section: SectionPage, lesson_id: str) -> dict[str, dict]:
    section = SectionPage.objects.get(pk=section.pk)
    return headless.answer_keys(section)[str(lesson_id)]


def right_answer(key: dict):
    kind = key["type"]
    if kind == "single_choice":
        return key["correct_choice_ids"][0]
    if kind == "multiple_choice":
        return list(key["correct_choice_ids"])
    if kind == "true_false":
        return key["correct_answer"]
    if kind == "numeric":
        return key["answer"]
    return key["accepted_answers"][0]


def wrong_answer(key: dict, question: dict):
    kind = key["type"]
    if kind == "single_choice":
        return next(c for c in question["choice_ids"] if c not in key["correct_choice_ids"])
    if kind == "multiple_choice":
        return [c for c in question["choice_ids"] if c not in key["correct_choice_ids"]]
    if kind == "true_false":
        return not key["correct_answer"]
    if kind == "numeric":
        return key["answer"] + key["tolerance"] + 10
    return "definitely not it"


def right_answers(section: SectionPage, lesson_id: str) -> dict:
    return {qid: right_answer(key) for qid, key in answer_keys(section, lesson_id).items()}
