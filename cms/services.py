"""Writes that keep derived course data in step with published content."""

from __future__ import annotations

from django.db import transaction

from cms import headless, selectors
from cms.blocks import VideoLessonBlock
from cms.models import CourseLesson, CoursePage, CourseStaff, CourseStats, SectionPage
from cms.selectors import course_of


def _lesson_index_sync(course: CoursePage, sections: list[SectionPage], outline: dict) -> None:
    """Upsert one :class:`CourseLesson` per live lesson; mark the others not live."""
    rows = []
    for section, outlined in zip(sections, outline["sections"], strict=True):
        videos = {
            raw["id"]: VideoLessonBlock.video_id_from_raw(raw["value"])
            for raw in section.lessons.raw_data
            if raw["type"] == "video"
        }
        for lesson in outlined["lessons"]:
            rows.append(
                CourseLesson(
                    course=course,
                    lesson_id=lesson["id"],
                    section=section,
                    kind=lesson["kind"],
                    title=lesson["title"][:200],
                    position=len(rows),
                    estimated_minutes=lesson["estimated_minutes"] or 0,
                    optional=lesson["optional"],
                    free_preview=lesson["free_preview"],
                    video_id=videos.get(lesson["id"]),
                    is_live=True,
                )
            )
    if rows:
        CourseLesson.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["course", "lesson_id"],
            update_fields=[
                "section",
                "kind",
                "title",
                "position",
                "estimated_minutes",
                "optional",
                "free_preview",
                "video",
                "is_live",
            ],
        )
    CourseLesson.objects.filter(course=course, is_live=True).exclude(
        lesson_id__in=[row.lesson_id for row in rows]
    ).update(is_live=False)


@transaction.atomic
def course_stats_refresh(*, course: CoursePage) -> CourseStats:
    """Recount the live sections and lessons of a course and sync its lesson index."""
    sections = list(SectionPage.objects.live().child_of(course).order_by("path"))
    outline = headless.outline_of_sections(sections)
    _lesson_index_sync(course, sections, outline)
    stats, _ = CourseStats.objects.update_or_create(
        course=course,
        defaults={
            "section_count": len(outline["sections"]),
            "lesson_count": outline["lesson_count"],
            "total_minutes": outline["total_minutes"],
        },
    )
    return stats


def course_content_changed(*, page) -> CoursePage | None:
    """Called when a course or section is published, unpublished or scheduled: drop cached
    content and recount. Other pages are ignored."""
    course = course_of(page)
    if course is None:
        return None
    headless.course_content_changed(course.pk)
    # Again once the publish commits: a request between the first bump and the commit reads
    # the old rows and may cache them under the new generation.
    transaction.on_commit(lambda: headless.course_content_changed(course.pk))
    course_stats_refresh(course=course)
    return course


def lesson_index_backfill() -> int:
    """Index the live courses that have no lesson index yet (idempotent, cheap when done)."""
    missing = CoursePage.objects.live().exclude(pk__in=CourseLesson.objects.values("course_id"))
    count = 0
    for course in missing:
        course_stats_refresh(course=course)
        count += 1
    return count


def course_staff_sync(*, course: CoursePage) -> None:
    """Make :class:`~cms.models.CourseStaff` list exactly the instructors on ``course`` as
    being saved (its in-memory list: the revision's, not necessarily the live one's)."""
    wanted = {ci.user_id for ci in course.course_instructors.all() if ci.user_id}
    with transaction.atomic():
        CourseStaff.objects.filter(course_id=course.pk).exclude(user_id__in=wanted).delete()
        CourseStaff.objects.bulk_create(
            [CourseStaff(course_id=course.pk, user_id=user_id) for user_id in sorted(wanted)],
            ignore_conflicts=True,
        )


# --- A course is reviewed and published as one unit ------------------------------------------


@transaction.atomic
def course_sections_submit(*, course: CoursePage, workflow, user) -> list[SectionPage]:
    """Submit, with the course, every section that has changes nobody reviewed yet (new
    sections and sections edited since they were published) and is not in review already."""
    submitted = []
    for section in SectionPage.objects.child_of(course).order_by("path"):
        if section.live and not section.has_unpublished_changes:
            continue
        if section.workflow_in_progress or section.get_latest_revision() is None:
            continue
        workflow.start(section, user)
        submitted.append(section)
    return submitted


@transaction.atomic
def course_sections_publish_with(*, course: CoursePage, user) -> list[SectionPage]:
    """Approve and publish the sections waiting for review together with their course, in
    the course's transaction: the catalog never sees the course without them."""
    published = []
    for section in selectors.sections_in_review(course):
        state = section.current_workflow_state
        # Every remaining task of the section's review is approved in the course's name.
        for _ in range(20):
            if state.status != state.STATUS_IN_PROGRESS or state.current_task_state is None:
                break
            state.current_task_state.specific.approve(
                user=user, comment=f"Approved with the course “{course.title}”."
            )
            state.refresh_from_db()
        published.append(section)
    return published


@transaction.atomic
def course_sections_withdraw(*, course: CoursePage, user) -> list[SectionPage]:
    """Cancel the reviews of sections submitted with a course whose review was cancelled
    or sent back: they go back to review with the course next time."""
    withdrawn = []
    for section in selectors.sections_in_review(course):
        section.current_workflow_state.cancel(user=user)
        withdrawn.append(section)
    return withdrawn
