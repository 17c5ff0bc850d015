"""Domain errors of enrollment; the API maps each to a problem response (code, status)."""

from config.errors import DomainError


class EnrollmentError(DomainError):
    code = "enrollment_error"


class AlreadyEnrolled(EnrollmentError):
    status = 409
    code = "already_enrolled"
    default_message = "You are already enrolled in this course."


class NotEnrolled(EnrollmentError):
    status = 404
    code = "not_enrolled"
    default_message = "There is no active enrollment in this course."


class EnrollmentClosed(EnrollmentError):
    status = 409
    code = "enrollment_closed"
    default_message = "This course is not taking new learners."


class EnrollmentNotYetOpen(EnrollmentError):
    status = 409
    code = "enrollment_not_open_yet"
    default_message = "Enrollment in this course has not opened yet."


class EnrollmentWindowEnded(EnrollmentError):
    status = 409
    code = "enrollment_window_ended"
    default_message = "Enrollment in this course has closed."


class CourseFull(EnrollmentError):
    status = 409
    code = "course_full"
    default_message = "This course has no seats left."


class PrerequisitesMissing(EnrollmentError):
    status = 403
    code = "prerequisites_missing"
    default_message = "Complete the prerequisite courses first."


class EmailNotVerified(EnrollmentError):
    status = 403
    code = "email_not_verified"
    default_message = "Verify your email address before enrolling."


class PaymentRequired(EnrollmentError):
    status = 402
    code = "payment_required"
    default_message = "This course is paid; buying courses is not available yet."


class NotCourseStaff(EnrollmentError):
    status = 403
    code = "not_course_staff"
    default_message = "Only this course's instructors and reviewers may do this."


class AlreadyInvited(EnrollmentError):
    status = 409
    code = "already_invited"
    default_message = "This address already has a pending invitation to this course."


class InvitationNotPending(EnrollmentError):
    status = 404
    code = "invitation_not_pending"
    default_message = "There is no pending invitation with this id."
