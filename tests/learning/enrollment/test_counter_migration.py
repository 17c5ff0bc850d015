"""The learner counter moved from cms.CourseStats to enrollment.CourseEnrollmentStats by a
reversible migration that keeps the numbers both ways."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from learning.enrollment.models import CourseEnrollmentStats
from tests.factories import UserFactory
from tests.factories import courses as cf
from tests.factories import learning as lf

BEFORE = [("enrollment", "0003_enrollment_expiry"), ("cms", "0005_course_access_days")]


def _migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def _cms_count(course_id: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT learner_count FROM cms_coursestats WHERE course_id = %s", [course_id]
        )
        return cursor.fetchone()[0]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_counter_moves_to_enrollment_and_back_with_its_numbers():
    course, _ = cf.published_course_with_lessons()
    for _ in range(3):
        lf.enroll(UserFactory(), course)
    assert CourseEnrollmentStats.objects.get(course=course).learner_count == 3
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        _migrate(BEFORE)
        assert _cms_count(course.pk) == 3
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE cms_coursestats SET learner_count = 7 WHERE course_id = %s", [course.pk]
            )
    finally:
        _migrate(latest)
    assert CourseEnrollmentStats.objects.get(course=course).learner_count == 7
