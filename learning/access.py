"""Who may open a lesson, play a course's video and see a course's learners: the one access
policy the API applies.

- Free-preview lessons (and their videos) are open to everyone.
- Other lessons are open to the course's current learners (active or completed
  enrollment), its instructors and course reviewers (editors, admins).
- A course's roster is open to its instructors and to reviewers.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from cms.models import (
    REVIEW_PERMISSION,
    TEACH_PERMISSION,
    CourseInstructor,
    CourseLesson,
    CoursePage,
    CourseStaff,
)
from config.errors import DomainError, ErrorKind
from learning.enrollment.models import Enrollment
from media_pipeline import access as media_access


class EnrollmentRequired(DomainError):
    kind = ErrorKind.FORBIDDEN
    code = "enrollment_required"
    default_message = "Enroll in this course to open this lesson."


def _signed_in(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_course_staff(user, course: CoursePage) -> bool:
    """Instructors of the course (those its latest revision lists, published or not:
    ``cms.CourseStaff``), and reviewers of every course."""
    if not _signed_in(user):
        return False
    if user.has_perm(REVIEW_PERMISSION):
        return True
    prefetched = getattr(course, "_prefetched_objects_cache", {}).get("staff")
    if prefetched is not None:
        return any(member.user_id == user.pk for member in prefetched)
    return CourseStaff.objects.filter(course=course, user=user).exists()


def is_current_learner(user, course: CoursePage) -> bool:
    return (
        _signed_in(user) and Enrollment.objects.current().filter(user=user, course=course).exists()
    )


def can_open_lesson(
    user, course: CoursePage, *, free_preview: bool, enrolled: bool | None = None
) -> bool:
    """``enrolled`` may be passed by callers that already know (saves a query)."""
    if free_preview:
        return True
    if not _signed_in(user):
        return False
    if enrolled:
        return True
    if is_course_staff(user, course):
        return True
    return enrolled if enrolled is not None else is_current_learner(user, course)


def ensure_can_open_lesson(
    user, course: CoursePage, *, free_preview: bool, enrolled: bool | None = None
) -> None:
    """Raise :class:`EnrollmentRequired` unless :func:`can_open_lesson`."""
    if not can_open_lesson(user, course, free_preview=free_preview, enrolled=enrolled):
        raise EnrollmentRequired()


def can_play_course_video(user, asset) -> bool:
    """The playback policy (``MEDIA_PLAYBACK_POLICY``): the media library's own rule (owner,
    editors), plus anyone for a video in a live free-preview lesson, plus the learners,
    instructors and reviewers of live courses whose live lessons use the video."""
    if media_access.can_play(user, asset):
        return True
    lessons = CourseLesson.objects.filter(video=asset, is_live=True, course__live=True)
    if lessons.filter(free_preview=True).exists():
        return True
    if not _signed_in(user):
        return False
    if user.has_perm(REVIEW_PERMISSION):
        return lessons.exists()
    return lessons.filter(
        Exists(Enrollment.objects.current().filter(course=OuterRef("course"), user=user))
        | Exists(CourseInstructor.objects.filter(course=OuterRef("course"), user=user))
    ).exists()


def can_view_rosters(user) -> bool:
    """Whether ``user`` may open course rosters at all (instructors and reviewers); which
    courses' rosters is :func:`staff_courses_filter`."""
    return _signed_in(user) and (
        user.has_perm(TEACH_PERMISSION) or user.has_perm(REVIEW_PERMISSION)
    )


def staff_courses_filter(user) -> Q:
    """Courses whose roster ``user`` may see, as a filter on CoursePage."""
    if not _signed_in(user):
        return Q(pk__in=[])
    if user.has_perm(REVIEW_PERMISSION):
        return Q()
    return Q(staff__user=user)
