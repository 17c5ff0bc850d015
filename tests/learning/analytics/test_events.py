import pytest

from learning.accounts import data_rights
from learning.analytics import services
from learning.analytics.models import LearningEvent, ObjectType, Verb
from learning.analytics.xapi import statement
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


def record(actor, verb=Verb.LESSON_COMPLETED, object_type=ObjectType.LESSON, **kwargs):
    return services.event_record(
        actor=actor,
        verb=verb,
        object_type=object_type,
        object_id=kwargs.pop("object_id", "6a1f2c4e-0000-4000-8000-000000000001"),
        course_id=kwargs.pop("course_id", 42),
        **kwargs,
    )


def test_events_are_append_only(student):
    event = record(student, result={"completion": True})
    event.result = {"completion": False}
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    assert LearningEvent.objects.get(pk=event.pk).result == {"completion": True}


def test_unknown_verbs_are_refused(student):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        record(student, verb="teleported")
    assert not LearningEvent.objects.exists()


def test_xapi_statement_shape(student, settings):
    settings.SITE_URL = "https://lms.example.com"
    event = record(
        student, result={"completion": True, "duration": "PT5M"}, context={"registration": "3"}
    )
    data = statement(event)
    assert data["actor"] == {
        "objectType": "Agent",
        "account": {"homePage": "https://lms.example.com", "name": f"user-{student.pk}"},
    }
    assert data["verb"]["id"] == "http://adlnet.gov/expapi/verbs/completed"
    assert data["object"]["id"].startswith(
        "https://lms.example.com/xapi/activities/course/42/lesson/"
    )
    assert data["object"]["definition"]["type"].endswith("/lesson")
    assert data["result"] == {"completion": True, "duration": "PT5M"}
    assert data["context"]["contextActivities"]["parent"][0]["id"].endswith("/course/42")
    assert statement(event)["id"] == data["id"]  # stable
    assert student.email not in str(data)


def test_course_events_have_no_parent(student):
    data = statement(
        record(student, verb=Verb.ENROLLED, object_type=ObjectType.COURSE, object_id="42")
    )
    assert "context" not in data
    assert data["object"]["id"].endswith("/course/42")


def test_events_are_in_the_data_export_and_survive_account_deletion(student):
    from learning.accounts import services as account_services

    record(student, verb=Verb.ENROLLED, object_type=ObjectType.COURSE, object_id="42")
    exported = data_rights.export_user_data(student)
    assert len(exported["learning_events"]) == 1
    account_services.account_delete(user=student, password=DEFAULT_PASSWORD)
    assert LearningEvent.objects.filter(actor_id=student.pk).count() == 1
