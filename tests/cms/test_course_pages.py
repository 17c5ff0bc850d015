"""The site renders published courses without any frontend."""

import pytest

from tests.factories import courses as cf

pytestmark = pytest.mark.django_db


def test_catalog_course_and_section_pages_render(client, instructor):
    course, section = cf.published_course_with_lessons(
        instructors=[instructor], title="Rendered course", subtitle="Seen on the site"
    )
    cf.course(title="Hidden draft", publish=False)

    catalog = client.get("/courses/")
    assert catalog.status_code == 200
    assert "Rendered course" in catalog.content.decode()
    assert "Hidden draft" not in catalog.content.decode()

    page = client.get(course.url).content.decode()
    assert "Seen on the site" in page and "Basics" in page and "Deep dive" in page
    assert instructor.public_name in page

    html = client.get(section.url).content.decode()
    assert "Read this carefully" in html  # the free-preview reading is shown
    assert html.count("Read this carefully") == 1  # the gated one is not
    # The gated lesson links to the student frontend's course page, where enrolling is.
    assert f'<a href="/learn/courses/{course.pk}">Enroll in the course</a> to open' in html
    for marker in cf.ANSWER_MARKERS[:3]:
        assert marker not in html


def test_courses_without_a_lesson_index_are_indexed_after_migrate():
    from django.core.management import call_command

    from cms.models import CourseLesson
    from tests.factories import courses as cf

    page, _ = cf.published_course_with_lessons()
    CourseLesson.objects.all().delete()
    call_command("migrate", verbosity=0)
    assert CourseLesson.objects.filter(course=page, is_live=True).count() == 3
