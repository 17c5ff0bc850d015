"""Domain errors of enrollment; the API maps each kind to a problem response status."""

from config.errors import DomainError, ErrorKind


class EnrollmentError(DomainError):
    code = "enrollment_error"


class AlreadyEnrolled(EnrollmentError):
    kind = ErrorKind.CONFLICT
    code = "already_enrolled"
    default_message = "You are already enrolled in this course."


class NotEnrolled(EnrollmentError):
    kind = ErrorKind.NOT_FOUND
    code = "not_enrolled"
    default_message = "There is no active enrollment in this course."


class EnrollmentClosed(EnrollmentError):
    kind = ErrorKind.CONFLICT
    code = "enrollment_closed"
    default_message = "This course is not taking new learners."


class EnrollmentNotYetOpen(EnrollmentError):
    kind = ErrorKind.CONFLICT
    code = "enrollment_not_open_yet"
    default_message = "Enrollment in this course has not opened yet."


class EnrollmentWindowEnded(EnrollmentError):
    kind = ErrorKind.CONFLICT
    code = "enrollment_window_ended"
    default_message = "Enrollment in this course has closed."


class CourseFull(EnrollmentError):
    kind = ErrorKind.CONFLICT
    code = "course_full"
    default_message = "This course has no seats left."


class PrerequisitesMissing(EnrollmentError):
    kind = ErrorKind.FORBIDDEN
    code = "prerequisites_missing"
    default_message = "Complete the prerequisite courses first."


class EmailNotVerified(EnrollmentError):
    kind = ErrorKind.FORBIDDEN
    code = "email_not_verified"
    default_message = "Verify your email address before enrolling."


class PaymentRequired(EnrollmentError):
    kind = ErrorKind.PAYMENT_REQUIRED
    code = "payment_required"
    default_message = "This course is paid; buying courses is not available yet."


class NotCourseStaff(EnrollmentError):
    kind = ErrorKind.FORBIDDEN
    code = "not_course_staff"
    default_message = "Only this course's instructors and reviewers may do this."


class AlreadyInvited(EnrollmentError):
    kind = ErrorKind.CONFLICT
    code = "already_invited"
    default_message = "This address already has a pending invitation to this course."


class InvitationNotPending(EnrollmentError):
    kind = ErrorKind.NOT_FOUND
    code = "invitation_not_pending"
    default_message = "There is no pending invitation with this id."


class CourseNotFound(EnrollmentError):
    """No such course, or one the caller may not know exists (unpublished, not their own)."""

    kind = ErrorKind.NOT_FOUND
    code = "not_found"
    default_message = "Not found."


class RosterEntryNotFound(EnrollmentError):
    kind = ErrorKind.NOT_FOUND
    code = "not_found"
    default_message = "Not found."
