"""Certificates for tests: a completed enrollment in a short course, and its certificate."""

from __future__ import annotations

import io

from learning.certificates import services
from learning.enrollment.models import Enrollment
from learning.progress import services as progress_services
from learning.progress.selectors import course_lesson
from tests.factories import courses as cf
from tests.factories import learning as lf


def reading_course(*, instructors=(), title: str = "Certified course", **fields):
    """A live course with one section of two readings (5 and 25 minutes). Returns
    ``(course, [lesson ids])``."""
    page = cf.course(instructors=instructors, title=title, **fields)
    part = cf.section(
        page, title="Only part", lessons=[cf.reading("One"), cf.reading("Two", minutes=25)]
    )
    return page, [child.id for child in part.lessons]


def complete(user, course, lesson_ids) -> Enrollment:
    """Enroll ``user`` and complete every lesson (the course completes)."""
    lf.enroll(user, course)
    for lesson_id in lesson_ids:
        progress_services.reading_mark_complete(
            user=user, lesson=course_lesson(course.pk, lesson_id)
        )
    return Enrollment.objects.get(user=user, course=course, status="completed")


def issued(user, course=None, *, instructors=()):
    """A certificate issued (not yet rendered) for ``user`` completing a new course."""
    if course is None:
        course, lessons = reading_course(instructors=instructors)
    else:
        lessons = list(course.lesson_index.filter(is_live=True).values_list("lesson_id", flat=True))
    enrollment = complete(user, course, lessons)
    certificate, _ = services.certificate_issue(enrollment=enrollment)
    return certificate


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)
