"""The "Course roster" report in the Wagtail admin, its spreadsheet export, menu item and
course page button, and the guard against deleting courses that have enrollments; driven
with Django's test client logged in as each role."""

from __future__ import annotations

import csv
import io
from html import unescape

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from cms.models import CourseLesson, CoursePage
from learning.enrollment import services
from learning.enrollment.admin_views import roster_url
from learning.enrollment.models import Enrollment
from learning.progress import services as progress_services
from tests.factories import UserFactory
from tests.factories import courses as cf
from tests.factories import learning as lf

pytestmark = pytest.mark.django_db

ROSTER = "/admin/reports/course-roster/"
RESULTS = "/admin/reports/course-roster/results/"
XHR = {"headers": {"x-requested-with": "XMLHttpRequest"}}


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def complete_readings(user, course, *titles):
    for title in titles:
        lesson = CourseLesson.objects.get(course=course, title=title, is_live=True)
        progress_services.reading_mark_complete(user=user, lesson=lesson)


@pytest.fixture
def course(instructor):
    """Instructor's live course (three 5-minute lessons) with two learners: Ada has done two
    of the lessons (66%), Grace none."""
    page, _ = cf.published_course_with_lessons(instructors=[instructor], title="Python basics")
    ada = UserFactory(email="ada@example.com", first_name="Ada", last_name="Lovelace")
    grace = UserFactory(email="grace@example.com", first_name="Grace", last_name="Hopper")
    lf.enroll(ada, page)
    lf.enroll(grace, page, source=Enrollment.Source.SELF)
    complete_readings(ada, page, "Welcome", "Deep dive")
    return page


@pytest.fixture
def other_course(other_instructor):
    page = cf.course(instructors=[other_instructor], title="Other instructor's course")
    lf.enroll(UserFactory(email="someone.else@example.com"), page)
    return page


def rows(html: str) -> int:
    """Rows in the report's table, less its header row."""
    table = html.split('<table class="listing">', 1)[1].split("</table>", 1)[0]
    return table.count("<tr") - 1


# --- Who sees what ----------------------------------------------------------------------------


def test_instructor_sees_their_course_roster_with_percent_complete(instructor, course):
    response = login(instructor).get(ROSTER, {"course": course.pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Course roster: Python basics" in html
    for text in ("Ada Lovelace", "ada@example.com", "Grace Hopper", "grace@example.com"):
        assert text in html
    assert "66%" in html and "0%" in html
    assert "Added by an administrator" in html and "Enrolled themselves" in html
    assert rows(html) == 2


@pytest.mark.parametrize("url", [ROSTER, RESULTS])
def test_other_instructor_is_refused_that_course(other_instructor, course, other_course, url):
    client = login(other_instructor)
    response = client.get(url, {"course": course.pk})
    assert response.status_code == 302
    assert response.url == "/admin/"
    assert b"ada@example.com" not in response.content
    assert client.get(url, {"course": course.pk}, **XHR).status_code == 403
    exported = client.get(url, {"course": course.pk, "export": "csv"})
    assert exported.status_code == 302
    assert b"ada@example.com" not in exported.content
    # Their own course is fine, and the one they do not teach is not even offered.
    own = client.get(ROSTER, {"course": other_course.pk}).content.decode()
    assert "someone.else@example.com" in own
    assert "Python basics" not in own


def test_unknown_course_id_is_refused_like_a_foreign_one(instructor, course):
    client = login(instructor)
    for value in (course.pk + 1000, "not-a-number"):
        assert client.get(ROSTER, {"course": value}, **XHR).status_code == 403


def test_editor_and_admin_see_every_course(editor, admin_user, course, other_course):
    for user in (editor, admin_user):
        html = login(user).get(ROSTER, {"course": course.pk}).content.decode()
        assert "ada@example.com" in html and "66%" in html
        choices = login(user).get(ROSTER).content.decode()
        assert "Python basics" in choices and "Other instructor&#x27;s course" in choices


def test_student_is_refused(student, course):
    client = login(student)
    response = client.get(ROSTER, {"course": course.pk})
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")
    assert client.get(ROSTER, {"course": course.pk, "export": "csv"}).status_code == 302


def test_admin_user_without_teach_or_review_permission_is_refused(student, course):
    student.groups.first().permissions.add(Permission.objects.get(codename="access_admin"))
    client = login(student)
    assert client.get(ROSTER, {"course": course.pk}, **XHR).status_code == 403
    response = client.get(ROSTER, {"course": course.pk})
    assert response.status_code == 302 and response.url == "/admin/"


def test_anonymous_is_sent_to_login(course):
    response = Client().get(ROSTER, {"course": course.pk})
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


# --- Choosing, filtering, searching, sorting -------------------------------------------------


def test_without_a_course_it_asks_for_one_and_links_the_users_courses(
    instructor, course, other_course
):
    html = login(instructor).get(ROSTER).content.decode()
    assert "Choose a course" in html
    assert f'href="{roster_url(course.pk)}"' in html
    assert roster_url(other_course.pk) not in html
    assert "ada@example.com" not in html


def test_instructor_without_courses_is_told_so(other_instructor):
    html = login(other_instructor).get(ROSTER).content.decode()
    assert "No courses yet" in html


def test_search_by_name_or_email(instructor, course):
    client = login(instructor)
    by_name = client.get(ROSTER, {"course": course.pk, "q": "lovelace"}).content.decode()
    assert "ada@example.com" in by_name and "grace@example.com" not in by_name
    by_email = client.get(RESULTS, {"course": course.pk, "q": "GRACE@"}).content.decode()
    assert "grace@example.com" in by_email and "ada@example.com" not in by_email
    nobody = client.get(ROSTER, {"course": course.pk, "q": "nobody"}).content.decode()
    assert "No learners match your query." in nobody


def test_status_filter_shows_history_on_request(instructor, course):
    grace = Enrollment.objects.get(course=course, user__email="grace@example.com")
    services.enrollment_cancel(enrollment=grace, by=instructor)
    client = login(instructor)
    current = client.get(ROSTER, {"course": course.pk}).content.decode()
    assert "ada@example.com" in current and "grace@example.com" not in current
    cancelled = client.get(ROSTER, {"course": course.pk, "status": "cancelled"}).content.decode()
    assert "grace@example.com" in cancelled and "ada@example.com" not in cancelled


def test_sorting(instructor, course):
    client = login(instructor)
    by_name = client.get(ROSTER, {"course": course.pk}).content.decode()  # last name A-Z
    assert by_name.index("Grace Hopper") < by_name.index("Ada Lovelace")
    reversed_ = client.get(ROSTER, {"course": course.pk, "ordering": "-name"}).content.decode()
    assert reversed_.index("Ada Lovelace") < reversed_.index("Grace Hopper")
    most_first = client.get(ROSTER, {"course": course.pk, "ordering": "-progress"})
    html = most_first.content.decode()
    assert html.index("ada@example.com") < html.index("grace@example.com")
    least_first = client.get(ROSTER, {"course": course.pk, "ordering": "progress"})
    html = least_first.content.decode()
    assert html.index("grace@example.com") < html.index("ada@example.com")


# --- Spreadsheet export -----------------------------------------------------------------------


def export(client, course, fmt: str, **params):
    response = client.get(ROSTER, {"course": course.pk, "export": fmt, **params})
    assert response.status_code == 200
    return response, b"".join(response.streaming_content)


def test_csv_export_has_the_api_columns_and_respects_filters(instructor, course):
    response, body = export(login(instructor), course, "csv")
    assert response["Content-Type"].startswith("text/csv")
    today = timezone.localdate().isoformat()
    assert f'filename="course-roster-{course.slug}-{today}.csv"' in response["Content-Disposition"]
    table = list(csv.DictReader(io.StringIO(body.decode())))
    assert list(table[0]) == [
        "Name",
        "Email",
        "Status",
        "Source",
        "Enrolled at",
        "Last activity at",
        "Completed at",
        "Percent complete",
    ]
    by_email = {row["Email"]: row for row in table}
    assert set(by_email) == {"ada@example.com", "grace@example.com"}
    ada = by_email["ada@example.com"]
    assert ada["Name"] == "Ada Lovelace"
    assert ada["Status"] == "Active" and ada["Source"] == "Added by an administrator"
    assert ada["Percent complete"] == "66"
    enrolled = Enrollment.objects.get(course=course, user__email="ada@example.com").enrolled_at
    assert ada["Enrolled at"] == enrolled.replace(microsecond=0).isoformat()
    assert ada["Last activity at"].endswith("+00:00")
    assert ada["Completed at"] == ""
    assert by_email["grace@example.com"]["Percent complete"] == "0"

    _, searched = export(login(instructor), course, "csv", q="hopper")
    assert b"grace@example.com" in searched and b"ada@example.com" not in searched


def test_csv_export_keeps_names_from_running_as_formulas(instructor, course):
    mallory = UserFactory(email="mallory@example.com", display_name="=HYPERLINK(1)")
    lf.enroll(mallory, course)
    _, body = export(login(instructor), course, "csv", q="mallory")
    (row,) = csv.DictReader(io.StringIO(body.decode()))
    assert row["Name"] == "'=HYPERLINK(1)"


def test_xlsx_export(editor, course):
    response = login(editor).get(ROSTER, {"course": course.pk, "export": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = list(sheet.values)
    assert values[0][:2] == ("Name", "Email")
    assert {row[1]: row[7] for row in values[1:]} == {
        "ada@example.com": 66,
        "grace@example.com": 0,
    }


def test_export_buttons_only_once_a_course_is_chosen(instructor, course):
    client = login(instructor)
    assert "Download CSV" not in client.get(ROSTER).content.decode()
    assert "Download CSV" in client.get(ROSTER, {"course": course.pk}).content.decode()


# --- Query budget -----------------------------------------------------------------------------


def test_report_queries_do_not_grow_with_learners(
    instructor, course, django_assert_max_num_queries
):
    client = login(instructor)
    client.get(ROSTER, {"course": course.pk})  # warm caches (content types, site root)
    with CaptureQueriesContext(connection) as few:
        assert b"ada@example.com" in client.get(ROSTER, {"course": course.pk}).content
    for n in range(30):
        lf.enroll(UserFactory(email=f"learner{n:02}@example.com"), course)
    with django_assert_max_num_queries(len(few)):
        html = client.get(ROSTER, {"course": course.pk}).content.decode()
    assert rows(html) == 32
    with django_assert_max_num_queries(len(few)):
        _, body = export(client, course, "csv")
    assert body.count(b"@example.com") == 32
    assert len(few) <= 20


# --- Menu and course page button --------------------------------------------------------------

MENU_ENTRY = f'"url": "{ROSTER}"'


def test_menu_item_only_for_people_who_teach_or_review(instructor, editor, admin_user, student):
    for user in (instructor, editor, admin_user):
        assert MENU_ENTRY in login(user).get("/admin/").content.decode(), user
    student.groups.first().permissions.add(Permission.objects.get(codename="access_admin"))
    html = login(student).get("/admin/").content.decode()
    assert '"url": "/admin/account/"' in html
    assert MENU_ENTRY not in html


def test_course_pages_link_to_their_roster_for_their_staff(
    instructor, other_instructor, editor, course, other_course
):
    catalog = course.get_parent()
    mine = login(instructor).get(f"/admin/pages/{catalog.pk}/").content.decode()
    assert f'href="{roster_url(course.pk)}"' in mine
    assert roster_url(other_course.pk) not in mine
    everything = login(editor).get(f"/admin/pages/{catalog.pk}/").content.decode()
    assert roster_url(course.pk) in everything and roster_url(other_course.pk) in everything
    header = login(instructor).get(f"/admin/pages/{course.pk}/edit/").content.decode()
    assert roster_url(course.pk) in header
    not_theirs = login(other_instructor).get(f"/admin/pages/{catalog.pk}/").content.decode()
    assert roster_url(course.pk) not in not_theirs


# --- Deleting a course that has learners -------------------------------------------------------


def messages_of(response) -> list[str]:
    """The messages the response left for the next page, as the reader sees them."""
    return [unescape(str(m)).strip() for m in get_messages(response.wsgi_request)]


def test_deleting_a_course_with_enrollments_is_refused(admin_user, course):
    url = f"/admin/pages/{course.pk}/delete/"
    asked = login(admin_user).get(url)  # the confirmation page is not even offered
    assert asked.status_code == 302
    assert "2 enrollments" in messages_of(asked)[0]
    response = login(admin_user).post(url)
    assert response.status_code == 302
    assert response.url == f"/admin/pages/{course.pk}/edit/"
    assert messages_of(response) == [
        "This course has 2 enrollments, so it cannot be deleted; unpublish it instead."
    ]
    assert CoursePage.objects.filter(pk=course.pk).exists()
    assert Enrollment.objects.filter(course=course).count() == 2


def test_enrollments_of_any_status_protect_the_course(admin_user, instructor, course):
    for entry in Enrollment.objects.filter(course=course):
        services.enrollment_cancel(enrollment=entry, by=instructor)
    response = login(admin_user).post(f"/admin/pages/{course.pk}/delete/?next=/admin/pages/")
    assert response.status_code == 302 and response.url == "/admin/pages/"
    assert "2 enrollments" in messages_of(response)[0]
    assert CoursePage.objects.filter(pk=course.pk).exists()


def test_deleting_the_catalog_above_a_course_with_enrollments_is_refused(admin_user, course):
    catalog = course.get_parent()
    response = login(admin_user).post(f"/admin/pages/{catalog.pk}/delete/")
    assert response.status_code == 302
    assert messages_of(response) == [
        "'Courses' contains courses with 2 enrollments, so it cannot be deleted; unpublish "
        "those courses instead."
    ]
    assert CoursePage.objects.filter(pk=course.pk).exists()


def test_bulk_deleting_a_course_with_enrollments_is_refused(admin_user, course):
    url = f"/admin/bulk/wagtailcore/page/delete/?id={course.pk}&next=/admin/pages/"
    response = login(admin_user).post(url)
    assert response.status_code == 302 and response.url == "/admin/pages/"
    assert messages_of(response) == [
        "The course 'Python basics' has 2 enrollments, so it cannot be deleted; unpublish it "
        "instead."
    ]
    assert CoursePage.objects.filter(pk=course.pk).exists()


def test_a_course_without_enrollments_still_deletes(admin_user, instructor):
    page, _ = cf.published_course_with_lessons(instructors=[instructor], title="Empty")
    response = login(admin_user).post(f"/admin/pages/{page.pk}/delete/")
    assert response.status_code == 302
    assert not CoursePage.objects.filter(pk=page.pk).exists()
