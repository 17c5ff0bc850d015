import pytest
from django.test import override_settings
from django.utils import timezone

from learning.notifications import kinds, services
from learning.notifications.models import Notification, NotificationPreference
from tests.factories import UserFactory
from tests.support.processes import free_port
from tests.support.roles import ROLES_WITH_UNVERIFIED, client_for

pytestmark = pytest.mark.django_db

URL = "/api/v2/notifications/"


def alert(user, title="Hello", **kwargs):
    (row,) = services.notify(
        recipients=[user], kind=kinds.SYSTEM_ALERT, context={"title": title}, **kwargs
    )
    return row


@pytest.fixture
def theirs(student):
    return alert(student, "For the student")


@pytest.mark.parametrize("role", ROLES_WITH_UNVERIFIED)
def test_notification_endpoints_authorization_matrix(role, request, api_client, as_user, theirs):
    client = client_for(role, request, api_client, as_user)
    me = None if role == "anonymous" else request.getfixturevalue(role)
    mine = alert(me, "Mine") if me is not None and me.pk != theirs.recipient_id else None
    expected_list = 401 if me is None else 200

    response = client.get(URL)
    assert response.status_code == expected_list
    if me is not None:
        ids = [n["id"] for n in response.json()["results"]]
        assert ids == [(mine or theirs).pk]  # never anyone else's
    assert client.get(URL + "unread-count/").status_code == expected_list
    assert (
        client.get(f"{URL}{theirs.pk}/").status_code in {401: [401], 200: [200, 404]}[expected_list]
    )

    is_owner = me is not None and me.pk == theirs.recipient_id
    expected_own = 401 if me is None else (200 if is_owner else 404)
    response = client.post(f"{URL}{theirs.pk}/read/")
    assert response.status_code == expected_own
    if expected_own == 404:
        assert response.json()["code"] == "notification_not_found"
    theirs.refresh_from_db()
    assert (theirs.read_at is not None) == is_owner  # denied calls change nothing

    Notification.objects.filter(pk=theirs.pk).update(read_at=None)
    response = client.post(URL + "read-all/")
    assert response.status_code == expected_list
    theirs.refresh_from_db()
    assert (theirs.read_at is not None) == is_owner

    response = client.delete(f"{URL}{theirs.pk}/")
    assert response.status_code == {200: 204}.get(expected_own, expected_own)
    assert Notification.objects.filter(pk=theirs.pk).exists() == (not is_owner)

    response = client.get("/api/v2/me/notification-preferences/")
    assert response.status_code == expected_list
    response = client.patch(
        "/api/v2/me/notification-preferences/",
        {"preferences": [{"kind": "announcement", "email": "digest"}]},
    )
    assert response.status_code == expected_list
    assert NotificationPreference.objects.filter(kind="announcement").exists() == (me is not None)

    before = Notification.objects.count()
    response = client.post(URL + "broadcast/", {"title": "Down at 22:00"})
    expected = 401 if me is None else (202 if role == "admin_user" else 403)
    assert response.status_code == expected
    if expected != 202:
        assert Notification.objects.count() == before


def test_list_filters_and_cursor_pagination(student, as_user):
    client = as_user(student)
    rows = [alert(student, f"n{i}") for i in range(5)]
    services.notify(recipients=[student], kind=kinds.COURSE_COMPLETED, context={})
    Notification.objects.filter(pk__in=[rows[0].pk, rows[1].pk]).update(read_at=timezone.now())
    first = client.get(URL + "?page_size=2").json()
    assert len(first["results"]) == 2 and first["next"]
    second = client.get(first["next"]).json()
    ids = [n["id"] for n in first["results"] + second["results"]]
    assert ids == sorted(ids, reverse=True)
    unread = client.get(URL + "?unread=true&kind=system_alert").json()["results"]
    assert [n["title"] for n in unread] == ["n4", "n3", "n2"]
    read = client.get(URL + "?unread=false").json()["results"]
    assert {n["id"] for n in read} == {rows[0].pk, rows[1].pk}
    bad = client.get(URL + "?kind=nope")
    assert bad.status_code == 400 and "kind" in bad.json()["errors"]
    assert client.get(URL + "unread-count/").json() == {"unread_count": 4}
    marked = client.post(URL + "read-all/", {"kind": "course_completed"}).json()
    assert marked == {"updated": 1, "unread_count": 3}


def test_list_and_unread_count_use_constant_queries(
    student, as_user, django_assert_max_num_queries
):
    client = as_user(student)
    actor = UserFactory()
    for count in (3, 40):
        Notification.objects.filter(recipient=student).delete()
        for i in range(count):
            alert(student, f"n{i}", actor=actor)
        with django_assert_max_num_queries(3):
            response = client.get(URL + "?page_size=50")
        assert len(response.json()["results"]) == count
        assert response.json()["results"][0]["actor"]["name"] == actor.public_name
        with django_assert_max_num_queries(2):
            assert client.get(URL + "unread-count/").json()["unread_count"] == count


def test_preferences_defaults_changes_and_locked_kinds(student, as_user):
    client = as_user(student)
    prefs = {
        p["kind"]: p
        for p in client.get("/api/v2/me/notification-preferences/").json()["preferences"]
    }
    assert prefs["announcement"]["email"] == "immediate"
    assert prefs["system_alert"]["switchable"] is False
    changed = client.patch(
        "/api/v2/me/notification-preferences/",
        {"preferences": [{"kind": "announcement", "in_app": False, "email": "digest"}]},
    ).json()["preferences"]
    assert {p["kind"]: (p["in_app"], p["email"]) for p in changed}["announcement"] == (
        False,
        "digest",
    )
    locked = client.patch(
        "/api/v2/me/notification-preferences/",
        {"preferences": [{"kind": "system_alert", "in_app": False}]},
    )
    assert locked.status_code == 400 and locked.json()["code"] == "preference_locked"
    unknown = client.patch(
        "/api/v2/me/notification-preferences/", {"preferences": [{"kind": "nope"}]}
    )
    assert unknown.status_code == 400
    assert unknown.json()["code"] == "unknown_notification_kind"


def test_unsubscribe_link_is_signed_and_one_click(student, api_client):
    from learning.notifications.emails import unsubscribe_url

    url = unsubscribe_url(student.pk, "announcement").replace("http://127.0.0.1:8000", "")
    preview = api_client.get(url)
    assert preview.status_code == 200
    assert not NotificationPreference.objects.filter(user=student).exists()  # GET is safe
    done = api_client.post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert done.status_code == 200 and done.json()["kinds"] == ["announcement"]
    assert NotificationPreference.objects.get(user=student, kind="announcement").email == "off"
    forged = api_client.post(url[:-3] + "abc")
    assert forged.status_code == 400 and forged.json()["code"] == "token_invalid"


def test_http_api_works_from_the_database_when_redis_is_down(
    student, as_user, run_tasks_in_process, django_capture_on_commit_callbacks
):
    from config.env import channel_layers_config

    layers = channel_layers_config(f"redis://127.0.0.1:{free_port()}/0")  # nobody listens
    client = as_user(student)
    with override_settings(CHANNEL_LAYERS=layers), django_capture_on_commit_callbacks(execute=True):
        alert(student, "Stored even though the push fails")
        response = client.get(URL)
        assert response.status_code == 200
        (row,) = response.json()["results"]
        assert client.get(URL + "unread-count/").json() == {"unread_count": 1}
        assert client.post(f"{URL}{row['id']}/read/").status_code == 200
    assert client.get(URL + "unread-count/").json() == {"unread_count": 0}
