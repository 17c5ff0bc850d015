"""Writes that keep derived course data in step with published content."""

from __future__ import annotations

from django.db import transaction

from cms import headless
from cms.models import CoursePage, CourseStats, SectionPage


@transaction.atomic
def course_stats_refresh(*, course: CoursePage) -> CourseStats:
    """Recount the live sections and lessons of a course."""
    sections = SectionPage.objects.live().child_of(course).only("pk", "lessons")
    outline = headless.outline_of_sections(sections)
    stats, _ = CourseStats.objects.update_or_create(
        course=course,
        defaults={
            "section_count": len(outline["sections"]),
            "lesson_count": outline["lesson_count"],
            "total_minutes": outline["total_minutes"],
        },
    )
    return stats


def course_of(page) -> CoursePage | None:
    page = page.specific_deferred if type(page) not in (CoursePage, SectionPage) else page
    if isinstance(page, CoursePage):
        return page
    if isinstance(page, SectionPage):
        return CoursePage.objects.filter(path=page.path[: -CoursePage.steplen]).first()
    return None


def course_content_changed(*, page) -> CoursePage | None:
    """Called when a course or section is published, unpublished or scheduled: drop cached
    content and recount. Other pages are ignored."""
    course = course_of(page)
    if course is None:
        return None
    headless.course_content_changed(course.pk)
    course_stats_refresh(course=course)
    return course
