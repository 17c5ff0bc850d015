"""Course staff comes from the course's latest revision, published or not."""

import pytest

from cms.models import CourseInstructor, CourseStaff
from tests.factories import UserFactory
from tests.factories import courses as cf
from tests.support.roles import client_for

pytestmark = pytest.mark.django_db


def roster(user, course):
    return client_for(user).get(f"/api/v2/courses/{course.pk}/roster/")


def test_instructor_of_a_never_published_course_sees_its_roster_and_may_edit_it(
    instructor, other_instructor, editor
):
    creator = UserFactory(roles=["instructor"])
    draft = cf.course(owner=creator, instructors=[instructor], publish=False, title="In review")
    assert not draft.live and not CourseInstructor.objects.filter(course=draft).exists()
    assert set(CourseStaff.objects.filter(course=draft).values_list("user_id", flat=True)) == {
        instructor.pk
    }

    response = roster(instructor, draft)
    assert response.status_code == 200, response.content
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}
    assert draft.permissions_for_user(instructor).can_edit()
    # Someone not listed still cannot tell the draft exists, nor edit it.
    assert roster(other_instructor, draft).status_code == 404
    assert not draft.permissions_for_user(other_instructor).can_edit()
    # The creator listed someone else: the list decides, not who created it.
    assert not draft.permissions_for_user(creator).can_edit()
    assert roster(editor, draft).status_code == 200


def test_a_draft_changing_the_instructors_changes_the_staff(instructor, other_instructor):
    course, _ = cf.published_course_with_lessons(instructors=[instructor])
    assert roster(other_instructor, course).status_code == 403
    course = course.get_latest_revision_as_object()
    course.course_instructors = [CourseInstructor(user=other_instructor)]
    course.save_revision()
    assert roster(other_instructor, course).status_code == 200
    assert roster(instructor, course).status_code == 403
    # Learners still see the published list until the draft is published.
    assert list(CourseInstructor.objects.filter(course=course).values_list("user", flat=True)) == [
        instructor.pk
    ]
