"""Demo content for local runs and reviews. Every function is idempotent: running the
command again leaves the same state and creates nothing twice."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from wagtail.models import Page, Site

from cms.models import HomePage
from learning.accounts import roles
from learning.demo.courses import ensure_demo_courses

# Local-only credentials, printed by `make run` and listed in the README. Never used in
# production: the command refuses to run unless DEMO_DATA_ALLOWED is on.
DEMO_PASSWORD = "unpuzzle-demo"  # noqa: S105  (documented, local only)


@dataclass(frozen=True)
class DemoAccount:
    email: str
    first_name: str
    last_name: str
    role: str

    @property
    def is_superuser(self) -> bool:
        return self.role == roles.ADMIN


DEMO_ACCOUNTS = (
    DemoAccount("admin@example.com", "Ada", "Admin", roles.ADMIN),
    DemoAccount("editor@example.com", "Eddie", "Editor", roles.EDITOR),
    DemoAccount("instructor@example.com", "Ines", "Instructor", roles.INSTRUCTOR),
    DemoAccount("student@example.com", "Sam", "Student", roles.STUDENT),
)


def ensure_demo_accounts(groups: dict[str, Group]) -> list[tuple[DemoAccount, bool]]:
    User = get_user_model()
    results = []
    for account in DEMO_ACCOUNTS:
        user = User.objects.filter(email__iexact=account.email).first()
        created = user is None
        if created:
            create = (
                User.objects.create_superuser if account.is_superuser else User.objects.create_user
            )
            user = create(
                email=account.email,
                password=DEMO_PASSWORD,
                first_name=account.first_name,
                last_name=account.last_name,
                email_verified_at=timezone.now(),
            )
        if account.role in groups:
            user.groups.add(groups[account.role])
        results.append((account, created))
    return results


def ensure_home_page() -> HomePage:
    """Make a :class:`HomePage` the root of the default site, replacing Wagtail's
    placeholder welcome page if it is still there."""
    existing = HomePage.objects.first()
    if existing is None:
        root = Page.get_first_root_node()
        for placeholder in root.get_children().filter(slug="home").exact_type(Page):
            placeholder.delete()
        existing = HomePage(
            title="Home",
            slug="home",
            headline="Learn anything, one piece at a time",
            intro="<p>Short video lessons, readings and quizzes, with progress you can trust "
            "and a tutor that knows the course.</p>",
        )
        root.add_child(instance=existing)
        existing.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost",
            port=80,
            root_page=existing,
            is_default_site=True,
            site_name="Unpuzzle LMS",
        )
    elif site.root_page_id != existing.pk or site.site_name != "Unpuzzle LMS":
        site.root_page = existing
        site.site_name = "Unpuzzle LMS"
        site.save()
    return existing


@transaction.atomic
def load_demo_data() -> dict:
    groups = roles.sync_roles()
    accounts = ensure_demo_accounts(groups)
    home = ensure_home_page()
    # Media pipeline: two generated demo videos with captions, owned by the demo instructor.
    from media_pipeline.demo import ensure_demo_videos

    User = get_user_model()
    instructor = User.objects.get(email="instructor@example.com")
    videos = ensure_demo_videos(owner=instructor)
    courses = ensure_demo_courses(
        home=home,
        instructor=instructor,
        editor=User.objects.get(email="editor@example.com"),
        videos=videos,
    )
    enrollments = ensure_demo_enrollments(
        student=User.objects.get(email="student@example.com"), courses=courses
    )
    certificates = ensure_demo_certificate(
        student=User.objects.get(email="student@example.com"), courses=courses
    )
    # The AI tutor's index of the demo courses (publishing also queues it for the worker).
    from learning.assistant.services import index_backfill

    index_backfill()
    attempts = ensure_demo_attempts(
        student=User.objects.get(email="student@example.com"), enrollments=enrollments
    )
    return {
        "certificates": certificates,
        "groups": [g.name for g in groups.values()],
        "accounts": accounts,
        "home_page": home,
        "courses": courses,
        "videos": videos,
        "enrollments": enrollments,
        "attempts": attempts,
    }


def ensure_demo_enrollments(*, student, courses) -> list:
    """The demo student is enrolled in the first live demo course, so the dashboard and
    resume show something on a fresh `make run`."""
    from cms.models import CoursePage
    from learning.enrollment.models import Enrollment
    from learning.enrollment.services import enrollment_create

    by_pk = {
        course.pk: course
        for course in CoursePage.objects.live().filter(pk__in=[c.pk for c in courses])
    }
    live = [by_pk[course.pk] for course in courses if course.pk in by_pk]
    if not live:
        return []
    existing = Enrollment.objects.current().filter(user=student, course=live[0]).first()
    return [existing or enrollment_create(user=student, course=live[0])]


def ensure_demo_certificate(*, student, courses) -> list:
    """The demo student has completed the second live demo course and holds its certificate
    (PDF rendered here, so it is there before a worker runs)."""
    from cms.models import CourseLesson, CoursePage
    from learning.certificates import services as certificate_services
    from learning.certificates.models import Certificate
    from learning.enrollment.models import Enrollment
    from learning.enrollment.services import enrollment_create
    from learning.progress.models import LessonProgress
    from learning.progress.services import lesson_complete

    live = list(CoursePage.objects.live().filter(pk__in=[c.pk for c in courses]).order_by("pk"))
    if len(live) < 2:
        return []
    course = live[1]
    existing = Certificate.objects.filter(user=student, course=course).first()
    if existing is not None:
        return [existing]
    enrollment = Enrollment.objects.current().filter(user=student, course=course).first()
    if enrollment is None:
        # Given by the demo admin (a paid course: no purchase flow exists yet).
        enrollment = enrollment_create(user=student, course=course, source=Enrollment.Source.ADMIN)
    by = {
        CourseLesson.Kind.VIDEO: LessonProgress.CompletedBy.WATCHING,
        CourseLesson.Kind.QUIZ: LessonProgress.CompletedBy.ASSESSMENT,
    }
    lessons = CourseLesson.objects.filter(course=course, is_live=True, optional=False)
    for lesson in lessons.order_by("position"):
        lesson_complete(
            user=student, lesson=lesson, by=by.get(lesson.kind, LessonProgress.CompletedBy.LEARNER)
        )
    enrollment.refresh_from_db()
    if enrollment.status != Enrollment.Status.COMPLETED or not course.certificate_enabled:
        return []
    certificate, _ = certificate_services.certificate_issue(enrollment=enrollment)
    certificate_services.certificate_render_pdf(certificate_id=certificate.pk)
    return [certificate]


def ensure_demo_attempts(*, student, enrollments) -> list:
    """The demo student has one submitted (passed, not perfect) attempt at the first quiz
    of their course, so grades and the gradebook show something. Idempotent."""
    from cms.models import CourseLesson
    from learning.assessment import content, services
    from learning.assessment.models import QuizAttempt

    if not enrollments:
        return []
    course = enrollments[0].course
    lesson = (
        CourseLesson.objects.select_related("section")
        .filter(course=course, kind=CourseLesson.Kind.QUIZ, is_live=True)
        .order_by("position")
        .first()
    )
    if lesson is None:
        return []
    existing = QuizAttempt.objects.filter(user=student, lesson=lesson).first()
    if existing is not None:
        return [existing]
    attempt, _ = services.attempt_start(user=student, course=course, lesson=lesson)
    quiz = content.quiz_at(attempt.revision_id, str(lesson.lesson_id))
    answers = {}
    for question_id, key in quiz.keys.items():
        if key["type"] in ("single_choice",):
            answers[question_id] = key["correct_choice_ids"][0]
        elif key["type"] == "multiple_choice":
            answers[question_id] = key["correct_choice_ids"][:1]  # half the points
        elif key["type"] == "true_false":
            answers[question_id] = key["correct_answer"]
        elif key["type"] == "numeric":
            answers[question_id] = key["answer"]
        # the short text question is left unanswered
    return [services.attempt_submit(user=student, attempt_id=attempt.pk, answers=answers)]
