"""xAPI forwarding against a real LRS (ralph-malph, started by the test): delivered in order,
at least once and, thanks to stable statement ids, exactly once in the LRS, through an
outage with backoff; statements the LRS refuses go to the dead-letter list."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import pytest
from django.utils import timezone

from learning.analytics import lrs
from learning.analytics.models import LearningEvent, Verb, XapiDeadLetter, XapiForwardState
from learning.analytics.xapi import STATEMENT_NAMESPACE
from tests.factories import UserFactory
from tests.factories import courses as cf
from tests.factories.analytics import log
from tests.support.lrs import PASSWORD, USERNAME, RalphLRS

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def ralph(tmp_path, settings):
    server = RalphLRS(tmp_path / "lrs")
    server.start()
    settings.XAPI_LRS_ENDPOINT = server.url
    settings.XAPI_LRS_USERNAME, settings.XAPI_LRS_PASSWORD = USERNAME, PASSWORD
    settings.XAPI_BATCH_SIZE = 10
    settings.XAPI_LAG_SECONDS = 0
    settings.XAPI_BACKOFF_SECONDS = 30
    settings.XAPI_TIMEOUT_SECONDS = 3
    yield server
    server.stop()


def history(course, learners, count: int, *, start) -> list[LearningEvent]:
    """``count`` events, learners taking turns, one second apart."""
    events = []
    for n in range(count):
        when = start + timedelta(seconds=n)
        verb = Verb.ENROLLED if n < len(learners) else Verb.LESSON_STARTED
        lesson = None if verb == Verb.ENROLLED else str(uuid.uuid5(uuid.NAMESPACE_URL, str(n)))
        events.append(log(learners[n % len(learners)], verb, course, when, lesson=lesson))
    return events


def statement_id(event) -> str:
    return str(uuid.uuid5(STATEMENT_NAMESPACE, str(event.pk)))


def test_forwarding_through_an_outage(ralph):
    course = cf.course(title="xAPI")
    learners = [UserFactory() for _ in range(3)]
    LearningEvent.objects.all().delete()
    start = timezone.now() - timedelta(minutes=10)
    events = history(course, learners, 25, start=start)

    first = lrs.forward(max_batches=1)
    assert (first.delivered, first.waiting) == (10, False)

    ralph.stop()  # the LRS goes down
    down = lrs.forward()
    assert down.waiting and down.delivered == 0 and "ConnectError" in down.error
    state = XapiForwardState.objects.get()
    assert (state.delivered, state.failures, state.cursor_event_id) == (10, 1, events[9].pk)
    now = timezone.now()
    assert timedelta(seconds=25) < state.retry_at - now <= timedelta(seconds=30)
    # Within the backoff nothing is tried; after it, still down: the wait doubles.
    assert lrs.forward().waiting and XapiForwardState.objects.get().failures == 1
    later = state.retry_at + timedelta(seconds=1)
    assert lrs.forward(now=later).waiting
    state = XapiForwardState.objects.get()
    assert state.failures == 2 and state.retry_at - later == timedelta(seconds=60)

    # Events keep coming while it is down; they wait their turn.
    for n, learner in enumerate(learners * 2):
        events.append(
            log(learner, Verb.PROGRESSED, course, timezone.now() - timedelta(seconds=30 - n),
                lesson=str(uuid.uuid4()))
        )  # fmt: skip
    ralph.start()  # back up
    back = lrs.forward(now=state.retry_at + timedelta(seconds=1))
    assert (back.delivered, back.waiting) == (21, False)
    state = XapiForwardState.objects.get()
    assert (state.delivered, state.failures, state.retry_at) == (31, 0, None)

    stored = ralph.statements()
    expected = [statement_id(e) for e in sorted(events, key=lambda e: (e.stored_at, e.pk))]
    assert [s["id"] for s in stored] == expected  # all, once each, in order
    for learner in learners:  # in order per learner
        name = f"user-{learner.pk}"
        mine = [s["timestamp"] for s in stored if s["actor"]["account"]["name"] == name]
        assert mine == sorted(mine) and len(mine) == 11 - (learner != learners[0])

    # A forwarder that died before saving its cursor sends everything again: the LRS keeps
    # one copy of each statement (same ids, same content).
    XapiForwardState.objects.update(cursor_stored_at=None, cursor_event_id=0)
    assert lrs.forward().delivered == 31
    assert [s["id"] for s in ralph.statements()] == expected


def test_refused_statements_go_to_the_dead_letter_list(ralph, admin_user):
    course = cf.course(title="xAPI")
    learner = UserFactory()
    LearningEvent.objects.all().delete()
    start = timezone.now() - timedelta(minutes=5)
    good = log(learner, Verb.ENROLLED, course, start)
    bad = log(learner, Verb.LESSON_STARTED, course, start + timedelta(seconds=1), lesson="x")
    after = log(learner, Verb.LESSON_COMPLETED, course, start + timedelta(seconds=2), lesson="x")
    # The LRS already holds a different statement under the id of ``bad`` (another system
    # used it): it refuses ours with 409 Conflict, for good.
    other = {**lrs.lrs_statement(good), "id": statement_id(bad)}
    response = httpx.post(
        f"{ralph.url}/statements",
        json=[other],
        auth=(USERNAME, PASSWORD),
        headers={"X-Experience-API-Version": "1.0.3"},
    )
    assert response.status_code == 200, response.text

    result = lrs.forward()
    assert (result.delivered, result.dead_lettered, result.waiting) == (2, 1, False)
    letter = XapiDeadLetter.objects.get()
    assert (letter.event_id, letter.status) == (bad.pk, 409)
    assert str(letter.statement_id) == statement_id(bad)
    assert [s["id"] for s in ralph.statements()] == [
        statement_id(bad),  # the other system's statement
        statement_id(good),
        statement_id(after),
    ]

    # The admin lists it; a retry that is refused again keeps it; one accepted clears it.
    from django.test import Client

    client = Client()
    client.force_login(admin_user)
    page = client.get("/admin/analytics/xapi-dead-letters/")
    assert page.status_code == 200 and str(letter.statement_id) in page.content.decode()
    retry = f"/admin/analytics/xapi-dead-letters/{letter.pk}/retry/"
    assert client.post(retry).status_code == 302
    assert XapiDeadLetter.objects.get().status == 409
    # The LRS's operator removes the foreign statement; the retry now goes through.
    path = ralph.folder / "data" / "fs_lrs.jsonl"
    path.write_text("\n".join(path.read_text().splitlines()[1:]) + "\n")
    assert client.post(retry).status_code == 302
    assert not XapiDeadLetter.objects.exists()
    assert statement_id(bad) in [s["id"] for s in ralph.statements()]
