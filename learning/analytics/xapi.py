"""Learning events as xAPI 1.0.3 statements, for export to a Learning Record Store."""

from __future__ import annotations

import uuid

from django.conf import settings

from learning.analytics.models import LearningEvent, ObjectType, Verb

ADL = "http://adlnet.gov/expapi/verbs/"
VERB_IRIS = {
    Verb.ENROLLED: ADL + "registered",
    Verb.UNENROLLED: "http://id.tincanapi.com/verb/unregistered",
    Verb.LESSON_STARTED: ADL + "launched",
    Verb.PROGRESSED: ADL + "progressed",
    Verb.LESSON_COMPLETED: ADL + "completed",
    Verb.COURSE_COMPLETED: ADL + "completed",
    Verb.ANSWERED: ADL + "answered",
    Verb.PASSED: ADL + "passed",
    Verb.FAILED: ADL + "failed",
}
ACTIVITY_TYPES = {
    ObjectType.COURSE: "http://adlnet.gov/expapi/activities/course",
    ObjectType.LESSON: "http://adlnet.gov/expapi/activities/lesson",
    ObjectType.QUESTION: "http://adlnet.gov/expapi/activities/cmi.interaction",
}
STATEMENT_NAMESPACE = uuid.UUID("6f0f2a4e-2f43-4d0e-9f3c-5b1e0c7a9d21")


def activity_iri(object_type: str, object_id: str, course_id: int) -> str:
    base = f"{settings.SITE_URL}/xapi/activities/course/{course_id}"
    return base if object_type == ObjectType.COURSE else f"{base}/{object_type}/{object_id}"


def statement(event: LearningEvent) -> dict:
    """The xAPI statement for ``event``; its id is stable (derived from the event id)."""
    data = {
        "id": str(uuid.uuid5(STATEMENT_NAMESPACE, str(event.pk))),
        "actor": {
            "objectType": "Agent",
            # An opaque account, never the email address: exports carry no contact data.
            "account": {"homePage": settings.SITE_URL, "name": f"user-{event.actor_id}"},
        },
        "verb": {"id": VERB_IRIS[event.verb], "display": {"en-US": Verb(event.verb).label}},
        "object": {
            "objectType": "Activity",
            "id": activity_iri(event.object_type, event.object_id, event.course_id),
            "definition": {"type": ACTIVITY_TYPES[event.object_type]},
        },
        "timestamp": event.timestamp.isoformat(),
        "stored": event.stored_at.isoformat() if event.stored_at else None,
    }
    if event.result:
        data["result"] = event.result
    context = dict(event.context or {})
    if event.object_type != ObjectType.COURSE:
        context.setdefault("contextActivities", {})["parent"] = [
            {"id": activity_iri(ObjectType.COURSE, str(event.course_id), event.course_id)}
        ]
    if context:
        data["context"] = context
    return data
