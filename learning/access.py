"""Who may open a lesson: the one access policy the API applies to lesson bodies (and,
later, to a course's video playback).

Free-preview lessons are open to everyone. Other lessons are open to the course's
instructors and to course reviewers (editors, admins); enrolled learners join them when
enrollment lands, here and nowhere else.
"""

from __future__ import annotations

from cms.models import REVIEW_PERMISSION, CoursePage
from config.errors import DomainError


class EnrollmentRequired(DomainError):
    status = 403
    code = "enrollment_required"
    default_message = "Enroll in this course to open this lesson."


def can_open_lesson(user, course: CoursePage, *, free_preview: bool) -> bool:
    if free_preview:
        return True
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.has_perm(REVIEW_PERMISSION):
        return True
    # Uses the instructors prefetched by cms.selectors.live_courses() when present.
    return any(ci.user_id == user.pk for ci in course.course_instructors.all())


def ensure_can_open_lesson(user, course: CoursePage, *, free_preview: bool) -> None:
    """Raise :class:`EnrollmentRequired` unless :func:`can_open_lesson`."""
    if not can_open_lesson(user, course, free_preview=free_preview):
        raise EnrollmentRequired()
