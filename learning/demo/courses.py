"""Demo courses: a catalog with two published courses (video, reading and quiz lessons, using
the demo videos) and one draft waiting for review.
Idempotent: courses are found by slug and never built twice."""

from __future__ import annotations

import io
from decimal import Decimal

from django.core.files.images import ImageFile
from django.db import transaction
from wagtail.images import get_image_model

from cms.authoring import ensure_course_authoring
from cms.models import (
    CourseCategory,
    CourseIndexPage,
    CourseInstructor,
    CoursePage,
    HomePage,
    SectionPage,
)
from learning.demo import covers


def _reading(title, paragraphs, *, minutes=5, free_preview=False, code=None, tip=None):
    content = [("paragraph", f"<p>{text}</p>") for text in paragraphs]
    if code:
        content.append(("code", {"language": "python", "code": code, "caption": ""}))
    if tip:
        content.append(("callout", {"style": "tip", "title": "Tip", "text": f"<p>{tip}</p>"}))
    return (
        "reading",
        {
            "title": title,
            "summary": paragraphs[0][:120],
            "estimated_minutes": minutes,
            "free_preview": free_preview,
            "content": content,
        },
    )


def _video(title, asset_index, *, free_preview=False, checkpoint=None):
    """A video lesson; ``asset_index`` picks a demo video (resolved when the course is built)."""
    checkpoints = []
    if checkpoint:
        at, question = checkpoint
        checkpoints.append({"at_seconds": at, "question": [question]})
    return (
        "video",
        {
            "title": title,
            "summary": f"A short video: {title.lower()}.",
            "estimated_minutes": 2,
            "free_preview": free_preview,
            "video": {"video": asset_index, "title": title, "caption": ""},
            "checkpoints": checkpoints,
            "notes": "<p>Pause any time; your place is kept.</p>",
        },
    )


def _choice(prompt, choices, correct, explanation):
    return (
        "single_choice",
        {
            "prompt": f"<p>{prompt}</p>",
            "explanation": f"<p>{explanation}</p>",
            "points": 1,
            "choices": [{"text": c, "correct": c == correct} for c in choices],
        },
    )


def _quiz(title, questions, *, minutes=5, time_limit_minutes=0):
    return (
        "quiz",
        {
            "title": title,
            "summary": "Check what you learned.",
            "estimated_minutes": minutes,
            "free_preview": False,
            "instructions": "<p>Answer every question; you can try again.</p>",
            "pass_mark": 60,
            "attempt_limit": 0,
            "shuffle": False,
            "time_limit_minutes": time_limit_minutes,
            "feedback": "after_each_attempt",
            "questions": questions,
        },
    )


PYTHON_SECTIONS = [
    (
        "Getting started",
        [
            _video(
                "Welcome",
                0,
                free_preview=True,
                checkpoint=(
                    1.0,
                    (
                        "short_text",
                        {
                            "prompt": "<p>Which language is this course about?</p>",
                            "explanation": "<p>Python, named after Monty Python.</p>",
                            "points": 1,
                            "accepted_answers": ["Python", "Python 3"],
                            "case_sensitive": False,
                        },
                    ),
                ),
            ),
            _reading(
                "Why Python",
                [
                    "Python reads almost like English, which makes it a good first language.",
                    "Python is used for web sites, data analysis, automation and science.",
                    "It comes with a large standard library, so many tasks need no extra "
                    "installs. Python is free and runs on Windows, macOS and Linux.",
                ],
                free_preview=True,
            ),
            _reading(
                "Your first program",
                [
                    "Every program starts small. Type this and run it.",
                    "A program is a list of instructions the computer runs from top to bottom. "
                    "The print function writes text to the screen; put the text in quotes.",
                    "Save the file with a .py extension and run it with the python command in "
                    "a terminal.",
                ],
                code="print('Hello, Unpuzzle!')",
                tip="Run it twice: computers are patient.",
            ),
            _quiz(
                "Getting started quiz",
                [
                    _choice(
                        "Which function prints text?",
                        ["print", "echo", "say"],
                        "print",
                        "print() writes its arguments to the screen.",
                    ),
                    (
                        "true_false",
                        {
                            "prompt": "<p>Python code is indented with meaning.</p>",
                            "explanation": "<p>Indentation marks blocks.</p>",
                            "points": 1,
                            "correct_answer": "true",
                        },
                    ),
                    (
                        "multiple_choice",
                        {
                            "prompt": "<p>Which of these are Python keywords?</p>",
                            "explanation": "<p>def and return are keywords; print is a "
                            "function.</p>",
                            "points": 2,
                            "partial_credit": True,
                            "choices": [
                                {"text": "def", "correct": True},
                                {"text": "return", "correct": True},
                                {"text": "print", "correct": False},
                            ],
                        },
                    ),
                    (
                        "numeric",
                        {
                            "prompt": "<p>What does 10 / 4 give?</p>",
                            "explanation": "<p>Division gives a float: 2.5.</p>",
                            "points": 1,
                            "answer": 2.5,
                            "tolerance": 0,
                            "unit": "",
                        },
                    ),
                    (
                        "short_text",
                        {
                            "prompt": "<p>Which function prints text? Type its name.</p>",
                            "explanation": "<p>print, with parentheses when you call it.</p>",
                            "points": 1,
                            "accepted_answers": ["print", "print()"],
                            "case_sensitive": False,
                        },
                    ),
                ],
                time_limit_minutes=10,
            ),
        ],
    ),
    (
        "Values and names",
        [
            _reading(
                "Numbers and text",
                [
                    "Numbers calculate, strings hold text.",
                    "Integers are whole numbers and floats have a decimal point. Strings are "
                    "text in single or double quotes; join them with the plus sign.",
                    "A variable is a name that refers to a value; assign it with the equals "
                    "sign. Use type() to see what kind of value you have.",
                ],
                code="total = 2 + 3\nname = 'Ada'",
            ),
            _quiz(
                "Values quiz",
                [
                    (
                        "numeric",
                        {
                            "prompt": "<p>What is 7 * 6?</p>",
                            "explanation": "<p>Seven sixes.</p>",
                            "points": 1,
                            "answer": 42,
                            "tolerance": 0,
                            "unit": "",
                        },
                    ),
                    (
                        "short_text",
                        {
                            "prompt": "<p>Which keyword defines a function?</p>",
                            "explanation": "<p>def, short for define.</p>",
                            "points": 1,
                            "accepted_answers": ["def"],
                            "case_sensitive": True,
                        },
                    ),
                ],
            ),
        ],
    ),
    (
        "Functions",
        [
            _reading(
                "Defining functions",
                [
                    "Functions name a piece of work so you can reuse it.",
                    "Define a function with the def keyword, a name, parentheses and a colon, "
                    "then indent its body.",
                    "Parameters are the names inside the parentheses; arguments are the values "
                    "you pass when you call the function.",
                    "The return statement sends a result back to the caller; a function "
                    "without return gives None.",
                ],
                code="def greet(name):\n    return f'Hello, {name}'",
            ),
        ],
    ),
]

DATA_SECTIONS = [
    (
        "Looking at data",
        [
            _video(
                "How progress works",
                1,
                checkpoint=(
                    2.0,
                    (
                        "true_false",
                        {
                            "prompt": "<p>Is your progress saved?</p>",
                            "explanation": "<p>Yes, after every lesson.</p>",
                            "points": 1,
                            "correct_answer": "true",
                        },
                    ),
                ),
            ),
            _reading(
                "What is a dataset",
                [
                    "A dataset is a table: rows are things, columns are facts about them.",
                    "Each row is one record, such as a person or a sale, and each column is a "
                    "variable measured for every record.",
                    "A spreadsheet or a CSV file is a common way to store a dataset. Missing "
                    "values are empty cells; count them before you analyse.",
                ],
                free_preview=True,
            ),
            _reading(
                "Averages",
                [
                    "The mean adds values up and divides by their count.",
                    "The median is the middle value when the data is sorted; it resists "
                    "outliers. The mode is the most common value.",
                    "An outlier is a value far from the others; it pulls the mean toward it.",
                ],
            ),
            _quiz(
                "Averages quiz",
                [
                    _choice(
                        "The mean of 2, 4 and 6 is",
                        ["3", "4", "6"],
                        "4",
                        "(2 + 4 + 6) / 3 = 4",
                    ),
                    (
                        "multiple_choice",
                        {
                            "prompt": "<p>Which are measures of the centre?</p>",
                            "explanation": "<p>Mean and median; range measures spread.</p>",
                            "points": 1,
                            "choices": [
                                {"text": "mean", "correct": True},
                                {"text": "median", "correct": True},
                                {"text": "range", "correct": False},
                            ],
                        },
                    ),
                ],
            ),
        ],
    ),
    (
        "Charts",
        [
            _reading(
                "Bar charts",
                [
                    "Bars compare amounts across categories.",
                    "Start the value axis at zero so bar lengths are honest, and sort bars by "
                    "size to make comparison easy.",
                    "Use a line chart instead for changes over time, and a histogram to show "
                    "the distribution of one numeric variable.",
                ],
                minutes=8,
            )
        ],
    ),
]

DEMO_COURSES = [
    {
        "slug": "python-for-beginners",
        "title": "Python for beginners",
        "subtitle": "From your first line of code to your first function",
        "category": "python",
        "level": "beginner",
        "price": Decimal("0"),
        "tags": ["python", "programming"],
        "color": (53, 114, 165),
        "motif": "code",
        "sections": PYTHON_SECTIONS,
        "publish": True,
    },
    {
        "slug": "data-literacy",
        "title": "Data literacy",
        "subtitle": "Read tables and charts with confidence",
        "category": "data",
        "level": "beginner",
        "price": Decimal("29.00"),
        "tags": ["data"],
        "color": (46, 139, 87),
        "motif": "chart",
        "sections": DATA_SECTIONS,
        "publish": True,
    },
    {
        "slug": "python-testing",
        "title": "Testing Python code",
        "subtitle": "A draft waiting for an editor's review",
        "category": "python",
        "level": "intermediate",
        "price": Decimal("49.00"),
        "tags": ["python", "testing"],
        "color": (120, 80, 160),
        "motif": "checks",
        "sections": [PYTHON_SECTIONS[2]],
        "publish": False,
    },
]


def ensure_categories() -> dict[str, CourseCategory]:
    programming, _ = CourseCategory.objects.get_or_create(
        slug="programming", defaults={"name": "Programming"}
    )
    python, _ = CourseCategory.objects.get_or_create(
        slug="python", defaults={"name": "Python", "parent": programming}
    )
    data, _ = CourseCategory.objects.get_or_create(slug="data", defaults={"name": "Data"})
    return {"programming": programming, "python": python, "data": data}


def ensure_catalog(home: HomePage) -> CourseIndexPage:
    catalog = CourseIndexPage.objects.first()
    if catalog is None:
        catalog = CourseIndexPage(
            title="Courses", slug="courses", intro="<p>Every course on Unpuzzle.</p>"
        )
        home.add_child(instance=catalog)
        catalog.save_revision().publish()
    ensure_course_authoring()
    return catalog


def _cover(spec) -> object:
    """A generated cover (gradient, a motif, the title) with descriptive alt text."""
    Image = get_image_model()
    title = f"{spec['title']} cover"
    existing = Image.objects.filter(title=title).first()
    if existing:
        return existing
    png = covers.cover_png(
        title=spec["title"], subtitle=spec["subtitle"], color=spec["color"], motif=spec["motif"]
    )
    slug = title.lower().replace(" ", "-")
    return Image.objects.create(
        title=title,
        description=covers.cover_alt(title=spec["title"], motif=spec["motif"]),
        file=ImageFile(io.BytesIO(png), name=f"{slug}.png"),
    )


def _with_videos(lessons, videos):
    """Demo video lessons name a demo video by index; put the asset in its place."""
    built = []
    for kind, value in lessons:
        if kind == "video":
            value = {**value, "video": {**value["video"], "video": videos[value["video"]["video"]]}}
        built.append((kind, value))
    return built


def _build_course(spec, *, catalog, categories, instructor, editor, videos) -> CoursePage:
    course = CoursePage(
        title=spec["title"],
        slug=spec["slug"],
        subtitle=spec["subtitle"],
        description=f"<p>{spec['subtitle']}.</p>",
        category=categories[spec["category"]],
        level=spec["level"],
        price=spec["price"],
        cover_image=_cover(spec),
        learning_outcomes=[("outcome", "Explain the main ideas"), ("outcome", "Practise them")],
        owner=instructor,
        live=False,
    )
    catalog.add_child(instance=course)
    course.course_instructors = [CourseInstructor(user=instructor)]
    course.tags.add(*spec["tags"])
    revision = course.save_revision(user=instructor)
    if spec["publish"]:
        revision.publish(user=editor)
    for title, lessons in spec["sections"]:
        section = SectionPage(
            title=title, lessons=_with_videos(lessons, videos), owner=instructor, live=False
        )
        course.add_child(instance=section)
        section_revision = section.save_revision(user=instructor)
        if spec["publish"]:
            section_revision.publish(user=editor)
    if not spec["publish"]:
        course.refresh_from_db()
        course.get_workflow().start(course, instructor)  # submitted: waiting for review
    return course


@transaction.atomic
def ensure_demo_courses(*, home: HomePage, instructor, editor, videos) -> list[CoursePage]:
    catalog = ensure_catalog(home)
    categories = ensure_categories()
    courses = []
    for spec in DEMO_COURSES:
        course = CoursePage.objects.filter(slug=spec["slug"]).first()
        if course is None:
            course = _build_course(
                spec,
                catalog=catalog,
                categories=categories,
                instructor=instructor,
                editor=editor,
                videos=videos,
            )
        courses.append(course)
    return courses
