"""Authorization matrix of the tutor endpoints x every role. A learner never sees another
learner's conversations, messages, checks or reflections (404: not revealed); course staff
read reflections of their own courses only; denied calls change nothing."""

import pytest

from learning.assistant.models import CheckQuestion, Conversation, Message, Reflection
from tests.factories import UserFactory
from tests.factories import assistant as af
from tests.factories import learning as lf
from tests.support.roles import ROLES, client_for

pytestmark = pytest.mark.django_db

BASE = "/api/v2/assistant"
ALL_ROLES = (*ROLES, "unverified")


@pytest.fixture
def unverified(db):
    return UserFactory(email="unverified@example.com", email_verified_at=None)


@pytest.fixture
def world(student, other_student, instructor, offline_tutor, settings):
    settings.ASSISTANT_PLAN_LIMITS = {"free": {"day": 100, "month": 100}}
    course, lessons = af.tutor_course(instructors=[instructor])
    lf.enroll(student, course)
    lf.enroll(other_student, course)
    from learning.assistant import services

    conversation = services.conversation_create(user=student, course_id=course.pk)
    answer = services.message_send(user=student, conversation=conversation, content="print text")
    check = services.check_create(user=student, conversation=conversation)
    reflection = services.reflection_create(
        user=student, course_id=course.pk, lesson_id=lessons["loops"], text="mine"
    )
    return {
        "course": course,
        "lessons": lessons,
        "conversation": conversation,
        "answer": answer,
        "check": check,
        "reflection": reflection,
    }


def snapshot():
    return (
        list(Conversation.objects.values_list("pk", "title").order_by("pk")),
        list(Message.objects.values_list("pk", "feedback").order_by("pk")),
        list(CheckQuestion.objects.values_list("pk", "answered_index").order_by("pk")),
        Reflection.objects.count(),
    )


OWNER_ONLY = [
    ("get", "conversation", None),
    ("patch", "conversation", {"title": "hijacked"}),
    ("delete", "conversation", None),
    ("get", "messages", None),
    ("post", "messages", {"content": "print"}),
    ("post", "hint", {}),
    ("post", "check", {}),
    ("post", "reflect", {}),
    ("post", "path", {}),
    ("post", "feedback", {"feedback": "down"}),
    ("post", "answer", {"choice": 0}),
]


def owner_url(world, name: str) -> str:
    conversation = f"{BASE}/conversations/{world['conversation'].pk}/"
    return {
        "conversation": conversation,
        "messages": f"{conversation}messages/",
        "hint": f"{conversation}hint/",
        "check": f"{conversation}check/",
        "reflect": f"{conversation}reflect/",
        "path": f"{conversation}path/",
        "feedback": f"{BASE}/messages/{world['answer'].pk}/feedback/",
        "answer": f"{BASE}/checks/{world['check'].pk}/answer/",
    }[name]


# role -> (start a conversation / struggle, course reflections, usage report rows)
EXPECTED = {
    "anonymous": (401, 401, 401),
    "unverified": (403, 403, 403),
    "student": (201, 403, 403),
    "other_student": (201, 403, 403),
    "instructor": (201, 200, 1),
    "other_instructor": (403, 403, 0),
    "editor": (201, 200, 1),
    "admin_user": (201, 200, 1),
}


@pytest.mark.parametrize("role", ALL_ROLES)
def test_matrix(request, api_client, as_user, world, unverified, role):
    client = client_for(role, request, api_client, as_user)
    start_status, reflections_status, report = EXPECTED[role]

    # Someone else's conversation, messages, checks: never reachable (404, not revealed).
    if role != "student":
        before = snapshot()
        for method, name, body in OWNER_ONLY:
            response = getattr(client, method)(owner_url(world, name), body, format="json")
            expected = 401 if role == "anonymous" else 404
            assert response.status_code == expected, (method, name, response.content)
        assert snapshot() == before

    # Lists hold only your own.
    for url in (f"{BASE}/conversations/", f"{BASE}/reflections/", "/api/v2/me/assistant/usage/"):
        response = client.get(url)
        assert response.status_code == (401 if role == "anonymous" else 200)
        if response.status_code == 200 and "count" in response.json():
            assert response.json()["count"] == (1 if role == "student" else 0)

    # Reflections of the course: its instructors and reviewers only.
    response = client.get(f"/api/v2/courses/{world['course'].pk}/reflections/")
    assert response.status_code == reflections_status
    if reflections_status == 200:
        assert [r["text"] for r in response.json()["results"]] == ["mine"]

    # Usage report: instructors see their courses, reviewers every course.
    response = client.get(f"{BASE}/usage/report/")
    if report in (0, 1):
        assert response.status_code == 200 and len(response.json()) == report
    else:
        assert response.status_code == report

    # Starting a conversation and the struggle suggestion: learners and course staff.
    before = Conversation.objects.count()
    response = client.post(f"{BASE}/conversations/", {"course_id": world["course"].pk})
    assert response.status_code == start_status, response.content
    assert Conversation.objects.count() == before + (1 if start_status == 201 else 0)
    struggle = client.get(f"{BASE}/struggle/", {"course_id": world["course"].pk})
    assert struggle.status_code == (200 if start_status == 201 else start_status)


def test_the_owner_reaches_their_conversation(as_user, student, world):
    client = as_user(student)
    for method, name, body in OWNER_ONLY:
        if method == "delete":
            continue
        response = getattr(client, method)(owner_url(world, name), body, format="json")
        assert response.status_code in (200, 201), (method, name, response.content)
    assert client.delete(owner_url(world, "conversation")).status_code == 204
