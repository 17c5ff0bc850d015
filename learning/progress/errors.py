"""Domain errors of progress; the API maps each kind to a problem response status."""

from config.errors import DomainError, ErrorKind


class ProgressError(DomainError):
    code = "progress_error"


class LessonNotAvailable(ProgressError):
    kind = ErrorKind.NOT_FOUND
    code = "lesson_not_available"
    default_message = "No such lesson in a course you are enrolled in."


class CompletionNotManual(ProgressError):
    kind = ErrorKind.CONFLICT
    code = "completion_not_manual"
    default_message = (
        "Only reading lessons are marked complete by hand; videos complete by watching and "
        "quizzes by passing."
    )
