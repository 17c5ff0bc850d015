import pytest

from learning.accounts import data_rights
from tests.factories import learning as lf

pytestmark = pytest.mark.django_db


def test_export_holds_enrollments_and_progress(student, as_user):
    course, (video, _reading) = lf.video_course()
    lf.enroll(student, course)
    client = as_user(student)
    lf.watch(client, student, video, 0, 20)
    response = client.get("/api/v2/me/export/")
    assert response.status_code == 200
    body = response.json()
    assert [e["course_id"] for e in body["enrollments"]] == [course.pk]
    assert body["lesson_progress"][0]["lesson_id"] == str(video)
    assert body["lesson_progress"][0]["watched"] == [[0.0, 20.0]]
    assert "enrollments" in [section.name for section in data_rights.sections()]
