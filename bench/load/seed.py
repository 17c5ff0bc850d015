"""Seed a load-test database at the issue's scale (1,000 courses, 100,000 learners, 10 million
lesson progress rows) in minutes, on PostgreSQL.

- **Courses** are live Wagtail pages without revisions, written straight into the page tree:
  materialised paths computed here (treebeard's steps of 4 characters), page rows and their
  course and section rows copied in with ``COPY``, the catalog's ``numchild`` set once. What
  saving each page would have done afterwards is done in bulk: the lesson index
  (:class:`cms.models.CourseLesson`) and :class:`cms.models.CourseStats` by the product's own
  ``course_stats_refresh``, the search index (the backend's ``add_bulk``), the reference index,
  and the cached course content is forgotten as a publish does.
- **Learners** (in the Students group, as sign-up does), **enrollments**, **lesson progress**
  and the learners' playback allowances are copied in with ``COPY``; every column gets the
  value the model gives it (defaults, ``auto_now``), taken from one model instance per table.
  Per course, its current learners are counted into ``CourseEnrollmentStats``.

Each phase is one transaction (foreign keys checked per statement), followed by ``VACUUM
ANALYZE`` of the tables it filled, so the benchmark starts with planner statistics and a
visibility map instead of autovacuum working under it.

Enrollments per learner: ``enrollments`` if given (an error if they cannot hold ``progress``
rows), otherwise the fewest that can: ``max(3, ceil(progress / (learners x 10)))`` (10 lessons
per course), e.g. 10 for 100,000 learners and 10 million rows. Exactly ``progress`` rows are
made, spread evenly over the enrollments, each one the first lessons of its course in order
(60 % completed, the rest in progress).

Idempotent per scale: a second run with the same numbers finds everything and returns at once.
Courses and learners missing from a database nobody is enrolled in yet are added; enrollments
and progress are made once, and a database seeded at another scale is refused (seed a fresh
one).
"""

from __future__ import annotations

import itertools
import math
import random
import time
import uuid
from datetime import timedelta

LESSONS_PER_SECTION = 5
SECTIONS_PER_COURSE = 2
LESSONS_PER_COURSE = LESSONS_PER_SECTION * SECTIONS_PER_COURSE
MIN_ENROLLMENTS = 3
COMPLETED_SHARE = 0.6
CHUNK = 500  # pages per search index / lesson index batch
COPY_ROWS = 1_000_000  # rows per COPY statement


class SeedError(Exception):
    """The requested scale cannot be seeded (or not into this database)."""


def enrollments_needed(*, learners: int, progress: int) -> int:
    """The fewest enrollments per learner that can hold ``progress`` lesson progress rows."""
    return max(MIN_ENROLLMENTS, math.ceil(progress / max(1, learners * LESSONS_PER_COURSE)))


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


# --- COPY ---------------------------------------------------------------------------------


def _columns(model, exclude=()) -> list:
    """The columns ``model`` writes into its own table (parents' tables excluded)."""
    return [f for f in model._meta.local_concrete_fields if f.attname not in exclude]


def _db_row(obj, fields) -> list:
    """``obj``'s values for ``fields`` as Django would write them on insert (defaults,
    ``auto_now``, JSON and stream data prepared)."""
    from django.db import connection

    return [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]


def _template(model, **values) -> tuple[list, dict[str, int], list]:
    """``model``'s columns (its own table's, without an ``id``), their positions by attribute
    name, and the row ``model(**values)`` would insert: the rows to copy are this one with a
    few columns changed."""
    fields = _columns(model, exclude={"id"})
    return fields, {f.attname: i for i, f in enumerate(fields)}, _db_row(model(**values), fields)


def _copy(model, fields, rows, log=None) -> int:
    """``COPY`` ``rows`` (sequences of database values, in ``fields`` order) into
    ``model``'s table, in the current transaction: one statement per ``COPY_ROWS`` rows,
    each followed by its foreign key checks (see :func:`_checked_per_statement`)."""
    from django.db import connection

    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in fields)
    sql = f"COPY {qn(model._meta.db_table)} ({columns}) FROM STDIN"  # identifiers only
    rows = iter(rows)
    count, started = 0, time.monotonic()
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        while True:
            written = 0
            with cursor.copy(sql) as copy:
                for row in itertools.islice(rows, COPY_ROWS):
                    copy.write_row(row)
                    written += 1
            count += written
            if written < COPY_ROWS:
                return count
            if log:
                log(f"      {count:,} ({time.monotonic() - started:.0f} s)")


def _checked_per_statement() -> None:
    """In the current transaction, check foreign keys after each statement rather than all
    at commit: Django's are deferred, and ten million rows would queue thirty million checks
    in the server's memory. (``synchronous_commit`` stays on: with one commit per phase it
    saves nothing, and a ``VACUUM`` right after an asynchronous commit cannot mark the new
    rows visible to all.)"""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _vacuum_analyze(*models) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(model._meta.db_table)}")


# --- Courses --------------------------------------------------------------------------------


def _load_course_ids() -> list[int]:
    """The seeded courses (``load-00000`` …; not other load-test courses such as the video
    course of the heartbeat scenario)."""
    from cms.models import CoursePage

    return list(
        CoursePage.objects.filter(slug__regex=r"^load-[0-9]{5}$")
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _catalog():
    from cms.models import CourseIndexPage
    from learning.demo.services import ensure_home_page

    home = ensure_home_page()
    catalog = CourseIndexPage.objects.first()
    if catalog is None:
        catalog = CourseIndexPage(title="Courses", slug="courses")
        home.add_child(instance=catalog)
        catalog.save_revision().publish()
    return CourseIndexPage.objects.get(pk=catalog.pk)


def _page_ids(count: int) -> list[int]:
    """Reserve ``count`` page ids from the table's own sequence."""
    from django.db import connection
    from wagtail.models import Page

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [Page._meta.db_table, count],
        )
        return [row[0] for row in cursor.fetchall()]


def _page_tree(catalog, first: int, count: int) -> tuple[list, list]:
    """Unsaved course pages ``first`` … ``first + count - 1`` and their sections, with ids,
    tree paths, URL paths and every field a saved page has."""
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone
    from wagtail.models import Page

    from cms.models import CourseCategory, CoursePage, SectionPage

    category, _ = CourseCategory.objects.get_or_create(slug="load", defaults={"name": "Load"})
    course_type = ContentType.objects.get_for_model(CoursePage)
    section_type = ContentType.objects.get_for_model(SectionPage)
    last = catalog.get_last_child()
    step = Page._str2int(last.path[-Page.steplen :]) if last else 0
    ids = iter(_page_ids(count * (1 + SECTIONS_PER_COURSE)))
    now = timezone.now()
    common = {"live": True, "has_unpublished_changes": False, "locale_id": catalog.locale_id}
    courses, sections = [], []
    for n in range(first, first + count):
        step += 1
        pk, slug, title = next(ids), f"load-{n:05}", f"Load course {n}"
        course = CoursePage(
            id=pk,
            page_ptr_id=pk,
            content_type=course_type,
            path=Page._get_path(catalog.path, catalog.depth + 1, step),
            depth=catalog.depth + 1,
            numchild=SECTIONS_PER_COURSE,
            title=title,
            draft_title=title,
            slug=slug,
            url_path=f"{catalog.url_path}{slug}/",
            first_published_at=now - timedelta(minutes=n),
            last_published_at=now,
            subtitle="A course for the load test",
            description="<p>What this course teaches.</p>",
            category=category,
            **common,
        )
        courses.append(course)
        for s in range(SECTIONS_PER_COURSE):
            pk, slug, title = next(ids), f"section-{s}", f"Section {s}"
            sections.append(
                SectionPage(
                    id=pk,
                    page_ptr_id=pk,
                    content_type=section_type,
                    path=Page._get_path(course.path, course.depth + 1, s + 1),
                    depth=course.depth + 1,
                    numchild=0,
                    title=title,
                    draft_title=title,
                    slug=slug,
                    url_path=f"{course.url_path}{slug}/",
                    first_published_at=now,
                    last_published_at=now,
                    lessons=[
                        _lesson(s * LESSONS_PER_SECTION + i, free=(s == 0 and i == 0))
                        for i in range(LESSONS_PER_SECTION)
                    ],
                    **common,
                )
            )
    return courses, sections


def _indexed(course_ids: list[int], section_ids: list[int], log) -> None:
    """What saving and publishing each page would have done: lesson index and course stats,
    search index, reference index."""
    from modelsearch.backends import get_search_backends
    from wagtail.models import ReferenceIndex

    from cms.models import CoursePage, SectionPage
    from cms.services import course_stats_refresh

    started = time.monotonic()
    for start in range(0, len(course_ids), CHUNK):
        for course in CoursePage.objects.filter(pk__in=course_ids[start : start + CHUNK]):
            course_stats_refresh(course=course)
    log(f"    lesson index and course stats ({time.monotonic() - started:.0f} s)")
    started = time.monotonic()
    backends = list(get_search_backends(with_auto_update=True))
    for model, ids in ((CoursePage, course_ids), (SectionPage, section_ids)):
        for start in range(0, len(ids), CHUNK):
            pages = list(model.get_indexed_objects().filter(pk__in=ids[start : start + CHUNK]))
            for backend in backends:
                backend.add_bulk(model, pages)
            for page in pages:
                ReferenceIndex.create_or_update_for_object(page)
    log(f"    search and reference index ({time.monotonic() - started:.0f} s)")


def _courses(count: int, log) -> list[int]:
    from django.db import transaction
    from wagtail.models import Page
    from wagtail.search.models import IndexEntry

    from cms import headless
    from cms.models import CourseLesson, CoursePage, CourseStats, SectionPage

    existing = _load_course_ids()
    if len(existing) >= count:
        return existing[:count]
    with transaction.atomic():
        _checked_per_statement()
        catalog = _catalog()
        Page.objects.select_for_update().filter(pk=catalog.pk).get()  # one tree writer
        started = time.monotonic()
        courses, sections = _page_tree(catalog, len(existing), count - len(existing))
        for model, pages in (
            (Page, courses + sections),
            (CoursePage, courses),
            (SectionPage, sections),
        ):
            fields = _columns(model)  # with the id: reserved above
            _copy(model, fields, (_db_row(page, fields) for page in pages))
        children = Page.objects.filter(path__startswith=catalog.path, depth=catalog.depth + 1)
        Page.objects.filter(pk=catalog.pk).update(numchild=children.count())
        # The first new course and section pass the model's own validation (fields, slug
        # unique among siblings, lesson stream blocks).
        CoursePage.objects.get(pk=courses[0].pk).full_clean()
        SectionPage.objects.get(pk=sections[0].pk).full_clean()
        took = time.monotonic() - started
        log(f"    {len(courses)} courses, {len(sections)} sections ({took:.0f} s)")
        new_ids = [course.pk for course in courses]
        _indexed(new_ids, [section.pk for section in sections], log)

        def forget_cached_content():
            for pk in new_ids:
                headless.course_content_changed(pk)

        transaction.on_commit(forget_cached_content)
    _vacuum_analyze(Page, CoursePage, SectionPage, CourseLesson, CourseStats, IndexEntry)
    return _load_course_ids()[:count]


# --- Learners -------------------------------------------------------------------------------


def _learner_ids():
    from learning.accounts.models import User

    return list(
        User.objects.filter(email__endswith="@load.test")
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _learners(count: int, log) -> list[int]:
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from learning.accounts import roles
    from learning.accounts.models import User

    have = User.objects.filter(email__endswith="@load.test").count()
    if have >= count:
        return _learner_ids()[:count]
    now = timezone.now()
    fields, at, row = _template(
        User,
        email="",
        password=make_password("load-test-password"),
        date_joined=now,
        email_verified_at=now,
    )

    def rows():
        for n in range(have, count):
            row[at["email"]], row[at["display_name"]] = f"learner{n}@load.test", f"Learner {n}"
            yield row

    with transaction.atomic():
        _checked_per_statement()
        made = _copy(User, fields, rows())
        # Every sign-up is a student (``user_register``).
        Membership = User.groups.through
        m_fields, m_at, m_row = _template(
            Membership, user_id=0, group_id=roles.role_group(roles.STUDENT).pk
        )
        ids = _learner_ids()

        def memberships():
            for pk in ids[have:count]:
                m_row[m_at["user_id"]] = pk
                yield m_row

        _copy(Membership, m_fields, memberships())
    _vacuum_analyze(User, Membership)
    log(f"    {made} learners")
    return ids[:count]


# --- Enrollments and progress ---------------------------------------------------------------


def _enrollments_and_progress(
    learners: list[int], courses: list[int], per_learner: int, progress: int, log
) -> None:
    from django.db import transaction
    from django.utils import timezone

    from cms.models import CourseLesson
    from learning.enrollment.models import CourseEnrollmentStats, Enrollment
    from learning.progress.models import LessonProgress, PlaybackAllowance

    # Exactly ``progress`` rows: every enrollment gets ``base`` lessons, the first ``extra``
    # one more.
    base, extra = divmod(progress, len(learners) * per_learner)

    def found(i: int) -> tuple[int, int]:
        # In the seeded courses only: the benchmark enrolls its signed-in learners in more.
        return (
            Enrollment.objects.filter(user_id=learners[i], course_id__in=courses).count(),
            LessonProgress.objects.filter(user_id=learners[i], course_id__in=courses).count(),
        )

    def expected(i: int) -> tuple[int, int]:
        first = i * per_learner
        return per_learner, per_learner * base + max(0, min(extra - first, per_learner))

    seen = [found(0), found(len(learners) - 1)]
    if seen != [(0, 0), (0, 0)]:
        wanted = [expected(0), expected(len(learners) - 1)]
        if seen != wanted:
            raise SeedError(
                f"the database holds another scale: (enrollments, progress rows) of the first "
                f"and last learner are {seen}, {wanted} asked; seed a fresh database"
            )
        return
    lessons: dict[int, list[tuple[int, uuid.UUID]]] = {}
    for course_id, pk, lesson_id in (
        CourseLesson.objects.filter(course_id__in=courses, is_live=True)
        .order_by("position")
        .values_list("course_id", "pk", "lesson_id")
    ):
        lessons.setdefault(course_id, []).append((pk, lesson_id))
    rng = random.Random(18)  # noqa: S311  (test data, not secrets)
    enrolled = [(user_id, rng.sample(courses, per_learner)) for user_id in learners]
    now = timezone.now()

    e_fields, e_at, e_row = _template(
        Enrollment, user_id=0, course_id=0, source="self", enrolled_at=now
    )

    def enrollment_rows():
        n = 0
        for user_id, chosen in enrolled:
            for course_id in chosen:
                done = base + (n < extra)
                n += 1
                e_row[e_at["user_id"]], e_row[e_at["course_id"]] = user_id, course_id
                e_row[e_at["last_activity_at"]] = now if done else None
                e_row[e_at["last_lesson_id"]] = lessons[course_id][done - 1][1] if done else None
                yield e_row

    p_fields, p_at, p_row = _template(
        LessonProgress, user_id=0, course_id=0, lesson_id=0, started_at=now
    )
    states = [  # completed, in progress: (column position, value)
        [(p_at[name], value) for name, value in state.items()]
        for state in (
            {
                "status": "completed",
                "fraction": 1.0,
                "completed_at": now,
                "completed_by": "learner",
            },
            {"status": "in_progress", "fraction": 0.4, "completed_at": None, "completed_by": ""},
        )
    ]
    user_at, course_at, lesson_at = p_at["user_id"], p_at["course_id"], p_at["lesson_id"]

    def progress_rows():
        n = 0
        for user_id, chosen in enrolled:
            p_row[user_at] = user_id
            for course_id in chosen:
                p_row[course_at] = course_id
                for pk, _lesson_id in lessons[course_id][: base + (n < extra)]:
                    p_row[lesson_at] = pk
                    for i, value in states[rng.random() >= COMPLETED_SHARE]:
                        p_row[i] = value
                    yield p_row
                n += 1

    # Learners who started a lesson have their one playback allowance.
    a_fields, a_at, a_row = _template(PlaybackAllowance, user_id=0, refilled_at=now)

    def allowance_rows():
        for user_id in learners if base else learners[: math.ceil(extra / per_learner)]:
            a_row[a_at["user_id"]] = user_id
            yield a_row

    with transaction.atomic():
        _checked_per_statement()
        started = time.monotonic()
        made = _copy(Enrollment, e_fields, enrollment_rows())
        log(f"    {made} enrollments ({time.monotonic() - started:.0f} s)")
        counts: dict[int, int] = {}
        for _user_id, chosen in enrolled:
            for course_id in chosen:
                counts[course_id] = counts.get(course_id, 0) + 1
        CourseEnrollmentStats.objects.bulk_create(
            [CourseEnrollmentStats(course_id=c, learner_count=n) for c, n in counts.items()],
            update_conflicts=True,
            unique_fields=["course"],
            update_fields=["learner_count"],
        )
        started = time.monotonic()
        made = _copy(LessonProgress, p_fields, progress_rows(), log)
        _copy(PlaybackAllowance, a_fields, allowance_rows())
        log(f"    {made} progress rows ({time.monotonic() - started:.0f} s)")
    started = time.monotonic()
    _vacuum_analyze(Enrollment, CourseEnrollmentStats, LessonProgress, PlaybackAllowance)
    log(f"    vacuum and analyze ({time.monotonic() - started:.1f} s)")


def _refuse_to_extend(*, courses: int, learners: int) -> None:
    """Courses and learners are added to a database that has fewer, unless its learners are
    enrolled already: the new ones would have none."""
    from learning.accounts.models import User
    from learning.enrollment.models import Enrollment

    found = User.objects.filter(email__endswith="@load.test")
    if not Enrollment.objects.filter(user__in=found[:1]).exists():
        return
    have = (len(_load_course_ids()), found.count())
    if have[0] < courses or have[1] < learners:
        raise SeedError(
            f"the database holds a smaller scale ({have[0]} courses, {have[1]} learners, "
            f"enrolled): seed a fresh database"
        )


def seed(
    *, courses: int, learners: int, progress: int, enrollments: int | None = None, log=print
) -> dict:
    """Seed (or find) the data; returns the ids the scenarios use, the enrollments per
    learner (``enrollments``, or the fewest that hold ``progress`` rows) and each phase's
    seconds."""
    per_learner = enrollments or enrollments_needed(learners=learners, progress=progress)
    if per_learner > courses:
        raise SeedError(f"{per_learner} enrollments per learner need as many courses")
    if progress > learners * per_learner * LESSONS_PER_COURSE:
        raise SeedError(
            f"{learners} learners x {per_learner} enrollments x {LESSONS_PER_COURSE} lessons "
            f"hold fewer than {progress} progress rows: ask for more enrollments (or none)"
        )
    _refuse_to_extend(courses=courses, learners=learners)
    started = time.monotonic()
    seconds: dict[str, float] = {}

    def timed(name, phase, *args):
        log(f"  {name} ...")
        phase_started = time.monotonic()
        result = phase(*args)
        seconds[name] = time.monotonic() - phase_started
        log(f"  {name}: {seconds[name]:.0f} s")
        return result

    course_ids = timed("courses", _courses, courses, log)
    learner_ids = timed("learners", _learners, learners, log)
    timed(
        "enrollments and progress",
        _enrollments_and_progress,
        learner_ids,
        course_ids,
        per_learner,
        progress,
        log,
    )
    log(f"seeded in {time.monotonic() - started:.0f} s")
    return {
        "courses": course_ids,
        "learners": learner_ids,
        "enrollments": per_learner,
        "seconds": seconds,
    }
