"""Seed a load-test database in minutes: courses as live Wagtail pages (tree inserts, no
revisions), then learners, enrollments and lesson progress with bulk inserts.

Idempotent per scale: a second run with the same numbers finds everything and returns at once.
"""

from __future__ import annotations

import random
import time
import uuid
from datetime import timedelta

LESSONS_PER_SECTION = 5
SECTIONS_PER_COURSE = 2
BATCH = 5000


def _lesson(n: int, free: bool) -> dict:
    return {
        "type": "reading",
        "id": str(uuid.uuid4()),
        "value": {
            "title": f"Lesson {n}",
            "summary": "A reading lesson.",
            "estimated_minutes": 5,
            "free_preview": free,
            "optional": False,
            "content": [
                {
                    "type": "paragraph",
                    "id": str(uuid.uuid4()),
                    "value": "<p>Load-test lesson text, a few sentences long.</p>" * 8,
                }
            ],
        },
    }


def _courses(count: int, log) -> list[int]:
    from django.utils import timezone

    from cms.models import CourseCategory, CourseIndexPage, CoursePage, SectionPage
    from cms.services import course_stats_refresh
    from learning.demo.services import ensure_home_page

    existing = list(
        CoursePage.objects.filter(slug__startswith="load-")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if len(existing) >= count:
        return existing[:count]
    home = ensure_home_page()
    catalog = CourseIndexPage.objects.first()
    if catalog is None:
        catalog = CourseIndexPage(title="Courses", slug="courses")
        home.add_child(instance=catalog)
        catalog.save_revision().publish()
    category, _ = CourseCategory.objects.get_or_create(slug="load", defaults={"name": "Load"})
    now = timezone.now()
    started = time.monotonic()
    catalog = CourseIndexPage.objects.get(pk=catalog.pk)
    for n in range(len(existing), count):
        course = CoursePage(
            title=f"Load course {n}",
            slug=f"load-{n:05}",
            subtitle="A course for the load test",
            description="<p>What this course teaches.</p>",
            category=category,
            live=True,
            first_published_at=now - timedelta(minutes=n),
            last_published_at=now,
        )
        catalog.add_child(instance=course)
        catalog = CourseIndexPage.objects.get(pk=catalog.pk)  # treebeard's numchild
        for s in range(SECTIONS_PER_COURSE):
            section = SectionPage(
                title=f"Section {s}",
                slug=f"section-{s}",
                live=True,
                first_published_at=now,
                last_published_at=now,
                lessons=[
                    _lesson(s * LESSONS_PER_SECTION + i, free=(s == 0 and i == 0))
                    for i in range(LESSONS_PER_SECTION)
                ],
            )
            course.add_child(instance=section)
            course = CoursePage.objects.get(pk=course.pk)
        course_stats_refresh(course=course)
        if n % 100 == 99:
            log(f"  {n + 1} courses ({time.monotonic() - started:.0f} s)")
    return list(
        CoursePage.objects.filter(slug__startswith="load-")
        .order_by("pk")
        .values_list("pk", flat=True)
    )[:count]


def _learners(count: int, log) -> list[int]:
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from learning.accounts.models import User

    have = User.objects.filter(email__endswith="@load.test").count()
    if have < count:
        password = make_password("load-test-password")
        now = timezone.now()
        for start in range(have, count, BATCH):
            User.objects.bulk_create(
                [
                    User(
                        email=f"learner{n}@load.test",
                        password=password,
                        display_name=f"Learner {n}",
                        email_verified_at=now,
                    )
                    for n in range(start, min(count, start + BATCH))
                ]
            )
        log(f"  {count} learners")
    return list(
        User.objects.filter(email__endswith="@load.test")
        .order_by("pk")
        .values_list("pk", flat=True)
    )[:count]


def _enrollments_and_progress(
    learners: list[int], courses: list[int], per_learner: int, progress: int, log
) -> None:
    from django.utils import timezone

    from cms.models import CourseLesson
    from learning.enrollment.models import Enrollment
    from learning.progress.models import LessonProgress

    if Enrollment.objects.filter(user_id__in=learners[:1]).exists():
        return
    rng = random.Random(18)  # noqa: S311  (test data, not secrets)
    lessons: dict[int, list[int]] = {}
    for course_id, pk in (
        CourseLesson.objects.filter(course_id__in=courses, is_live=True)
        .order_by("position")
        .values_list("course_id", "pk")
    ):
        lessons.setdefault(course_id, []).append(pk)
    now = timezone.now()
    rows, made = [], 0
    enrolled: list[tuple[int, int]] = []
    for user_id in learners:
        for course_id in rng.sample(courses, per_learner):
            enrolled.append((user_id, course_id))
            rows.append(Enrollment(user_id=user_id, course_id=course_id, source="self"))
            if len(rows) >= BATCH:
                Enrollment.objects.bulk_create(rows)
                rows = []
    Enrollment.objects.bulk_create(rows)
    log(f"  {len(enrolled)} enrollments")
    per_enrollment = max(1, progress // max(1, len(enrolled)))
    rows = []
    for user_id, course_id in enrolled:
        for lesson_pk in lessons[course_id][:per_enrollment]:
            done = rng.random() < 0.6
            rows.append(
                LessonProgress(
                    user_id=user_id,
                    course_id=course_id,
                    lesson_id=lesson_pk,
                    status="completed" if done else "in_progress",
                    fraction=1.0 if done else 0.4,
                    completed_at=now if done else None,
                    completed_by="learner" if done else "",
                )
            )
            made += 1
            if len(rows) >= BATCH:
                LessonProgress.objects.bulk_create(rows)
                rows = []
            if made >= progress:
                break
        if made >= progress:
            break
    LessonProgress.objects.bulk_create(rows)
    log(f"  {made} progress rows")


def seed(*, courses: int, learners: int, enrollments: int, progress: int, log=print) -> dict:
    """Seed (or find) the data; returns the ids the scenarios use."""
    started = time.monotonic()
    course_ids = _courses(courses, log)
    learner_ids = _learners(learners, log)
    _enrollments_and_progress(learner_ids, course_ids, enrollments, progress, log)
    log(f"seeded in {time.monotonic() - started:.0f} s")
    return {"courses": course_ids, "learners": learner_ids}
