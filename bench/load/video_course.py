"""A live course of video lessons for the heartbeat scenario: heartbeats on reading lessons are
refused before any write (``not_a_video``), so only a ready video measures the path players
use (allowance lock, progress rows, receipts, events, the enrollment's activity).

The video is an asset row marked ready with a duration (heartbeats read only that; no files).
Idempotent: the course is found by its slug; learners already enrolled are kept.
"""

from __future__ import annotations

import uuid

SLUG = "load-video-course"
LESSONS = 3
DURATION_SECONDS = 3600.0


def _video_lesson(n: int, asset_id: int) -> dict:
    return {
        "type": "video",
        "id": str(uuid.uuid4()),
        "value": {
            "title": f"Video {n}",
            "summary": "",
            "estimated_minutes": 60,
            "free_preview": False,
            "optional": False,
            "video": {"video": asset_id, "title": "", "caption": ""},
            "checkpoints": [],
            "notes": "",
        },
    }


def heartbeat_batch(lesson_id: str, event_id) -> dict:
    """A player's batch: ten 1-second spans of ``lesson_id`` from the start; ``event_id()``
    gives each event's id. Past the learner's allowance spans are cut
    (``faster_than_playback``), as for a player that sends faster than real time: the whole
    write path still runs (allowance lock, progress row, receipts)."""
    return {
        "events": [
            {
                "client_event_id": event_id(),
                "lesson_id": lesson_id,
                "start": float(n),
                "end": float(n + 1),
                "position": float(n + 1),
                "playback_rate": 1.0,
                "client_time": "2026-01-01T00:00:00Z",
            }
            for n in range(10)
        ]
    }


def _course():
    from django.utils import timezone

    from cms.models import CourseIndexPage, CoursePage, SectionPage
    from media_pipeline.models import VideoAsset

    found = CoursePage.objects.filter(slug=SLUG).first()
    if found is not None:
        return found
    asset = VideoAsset.objects.create(
        title="Load-test video",
        original_filename="load.mp4",
        content_type="video/mp4",
        size_bytes=1,
        upload_backend=VideoAsset.UploadBackend.DIRECT,
        status=VideoAsset.Status.READY,
        duration_seconds=DURATION_SECONDS,
        processed_at=timezone.now(),
    )
    catalog = CourseIndexPage.objects.first()
    now = timezone.now()
    course = CoursePage(
        title="Load video course",
        slug=SLUG,
        subtitle="Heartbeats",
        description="<p>Video lessons.</p>",
        live=True,
        first_published_at=now,
        last_published_at=now,
    )
    catalog.add_child(instance=course)
    course.add_child(
        instance=SectionPage(
            title="Videos",
            slug="videos",
            live=True,
            first_published_at=now,
            last_published_at=now,
            lessons=[_video_lesson(n, asset.pk) for n in range(LESSONS)],
        )
    )
    return CoursePage.objects.get(pk=course.pk)


def ensure(user_ids: list[int]) -> dict:
    """The course, every user enrolled and its first lesson opened (started: heartbeats are
    credited from then on); returns ``{"course": id, "lessons": [lesson ids]}``."""
    from cms.models import CourseLesson
    from cms.services import course_stats_refresh
    from learning.accounts.models import User
    from learning.enrollment.models import Enrollment
    from learning.progress import services

    course = _course()
    course_stats_refresh(course=course)  # the lesson index heartbeats read (idempotent)
    lessons = list(
        CourseLesson.objects.filter(
            course=course, is_live=True, kind=CourseLesson.Kind.VIDEO
        ).order_by("position")
    )
    if not lessons:
        raise SystemExit("the video course has no live video lessons")
    enrolled = set(
        Enrollment.objects.filter(course=course, user_id__in=user_ids).values_list(
            "user_id", flat=True
        )
    )
    Enrollment.objects.bulk_create(
        [
            Enrollment(user_id=user_id, course=course, source="self")
            for user_id in user_ids
            if user_id not in enrolled
        ]
    )
    for user in User.objects.filter(pk__in=user_ids):
        services.lesson_open(user=user, lesson=lessons[0])
    return {"course": course.pk, "lessons": [str(lesson.lesson_id) for lesson in lessons]}
