"""Enrollment reads, shaped for their callers."""

from __future__ import annotations

from django.db.models import F, FloatField, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Cast, Coalesce, NullIf

from cms.models import CourseInstructor, CoursePage
from learning.access import is_course_staff, staff_courses_filter
from learning.enrollment import errors
from learning.enrollment.models import Enrollment, EnrollmentInvitation
from learning.progress.selectors import annotate_percent

ROSTER_ORDERINGS = {
    "enrolled_at": ("enrolled_at", "pk"),
    "-enrolled_at": ("-enrolled_at", "-pk"),
    "name": ("user__last_name", "user__first_name", "user__email", "pk"),
    "-name": ("-user__last_name", "-user__first_name", "-user__email", "-pk"),
    "email": ("user__email", "pk"),
    "-email": ("-user__email", "-pk"),
    "progress": ("progress_ratio", "pk"),
    "-progress": ("-progress_ratio", "-pk"),
    "last_activity": (F("last_activity_at").asc(nulls_first=True), "pk"),
    "-last_activity": (F("last_activity_at").desc(nulls_last=True), "-pk"),
}


def current_enrollment(user, course_id: int) -> Enrollment | None:
    if user is None or not user.is_authenticated:
        return None
    return (
        annotate_percent(Enrollment.objects.current().filter(user=user, course_id=course_id))
        .order_by()
        .first()
    )


def learner_enrollments(user, *, status: str | None = None) -> QuerySet[Enrollment]:
    """The learner dashboard: current enrollments by default (newest activity first), with
    each course's catalog summary prefetched and percent complete annotated."""
    rows = Enrollment.objects.filter(user=user)
    rows = rows.filter(status=status) if status else rows.current()
    courses = CoursePage.objects.select_related("category__parent__parent", "stats", "cover_image")
    courses = courses.prefetch_related(
        Prefetch(
            "course_instructors",
            queryset=CourseInstructor.objects.select_related("user").order_by("sort_order"),
        ),
        "tags",
    )
    return annotate_percent(
        rows.prefetch_related(Prefetch("course", queryset=courses)).order_by(
            F("last_activity_at").desc(nulls_last=True), "-enrolled_at", "-pk"
        )
    )


def course_roster(
    course: CoursePage, *, q: str = "", status: str | None = None, ordering: str = "name"
) -> QuerySet[Enrollment]:
    """A course's learners (current enrollments unless ``status`` says otherwise), with
    their progress, searchable by name and email."""
    rows = Enrollment.objects.filter(course=course).select_related("user")
    rows = rows.filter(status=status) if status else rows.current()
    if q:
        terms = Q()
        for field in ("user__email", "user__first_name", "user__last_name", "user__display_name"):
            terms |= Q(**{f"{field}__icontains": q})
        rows = rows.filter(terms)
    rows = annotate_percent(rows).annotate(
        progress_ratio=Coalesce(
            F("minutes_done") / NullIf(Cast("minutes_total", FloatField()), Value(0.0)),
            Value(0.0),
            output_field=FloatField(),
        )
    )
    return rows.order_by(*ROSTER_ORDERINGS.get(ordering, ROSTER_ORDERINGS["name"]))


def staff_course(user, course_id: int) -> CoursePage:
    """The course whose roster ``user`` manages. :class:`~errors.CourseNotFound` for unknown
    courses and for unpublished ones they are not staff of (their existence is not
    revealed); :class:`~errors.NotCourseStaff` for published ones."""
    course = CoursePage.objects.filter(pk=course_id).prefetch_related("staff").first()
    if course is None:
        raise errors.CourseNotFound()
    if not is_course_staff(user, course):
        if not course.live:
            raise errors.CourseNotFound()
        raise errors.NotCourseStaff()
    return course


def roster_row(course: CoursePage, enrollment_id: int) -> Enrollment:
    """One row of :func:`course_roster` (with progress), e.g. for a learner just enrolled."""
    return course_roster(course, status=None).get(pk=enrollment_id)


def roster_entry(course: CoursePage, enrollment_id: int) -> Enrollment:
    """A current enrollment of ``course`` (RosterEntryNotFound otherwise)."""
    entry = Enrollment.objects.current().filter(pk=enrollment_id, course=course).first()
    if entry is None:
        raise errors.RosterEntryNotFound()
    return entry


def invitation(course: CoursePage, invitation_id: int) -> EnrollmentInvitation:
    """One invitation (of any status) to ``course`` (RosterEntryNotFound otherwise)."""
    found = EnrollmentInvitation.objects.filter(pk=invitation_id, course=course).first()
    if found is None:
        raise errors.RosterEntryNotFound()
    return found


def pending_invitations(course: CoursePage) -> QuerySet[EnrollmentInvitation]:
    return EnrollmentInvitation.objects.filter(
        course=course, status=EnrollmentInvitation.Status.PENDING
    ).select_related("invited_by")


def roster_courses(user) -> QuerySet[CoursePage]:
    """The courses whose roster ``user`` may see (every course for reviewers, their own for
    instructors, none for others), by title: the course choices of the admin roster."""
    return CoursePage.objects.filter(staff_courses_filter(user)).distinct().order_by("title", "pk")


def enrollment_count_within(page) -> int:
    """How many enrollments (of any status) point at ``page`` or a course below it: the
    records that deleting the page would have to delete, which are protected."""
    return Enrollment.objects.filter(course__path__startswith=page.path).count()


def enrollments_export(user) -> list[dict]:
    return [
        {
            "course_id": row.course_id,
            "status": row.status,
            "source": row.source,
            "enrolled_at": row.enrolled_at.isoformat(),
            "completed_at": row.completed_at.isoformat() if row.completed_at else None,
            "ended_at": row.ended_at.isoformat() if row.ended_at else None,
        }
        for row in Enrollment.objects.filter(user=user).order_by("enrolled_at", "pk")
    ]
