"""Assessment reads, shaped for their callers: a learner's attempts and grades, the
instructor gradebook (learners x quizzes) and per-question statistics."""

from __future__ import annotations

import uuid
from collections import Counter

from django.db.models import Prefetch, QuerySet

from cms.models import CourseLesson, CoursePage
from learning.assessment import content
from learning.assessment.models import CheckpointAnswer, QuizAttempt, QuizGrade
from learning.enrollment.models import Enrollment
from learning.enrollment.selectors import course_roster


def course_lesson(course_id: int, lesson_id: uuid.UUID | str) -> CourseLesson | None:
    """A lesson of the course's index (live or not), with its section for its revision."""
    return (
        CourseLesson.objects.select_related("section")
        .filter(course_id=course_id, lesson_id=lesson_id)
        .first()
    )


def attempt_for(user, attempt_id: int) -> QuizAttempt | None:
    """The learner's own attempt (None for anybody else's), with its lesson and section."""
    if user is None or not user.is_authenticated:
        return None
    return (
        QuizAttempt.objects.select_related("lesson__section")
        .filter(pk=attempt_id, user=user)
        .first()
    )


def learner_attempts(user, lesson: CourseLesson) -> QuerySet[QuizAttempt]:
    return QuizAttempt.objects.filter(user=user, lesson=lesson).order_by("number")


def quiz_grade(user, lesson: CourseLesson) -> QuizGrade | None:
    """``user`` may be a user or a user id."""
    return QuizGrade.objects.filter(user=user, lesson=lesson).first()


def feedback_allowed(quiz: content.Quiz, attempt: QuizAttempt, *, passed_quiz: bool) -> bool:
    """Whether a graded attempt shows correct answers and explanations (the quiz's feedback
    option); never for an open attempt."""
    if attempt.is_open:
        return False
    if quiz.feedback == "after_each_attempt":
        return True
    if quiz.feedback == "once_passed":
        return passed_quiz
    return False


def course_quizzes(course_ids) -> dict[int, list[CourseLesson]]:
    """Each course's live quiz lessons, in course order."""
    found: dict[int, list[CourseLesson]] = {}
    for lesson in CourseLesson.objects.filter(
        course_id__in=list(course_ids), is_live=True, kind=CourseLesson.Kind.QUIZ
    ).order_by("course_id", "position", "pk"):
        found.setdefault(lesson.course_id, []).append(lesson)
    return found


def grade_data(lesson: CourseLesson, grade: QuizGrade | None) -> dict:
    return {
        "lesson_id": str(lesson.lesson_id),
        "title": lesson.title,
        "attempts_used": grade.attempts_started if grade else 0,
        "attempts_graded": grade.attempts_graded if grade else 0,
        "best_percent": grade.best_percent if grade else None,
        "best_score": grade.best_score if grade else None,
        "max_score": grade.max_score if grade else None,
        "first_percent": grade.first_percent if grade else None,
        "last_percent": grade.last_percent if grade else None,
        "passed": bool(grade and grade.passed),
        "passed_at": grade.passed_at if grade else None,
    }


def learner_grades(user) -> list[dict]:
    """``/me/grades/``: per current enrollment (by course title), each live quiz with the
    learner's best, first and last score, attempts used and whether passed, plus their
    graded checkpoints. Four queries whatever the number of courses."""
    enrollments = list(
        Enrollment.objects.current()
        .filter(user=user)
        .select_related("course")
        .order_by("course__title", "course_id")
    )
    course_ids = [e.course_id for e in enrollments]
    quizzes = course_quizzes(course_ids)
    grades = {g.lesson_id: g for g in QuizGrade.objects.filter(user=user, course_id__in=course_ids)}
    checkpoints: dict[int, list[CheckpointAnswer]] = {}
    for answer in CheckpointAnswer.objects.filter(
        user=user, course_id__in=course_ids, graded=True
    ).order_by("answered_at", "pk"):
        checkpoints.setdefault(answer.course_id, []).append(answer)
    rows = []
    for enrollment in enrollments:
        graded = checkpoints.get(enrollment.course_id, [])
        rows.append(
            {
                "course_id": enrollment.course_id,
                "course_title": enrollment.course.title,
                "enrollment_status": enrollment.status,
                "quizzes": [
                    grade_data(lesson, grades.get(lesson.pk))
                    for lesson in quizzes.get(enrollment.course_id, [])
                ],
                "checkpoints": {
                    "answered": len(graded),
                    "points": sum(a.points for a in graded),
                    "max_points": sum(a.max_points for a in graded),
                },
            }
        )
    return rows


GRADEBOOK_ORDERINGS = ("name", "-name", "email", "-email", "enrolled_at", "-enrolled_at")


def gradebook(
    course: CoursePage, *, q: str = "", ordering: str = "name", status: str | None = None
) -> QuerySet[Enrollment]:
    """The course's learners (current ones unless ``status`` says otherwise; searchable
    like the roster) with their grades in the course's quizzes prefetched as
    ``quiz_grades_here`` on each user."""
    return course_roster(course, q=q, status=status, ordering=ordering).prefetch_related(
        Prefetch(
            "user__quiz_grades",
            queryset=QuizGrade.objects.filter(course=course),
            to_attr="quiz_grades_here",
        )
    )


def gradebook_row(entry: Enrollment, quizzes: list[CourseLesson]) -> dict:
    grades = {g.lesson_id: g for g in getattr(entry.user, "quiz_grades_here", [])}
    return {lesson.pk: grades.get(lesson.pk) for lesson in quizzes}


def question_stats(lesson: CourseLesson) -> list[dict]:
    """Per question of the quiz as published (questions that left it afterwards too):
    graded attempts answering it, percent correct, and the wrong choice picked most."""
    quiz = None
    if lesson.section_id and lesson.section and lesson.section.live_revision_id:
        quiz = content.quiz_at(lesson.section.live_revision_id, str(lesson.lesson_id))
    stats: dict[str, dict] = {}
    wrong: dict[str, Counter] = {}
    rows = (
        QuizAttempt.objects.filter(lesson=lesson, status=QuizAttempt.Status.SUBMITTED)
        .values_list("results", "answers")
        .order_by("pk")
    )
    for results, answers in rows.iterator(chunk_size=500):
        for question_id, result in results.items():
            entry = stats.setdefault(question_id, {"attempts": 0, "correct": 0, "points": 0.0})
            entry["attempts"] += 1
            entry["correct"] += 1 if result["correct"] else 0
            entry["points"] += result["points"]
            answer = answers.get(question_id)
            key = quiz.keys.get(question_id) if quiz else None
            if key and key["type"] in ("single_choice", "multiple_choice") and answer:
                picked = answer if isinstance(answer, list) else [answer]
                for choice in picked:
                    if choice not in key["correct_choice_ids"]:
                        wrong.setdefault(question_id, Counter())[choice] += 1
    ordered = list(quiz.questions) if quiz else []
    ordered += sorted(set(stats) - set(ordered))
    out = []
    for question_id in ordered:
        entry = stats.get(question_id, {"attempts": 0, "correct": 0, "points": 0.0})
        question = quiz.questions.get(question_id) if quiz else None
        common = wrong.get(question_id, Counter()).most_common(1)
        choice_texts = {c["id"]: c["text"] for c in (question or {}).get("choices", [])}
        out.append(
            {
                "question_id": question_id,
                "type": question["type"] if question else None,
                "prompt_html": question["prompt_html"] if question else "",
                "in_published_quiz": question is not None,
                "attempts": entry["attempts"],
                "correct": entry["correct"],
                "percent_correct": round(100 * entry["correct"] / entry["attempts"], 1)
                if entry["attempts"]
                else None,
                "most_chosen_wrong_choice": {
                    "id": common[0][0],
                    "text": choice_texts.get(common[0][0], ""),
                    "count": common[0][1],
                }
                if common
                else None,
            }
        )
    return out


def attempts_export(user) -> list[dict]:
    return [
        {
            "course_id": a.course_id,
            "lesson_id": str(a.lesson.lesson_id),
            "number": a.number,
            "status": a.status,
            "started_at": a.started_at.isoformat(),
            "submitted_at": a.submitted_at.isoformat() if a.submitted_at else None,
            "answers": a.answers,
            "score": a.score,
            "max_score": a.max_score,
            "percent": a.percent,
            "passed": a.passed,
        }
        for a in QuizAttempt.objects.filter(user=user).select_related("lesson").order_by("pk")
    ]
