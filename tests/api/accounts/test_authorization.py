"""Who may call which account endpoint: anonymous, student, instructor, editor, admin.
Denied calls change nothing."""

import pytest

from learning.accounts.models import AuthSession, InstructorRequest, User
from learning.accounts.roles import roles_of

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "student", "instructor", "editor", "admin"]

# endpoint -> expected status for each role (anonymous first), for a harmless request.
AUTHENTICATED_ONLY = {
    ("get", "/api/v2/me/"): 200,
    ("get", "/api/v2/me/sessions/"): 200,
    ("get", "/api/v2/me/export/"): 200,
    ("get", "/api/v2/me/instructor-request/"): 200,
    ("patch", "/api/v2/me/"): 200,
}


@pytest.fixture
def people(student, instructor, editor, admin_user):
    return {"student": student, "instructor": instructor, "editor": editor, "admin": admin_user}


def client_for(role, people, as_user, api_client):
    return api_client if role == "anonymous" else as_user(people[role])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path"), list(AUTHENTICATED_ONLY))
def test_me_endpoints_need_a_signed_in_person(role, method, path, people, as_user, api_client):
    client = client_for(role, people, as_user, api_client)
    response = getattr(client, method)(path, {} if method != "get" else None, format="json")
    expected = 401 if role == "anonymous" else AUTHENTICATED_ONLY[(method, path)]
    assert response.status_code == expected
    if role == "anonymous":
        assert response.json()["code"] == "not_authenticated"
    else:
        if path == "/api/v2/me/":
            assert response.json()["email"] == people[role].email


@pytest.mark.parametrize("role", ROLES)
def test_anonymous_cannot_change_password_delete_or_request(role, people, as_user, api_client):
    client = client_for(role, people, as_user, api_client)
    change = client.post("/api/v2/me/password/", {"current_password": "x", "new_password": "y"})
    delete = client.delete("/api/v2/me/", {"password": "x"}, format="json")
    request = client.post("/api/v2/me/instructor-request/", {"motivation": "short"})
    if role == "anonymous":
        assert change.status_code == delete.status_code == request.status_code == 401
    else:
        assert change.json()["code"] == "wrong_password"
        assert delete.json()["code"] == "wrong_password"
        assert request.status_code == 400  # too short: validation reached
    assert User.objects.filter(is_active=True).count() == 4
    assert not InstructorRequest.objects.exists()


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 401), ("student", 403), ("instructor", 403), ("editor", 403), ("admin", 200)],
)
def test_only_admins_change_roles(role, expected, people, as_user, api_client, other_student):
    client = client_for(role, people, as_user, api_client)
    response = client.put(
        f"/api/v2/users/{other_student.pk}/roles/",
        {"roles": ["student", "instructor"]},
        format="json",
    )
    assert response.status_code == expected
    other_student.refresh_from_db()
    if expected == 200:
        assert response.json()["roles"] == ["student", "instructor"]
        assert roles_of(other_student) == ["student", "instructor"]
    else:
        assert roles_of(other_student) == ["student"]


def test_roles_bad_input_and_self_demotion(admin_user, as_user, other_student):
    client = as_user(admin_user)
    unknown = client.put(
        f"/api/v2/users/{other_student.pk}/roles/", {"roles": ["wizard"]}, format="json"
    )
    assert unknown.status_code == 400
    assert "roles.0" in unknown.json()["errors"]
    missing = client.put("/api/v2/users/999999/roles/", {"roles": []}, format="json")
    assert missing.status_code == 404
    demote = client.put(
        f"/api/v2/users/{admin_user.pk}/roles/", {"roles": ["editor"]}, format="json"
    )
    assert (demote.status_code, demote.json()["code"]) == (409, "own_admin_role")
    admin_user.refresh_from_db()
    assert admin_user.is_superuser


def test_a_session_is_visible_and_revocable_only_by_its_owner(people, as_user):
    clients = {role: as_user(person) for role, person in people.items()}
    target = clients["student"].session_id
    for role in ["instructor", "editor", "admin"]:
        assert clients[role].delete(f"/api/v2/me/sessions/{target}/").status_code == 404
        listed = clients[role].get("/api/v2/me/sessions/").json()
        assert set(listed) == {"count", "next", "previous", "results"}
        assert target not in {s["id"] for s in listed["results"]}
    assert AuthSession.objects.get(pk=target).revoked_at is None


def test_roles_are_visible_in_the_profile(people, as_user):
    expected = {
        "student": ["student"],
        "instructor": ["instructor"],
        "editor": ["editor"],
        "admin": ["admin"],
    }
    for role, person in people.items():
        assert as_user(person).get("/api/v2/me/").json()["roles"] == expected[role]
