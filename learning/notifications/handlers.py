"""The product's events, turned into notifications. Enrollment, progress and accounts call
these explicitly from their services; Wagtail's page and workflow signals and the media
pipeline's ``MEDIA_STATUS_HANDLERS`` are consumed here, at the edge."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Q
from django.utils import timezone

from learning.accounts.emails import frontend_link
from learning.notifications import kinds, push
from learning.notifications.services import Target, course_learners_notify, notify


def _course_target(course_id: int) -> Target:
    return Target(
        type="course", id=course_id, url=frontend_link("/courses/{id}", id=str(course_id))
    )


# --- Enrollment -------------------------------------------------------------------------------


def enrollment_started(enrollment, *, by=None) -> None:
    """A learner was enrolled (by themselves, an invite or an admin)."""
    from learning.enrollment.models import Enrollment

    course = enrollment.course
    invited = enrollment.source == Enrollment.Source.INVITE and by is not None
    notify(
        recipients=[enrollment.user_id],
        kind=kinds.ENROLLMENT_INVITED if invited else kinds.ENROLLMENT_CONFIRMED,
        context={"course_title": course.title, "inviter": by.public_name if invited else ""},
        target=_course_target(course.pk),
        actor=by,
        course_id=course.pk,
    )
    push.course_membership_changed(user_id=enrollment.user_id, course_id=course.pk, joined=True)


def enrollment_ended(enrollment, *, expired: bool) -> None:
    push.course_membership_changed(
        user_id=enrollment.user_id, course_id=enrollment.course_id, joined=False
    )
    if expired:
        notify(
            recipients=[enrollment.user_id],
            kind=kinds.ENROLLMENT_EXPIRED,
            context={"course_title": enrollment.course.title},
            target=_course_target(enrollment.course_id),
            course_id=enrollment.course_id,
            dedupe_key=f"expired:{enrollment.pk}",
        )


def enrollments_expiring_notify(*, now=None) -> int:
    """Beat: tell learners whose access ends within ``NOTIFICATIONS_EXPIRING_DAYS`` (once per
    enrollment)."""
    from learning.enrollment.models import Enrollment

    now = now or timezone.now()
    soon = now + timedelta(days=settings.NOTIFICATIONS_EXPIRING_DAYS)
    due = Enrollment.objects.filter(
        status=Enrollment.Status.ACTIVE, expires_at__gt=now, expires_at__lte=soon
    ).select_related("course")
    sent = 0
    for enrollment in due.iterator(chunk_size=500):
        sent += len(
            notify(
                recipients=[enrollment.user_id],
                kind=kinds.ENROLLMENT_EXPIRING,
                context={
                    "course_title": enrollment.course.title,
                    "expires_on": enrollment.expires_at.date().isoformat(),
                },
                target=_course_target(enrollment.course_id),
                course_id=enrollment.course_id,
                dedupe_key=f"expiring:{enrollment.pk}",
            )
        )
    return sent


# --- Progress ---------------------------------------------------------------------------------


def course_completed(enrollment) -> None:
    notify(
        recipients=[enrollment.user_id],
        kind=kinds.COURSE_COMPLETED,
        context={"course_title": enrollment.course.title},
        target=_course_target(enrollment.course_id),
        course_id=enrollment.course_id,
        dedupe_key=f"completed:{enrollment.pk}",
    )


# --- Course content (Wagtail's page_published) -----------------------------------------------


def section_published(sender, instance, revision=None, **kwargs) -> None:
    """A section of a live course was published for the first time, or with lessons its
    learners have not seen: tell them (fan-out in a worker). Re-publishing without new
    lessons (a typo fixed) tells nobody."""
    from cms.models import CourseLesson, CoursePage, SectionPage

    page = instance.specific if type(instance) is not SectionPage else instance
    if not isinstance(page, SectionPage):
        return
    course = CoursePage.objects.live().filter(path=page.path[: -CoursePage.steplen]).first()
    if course is None:
        return
    lesson_ids = [str(child.id) for child in page.lessons]
    known = {
        str(pk)
        for pk in CourseLesson.objects.filter(course=course, lesson_id__in=lesson_ids).values_list(
            "lesson_id", flat=True
        )
    }
    new = [pk for pk in lesson_ids if pk not in known]
    first_publish = page.first_published_at == page.last_published_at
    if not new and not first_publish:
        return
    revision_id = revision.pk if revision is not None else page.latest_revision_id
    course_learners_notify(
        course=course,
        kind=kinds.COURSE_UPDATED,
        context={"section_title": page.title},
        target=Target(
            type="section",
            id=page.pk,
            url=frontend_link("/courses/{id}", id=str(course.pk)),
        ),
        data={"section_id": page.pk, "new_lesson_ids": new},
        dedupe_key=f"updated:{page.pk}:{revision_id}",
        live_event={
            "type": "course.updated",
            "course_id": course.pk,
            "section_id": page.pk,
            "section_title": page.title,
            "new_lesson_ids": new,
        },
    )


# --- Media (MEDIA_STATUS_HANDLERS) -------------------------------------------------------------


def video_status_changed(asset) -> None:
    if asset is None or asset.owner_id is None or asset.status not in ("ready", "failed"):
        return
    ready = asset.status == "ready"
    notify(
        recipients=[asset.owner_id],
        kind=kinds.MEDIA_READY if ready else kinds.MEDIA_FAILED,
        context={"video_title": asset.title, "reason": asset.failure_reason},
        target=Target(
            type="video", id=asset.pk, url=f"{settings.SITE_URL}/admin/media/videos/{asset.pk}/"
        ),
        data={"asset_id": asset.pk},
        dedupe_key=f"video:{asset.pk}:{asset.status}:{asset.processing_attempts}",
    )


# --- Workflow (Wagtail's signals) -------------------------------------------------------------


def _reviewers():
    permission = Permission.objects.filter(content_type__app_label="cms", codename="review_course")
    return (
        get_user_model()
        .objects.filter(
            Q(groups__permissions__in=permission)
            | Q(user_permissions__in=permission)
            | Q(is_superuser=True),
            is_active=True,
        )
        .distinct()
        .values_list("pk", flat=True)
    )


def _page_target(page) -> Target:
    return Target(type="page", id=page.pk, url=f"{settings.SITE_URL}/admin/pages/{page.pk}/edit/")


def _authors(workflow_state, page) -> list[int]:
    """Who hears the outcome: who asked for the review, the page's owner and, for course
    content, the course's instructors."""
    from cms.models import CourseInstructor
    from cms.services import course_of

    ids = [workflow_state.requested_by_id, getattr(page, "owner_id", None)]
    course = course_of(page)
    if course is not None:
        ids += list(
            CourseInstructor.objects.filter(course=course).values_list("user_id", flat=True)
        )
    return [pk for pk in dict.fromkeys(ids) if pk]


def workflow_submitted(sender, instance, user=None, **kwargs) -> None:
    page = instance.content_object
    reviewers = [pk for pk in _reviewers() if user is None or pk != user.pk]
    notify(
        recipients=reviewers,
        kind=kinds.WORKFLOW_SUBMITTED,
        context={"page_title": str(page), "requested_by": user.public_name if user else ""},
        target=_page_target(page),
        actor=user,
        data={"workflow_state_id": instance.pk},
    )


def workflow_approved(sender, instance, user=None, **kwargs) -> None:
    page = instance.content_object
    notify(
        recipients=[pk for pk in _authors(instance, page) if user is None or pk != user.pk],
        kind=kinds.WORKFLOW_APPROVED,
        context={"page_title": str(page), "reviewer": user.public_name if user else ""},
        target=_page_target(page),
        actor=user,
        data={"workflow_state_id": instance.pk},
    )


def workflow_rejected(sender, instance, user=None, **kwargs) -> None:
    from wagtail.models import TaskState

    page = instance.content_object
    task_state = (
        TaskState.objects.filter(workflow_state=instance, status=TaskState.STATUS_REJECTED)
        .order_by("-finished_at", "-pk")
        .first()
    )
    comment = task_state.get_comment() if task_state else ""
    notify(
        recipients=[pk for pk in _authors(instance, page) if user is None or pk != user.pk],
        kind=kinds.WORKFLOW_REJECTED,
        context={"page_title": str(page), "comment": comment or "No comment was left."},
        target=_page_target(page),
        actor=user,
        data={"workflow_state_id": instance.pk, "comment": comment},
    )
