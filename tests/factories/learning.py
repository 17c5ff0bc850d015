"""Enrollment and progress for tests: video courses, enrollments and heartbeats."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.db.models import F
from django.utils import timezone

from cms.models import CourseLesson
from learning.enrollment import services
from learning.enrollment.models import Enrollment
from learning.progress.models import LessonProgress, PlaybackAllowance
from tests.factories import courses as cf
from tests.factories.media import VideoAssetFactory


def video_course(*, instructors=(), duration: float = 100.0, videos: int = 1, **fields):
    """A live course with one section: ``videos`` video lessons (``duration`` seconds each,
    3 minutes), then a 5-minute reading. Returns ``(course, [lesson ids])``."""
    page = cf.course(instructors=instructors, **fields)
    clips = [VideoAssetFactory(duration_seconds=duration, status="ready") for _ in range(videos)]
    part = cf.section(
        page,
        title="Part one",
        lessons=[
            *(cf.video(f"Video {n}", asset=clip) for n, clip in enumerate(clips, 1)),
            cf.reading("Notes"),
        ],
    )
    return page, [child.id for child in part.lessons]


def enroll(user, course, source: str = Enrollment.Source.ADMIN) -> Enrollment:
    return services.enrollment_create(user=user, course=course, source=source)


def event(lesson_id, start, end, *, position=None, rate=1.0, client_time=None, event_id=None):
    return {
        "client_event_id": str(event_id or uuid.uuid4()),
        "lesson_id": str(lesson_id),
        "start": start,
        "end": end,
        "position": end if position is None else position,
        "playback_rate": rate,
        "client_time": (client_time or timezone.now()).isoformat(),
    }


def send(client, *events):
    response = client.post("/api/v2/progress/events/", {"events": list(events)}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def open_lesson(client, lesson_id, course_id: int | None = None) -> dict:
    """The player opens a lesson (``POST …/open/``): it starts, watching is credited from now."""
    if course_id is None:
        course_id = CourseLesson.objects.filter(lesson_id=lesson_id).values("course_id")[0][
            "course_id"
        ]
    response = client.post(f"/api/v2/courses/{course_id}/lessons/{lesson_id}/open/")
    assert response.status_code == 200, response.content
    return response.json()


def elapse(user, seconds: float) -> None:
    """Let ``seconds`` of wall time pass for ``user``'s progress: their allowance was last
    refilled, and their lessons were started, that much earlier."""
    delta = timedelta(seconds=seconds)
    PlaybackAllowance.objects.filter(user=user).update(refilled_at=F("refilled_at") - delta)
    LessonProgress.objects.filter(user=user).update(started_at=F("started_at") - delta)


def watch(client, user, lesson_id, start: float, end: float, *, step: float = 10.0):
    """Open the lesson if it has not started, then play ``[start, end]`` at normal speed, one
    heartbeat per ``step`` seconds."""
    if not LessonProgress.objects.filter(user=user, lesson__lesson_id=lesson_id).exists():
        open_lesson(client, lesson_id)
    body = None
    position = start
    while position < end:
        upto = min(end, position + step)
        elapse(user, upto - position)
        body = send(client, event(lesson_id, position, upto))
        position = upto
    return body
