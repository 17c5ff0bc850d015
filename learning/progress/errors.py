"""Domain errors of progress; the API maps each to a problem response (code, status)."""

from config.errors import DomainError


class ProgressError(DomainError):
    code = "progress_error"


class LessonNotAvailable(ProgressError):
    status = 404
    code = "lesson_not_available"
    default_message = "No such lesson in a course you are enrolled in."


class CompletionNotManual(ProgressError):
    status = 409
    code = "completion_not_manual"
    default_message = (
        "Only reading lessons are marked complete by hand; videos complete by watching and "
        "quizzes by passing."
    )
