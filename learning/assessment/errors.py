"""Domain errors of assessment; the API maps each kind to a problem response status."""

from config.errors import DomainError, ErrorKind


class AssessmentError(DomainError):
    code = "assessment_error"


class QuizNotFound(AssessmentError):
    kind = ErrorKind.NOT_FOUND
    code = "quiz_not_found"
    default_message = "No such quiz lesson in this course."


class QuizNotPublished(AssessmentError):
    kind = ErrorKind.CONFLICT
    code = "quiz_not_published"
    default_message = "This quiz is not published (any more); it cannot be attempted."


class AttemptNotFound(AssessmentError):
    kind = ErrorKind.NOT_FOUND
    code = "attempt_not_found"
    default_message = "You have no attempt with this id."


class AttemptLimitReached(AssessmentError):
    kind = ErrorKind.CONFLICT
    code = "attempt_limit_reached"
    default_message = "You have used every attempt this quiz allows."


class AttemptAlreadySubmitted(AssessmentError):
    kind = ErrorKind.CONFLICT
    code = "attempt_already_submitted"
    default_message = "This attempt has already been submitted; its answers are final."


class AttemptDeadlinePassed(AssessmentError):
    kind = ErrorKind.CONFLICT
    code = "attempt_deadline_passed"
    default_message = (
        "The time for this attempt is over; it is graded with the answers saved in time."
    )


class UnknownQuestion(AssessmentError):
    kind = ErrorKind.INVALID
    code = "unknown_question"
    default_message = "An answer names a question that is not in this attempt."


class UnknownChoice(AssessmentError):
    kind = ErrorKind.INVALID
    code = "unknown_choice"
    default_message = "An answer names a choice that the question does not have."


class WrongAnswerType(AssessmentError):
    kind = ErrorKind.INVALID
    code = "wrong_answer_type"
    default_message = "An answer does not have the type its question expects."


class CheckpointNotFound(AssessmentError):
    kind = ErrorKind.NOT_FOUND
    code = "checkpoint_not_found"
    default_message = "No such checkpoint in this video lesson."


class CheckpointAlreadyAnswered(AssessmentError):
    kind = ErrorKind.CONFLICT
    code = "checkpoint_already_answered"
    default_message = "You have already answered this checkpoint."
