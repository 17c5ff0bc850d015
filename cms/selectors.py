"""Reads of course content, shaped for their callers."""

from __future__ import annotations

from django.db.models import (
    CharField,
    Exists,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.utils import timezone
from wagtail.images import get_image_model
from wagtail.models import PageViewRestriction

from cms.models import CourseInstructor, CoursePage, SectionPage

COVER_RENDITIONS = {"thumbnail": "fill-400x225", "card": "fill-800x450"}


def _view_restricted():
    """True for pages behind a view restriction (theirs or an ancestor's). Like
    ``.public()``, but inside the query instead of a query of its own."""
    return Exists(
        PageViewRestriction.objects.annotate(
            target_path=ExpressionWrapper(OuterRef("path"), output_field=CharField())
        ).filter(target_path__startswith=F("page__path"))
    )


def live_courses() -> QuerySet[CoursePage]:
    """Published courses that have not expired (the scheduled unpublish may not have run
    yet), with what the catalog shows about them."""
    now = timezone.now()
    return (
        CoursePage.objects.live()
        .filter(Q(expire_at__isnull=True) | Q(expire_at__gt=now))
        .exclude(_view_restricted())
        .select_related("category__parent__parent", "stats")
        .prefetch_related(
            Prefetch(
                "cover_image",
                queryset=get_image_model().objects.prefetch_renditions(*COVER_RENDITIONS.values()),
            ),
            Prefetch(
                "course_instructors",
                queryset=CourseInstructor.objects.select_related("user").order_by("sort_order"),
            ),
            "tags",
        )
    )


CATALOG_COLUMNS = (
    "id",
    "path",
    "url_path",
    "slug",
    "title",
    "subtitle",
    "level",
    "language",
    "price",
    "currency",
    "first_published_at",
    "cover_image",
    "category__id",
    "category__slug",
    "category__name",
    "category__parent__id",
    "category__parent__slug",
    "category__parent__name",
    "category__parent__parent__id",
    "category__parent__parent__slug",
    "category__parent__parent__name",
    "stats__lesson_count",
    "stats__total_minutes",
)


def catalog_courses() -> QuerySet[CoursePage]:
    """:func:`live_courses` loading only the columns the catalog shows (no descriptions,
    outcomes or settings)."""
    return live_courses().only(*CATALOG_COLUMNS)


def next_course_expiry():
    """The earliest expire time still ahead among live courses, or None."""
    return (
        CoursePage.objects.live()
        .filter(expire_at__gt=timezone.now())
        .aggregate(next=Min("expire_at"))["next"]
    )


def live_course_ids() -> QuerySet[CoursePage]:
    """The ids of the courses :func:`live_courses` returns, as a light subquery."""
    now = timezone.now()
    return (
        CoursePage.objects.live()
        .filter(Q(expire_at__isnull=True) | Q(expire_at__gt=now))
        .exclude(_view_restricted())
        .values("pk")
    )


def live_course(course_id: int) -> CoursePage | None:
    return live_courses().filter(pk=course_id).first()


def live_sections(course: CoursePage) -> QuerySet[SectionPage]:
    """The course's live sections in the order of the page tree."""
    return SectionPage.objects.live().child_of(course).exclude(_view_restricted()).order_by("path")


def live_section(course: CoursePage, section_id: int) -> SectionPage | None:
    return live_sections(course).filter(pk=section_id).first()


def draft_sections(course: CoursePage) -> list[SectionPage]:
    """The latest (possibly unpublished) version of every section, for previews."""
    return (
        [
            section.get_latest_revision_as_object()
            for section in SectionPage.objects.child_of(course).order_by("path")
        ]
        if course.pk
        else []
    )


def live_prerequisites(course: CoursePage) -> QuerySet[CoursePage]:
    return (
        CoursePage.objects.live()
        .filter(required_by=course)
        .only("pk", "slug", "title")
        .order_by("title", "pk")
    )


def sections_in_review(course: CoursePage) -> list[SectionPage]:
    """The course's sections whose review is in progress, in tree order."""
    from wagtail.models import WorkflowState

    in_review = WorkflowState.objects.filter(
        status=WorkflowState.STATUS_IN_PROGRESS,
        base_content_type_id=course.get_base_content_type().pk,
    ).values_list("object_id", flat=True)
    return list(
        SectionPage.objects.child_of(course)
        .filter(pk__in=[int(pk) for pk in in_review])
        .order_by("path")
    )


def course_of(page) -> CoursePage | None:
    """The course a course or section page belongs to; None for other pages."""
    page = page.specific_deferred if type(page) not in (CoursePage, SectionPage) else page
    if isinstance(page, CoursePage):
        return page
    if isinstance(page, SectionPage):
        return CoursePage.objects.filter(path=page.path[: -CoursePage.steplen]).first()
    return None
