import pytest

from tests.factories.analytics import scripted_course


@pytest.fixture
def analytics_course(instructor, student, other_student):
    """See :func:`tests.factories.analytics.scripted_course`."""
    return scripted_course(instructor, student, other_student)
