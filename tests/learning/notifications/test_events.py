"""The product's events become notifications: course content published, course completed,
videos processed, review workflow steps, instructor requests."""

from __future__ import annotations

import pytest

from learning.accounts import services as account_services
from learning.notifications import kinds
from learning.notifications.models import Notification
from media_pipeline import services as media_services
from tests.factories import courses as cf
from tests.factories import learning as lf
from tests.factories.media import VideoAssetFactory

pytestmark = pytest.mark.django_db


def kinds_of(user):
    return list(
        Notification.objects.filter(recipient=user).order_by("id").values_list("kind", flat=True)
    )


def test_new_content_in_an_enrolled_course_tells_its_learners_once(
    student, other_student, instructor, run_tasks_in_process, django_capture_on_commit_callbacks
):
    course, _ = lf.video_course(instructors=[instructor], title="Growing course")
    lf.enroll(student, course)
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        section = cf.section(course, title="Part two", lessons=[cf.reading("New notes")])
    note = Notification.objects.get(recipient=student, kind=kinds.COURSE_UPDATED)
    assert note.title == "New in Growing course: Part two"
    assert note.data["section_id"] == section.pk and len(note.data["new_lesson_ids"]) == 1
    assert not Notification.objects.filter(recipient=other_student).exists()

    # Re-publishing without new lessons (a typo fixed) tells nobody.
    section.title = "Part two (fixed)"
    with django_capture_on_commit_callbacks(execute=True):
        section.save_revision().publish()
    assert Notification.objects.filter(kind=kinds.COURSE_UPDATED).count() == 1


def test_completing_a_course_notifies_the_learner(student, as_user):
    course, (video, reading) = lf.video_course(title="Short course")
    lf.enroll(student, course)
    client = as_user(student)
    lf.watch(client, student, video, 0, 100)
    client.post(f"/api/v2/courses/{course.pk}/lessons/{reading}/complete/")
    assert kinds.COURSE_COMPLETED in kinds_of(student)
    assert Notification.objects.get(kind=kinds.COURSE_COMPLETED).title == (
        "You completed Short course"
    )


def test_video_owner_hears_when_processing_ends(
    instructor, settings, django_capture_on_commit_callbacks
):
    ready = VideoAssetFactory(owner=instructor, status="processing", title="Intro")
    failed = VideoAssetFactory(owner=instructor, status="processing", title="Broken")
    with django_capture_on_commit_callbacks(execute=True):
        media_services.video_mark_failed(asset_id=failed.pk, reason="Not a video file.")
    note = Notification.objects.get(recipient=instructor)
    assert (note.kind, note.body) == (kinds.MEDIA_FAILED, "Not a video file.")
    from media_pipeline.services import _finished_after_commit

    ready.status = "ready"
    ready.save()
    with django_capture_on_commit_callbacks(execute=True):
        _finished_after_commit(ready)
    assert kinds_of(instructor) == [kinds.MEDIA_FAILED, kinds.MEDIA_READY]


def test_review_workflow_notifies_reviewers_then_the_author(instructor, editor, admin_user):
    from wagtail.models import Workflow

    course, _ = lf.video_course(instructors=[instructor], title="Reviewed course")
    section = course.get_children().first().specific
    workflow = Workflow.objects.filter(active=True).first()
    state = workflow.start(section, instructor)
    assert kinds_of(editor) == [kinds.WORKFLOW_SUBMITTED]
    assert kinds_of(admin_user) == [kinds.WORKFLOW_SUBMITTED]
    assert kinds.WORKFLOW_SUBMITTED not in kinds_of(instructor)

    task_state = state.current_task_state
    task_state.task.specific.on_action(task_state, editor, "reject", comment="Add a summary.")
    rejected = Notification.objects.get(recipient=instructor, kind=kinds.WORKFLOW_REJECTED)
    assert rejected.body == "Add a summary." and rejected.actor == editor

    state = workflow.start(course, instructor)
    task_state = state.current_task_state
    task_state.task.specific.on_action(task_state, editor, "approve", comment="")
    assert kinds_of(instructor)[-1] == kinds.WORKFLOW_APPROVED


def test_instructor_request_decision_is_notified(student, editor):
    request = account_services.instructor_request_create(user=student, motivation="I teach.")
    account_services.instructor_request_decide(
        request_id=request.pk, reviewer=editor, approve=False, note="Not yet."
    )
    note = Notification.objects.get(recipient=student)
    assert (note.kind, note.title, note.body) == (
        kinds.INSTRUCTOR_REQUEST_DECIDED,
        "Your instructor request was not approved",
        "Not yet.",
    )
