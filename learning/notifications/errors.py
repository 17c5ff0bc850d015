"""Domain errors of notifications; the API maps each kind to a problem response status."""

from config.errors import DomainError, ErrorKind


class NotificationError(DomainError):
    code = "notification_error"


class NotificationNotFound(NotificationError):
    kind = ErrorKind.NOT_FOUND
    code = "notification_not_found"
    default_message = "There is no notification with this id."


class UnknownNotificationKind(NotificationError):
    kind = ErrorKind.INVALID
    code = "unknown_notification_kind"
    default_message = "There is no notification kind with this key."


class PreferenceLocked(NotificationError):
    kind = ErrorKind.INVALID
    code = "preference_locked"
    default_message = "This kind of notification cannot be switched off."


class NotCourseStaff(NotificationError):
    kind = ErrorKind.FORBIDDEN
    code = "not_course_staff"
    default_message = "Only this course's instructors and reviewers may do this."


class NotCourseMember(NotificationError):
    kind = ErrorKind.FORBIDDEN
    code = "not_course_member"
    default_message = "Enroll in this course to read its announcements."


class InvalidUnsubscribeToken(NotificationError):
    kind = ErrorKind.INVALID
    code = "token_invalid"
    default_message = "This unsubscribe link is not valid."
