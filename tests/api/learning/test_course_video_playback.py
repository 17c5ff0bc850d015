"""The playback policy admits a course's learners, instructors and reviewers, and everyone
for a free-preview lesson's video."""

import pytest

from tests.factories import UserFactory
from tests.factories import courses as cf
from tests.factories import learning as lf
from tests.media_pipeline.fixtures import client_for

pytestmark = pytest.mark.django_db


def play(user, asset):
    return client_for(user).get(f"/api/v2/media/videos/{asset.pk}/playback/")


def test_course_video_playback_matrix(roles, processed_video):
    teacher = UserFactory(roles=["instructor"])
    course = cf.course(instructors=[teacher])
    cf.section(course, lessons=[cf.video("Watch", asset=processed_video)])
    lf.enroll(roles.student, course)
    expected = {
        None: 401,
        roles.student: 200,
        UserFactory(): 403,
        teacher: 200,
        roles.other_instructor: 403,
        roles.instructor: 200,
        roles.editor: 200,
        roles.admin_user: 200,
    }
    for user, status in expected.items():
        response = play(user, processed_video)
        assert response.status_code == status, (user, response.content)
        if status == 200:
            assert response.json()["hls_url"]
        else:
            assert "hls_url" not in response.json()


def test_leaving_or_unpublishing_stops_playback(roles, processed_video):
    student = roles.student
    course = cf.course()
    part = cf.section(course, lessons=[cf.video("Watch", asset=processed_video)])
    enrollment = lf.enroll(student, course)
    assert play(student, processed_video).status_code == 200
    part.unpublish()
    assert play(student, processed_video).status_code == 403
    part.save_revision().publish()
    from learning.enrollment.services import enrollment_cancel

    enrollment_cancel(enrollment=enrollment)
    assert play(student, processed_video).status_code == 403


def test_free_preview_videos_play_for_everyone(roles, processed_video):
    other_student = UserFactory()
    course = cf.course()
    cf.section(course, lessons=[cf.video("Trailer", asset=processed_video, free_preview=True)])
    assert play(None, processed_video).status_code == 200
    assert play(other_student, processed_video).status_code == 200
