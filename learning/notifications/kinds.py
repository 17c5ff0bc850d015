"""The kinds this product sends today. Other apps (certificates, assessment, the AI tutor)
register theirs the same way from their own ``AppConfig.ready()``."""

from learning.notifications.registry import Audience, Channel, NotificationKind, register

ENROLLMENT_CONFIRMED = "enrollment_confirmed"
ENROLLMENT_INVITED = "enrollment_invited"
ENROLLMENT_EXPIRING = "enrollment_expiring"
ENROLLMENT_EXPIRED = "enrollment_expired"
COURSE_COMPLETED = "course_completed"
COURSE_UPDATED = "course_updated"
ANNOUNCEMENT = "announcement"
MEDIA_READY = "media_ready"
MEDIA_FAILED = "media_failed"
WORKFLOW_SUBMITTED = "workflow_submitted"
WORKFLOW_APPROVED = "workflow_approved"
WORKFLOW_REJECTED = "workflow_rejected"
INSTRUCTOR_REQUEST_DECIDED = "instructor_request_decided"
SYSTEM_ALERT = "system_alert"


def register_core_kinds() -> None:
    for kind in (
        NotificationKind(
            ENROLLMENT_CONFIRMED,
            "Enrollment confirmed",
            title="You are enrolled in {course_title}",
            body="Welcome! Start with the first lesson whenever you are ready.",
            audience=Audience.LEARNER,
        ),
        NotificationKind(
            ENROLLMENT_INVITED,
            "Invited to a course",
            title="{inviter} enrolled you in {course_title}",
            body="You have been added to {course_title}.",
            audience=Audience.LEARNER,
        ),
        NotificationKind(
            ENROLLMENT_EXPIRING,
            "Access ending soon",
            title="Your access to {course_title} ends on {expires_on}",
            body="Finish the remaining lessons before your access ends.",
            audience=Audience.LEARNER,
            email=Channel.IMMEDIATE,
        ),
        NotificationKind(
            ENROLLMENT_EXPIRED,
            "Access ended",
            title="Your access to {course_title} has ended",
            body="Your progress is kept if you enroll again.",
            audience=Audience.LEARNER,
            email=Channel.DIGEST,
        ),
        NotificationKind(
            COURSE_COMPLETED,
            "Course completed",
            title="You completed {course_title}",
            body="Congratulations on finishing every lesson.",
            audience=Audience.LEARNER,
            email=Channel.IMMEDIATE,
        ),
        NotificationKind(
            COURSE_UPDATED,
            "New course content",
            title="New in {course_title}: {section_title}",
            body="New lessons were published in a course you are taking.",
            audience=Audience.LEARNER,
            email=Channel.DIGEST,
        ),
        NotificationKind(
            ANNOUNCEMENT,
            "Course announcements",
            title="{course_title}: {announcement_title}",
            body="{announcement_body}",
            audience=Audience.LEARNER,
            email=Channel.IMMEDIATE,
        ),
        NotificationKind(
            MEDIA_READY,
            "Video ready",
            title="Your video “{video_title}” is ready",
            body="It can now be used in lessons.",
            audience=Audience.STAFF,
        ),
        NotificationKind(
            MEDIA_FAILED,
            "Video processing failed",
            title="Your video “{video_title}” could not be processed",
            body="{reason}",
            audience=Audience.STAFF,
            email=Channel.IMMEDIATE,
        ),
        NotificationKind(
            WORKFLOW_SUBMITTED,
            "Submitted for review",
            title="“{page_title}” was submitted for review",
            body="{requested_by} asked for a review.",
            audience=Audience.REVIEWERS,
            email=Channel.DIGEST,
        ),
        NotificationKind(
            WORKFLOW_APPROVED,
            "Review approved",
            title="“{page_title}” was approved",
            body="{reviewer} approved it.",
            audience=Audience.STAFF,
            email=Channel.IMMEDIATE,
        ),
        NotificationKind(
            WORKFLOW_REJECTED,
            "Changes requested",
            title="Changes requested on “{page_title}”",
            body="{comment}",
            audience=Audience.STAFF,
            email=Channel.IMMEDIATE,
        ),
        NotificationKind(
            INSTRUCTOR_REQUEST_DECIDED,
            "Instructor request decided",
            title="Your instructor request was {decision}",
            body="{note}",
            audience=Audience.ANYONE,
            # The decision is already emailed by the accounts app; in-app only here.
        ),
        NotificationKind(
            SYSTEM_ALERT,
            "System alerts",
            title="{title}",
            body="{body}",
            audience=Audience.ANYONE,
            mandatory=True,
            description="Security and service notices from the administrators.",
        ),
    ):
        register(kind)
