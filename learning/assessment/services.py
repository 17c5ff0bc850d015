"""Assessment writes: start a quiz attempt, save its answers, submit it (graded on the
server), regrade a quiz's attempts, answer a video checkpoint.

Concurrency: starting attempts is serialised per learner and quiz by locking the learner's
:class:`QuizGrade` row; an attempt is submitted by a conditional ``UPDATE … WHERE status =
'open'`` inside a transaction that holds the attempt row (``SELECT … FOR UPDATE``), so of two
simultaneous submissions exactly one is graded and the other is refused.

Deadlines: an attempt with a time limit takes answers until ``deadline_at``. A submission
that arrives within ``ASSESSMENT_LATE_GRACE_SECONDS`` after it (a request in flight) is
graded with the answers saved in time and marked late; later ones are refused, and the
attempt is closed the same way by the periodic task :func:`attempts_close_expired` (or when
the learner starts the next attempt).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from cms.models import CourseLesson, CoursePage
from learning import access
from learning.analytics.models import LearningEvent, ObjectType, Verb
from learning.analytics.services import events_record
from learning.assessment import content, errors, grading
from learning.assessment.models import AttemptRegrade, CheckpointAnswer, QuizAttempt, QuizGrade
from learning.enrollment.models import Enrollment
from learning.progress.services import quiz_lesson_passed

OPEN = QuizAttempt.Status.OPEN
SUBMITTED = QuizAttempt.Status.SUBMITTED


def _grace() -> timedelta:
    return timedelta(seconds=settings.ASSESSMENT_LATE_GRACE_SECONDS)


def published_quiz(*, user, course: CoursePage, lesson: CourseLesson | None) -> content.Quiz:
    """The quiz of ``lesson`` as published now, if ``user`` may take it: the lesson must be
    a live quiz of the live ``course`` (``QuizNotFound``/``QuizNotPublished``) and open to
    the user (``EnrollmentRequired``). ``lesson`` has its section selected."""
    if lesson is None or lesson.kind != CourseLesson.Kind.QUIZ:
        raise errors.QuizNotFound()
    section = lesson.section
    if not lesson.is_live or section is None or not section.live or not section.live_revision_id:
        raise errors.QuizNotPublished()
    access.ensure_can_open_lesson(user, course, free_preview=lesson.free_preview)
    quiz = content.quiz_at(section.live_revision_id, str(lesson.lesson_id))
    if quiz is None:
        raise errors.QuizNotPublished()
    return quiz


def _locked_grade(user, lesson: CourseLesson) -> QuizGrade:
    """The learner's grade row for the quiz, created when missing, locked until commit."""
    rows = QuizGrade.objects.select_for_update()
    try:
        return rows.get(user=user, lesson=lesson)
    except QuizGrade.DoesNotExist:
        pass
    try:
        with transaction.atomic():
            QuizGrade.objects.create(user=user, lesson=lesson, course_id=lesson.course_id)
    except IntegrityError:
        pass  # created by a concurrent request
    return rows.get(user=user, lesson=lesson)


def _expired(attempt: QuizAttempt, now: datetime) -> bool:
    return attempt.deadline_at is not None and now > attempt.deadline_at


@transaction.atomic
def attempt_start(
    *, user, course: CoursePage, lesson: CourseLesson | None, now: datetime | None = None
) -> tuple[QuizAttempt, bool]:
    """Start an attempt at a published quiz (or return the learner's open one, ``created``
    False). Refused beyond the quiz's attempt limit (``AttemptLimitReached``)."""
    now = now or timezone.now()
    quiz = published_quiz(user=user, course=course, lesson=lesson)
    grade = _locked_grade(user, lesson)
    current = QuizAttempt.objects.filter(user=user, lesson=lesson, status=OPEN).first()
    if current is not None:
        if not _expired(current, now):
            return current, False
        _close(current, grade=grade, answers=current.answers, now=now, late=True)
    if quiz.attempt_limit and grade.attempts_started >= quiz.attempt_limit:
        raise errors.AttemptLimitReached(
            f"You have used all {quiz.attempt_limit} attempts this quiz allows."
        )
    seed = secrets.randbits(62)
    limit = quiz.time_limit_minutes
    attempt = QuizAttempt(
        user=user,
        lesson=lesson,
        course_id=lesson.course_id,
        number=grade.attempts_started + 1,
        revision_id=quiz.revision_id,
        seed=seed,
        layout=content.layout_for(quiz, seed),
        started_at=now,
        deadline_at=now + timedelta(minutes=limit) if limit else None,
    )
    attempt.save(force_insert=True)
    grade.attempts_started += 1
    grade.save(update_fields=["attempts_started", "updated_at"])
    return attempt, True


def _locked_attempt(user, attempt_id: int) -> QuizAttempt:
    attempt = (
        QuizAttempt.objects.select_for_update(of=("self",))
        .select_related("lesson__section", "course")
        .filter(pk=attempt_id, user=user)
        .first()
        if user is not None and user.is_authenticated
        else None
    )
    if attempt is None:
        raise errors.AttemptNotFound()
    attempt.user = user
    return attempt


def _ensure_published(attempt: QuizAttempt) -> None:
    """Answers go only to quizzes that are still published (their course too)."""
    section = attempt.lesson.section
    if not (attempt.lesson.is_live and attempt.course.live and section and section.live):
        raise errors.QuizNotPublished()


def validate_answers(quiz: content.Quiz, attempt: QuizAttempt, answers: dict) -> dict:
    """``answers`` (question id -> value; null clears) checked against the attempt's own
    questions; values normalised. Raises ``UnknownQuestion``, ``UnknownChoice`` or
    ``WrongAnswerType`` before anything is recorded."""
    if not isinstance(answers, dict):
        raise errors.WrongAnswerType("Answers are an object of question id -> answer.")
    asked = {item["id"] for item in attempt.layout}
    clean = {}
    for question_id, value in answers.items():
        question_id = str(question_id)
        if question_id not in asked or question_id not in quiz.questions:
            raise errors.UnknownQuestion(f"This attempt has no question {question_id}.")
        clean[question_id] = (
            None if value is None else grading.validate_answer(quiz.questions[question_id], value)
        )
    return clean


def _merged(saved: dict, new: dict) -> dict:
    merged = {**saved, **new}
    return {qid: value for qid, value in merged.items() if value is not None}


def _quiz_of(attempt: QuizAttempt, revision_id: int | None = None) -> content.Quiz:
    quiz = content.quiz_at(revision_id or attempt.revision_id, str(attempt.lesson.lesson_id))
    if quiz is None:  # the revision was purged: cannot happen while attempts protect it
        raise errors.QuizNotPublished()
    return quiz


@transaction.atomic
def attempt_answers_save(
    *, user, attempt_id: int, answers: dict, now: datetime | None = None
) -> QuizAttempt:
    """Save answers of an open attempt (merged into those saved before), so the learner can
    resume after a reload. Refused once submitted or after the deadline."""
    now = now or timezone.now()
    attempt = _locked_attempt(user, attempt_id)
    if not attempt.is_open:
        raise errors.AttemptAlreadySubmitted()
    _ensure_published(attempt)
    if _expired(attempt, now):
        raise errors.AttemptDeadlinePassed(
            "The time for this attempt is over; answers can no longer be saved."
        )
    clean = validate_answers(_quiz_of(attempt), attempt, answers)
    attempt.answers = _merged(attempt.answers, clean)
    attempt.answers_saved_at = now
    attempt.save(update_fields=["answers", "answers_saved_at"])
    return attempt


def _score(grade: grading.Grade) -> dict:
    return {"scaled": round(grade.percent / 100, 4), "raw": grade.score, "max": grade.max_score}


def _close(
    attempt: QuizAttempt, *, grade: QuizGrade | None, answers: dict, now: datetime, late: bool
) -> grading.Grade:
    """Grade an open attempt (locked by the caller) and record it: the attempt, the
    learner's quiz grade, the learning event and, on the first pass, the lesson's
    completion. Refuses with ``AttemptAlreadySubmitted`` if another request got there first."""
    quiz = _quiz_of(attempt)
    result = grading.grade_answers(
        quiz.keys, [item["id"] for item in attempt.layout], answers, quiz.pass_mark
    )
    updated = QuizAttempt.objects.filter(pk=attempt.pk, status=OPEN).update(
        status=SUBMITTED,
        answers=answers,
        submitted_at=now,
        late=late,
        results=result.results,
        score=result.score,
        max_score=result.max_score,
        percent=result.percent,
        passed=result.passed,
        graded_revision_id=attempt.revision_id,
    )
    if not updated:
        raise errors.AttemptAlreadySubmitted()
    attempt.status, attempt.answers, attempt.submitted_at, attempt.late = (
        SUBMITTED,
        answers,
        now,
        late,
    )
    attempt.results, attempt.score = result.results, result.score
    attempt.max_score = result.max_score
    attempt.percent, attempt.passed = result.percent, result.passed
    attempt.graded_revision_id = attempt.revision_id

    grade = grade or _locked_grade(attempt.user, attempt.lesson)
    first_pass = result.passed and not grade.passed
    grade.attempts_graded += 1
    if grade.first_percent is None:
        grade.first_percent = result.percent
    grade.last_percent = result.percent
    if grade.best_percent is None or result.percent > grade.best_percent:
        grade.best_percent, grade.best_score = result.percent, result.score
    grade.max_score = result.max_score
    if first_pass:
        grade.passed, grade.passed_at = True, now
    grade.save()

    lesson = attempt.lesson
    events_record(
        [
            LearningEvent(
                actor=attempt.user,
                verb=Verb.PASSED if result.passed else Verb.FAILED,
                object_type=ObjectType.LESSON,
                object_id=str(lesson.lesson_id),
                course_id=lesson.course_id,
                result={"score": _score(result), "success": result.passed, "completion": True},
                context={"extensions": {"attempt": attempt.pk, "late": late}},
                timestamp=now,
            )
        ]
    )
    if first_pass and _enrolled(attempt.user, lesson.course_id):
        quiz_lesson_passed(user=attempt.user, lesson=lesson, score=_score(result))
    return result


def _enrolled(user, course_id: int) -> bool:
    return Enrollment.objects.current().filter(user=user, course_id=course_id).exists()


@transaction.atomic
def attempt_submit(
    *, user, attempt_id: int, answers: dict | None = None, now: datetime | None = None
) -> QuizAttempt:
    """Submit an attempt, with last answers (merged into the saved ones), and grade it
    against the quiz revision it was started from. After the deadline the saved answers are
    graded (the attempt is marked late) and the request's answers are not recorded; after
    the deadline and its grace period the submission is refused."""
    now = now or timezone.now()
    attempt = _locked_attempt(user, attempt_id)
    if not attempt.is_open:
        raise errors.AttemptAlreadySubmitted()
    _ensure_published(attempt)
    late = _expired(attempt, now)
    if late and now > attempt.deadline_at + _grace():
        raise errors.AttemptDeadlinePassed()
    final = attempt.answers
    if answers and not late:
        final = _merged(final, validate_answers(_quiz_of(attempt), attempt, answers))
    _close(attempt, grade=None, answers=final, now=now, late=late)
    return attempt


def attempts_close_expired(*, now: datetime | None = None, limit: int = 500) -> int:
    """Grade open attempts whose deadline and grace have passed, with the answers saved in
    time (the periodic task). Returns how many were closed."""
    now = now or timezone.now()
    ids = list(
        QuizAttempt.objects.filter(status=OPEN, deadline_at__lt=now - _grace())
        .order_by("deadline_at")
        .values_list("pk", flat=True)[:limit]
    )
    closed = 0
    for pk in ids:
        with transaction.atomic():
            attempt = (
                QuizAttempt.objects.select_for_update(of=("self",))
                .select_related("lesson", "user")
                .filter(pk=pk, status=OPEN)
                .first()
            )
            if attempt is None:
                continue
            _close(attempt, grade=None, answers=attempt.answers, now=now, late=True)
            closed += 1
    return closed


# --- Regrading --------------------------------------------------------------------------------


def _summary_rebuild(user, lesson: CourseLesson) -> tuple[QuizGrade, bool]:
    """Recompute a learner's quiz grade from their graded attempts; returns it and whether
    it is passed now but was not before."""
    grade = _locked_grade(user, lesson)
    attempts = list(
        QuizAttempt.objects.filter(user=user, lesson=lesson, status=SUBMITTED).order_by("number")
    )
    was_passed = grade.passed
    grade.attempts_graded = len(attempts)
    grade.first_percent = attempts[0].percent if attempts else None
    grade.last_percent = attempts[-1].percent if attempts else None
    best = max(attempts, key=lambda a: (a.percent, -a.number), default=None)
    grade.best_percent = best.percent if best else None
    grade.best_score = best.score if best else None
    grade.max_score = attempts[-1].max_score if attempts else None
    passed = [a for a in attempts if a.passed]
    # A pass is never taken back from the learner's progress; the grade says what is true.
    grade.passed = bool(passed)
    if passed and not grade.passed_at:
        grade.passed_at = passed[0].regraded_at or passed[0].submitted_at
    if not passed:
        grade.passed_at = None
    grade.save()
    return grade, grade.passed and not was_passed


@transaction.atomic
def quiz_regrade(
    *, lesson: CourseLesson, by=None, via: str = AttemptRegrade.Via.COMMAND, now=None
) -> list[AttemptRegrade]:
    """Regrade every submitted attempt of a quiz with the answer keys and pass mark of its
    published revision (after an editor fixed a key). Each changed attempt gets an
    :class:`AttemptRegrade` record; learners who pass now get the lesson completed."""
    now = now or timezone.now()
    lesson = CourseLesson.objects.select_related("section").get(pk=lesson.pk)
    if lesson.kind != CourseLesson.Kind.QUIZ:
        raise errors.QuizNotFound()
    section = lesson.section
    if section is None or not section.live_revision_id:
        raise errors.QuizNotPublished()
    quiz = content.quiz_at(section.live_revision_id, str(lesson.lesson_id))
    if quiz is None:
        raise errors.QuizNotPublished()
    records = []
    touched_users = {}
    attempts = (
        QuizAttempt.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(lesson=lesson, status=SUBMITTED)
        .order_by("pk")
    )
    for attempt in attempts:
        result = grading.grade_answers(
            quiz.keys, [item["id"] for item in attempt.layout], attempt.answers, quiz.pass_mark
        )
        if (
            result.results == attempt.results
            and result.score == attempt.score
            and result.passed == attempt.passed
        ):
            continue
        records.append(
            AttemptRegrade(
                attempt=attempt,
                from_revision_id=attempt.graded_revision_id,
                to_revision_id=quiz.revision_id,
                old_score=attempt.score,
                new_score=result.score,
                old_percent=attempt.percent,
                new_percent=result.percent,
                old_passed=bool(attempt.passed),
                new_passed=result.passed,
                old_results=attempt.results,
                by=by,
                via=via,
                created_at=now,
            )
        )
        attempt.results, attempt.score, attempt.max_score = (
            result.results,
            result.score,
            result.max_score,
        )
        attempt.percent, attempt.passed = result.percent, result.passed
        attempt.graded_revision_id, attempt.regraded_at = quiz.revision_id, now
        attempt.save(
            update_fields=[
                "results",
                "score",
                "max_score",
                "percent",
                "passed",
                "graded_revision",
                "regraded_at",
            ]
        )
        touched_users[attempt.user_id] = attempt.user
    AttemptRegrade.objects.bulk_create(records)
    for user in touched_users.values():
        _, newly_passed = _summary_rebuild(user, lesson)
        if newly_passed and _enrolled(user, lesson.course_id):
            quiz_lesson_passed(user=user, lesson=lesson)
    return records


# --- Checkpoints ------------------------------------------------------------------------------


@transaction.atomic
def checkpoint_answer(
    *, user, course: CoursePage, lesson: CourseLesson | None, checkpoint_id: str, value
) -> tuple[CheckpointAnswer, content.Checkpoint]:
    """Grade a learner's answer to a checkpoint of a published video lesson, once."""
    if lesson is None or lesson.kind != CourseLesson.Kind.VIDEO:
        raise errors.CheckpointNotFound("No such video lesson in this course.")
    section = lesson.section
    if not lesson.is_live or section is None or not section.live:
        raise errors.QuizNotPublished("This lesson is not published (any more).")
    access.ensure_can_open_lesson(user, course, free_preview=lesson.free_preview)
    found = content.checkpoints_at(section.live_revision_id, str(lesson.lesson_id))
    checkpoint = found.checkpoints.get(str(checkpoint_id)) if found else None
    if checkpoint is None:
        raise errors.CheckpointNotFound()
    clean = grading.validate_answer(checkpoint.question, value)
    result = grading.grade_question(checkpoint.key, clean)
    answer = CheckpointAnswer(
        user=user,
        lesson=lesson,
        course_id=lesson.course_id,
        checkpoint_id=checkpoint.id,
        question_id=checkpoint.question["id"],
        revision_id=section.live_revision_id,
        answer=clean,
        points=result.points,
        max_points=result.max_points,
        correct=result.correct,
        graded=checkpoint.graded,
    )
    try:
        with transaction.atomic():
            answer.save(force_insert=True)
    except IntegrityError as exc:
        raise errors.CheckpointAlreadyAnswered() from exc
    events_record(
        [
            LearningEvent(
                actor=user,
                verb=Verb.ANSWERED,
                object_type=ObjectType.QUESTION,
                object_id=str(checkpoint.question["id"]),
                course_id=lesson.course_id,
                result={
                    "success": result.correct,
                    "score": {"raw": result.points, "max": result.max_points},
                },
                context={"extensions": {"lesson": str(lesson.lesson_id)}},
            )
        ]
    )
    return answer, checkpoint
