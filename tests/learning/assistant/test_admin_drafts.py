"""Instructor help in the Wagtail admin: the model drafts a course outline and quiz
questions (real HTTP to the local OpenAI-compatible server); drafts only, never published;
a reply that is not the asked JSON is an error message and nothing is created."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from wagtail.models import Revision

from cms.models import CoursePage, CourseStaff, SectionPage
from tests.factories import courses as cf

pytestmark = pytest.mark.django_db

OUTLINE = "/admin/assistant/drafts/outline/"

GOOD_OUTLINE = {
    "title": "Python for data analysis",
    "summary": "From lists to data frames.",
    "sections": [
        {
            "title": "Getting started",
            "lessons": [
                {"title": "Installing Python", "summary": "Set up the tools."},
                {"title": "Your first script"},
            ],
        },
        {"title": "Working with data", "lessons": [{"title": "Reading CSV files"}]},
    ],
}
GOOD_QUESTIONS = {
    "questions": [
        {
            "prompt": "What does the lesson ask you to do?",
            "choices": ["Skim it", "Read it carefully", "Skip it"],
            "correct_index": 1,
            "explanation": "The lesson says to read carefully.",
        },
        {
            "prompt": "Which language is the code in?",
            "choices": ["Python", "Go"],
            "correct_index": 0,
        },
    ]
}


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def reply_with(server, value) -> None:
    server.reply = lambda body: value if isinstance(value, str) else json.dumps(value)


def test_outline_becomes_a_draft_course_the_instructor_edits(openai_server, instructor):
    cf.catalog()
    reply_with(openai_server, GOOD_OUTLINE)
    client = login(instructor)
    assert b"Draft the outline" in client.get(OUTLINE).content
    response = client.post(
        OUTLINE,
        {"topic": "Python <b>data</b>", "level": "beginner", "goals": "Load a CSV file"},
    )
    course = CoursePage.objects.get(title="Python for data analysis")
    assert response.status_code == 302 and response.url == f"/admin/pages/{course.pk}/"
    assert not course.live and course.has_unpublished_changes
    assert course.level == "beginner" and course.subtitle == "From lists to data frames."
    sections = list(SectionPage.objects.child_of(course).order_by("path"))
    assert [s.title for s in sections] == ["Getting started", "Working with data"]
    assert not any(s.live for s in sections)
    first = sections[0].get_latest_revision_as_object()
    assert [b.value["title"] for b in first.lessons] == ["Installing Python", "Your first script"]
    assert {b.block_type for b in first.lessons} == {"reading"}
    draft = course.get_latest_revision_as_object()
    assert [i.user_id for i in draft.course_instructors.all()] == [instructor.pk]
    assert CourseStaff.objects.filter(course=course, user=instructor).exists()
    # The instructor may edit the draft (listed as its instructor).
    assert client.get(f"/admin/pages/{sections[0].pk}/edit/").status_code == 200
    body = openai_server.requests[-1]
    assert body["response_format"] == {"type": "json_object"}
    prompt = body["messages"][-1]["content"]
    assert "Load a CSV file" in prompt and "<b>" not in prompt  # quoted data


@pytest.mark.parametrize(
    "reply",
    [
        "Sure! Here is an outline: 1. Basics 2. More",
        {"title": "No sections", "sections": []},
        {"title": "Bad lessons", "sections": [{"title": "S", "lessons": ["just a string"]}]},
        {"title": "", "sections": [{"title": "S", "lessons": [{"title": "L"}]}]},
    ],
)
def test_garbage_outline_is_an_error_and_creates_nothing(openai_server, instructor, reply):
    cf.catalog()
    reply_with(openai_server, reply)
    pages = CoursePage.objects.count(), SectionPage.objects.count(), Revision.objects.count()
    response = login(instructor).post(
        OUTLINE, {"topic": "Python", "level": "beginner", "goals": "Learn"}
    )
    assert response.status_code == 200
    assert "could not be used" in response.content.decode()
    assert (CoursePage.objects.count(), SectionPage.objects.count()) == pages[:2]
    assert Revision.objects.count() == pages[2]


def test_without_a_provider_the_forms_say_so_and_nothing_is_drafted(offline_tutor, instructor):
    cf.catalog()
    client = login(instructor)
    assert b"needs a model provider" in client.get(OUTLINE).content
    count = CoursePage.objects.count()
    response = client.post(OUTLINE, {"topic": "Python", "level": "beginner", "goals": "Learn"})
    assert "could not be used" in response.content.decode()
    assert CoursePage.objects.count() == count


def test_learners_cannot_draft(openai_server, student):
    cf.catalog()
    response = login(student).get(OUTLINE)
    assert response.status_code in (302, 403)
    assert openai_server.requests == []


@pytest.fixture
def section(instructor):
    _, part = cf.published_course_with_lessons(instructors=[instructor], title="Python basics")
    return part


def lesson_id(section, title: str) -> str:
    return next(str(b.id) for b in section.lessons if b.value["title"] == title)


def test_quiz_questions_go_into_a_draft_revision_of_the_section(openai_server, instructor, section):
    reply_with(openai_server, GOOD_QUESTIONS)
    url = f"/admin/assistant/drafts/quiz/{section.pk}/"
    client = login(instructor)
    assert url in client.get(f"/admin/pages/{section.pk}/edit/").content.decode()  # header button
    form = client.get(url).content.decode()
    assert "Deep dive" in form
    target = lesson_id(section, "Deep dive")
    response = client.post(url, {"lesson": target, "count": 2})
    assert response.status_code == 302 and response.url == f"/admin/pages/{section.pk}/edit/"
    section.refresh_from_db()
    assert section.has_unpublished_changes
    live = [b.value["title"] for b in section.lessons]
    assert live == ["Welcome", "Deep dive", "Check"]  # the live section is untouched
    draft = section.get_latest_revision_as_object()
    assert [b.value["title"] for b in draft.lessons] == [
        "Welcome",
        "Deep dive",
        "Quiz: Deep dive",
        "Check",
    ]
    quiz = draft.lessons[2].value
    questions = list(quiz["questions"])
    assert [q.block_type for q in questions] == ["single_choice", "single_choice"]
    first = questions[0].value
    assert "What does the lesson ask you to do?" in first["prompt"].source
    assert [(c["text"], c["correct"]) for c in first["choices"]] == [
        ("Skim it", False),
        ("Read it carefully", True),
        ("Skip it", False),
    ]
    assert "read carefully" in first["explanation"].source
    # The lesson's text went to the model; the existing quiz's answer keys did not.
    prompt = openai_server.requests[-1]["messages"][-1]["content"]
    assert "Read this carefully." in prompt
    for marker in cf.ANSWER_MARKERS[:3]:
        assert marker not in prompt


@pytest.mark.parametrize(
    "reply",
    [
        "not json at all",
        {"questions": [{"prompt": "Q?", "choices": ["a", "b"], "correct_index": 5}]},
        {"questions": [{"prompt": "Q?", "choices": ["only one"], "correct_index": 0}]},
        {"questions": []},
    ],
)
def test_garbage_questions_are_an_error_and_no_revision_is_saved(
    openai_server, instructor, section, reply
):
    reply_with(openai_server, reply)
    revisions = Revision.objects.count()
    response = login(instructor).post(
        f"/admin/assistant/drafts/quiz/{section.pk}/",
        {"lesson": lesson_id(section, "Deep dive"), "count": 2},
    )
    assert response.status_code == 200
    assert "could not be used" in response.content.decode()
    assert Revision.objects.count() == revisions
    section.refresh_from_db()
    assert not section.has_unpublished_changes


def test_another_instructor_cannot_draft_questions_for_the_section(
    openai_server, other_instructor, section
):
    revisions = Revision.objects.count()
    response = login(other_instructor).post(
        f"/admin/assistant/drafts/quiz/{section.pk}/",
        {"lesson": lesson_id(section, "Deep dive"), "count": 2},
    )
    assert response.status_code in (302, 403)
    assert openai_server.requests == [] and Revision.objects.count() == revisions
