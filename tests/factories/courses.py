"""Course content for tests: a catalog under the site's home page, courses, sections and
lesson values (the same native values the admin produces)."""

from __future__ import annotations

import io

from django.conf import settings
from django.core.files.images import ImageFile
from PIL import Image as PILImage
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.images import get_image_model
from wagtail.models import Locale, Page

from cms.models import CourseCategory, CourseIndexPage, CourseInstructor, CoursePage, SectionPage
from learning.demo.services import ensure_home_page

# Strings that appear only in correct answers and explanations: no response may contain them.
ANSWER_MARKERS = (
    "SECRET-EXPLANATION",
    "42.125",
    "SECRET-ACCEPTED",
    '"correct',
    "explanation",
    "accepted_answers",
    "tolerance",
)


def _ensure_page_tree_root() -> None:
    """Wagtail's migrations make a locale and the tree's root page; a transactional test's
    flush removes them."""
    if Page.objects.filter(depth=1).exists():
        return
    Locale.objects.get_or_create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
    )
    Page.add_root(instance=Page(title="Root", slug="root"))


def catalog() -> CourseIndexPage:
    existing = CourseIndexPage.objects.first()
    if existing:
        return existing
    _ensure_page_tree_root()
    home = ensure_home_page()
    page = CourseIndexPage(title="Courses", slug="courses")
    home.add_child(instance=page)
    page.save_revision().publish()
    from cms.authoring import ensure_course_authoring

    ensure_course_authoring()
    return page


def image(title: str = "cover", size: tuple[int, int] = (64, 36)):
    buffer = io.BytesIO()
    PILImage.new("RGB", size, (200, 80, 40)).save(buffer, format="PNG")
    return get_image_model().objects.create(
        title=title, file=ImageFile(io.BytesIO(buffer.getvalue()), name=f"{title}.png")
    )


def category(name: str = "Programming", parent=None) -> CourseCategory:
    slug = name.lower().replace(" ", "-")
    return CourseCategory.objects.get_or_create(
        slug=slug, defaults={"name": name, "parent": parent}
    )[0]


def course(*, instructors=(), publish: bool = True, owner=None, tags=(), **fields) -> CoursePage:
    fields.setdefault("title", "A course")
    page = CoursePage(owner=owner, live=False, **fields)
    catalog().add_child(instance=page)
    page.course_instructors = [CourseInstructor(user=user) for user in instructors]
    for tag in tags:
        page.tags.add(tag)
    revision = page.save_revision(user=owner)
    if publish:
        revision.publish()
    page.refresh_from_db()
    return page


def section(parent: CoursePage, *, lessons=(), publish: bool = True, **fields) -> SectionPage:
    fields.setdefault("title", "A section")
    page = SectionPage(lessons=list(lessons), live=False, **fields)
    parent.add_child(instance=page)
    revision = page.save_revision()
    if publish:
        revision.publish()
    page.refresh_from_db()
    return page


def reading(title: str = "Reading", *, free_preview: bool = False, minutes: int = 5, content=None):
    return (
        "reading",
        {
            "title": title,
            "summary": "",
            "estimated_minutes": minutes,
            "free_preview": free_preview,
            "content": content
            if content is not None
            else [("paragraph", "<p>Read this carefully.</p>"), ("code", _code())],
        },
    )


def _code():
    return {"language": "python", "code": "print('hi')", "caption": ""}


def quiz(title: str = "Quiz", *, free_preview: bool = False, minutes: int = 5):
    """A quiz with one question of every type; every answer and explanation contains one of
    :data:`ANSWER_MARKERS`, so tests can scan responses for leaks."""
    explanation = "<p>SECRET-EXPLANATION why</p>"
    return (
        "quiz",
        {
            "title": title,
            "summary": "",
            "estimated_minutes": minutes,
            "free_preview": free_preview,
            "instructions": "<p>Answer every question.</p>",
            "pass_mark": 60,
            "attempt_limit": 3,
            "shuffle": True,
            "questions": [
                (
                    "single_choice",
                    {
                        "prompt": "<p>Pick one</p>",
                        "explanation": explanation,
                        "points": 1,
                        "choices": [
                            {"text": "wrong", "correct": False},
                            {"text": "right", "correct": True},
                        ],
                    },
                ),
                (
                    "multiple_choice",
                    {
                        "prompt": "<p>Pick some</p>",
                        "explanation": explanation,
                        "points": 2,
                        "choices": [
                            {"text": "a", "correct": True},
                            {"text": "b", "correct": True},
                            {"text": "c", "correct": False},
                        ],
                    },
                ),
                (
                    "true_false",
                    {
                        "prompt": "<p>True?</p>",
                        "explanation": explanation,
                        "points": 1,
                        "correct_answer": "true",
                    },
                ),
                (
                    "numeric",
                    {
                        "prompt": "<p>How much?</p>",
                        "explanation": explanation,
                        "points": 1,
                        "answer": 42.125,
                        "tolerance": 0.01,
                        "unit": "kg",
                    },
                ),
                (
                    "short_text",
                    {
                        "prompt": "<p>Say it</p>",
                        "explanation": explanation,
                        "points": 1,
                        "accepted_answers": ["SECRET-ACCEPTED"],
                        "case_sensitive": False,
                    },
                ),
            ],
        },
    )


def published_course_with_lessons(*, instructors=(), **fields):
    """A live course with one section holding a free reading, a gated reading and a quiz."""
    page = course(instructors=instructors, **fields)
    part = section(
        page,
        title="Basics",
        lessons=[
            reading("Welcome", free_preview=True),
            reading("Deep dive"),
            quiz("Check"),
        ],
    )
    return page, part


def video(title: str = "Video", *, asset=None, free_preview: bool = False, minutes: int = 3):
    """A video lesson with one checkpoint question (answers carry ANSWER_MARKERS)."""
    return (
        "video",
        {
            "title": title,
            "summary": "",
            "estimated_minutes": minutes,
            "free_preview": free_preview,
            "video": {"video": asset, "title": "", "caption": ""},
            "checkpoints": [
                {
                    "at_seconds": 1.5,
                    "question": [
                        (
                            "numeric",
                            {
                                "prompt": "<p>How much?</p>",
                                "explanation": "<p>SECRET-EXPLANATION</p>",
                                "points": 1,
                                "answer": 42.125,
                                "tolerance": 0.5,
                                "unit": "",
                            },
                        )
                    ],
                }
            ],
            "notes": "<p>Notes under the video.</p>",
        },
    )
