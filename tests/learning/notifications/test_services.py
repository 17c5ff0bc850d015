from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from learning.accounts import data_rights
from learning.notifications import kinds, registry, selectors, services
from learning.notifications.models import Notification, NotificationPreference
from learning.notifications.registry import Channel, NotificationKind
from tests.factories import UserFactory
from tests.factories import learning as lf

pytestmark = pytest.mark.django_db


def test_notify_writes_rows_in_bulk_with_constant_queries(django_assert_max_num_queries):
    people = [UserFactory() for _ in range(30)]
    with django_assert_max_num_queries(4):
        created = services.notify(
            recipients=people,
            kind=kinds.SYSTEM_ALERT,
            context={"title": "Maintenance tonight", "body": "From 22:00 UTC."},
        )
    assert len(created) == 30
    row = Notification.objects.get(recipient=people[0])
    assert (row.title, row.body, row.read_at) == ("Maintenance tonight", "From 22:00 UTC.", None)


def test_notify_follows_preferences(run_tasks_in_process, django_capture_on_commit_callbacks):
    quiet, emailed, digest = UserFactory(), UserFactory(), UserFactory()
    NotificationPreference.objects.create(
        user=quiet, kind=kinds.ANNOUNCEMENT, in_app=False, email="immediate"
    )
    NotificationPreference.objects.create(user=digest, kind=kinds.ANNOUNCEMENT, email="digest")
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(
            recipients=[quiet, emailed, digest],
            kind=kinds.ANNOUNCEMENT,
            context={
                "course_title": "Python",
                "announcement_title": "Hi",
                "announcement_body": "B",
            },
        )
    rows = {n.recipient_id: n for n in Notification.objects.all()}
    # Switched off in the app but still emailed: the row is written already read.
    assert rows[quiet.pk].read_at is not None
    assert rows[emailed.pk].read_at is None
    assert rows[digest.pk].email_state == "digest"
    assert rows[emailed.pk].email_state == "sent"
    assert sorted(m.to[0] for m in mail.outbox) == sorted([quiet.email, emailed.email])
    message = mail.outbox[0]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["List-Unsubscribe"].startswith("<http")


def test_unverified_addresses_get_no_email(
    run_tasks_in_process, django_capture_on_commit_callbacks
):
    person = UserFactory(email_verified_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(recipients=[person], kind=kinds.COURSE_COMPLETED, context={})
    assert Notification.objects.get(recipient=person).email_state == ""
    assert mail.outbox == []


def test_dedupe_key_makes_notify_idempotent():
    person = UserFactory()
    for _ in range(2):
        services.notify(recipients=[person], kind=kinds.COURSE_COMPLETED, dedupe_key="c:1")
    assert Notification.objects.filter(recipient=person).count() == 1


def test_other_apps_register_kinds_through_the_registry():
    registry.register(
        NotificationKind(
            "certificate_issued_test",
            "Certificate issued",
            title="Your certificate for {course_title} is ready",
            email=Channel.IMMEDIATE,
        )
    )
    person = UserFactory()
    (row,) = services.notify(
        recipients=[person], kind="certificate_issued_test", context={"course_title": "Go"}
    )
    assert row.title == "Your certificate for Go is ready"
    assert "certificate_issued_test" in [p["kind"] for p in selectors.preferences_of(person)]
    with pytest.raises(registry.UnknownKind):
        services.notify(recipients=[person], kind="no_such_kind")


def test_mandatory_kinds_cannot_be_switched_off():
    from learning.notifications import errors

    person = UserFactory()
    with pytest.raises(errors.PreferenceLocked):
        services.preferences_update(
            user=person, changes=[{"kind": kinds.SYSTEM_ALERT, "in_app": False}]
        )
    assert not NotificationPreference.objects.filter(user=person).exists()


def test_prune_removes_old_read_and_expired_notifications_only():
    person = UserFactory()
    old_read, fresh_read, unread, _expired = (
        services.notify(recipients=[person], kind=kinds.SYSTEM_ALERT)
        + services.notify(recipients=[person], kind=kinds.SYSTEM_ALERT)
        + services.notify(recipients=[person], kind=kinds.SYSTEM_ALERT)
        + services.notify(
            recipients=[person], kind=kinds.SYSTEM_ALERT, expires_at=timezone.now() - timedelta(1)
        )
    )
    now = timezone.now()
    Notification.objects.filter(pk=old_read.pk).update(read_at=now - timedelta(days=100))
    Notification.objects.filter(pk=fresh_read.pk).update(read_at=now - timedelta(days=1))
    assert services.notifications_prune(read_before=now - timedelta(days=90)) == 2
    assert set(Notification.objects.values_list("pk", flat=True)) == {fresh_read.pk, unread.pk}


def test_export_includes_and_deletion_removes_notifications():
    person = UserFactory()
    services.notify(recipients=[person], kind=kinds.SYSTEM_ALERT, context={"title": "Hello"})
    exported = data_rights.export_user_data(person)
    assert exported["notifications"][0]["title"] == "Hello"
    data_rights.erase_user_data(person)
    assert not Notification.objects.filter(recipient=person).exists()


def test_enrollment_events_notify_the_learner(student, instructor):
    course, _ = lf.video_course(instructors=[instructor], title="Rust")
    enrollment = lf.enroll(student, course, source="self")
    assert Notification.objects.get(recipient=student).kind == kinds.ENROLLMENT_CONFIRMED
    from learning.enrollment import services as enrollment_services

    enrollment.expires_at = timezone.now() + timedelta(days=1)
    enrollment.save()
    from learning.notifications.handlers import enrollments_expiring_notify

    assert enrollments_expiring_notify() == 1
    assert enrollments_expiring_notify() == 0  # once per enrollment
    enrollment.expires_at = timezone.now() - timedelta(minutes=1)
    enrollment.save()
    assert enrollment_services.enrollments_expire() == 1
    assert list(
        Notification.objects.filter(recipient=student).order_by("id").values_list("kind", flat=True)
    ) == [kinds.ENROLLMENT_CONFIRMED, kinds.ENROLLMENT_EXPIRING, kinds.ENROLLMENT_EXPIRED]
