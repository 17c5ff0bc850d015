"""Quizzes and checkpoints as they were in one section revision.

Revisions never change, so a quiz read from one is cached in the process (a bounded LRU):
grading an attempt reads its questions and answer keys without touching the database again.
Public question shapes (what learners see) and answer keys (what graders read) are kept
apart; answer keys never leave the server before an attempt is graded.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from functools import lru_cache

from wagtail.models import Revision

from cms.blocks import FEEDBACK_AFTER_EACH_ATTEMPT, LessonsBlock


@dataclass(frozen=True)
class Quiz:
    lesson_id: str
    revision_id: int
    title: str
    pass_mark: int
    attempt_limit: int
    time_limit_minutes: int
    shuffle: bool
    feedback: str
    questions: dict[str, dict]  # id -> public shape (+ "choice_ids"), in authored order
    keys: dict[str, dict]  # id -> answer key (correct answers, explanation)

    @property
    def question_ids(self) -> list[str]:
        return list(self.questions)


@dataclass(frozen=True)
class Checkpoint:
    id: str
    at_seconds: float
    graded: bool
    question: dict
    key: dict


@dataclass(frozen=True)
class VideoCheckpoints:
    lesson_id: str
    revision_id: int
    checkpoints: dict[str, Checkpoint] = field(default_factory=dict)


_LESSON_KINDS = LessonsBlock().child_blocks


def _raw_lesson(revision_content: dict, lesson_id: str) -> dict | None:
    raw = revision_content.get("lessons") or "[]"
    stream = json.loads(raw) if isinstance(raw, str) else raw
    return next((child for child in stream if child.get("id") == lesson_id), None)


def _public_questions(questions_block, value) -> dict[str, dict]:
    shaped = {}
    for item in questions_block.get_api_representation(value):
        item["choice_ids"] = [c["id"] for c in item.get("choices", [])]
        shaped[item["id"]] = item
    return shaped


def quiz_from_content(content: dict, lesson_id: str, revision_id: int) -> Quiz | None:
    raw = _raw_lesson(content, str(lesson_id))
    if raw is None or raw.get("type") != "quiz":
        return None
    block = _LESSON_KINDS["quiz"]
    value = block.to_python(raw["value"])
    questions_block = block.child_blocks["questions"]
    return Quiz(
        lesson_id=str(lesson_id),
        revision_id=revision_id,
        title=value["title"],
        pass_mark=value["pass_mark"],
        attempt_limit=value["attempt_limit"] or 0,
        time_limit_minutes=value.get("time_limit_minutes") or 0,
        shuffle=bool(value["shuffle"]),
        feedback=value.get("feedback") or FEEDBACK_AFTER_EACH_ATTEMPT,
        questions=_public_questions(questions_block, value["questions"]),
        keys=questions_block.answer_keys(value["questions"]),
    )


@lru_cache(maxsize=256)
def quiz_at(revision_id: int, lesson_id: str) -> Quiz | None:
    """The quiz lesson ``lesson_id`` as it was in the section revision ``revision_id``."""
    content = Revision.objects.filter(pk=revision_id).values_list("content", flat=True).first()
    return quiz_from_content(content, lesson_id, revision_id) if content else None


@lru_cache(maxsize=256)
def checkpoints_at(revision_id: int, lesson_id: str) -> VideoCheckpoints | None:
    """The checkpoints of video lesson ``lesson_id`` in section revision ``revision_id``."""
    content = Revision.objects.filter(pk=revision_id).values_list("content", flat=True).first()
    raw = _raw_lesson(content or {}, str(lesson_id))
    if raw is None or raw.get("type") != "video":
        return None
    block = _LESSON_KINDS["video"]
    checkpoints_block = block.child_blocks["checkpoints"]
    value = checkpoints_block.to_python(raw["value"].get("checkpoints") or [])
    questions_block = checkpoints_block.child_block.child_blocks["question"]
    found = {}
    for item in value.bound_blocks:
        questions = _public_questions(questions_block, item.value["question"])
        keys = questions_block.answer_keys(item.value["question"])
        if not questions:
            continue
        question_id = next(iter(questions))
        found[item.id] = Checkpoint(
            id=item.id,
            at_seconds=item.value["at_seconds"],
            graded=bool(item.value.get("graded")),
            question=questions[question_id],
            key=keys[question_id],
        )
    return VideoCheckpoints(lesson_id=str(lesson_id), revision_id=revision_id, checkpoints=found)


def layout_for(quiz: Quiz, seed: int) -> list[dict]:
    """The order an attempt shows questions and choices in: authored order, or shuffled by
    ``seed`` (the same seed always gives the same order)."""
    layout = [{"id": qid, "choices": list(q["choice_ids"])} for qid, q in quiz.questions.items()]
    if quiz.shuffle:
        rng = random.Random(seed)  # noqa: S311 - a reproducible order, not a secret
        rng.shuffle(layout)
        for item in layout:
            rng.shuffle(item["choices"])
    return layout


def public_answer(key: dict) -> dict:
    """What a graded attempt may show as the correct answer of a question (per the quiz's
    feedback option), by question type."""
    kind = key["type"]
    if kind in ("single_choice", "multiple_choice"):
        return {"correct_choice_ids": list(key["correct_choice_ids"])}
    if kind == "true_false":
        return {"correct_answer": key["correct_answer"]}
    if kind == "numeric":
        return {"answer": key["answer"], "tolerance": key["tolerance"]}
    return {"accepted_answers": list(key["accepted_answers"])}
