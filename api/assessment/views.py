"""Assessment API: quiz attempts (start, save answers, submit, read), in-video checkpoints,
the learner's grades and the instructor gradebook. Rules live in learning.assessment; who
may open a lesson or see a course's learners in learning.access."""

from __future__ import annotations

import csv

from django.db.models import Prefetch
from django.http import Http404, StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, OpenApiTypes, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from api.assessment import serializers as s
from api.pagination import PageNumberPagination
from cms import selectors as cms_selectors
from cms.models import CourseInstructor, CoursePage
from learning import access
from learning.assessment import content, errors, selectors, services
from learning.assessment.models import QuizAttempt
from learning.enrollment import errors as enrollment_errors
from learning.enrollment.exports import neutralise_formula
from learning.enrollment.models import Enrollment
from learning.progress.selectors import percent

ATTEMPT_TAG = ["assessment"]
GRADEBOOK_TAG = ["gradebook"]

BAD_ANSWERS = OpenApiResponse(
    description="`unknown_question`, `unknown_choice` or `wrong_answer_type`; nothing is saved."
)


def _live_course(course_id: int) -> CoursePage:
    course = cms_selectors.live_course(course_id)
    if course is None:
        raise Http404
    return course


# --- Attempts ---------------------------------------------------------------------------------


def _question_data(question: dict, layout_item: dict, attempt: QuizAttempt, key, show: bool):
    public = {k: v for k, v in question.items() if k != "choice_ids"}
    if "choices" in public:
        by_id = {choice["id"]: choice for choice in public["choices"]}
        public["choices"] = [by_id[cid] for cid in layout_item["choices"] if cid in by_id]
    result = None if attempt.is_open else attempt.results.get(question["id"])
    feedback = None
    if show and key is not None:
        feedback = {"explanation_html": key["explanation_html"], **content.public_answer(key)}
    return {
        **public,
        "answer": attempt.answers.get(question["id"]),
        "result": result,
        "feedback": feedback,
    }


def attempt_data(attempt: QuizAttempt, *, now=None) -> dict:
    """An attempt as its learner sees it. Correct answers and explanations only after
    grading, per the feedback option of the revision that graded it."""
    now = now or timezone.now()
    lesson = attempt.lesson
    quiz = content.quiz_at(attempt.revision_id, str(lesson.lesson_id))
    graded_quiz = quiz
    if attempt.graded_revision_id and attempt.graded_revision_id != attempt.revision_id:
        graded_quiz = content.quiz_at(attempt.graded_revision_id, str(lesson.lesson_id)) or quiz
    show = False
    if not attempt.is_open and graded_quiz.feedback != "never":
        grade = (
            selectors.quiz_grade(attempt.user_id, lesson)
            if graded_quiz.feedback == "once_passed"
            else None
        )
        passed_quiz = bool(grade and grade.passed)
        show = selectors.feedback_allowed(graded_quiz, attempt, passed_quiz=passed_quiz)
    questions = []
    for item in attempt.layout:
        question = quiz.questions.get(item["id"])
        if question is not None:
            key = graded_quiz.keys.get(item["id"]) or quiz.keys.get(item["id"])
            questions.append(_question_data(question, item, attempt, key, show))
    section = lesson.section
    seconds_left = None
    if attempt.is_open and attempt.deadline_at:
        seconds_left = max(0, int((attempt.deadline_at - now).total_seconds()))
    return {
        "id": attempt.pk,
        "course_id": attempt.course_id,
        "lesson_id": str(lesson.lesson_id),
        "number": attempt.number,
        "status": attempt.status,
        "started_at": attempt.started_at,
        "deadline_at": attempt.deadline_at,
        "seconds_left": seconds_left,
        "answers_saved_at": attempt.answers_saved_at,
        "submitted_at": attempt.submitted_at,
        "late": attempt.late,
        "revision_id": attempt.revision_id,
        "graded_revision_id": attempt.graded_revision_id,
        "quiz_changed_since_start": bool(
            section and section.live_revision_id and section.live_revision_id != attempt.revision_id
        ),
        "quiz": {
            "title": quiz.title,
            "pass_mark": quiz.pass_mark,
            "attempt_limit": quiz.attempt_limit,
            "time_limit_minutes": quiz.time_limit_minutes,
            "feedback": quiz.feedback,
        },
        "questions": questions,
        "score": attempt.score,
        "max_score": attempt.max_score,
        "percent": attempt.percent,
        "passed": attempt.passed,
        "feedback_shown": show,
    }


def _summary(attempt: QuizAttempt) -> dict:
    return {
        "id": attempt.pk,
        "number": attempt.number,
        "status": attempt.status,
        "started_at": attempt.started_at,
        "submitted_at": attempt.submitted_at,
        "score": attempt.score,
        "max_score": attempt.max_score,
        "percent": attempt.percent,
        "passed": attempt.passed,
        "late": attempt.late,
    }


class QuizAttemptsView(APIView):
    @extend_schema(
        tags=ATTEMPT_TAG,
        operation_id="courses_lessons_attempts_list",
        responses={200: s.MyQuizAttemptsSerializer},
        description="Your attempts at a quiz lesson, oldest first, with your first, last and "
        "best scores, the attempts used and left. Scores only: open an attempt for details.",
    )
    def get(self, request, course_id: int, lesson_id):
        course = _live_course(course_id)
        lesson = selectors.course_lesson(course.pk, lesson_id)
        quiz = services.published_quiz(user=request.user, course=course, lesson=lesson)
        attempts = list(selectors.learner_attempts(request.user, lesson))
        grade = selectors.quiz_grade(request.user, lesson)
        used = grade.attempts_started if grade else 0
        return Response(
            {
                "grade": selectors.grade_data(lesson, grade),
                "attempt_limit": quiz.attempt_limit,
                "attempts_left": max(0, quiz.attempt_limit - used) if quiz.attempt_limit else None,
                "attempts": [_summary(a) for a in attempts],
            }
        )

    @extend_schema(
        tags=ATTEMPT_TAG,
        operation_id="courses_lessons_attempts_start",
        request=None,
        responses={
            201: OpenApiResponse(s.AttemptSerializer, description="A new attempt."),
            200: OpenApiResponse(s.AttemptSerializer, description="Your attempt still open."),
            403: OpenApiResponse(description="`enrollment_required`."),
            404: OpenApiResponse(description="`quiz_not_found`: no such quiz lesson."),
            409: OpenApiResponse(description="`attempt_limit_reached`, or `quiz_not_published`."),
        },
        description="Start an attempt at a quiz lesson of a course you are enrolled in (or a "
        "free-preview quiz). The attempt keeps the quiz revision it started from and the "
        "order its questions and choices are shown in (shuffled per attempt when the quiz "
        "says so). With a time limit it has a `deadline_at` enforced by the server. While an "
        "attempt is open, starting again returns it (resume). Questions come without their "
        "correct answers or explanations.",
    )
    def post(self, request, course_id: int, lesson_id):
        course = _live_course(course_id)
        lesson = selectors.course_lesson(course.pk, lesson_id)
        attempt, created = services.attempt_start(user=request.user, course=course, lesson=lesson)
        attempt.lesson = lesson
        return Response(
            attempt_data(attempt), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


def _own_attempt(request, attempt_id: int) -> QuizAttempt:
    attempt = selectors.attempt_for(request.user, attempt_id)
    if attempt is None:
        raise errors.AttemptNotFound()
    return attempt


class AttemptView(APIView):
    @extend_schema(
        tags=ATTEMPT_TAG,
        operation_id="attempts_retrieve",
        responses={
            200: s.AttemptSerializer,
            404: OpenApiResponse(description="`attempt_not_found`."),
        },
        description="One of your attempts: its questions in the order shown, your saved "
        "answers (resume after a reload) and, once submitted, per-question results and the "
        "score. Correct answers and explanations appear only after submission, as the quiz's "
        "feedback option allows (`after_each_attempt`, `once_passed` or `never`). Another "
        "learner's attempt is `attempt_not_found`.",
    )
    def get(self, request, attempt_id: int):
        return Response(attempt_data(_own_attempt(request, attempt_id)))


class AttemptAnswersView(APIView):
    @extend_schema(
        tags=ATTEMPT_TAG,
        operation_id="attempts_answers_save",
        request=s.AnswersInSerializer,
        responses={
            200: s.AttemptSerializer,
            400: BAD_ANSWERS,
            404: OpenApiResponse(description="`attempt_not_found`."),
            409: OpenApiResponse(
                description="`attempt_already_submitted`, `attempt_deadline_passed` or "
                "`quiz_not_published`."
            ),
        },
        description="Save answers of an open attempt (merged into the ones saved before; "
        "null clears one). Answers are checked against the attempt's questions and choices; "
        "a refused request saves nothing. Frozen once submitted or after the deadline.",
    )
    def put(self, request, attempt_id: int):
        data = s.AnswersInSerializer(data=request.data)
        if not data.is_valid():
            _own_attempt(request, attempt_id)  # someone else's attempt: 404 before the 400
            raise ValidationError(data.errors)
        attempt = services.attempt_answers_save(
            user=request.user, attempt_id=attempt_id, answers=data.validated_data["answers"]
        )
        return Response(attempt_data(attempt))


class AttemptSubmitView(APIView):
    @extend_schema(
        tags=ATTEMPT_TAG,
        operation_id="attempts_submit",
        request=s.SubmitInSerializer,
        responses={
            200: s.AttemptSerializer,
            400: BAD_ANSWERS,
            404: OpenApiResponse(description="`attempt_not_found`."),
            409: OpenApiResponse(
                description="`attempt_already_submitted` (also the loser of two simultaneous "
                "submissions), `attempt_deadline_passed` or `quiz_not_published`."
            ),
        },
        description="Submit an attempt; it is graded on the server against the quiz revision "
        "it started from (`quiz_changed_since_start` says when the quiz has been edited "
        "since). Answers in the body are merged into the saved ones first. Shortly after the "
        "deadline the saved answers are graded and the attempt is marked `late`; later the "
        "attempt closes by itself with what was saved. Passing for the first time completes "
        "the lesson (and the course when it was the last lesson).",
    )
    def post(self, request, attempt_id: int):
        data = s.SubmitInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        attempt = services.attempt_submit(
            user=request.user, attempt_id=attempt_id, answers=data.validated_data.get("answers")
        )
        return Response(attempt_data(attempt))


# --- Checkpoints ------------------------------------------------------------------------------


def _checkpoint_data(answer, explanation_html: str) -> dict:
    return {
        "checkpoint_id": str(answer.checkpoint_id),
        "question_id": str(answer.question_id),
        "answer": answer.answer,
        "points": answer.points,
        "max_points": answer.max_points,
        "correct": answer.correct,
        "graded": answer.graded,
        "explanation_html": explanation_html,
        "answered_at": answer.answered_at,
    }


class CheckpointAnswerView(APIView):
    @extend_schema(
        tags=ATTEMPT_TAG,
        operation_id="courses_lessons_checkpoints_answer",
        request=s.CheckpointAnswerInSerializer,
        responses={
            201: s.CheckpointResultSerializer,
            400: BAD_ANSWERS,
            404: OpenApiResponse(description="`checkpoint_not_found`."),
            409: OpenApiResponse(description="`checkpoint_already_answered`."),
        },
        description="Answer the question a video stops at. Graded like a quiz question; the "
        "player learns whether it was correct and the explanation. Once per checkpoint.",
    )
    def post(self, request, course_id: int, lesson_id, checkpoint_id):
        course = _live_course(course_id)
        lesson = selectors.course_lesson(course.pk, lesson_id)
        data = s.CheckpointAnswerInSerializer(data=request.data)
        if not data.is_valid():
            if lesson is not None:  # who may not open the lesson is refused before the 400
                access.ensure_can_open_lesson(
                    request.user, course, free_preview=lesson.free_preview
                )
            raise ValidationError(data.errors)
        answer, checkpoint = services.checkpoint_answer(
            user=request.user,
            course=course,
            lesson=lesson,
            checkpoint_id=str(checkpoint_id),
            value=data.validated_data["answer"],
        )
        return Response(
            _checkpoint_data(answer, checkpoint.key["explanation_html"]),
            status=status.HTTP_201_CREATED,
        )


class MyCheckpointAnswersView(APIView):
    @extend_schema(
        tags=ATTEMPT_TAG,
        operation_id="courses_lessons_checkpoints_mine",
        responses={200: s.CheckpointResultSerializer(many=True)},
        description="Your answers to this video lesson's checkpoints.",
    )
    def get(self, request, course_id: int, lesson_id):
        course = _live_course(course_id)
        lesson = selectors.course_lesson(course.pk, lesson_id)
        if lesson is None or lesson.kind != "video":
            raise errors.CheckpointNotFound("No such video lesson in this course.")
        access.ensure_can_open_lesson(request.user, course, free_preview=lesson.free_preview)
        answers = lesson.checkpoint_answers.filter(user=request.user).order_by("answered_at", "pk")
        explanations = {}
        if lesson.section and lesson.section.live_revision_id:
            found = content.checkpoints_at(lesson.section.live_revision_id, str(lesson.lesson_id))
            explanations = {
                cid: cp.key["explanation_html"]
                for cid, cp in (found.checkpoints if found else {}).items()
            }
        return Response(
            [_checkpoint_data(a, explanations.get(str(a.checkpoint_id), "")) for a in answers]
        )


# --- Grades -----------------------------------------------------------------------------------


class MyGradesView(APIView):
    @extend_schema(
        tags=GRADEBOOK_TAG,
        operation_id="me_grades_list",
        responses={200: s.CourseGradesSerializer(many=True)},
        description="Your grades per course you are enrolled in: each quiz with your best, "
        "first and last score, attempts used and whether you passed, and your graded "
        "checkpoints. Courses by title.",
    )
    def get(self, request):
        return Response(selectors.learner_grades(request.user))


def _staff_course(request, course_id: int) -> CoursePage:
    """The course, if the user is on its staff: 404 for unknown or unpublished courses they
    cannot see, 403 `not_course_staff` for published ones."""
    course = (
        CoursePage.objects.filter(pk=course_id)
        .prefetch_related(Prefetch("course_instructors", queryset=CourseInstructor.objects.all()))
        .first()
    )
    if course is None:
        raise Http404
    if not access.is_course_staff(request.user, course):
        if not course.live:
            raise Http404
        raise enrollment_errors.NotCourseStaff()
    return course


def _gradebook_query(request) -> dict:
    query = s.GradebookQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data


def _cells(entry: Enrollment, quizzes) -> list[dict]:
    grades = selectors.gradebook_row(entry, quizzes)
    return [
        {
            "lesson_id": str(lesson.lesson_id),
            "attempts_used": grade.attempts_started if grade else 0,
            "best_percent": grade.best_percent if grade else None,
            "last_percent": grade.last_percent if grade else None,
            "passed": bool(grade and grade.passed),
        }
        for lesson, grade in ((lesson, grades[lesson.pk]) for lesson in quizzes)
    ]


class GradebookPagination(PageNumberPagination):
    """A gradebook page also lists its columns: ``quizzes``, in course order."""

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["quizzes"] = {
            "type": "array",
            "description": "The columns: the course's quizzes, in course order.",
            "items": {
                "type": "object",
                "properties": {
                    "lesson_id": {"type": "string", "format": "uuid"},
                    "title": {"type": "string"},
                },
                "required": ["lesson_id", "title"],
            },
        }
        schema["required"] = [*schema["required"], "quizzes"]
        return schema


class GradebookView(ListAPIView):
    serializer_class = s.GradebookRowSerializer
    pagination_class = GradebookPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Enrollment.objects.none()
        self.course = _staff_course(self.request, self.kwargs["course_id"])
        return selectors.gradebook(self.course, **_gradebook_query(self.request))

    def list(self, request, *args, **kwargs):
        queryset = self.get_queryset()
        quizzes = selectors.course_quizzes([self.course.pk]).get(self.course.pk, [])
        page = self.paginate_queryset(queryset)
        rows = [
            {
                "enrollment_id": entry.pk,
                "learner": {
                    "id": entry.user_id,
                    "name": entry.user.public_name,
                    "email": entry.user.email,
                },
                "status": entry.status,
                "percent_complete": percent(entry.minutes_done, entry.minutes_total),
                "grades": _cells(entry, quizzes),
            }
            for entry in page
        ]
        response = self.get_paginated_response(rows)
        response.data["quizzes"] = [
            {"lesson_id": str(lesson.lesson_id), "title": lesson.title} for lesson in quizzes
        ]
        return response

    @extend_schema(
        tags=GRADEBOOK_TAG,
        operation_id="courses_gradebook_list",
        parameters=[s.GradebookQuerySerializer],
        description="The course's learners x quizzes: per learner and quiz the attempts used, "
        "best and last percent and whether passed; `quizzes` lists the columns. For the "
        "course's instructors and reviewers (403 `not_course_staff` for others). Search with "
        "`q`, sort with `ordering`, paginated.",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class _Echo:
    def write(self, value):
        return value


def gradebook_csv_rows(entries, quizzes):
    header = ["name", "email", "status", "percent_complete"]
    for lesson in quizzes:
        title = neutralise_formula(lesson.title)
        header += [f"{title}: best percent", f"{title}: attempts", f"{title}: passed"]
    yield header
    for entry in (
        entries.iterator(chunk_size=500) if not entries._prefetch_related_lookups else entries
    ):
        row = [
            neutralise_formula(entry.user.public_name),
            neutralise_formula(entry.user.email),
            entry.status,
            percent(entry.minutes_done, entry.minutes_total),
        ]
        for cell in _cells(entry, quizzes):
            row += [
                "" if cell["best_percent"] is None else cell["best_percent"],
                cell["attempts_used"],
                "yes" if cell["passed"] else "no",
            ]
        yield row


class GradebookExportView(APIView):
    @extend_schema(
        tags=GRADEBOOK_TAG,
        operation_id="courses_gradebook_export",
        parameters=[s.GradebookQuerySerializer],
        responses={(200, "text/csv"): OpenApiTypes.STR},
        description="The gradebook (same search) as CSV: one row per learner, three columns "
        "per quiz. Cells a spreadsheet would run as formulas are quoted.",
    )
    def get(self, request, course_id: int):
        course = _staff_course(request, course_id)
        entries = selectors.gradebook(course, **_gradebook_query(request))
        quizzes = selectors.course_quizzes([course.pk]).get(course.pk, [])
        writer = csv.writer(_Echo())
        response = StreamingHttpResponse(
            (writer.writerow(row) for row in gradebook_csv_rows(entries, quizzes)),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="gradebook-course-{course.pk}.csv"'
        return response


class QuestionStatsView(APIView):
    @extend_schema(
        tags=GRADEBOOK_TAG,
        operation_id="courses_quiz_question_stats",
        responses={200: s.QuestionStatsSerializer(many=True)},
        description="Per question of a quiz: graded attempts that asked it, how many got it "
        "right (percent correct) and the wrong choice picked most. For course staff.",
    )
    def get(self, request, course_id: int, lesson_id):
        course = _staff_course(request, course_id)
        lesson = selectors.course_lesson(course.pk, lesson_id)
        if lesson is None or lesson.kind != "quiz":
            raise errors.QuizNotFound()
        return Response(selectors.question_stats(lesson))
