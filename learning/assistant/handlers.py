"""Reactions of the AI tutor to other apps, listed in their settings (the media pipeline
knows no learning apps): ``MEDIA_CAPTIONS_HANDLERS``."""

from __future__ import annotations

from cms.models import CourseLesson


def video_captions_changed(asset) -> None:
    """A video's captions changed (uploaded, generated from speech, deleted): rebuild the
    tutor index of every live course that shows the video, in a worker. Runs after the
    commit that changed the captions."""
    if asset is None:
        return
    from learning.assistant.tasks import index_course

    course_ids = (
        CourseLesson.objects.filter(video_id=asset.pk, is_live=True)
        .values_list("course_id", flat=True)
        .distinct()
        .order_by("course_id")
    )
    for course_id in course_ids:
        index_course.delay(course_id)
