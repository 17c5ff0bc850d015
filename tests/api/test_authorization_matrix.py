"""The generated authorization matrix: every operation of ``/api/schema/`` x every role.

The operations come from the schema itself (drf-spectacular, in-process); who may call each one
is written down in :mod:`tests.api.authz_expectations`. An operation missing from that table
(or a table entry the schema no longer has) fails :func:`test_every_operation_has_an_expectation`.

One world is built per test: a course taught by ``instructor`` with ``student`` (the owner of
every learner record) and ``other_student`` enrolled, and an object behind every path parameter.
Every role calls every operation with the same ids, so a refused role is always asking for
something that belongs to someone else. Each call runs in a savepoint that is rolled back, so
calls never see each other's writes (an allowed ``DELETE /me/`` does not end the matrix).

A refused call must answer the table's status (401 anonymous; 403, or 404 where the product
hides that the object exists) and change nothing: it issues no INSERT/UPDATE/DELETE and every
table keeps its row count. An allowed call must not answer 401/403, nor 5xx, nor 404 (unless
the table says the object may be missing for it). All mismatches are reported together.

``AUTHZ_MATRIX_DUMP=1`` prints the observed status of every call (a starting point for the
table entry of a new operation).
"""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tests.api import authz_expectations as expected
from tests.factories import DEFAULT_PASSWORD
from tests.factories import certificates as certificate_factories
from tests.factories import courses as cf
from tests.factories import learning as lf
from tests.factories.assistant import captions
from tests.factories.media import VideoAssetFactory

pytestmark = pytest.mark.django_db

METHODS = ("get", "post", "put", "patch", "delete")
WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


def schema_operations() -> set[tuple[str, str]]:
    """Every (METHOD, path template) the public schema documents."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        (method.upper(), path)
        for path, item in schema["paths"].items()
        for method in item
        if method in METHODS
    }


def test_every_operation_has_an_expectation():
    operations = schema_operations()
    missing = sorted(operations - set(expected.EXPECTED))
    stale = sorted(set(expected.EXPECTED) - operations)
    assert not missing, "operations without an entry in tests/api/authz_expectations.py:\n" + (
        "\n".join(f"    {m} {p}" for m, p in missing)
    )
    assert not stale, "entries of tests/api/authz_expectations.py not in the schema:\n" + (
        "\n".join(f"    {m} {p}" for m, p in stale)
    )


# --- The world ------------------------------------------------------------------------------


def _token(url: str) -> str:
    """The signed token of a capability URL (its last non-empty path segment)."""
    return [part for part in urlsplit(url).path.split("/") if part][-1]


@pytest.fixture
def world(
    student,
    unverified,
    other_student,
    instructor,
    other_instructor,
    editor,
    admin_user,
    settings,
):
    from learning.accounts import services as account_services
    from learning.assessment import services as assessment_services
    from learning.assistant import services as assistant_services
    from learning.enrollment import services as enrollment_services
    from learning.notifications import emails, kinds
    from learning.notifications import services as notification_services
    from learning.progress.selectors import course_lesson
    from media_pipeline import delivery
    from media_pipeline import storage as media_storage
    from tests.support.auth import jwt_client

    settings.ASSISTANT_PROVIDER = "offline"
    settings.ASSISTANT_PLAN_LIMITS = {"free": {"day": 10_000, "month": 10_000}}
    from learning.assistant.providers import reset_breakers

    reset_breakers()

    people = {
        "unverified": unverified,
        "student": student,
        "other_student": other_student,
        "instructor": instructor,
        "other_instructor": other_instructor,
        "editor": editor,
        "admin_user": admin_user,
    }
    # The course: a gated reading, a video (owned by its instructor, with captions and a
    # checkpoint) and a quiz; the student and a peer learn in it.
    clip = VideoAssetFactory(owner=instructor, duration_seconds=100.0, status="ready")
    track = captions(clip)
    segment = _store_hls(clip)
    course = cf.course(instructors=[instructor], title="Matrix course")
    section = cf.section(
        course,
        title="Part one",
        lessons=[cf.reading("Notes"), cf.video("Watch", asset=clip), cf.quiz("Check")],
    )
    reading_id, video_id, quiz_id = (str(child.id) for child in section.lessons)
    checkpoint_id = section.lessons[1].value["checkpoints"].bound_blocks[0].id
    enrollment = lf.enroll(student, course)
    lf.enroll(other_student, course)

    attempt, _ = assessment_services.attempt_start(
        user=student, course=course, lesson=course_lesson(course.pk, quiz_id)
    )
    from learning.notifications.models import Announcement

    announcement = Announcement.objects.create(
        course=course, author=instructor, title="Welcome", body="Hello."
    )
    invitation = enrollment_services.invitation_create(
        course=course, email="invitee@example.com", by=instructor
    )
    assistant_services.course_index_rebuild(course_id=course.pk)
    conversation = assistant_services.conversation_create(user=student, course_id=course.pk)
    answer = assistant_services.message_send(
        user=student, conversation=conversation, content="What is a loop?"
    )
    check = assistant_services.check_create(user=student, conversation=conversation)
    certificate = certificate_factories.issued(student, instructors=[instructor])
    (notification,) = notification_services.notify(
        recipients=[student], kind=kinds.COURSE_COMPLETED, context={}
    )
    other_session, _ = account_services.session_start(
        email=student.email, password=DEFAULT_PASSWORD, user_agent="phone"
    )
    upload = VideoAssetFactory(owner=instructor)  # awaiting its bytes
    upload_part = delivery.upload_targets(upload)["parts"][0]["url"]
    stream = media_storage.sign({"a": clip.pk}, salt=delivery.STREAM_SALT, expires=3600)

    from learning.certificates import files as certificate_files

    params = {
        "course_id": course.pk,
        "checkpoint_id": checkpoint_id,
        "attempt_id": attempt.pk,
        "announcement_id": announcement.pk,
        "enrollment_id": enrollment.pk,
        "invitation_id": invitation.pk,
        "conversation_id": conversation.pk,
        "message_id": answer.pk,
        "check_id": check.pk,
        "certificate_id": certificate.pk,
        "code": certificate.code,
        "notification_id": notification.pk,
        "session_id": other_session.id,
        "user_id": student.pk,
        "id": clip.pk,
        "language": track.language,
        "rendition": "360p",
        "stream_token": stream,
        "file_token": _token(media_storage.signed_url(segment, expires=3600)),
        "certificate_token": _token(
            certificate_files.signed_url(certificate_files.pdf_name(certificate.code))
        ),
        "part_token": _token(upload_part),
        "upload_id": upload.pk,
        "reading_id": reading_id,
        "video_id": video_id,
        "quiz_id": quiz_id,
        "unsubscribe_token": emails.unsubscribe_token(student.pk, None),
    }
    clients = {"anonymous": None} | {role: jwt_client(user) for role, user in people.items()}
    yield {"params": params, "clients": clients}
    store = media_storage.storage()
    for name in store.listdir(f"videos/{clip.key}/hls/360p")[1] + ["index.m3u8"]:
        store.delete(f"videos/{clip.key}/hls/360p/{name}")
    store.delete(f"videos/{clip.key}/hls/master.m3u8")


def _store_hls(asset) -> str:
    """A ready video's HLS files: a master playlist and one 360p rendition of one segment
    (whose storage name is returned)."""
    from django.core.files.base import ContentFile

    from media_pipeline import storage as media_storage
    from media_pipeline.models import VideoRendition

    store = media_storage.storage()
    folder = f"videos/{asset.key}/hls"
    master = store.save(
        f"{folder}/master.m3u8",
        ContentFile(b"#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000\n360p/index.m3u8\n"),
    )
    playlist = store.save(
        f"{folder}/360p/index.m3u8",
        ContentFile(b"#EXTM3U\n#EXTINF:4.0,\nseg0.ts\n#EXT-X-ENDLIST\n"),
    )
    segment = store.save(f"{folder}/360p/seg0.ts", ContentFile(b"\x47" * 188))
    asset.hls_master.name = master
    asset.save(update_fields=["hls_master"])
    VideoRendition.objects.create(
        asset=asset, name="360p", width=640, height=360, bandwidth=800_000, playlist=playlist
    )
    return segment


# Which lesson a path means by ``{lesson_id}``.
LESSON_FOR = (
    (re.compile(r"/(attempts|gradebook/quizzes)/"), "quiz_id"),
    (re.compile(r"/(checkpoints|heatmap)/|/open/$"), "video_id"),
)


def resolve(template: str, params: dict) -> str:
    """The concrete URL of ``template`` with world objects behind every parameter."""

    def value(match: re.Match) -> str:
        name = match.group(1)
        if name == "lesson_id":
            key = next((k for rx, k in LESSON_FOR if rx.search(template)), "reading_id")
        elif name == "token":
            key = (
                "stream_token"
                if "/stream/" in template
                else "file_token"
                if "/media/files/" in template
                else "part_token"
                if "/uploads/parts/" in template
                else "certificate_token"
            )
        elif name == "id" and "/uploads/" in template:
            key = "upload_id"
        else:
            key = name
        if key not in params:
            raise KeyError(f"no world object for {{{name}}} in {template}")
        return str(params[key])

    return re.sub(r"{(\w+)}", value, template)


def query_for(template: str, params: dict) -> str:
    if template.endswith("/notifications/unsubscribe/"):
        return f"?token={params['unsubscribe_token']}"
    if template.endswith("/assistant/struggle/"):
        return f"?course_id={params['course_id']}"
    return ""


# Writes whose target is named in the body, not the path: a valid body reaches the check.
# Every other write is sent an empty body (a refused caller is refused before validation).
BODIES = {
    ("POST", "/api/v2/assistant/conversations/"): lambda p: {"course_id": p["course_id"]},
    ("POST", "/api/v2/assistant/reflections/"): lambda p: {
        "course_id": p["course_id"],
        "lesson_id": p["video_id"],
        "text": "What I learned.",
    },
}


# --- Snapshots ------------------------------------------------------------------------------


def _tables() -> list[str]:
    existing = set(connection.introspection.table_names())
    return sorted(
        {
            model._meta.db_table
            for model in apps.get_models(include_auto_created=True)
            if model._meta.managed and not model._meta.proxy
        }
        & existing
    )


def row_counts(tables: list[str]) -> tuple[int, ...]:
    """Every table's row count, in one query."""
    quote = connection.ops.quote_name
    sql = " UNION ALL ".join(
        # Table names come from the models, not from input.
        f"SELECT {n}, COUNT(*) FROM {quote(table)}"  # noqa: S608
        for n, table in enumerate(tables)
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        counts = dict(cursor.fetchall())
    return tuple(counts[n] for n in range(len(tables)))


# --- The matrix -----------------------------------------------------------------------------


def call(client, method: str, url: str, body: dict):
    if method == "GET":
        return client.get(url)
    return getattr(client, method.lower())(url, body, format="json")


def test_authorization_matrix(world):
    from rest_framework.test import APIClient

    params, clients = world["params"], world["clients"]
    tables = _tables()
    failures: list[str] = []
    observed: dict[tuple[str, str], dict[str, int]] = {}
    dump = bool(os.environ.get("AUTHZ_MATRIX_DUMP"))
    for method, template in sorted(schema_operations()):
        rule = expected.EXPECTED.get((method, template))
        if rule is None and not dump:
            continue  # reported by test_every_operation_has_an_expectation
        url = resolve(template, params) + query_for(template, params)
        body = BODIES[(method, template)](params) if (method, template) in BODIES else {}
        for role in expected.ROLES:
            client = clients[role] or APIClient()
            client.raise_request_exception = False  # a 500 is a finding, not a crash
            cache.clear()  # throttle counters and cached responses start empty for every call
            refused = rule is not None and role not in rule.allow
            with transaction.atomic():
                before = row_counts(tables) if refused else ()
                with CaptureQueriesContext(connection) as queries:
                    response = call(client, method, url, body)
                after = row_counts(tables) if refused else ()
                transaction.set_rollback(True)
            status = response.status_code
            observed.setdefault((method, template), {})[role] = status
            if rule is None:
                continue
            where = f"{method} {template} as {role}: {status}"
            if status >= 500:
                failures.append(f"{where} (server error)")
            elif role in rule.allow:
                if status in (401, 403) or (status == 404 and not rule.may_be_missing):
                    failures.append(f"{where}, expected allowed: {_detail(response)}")
            else:
                want = rule.refusal(role)
                if status != want:
                    failures.append(f"{where}, expected {want}: {_detail(response)}")
                writes = [q["sql"][:120] for q in queries.captured_queries if WRITE.match(q["sql"])]
                if writes:
                    failures.append(f"{where}: a refused call wrote: {writes}")
                if before != after:
                    changed = [t for t, b, a in zip(tables, before, after, strict=True) if b != a]
                    failures.append(f"{where}: a refused call changed row counts of {changed}")
    if dump:
        for (method, template), by_role in sorted(observed.items(), key=lambda i: i[0][::-1]):
            cells = " ".join(f"{role[:7]}={by_role[role]}" for role in expected.ROLES)
            print(f"{method:6} {template}  {cells}")
    assert not failures, f"{len(failures)} authorization mismatches:\n" + "\n".join(failures)


def _detail(response) -> str:
    body = response.content[:200].decode(errors="replace") if response.content else ""
    return body.replace("\n", " ")
