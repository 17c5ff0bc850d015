"""Domain errors of the AI tutor; the API maps each kind to a problem response status."""

from __future__ import annotations

from config.errors import DomainError, ErrorKind


class AssistantError(DomainError):
    code = "assistant_error"


class TutorDisabled(AssistantError):
    kind = ErrorKind.FORBIDDEN
    code = "tutor_disabled"
    default_message = "The AI tutor is turned off for this course."


class TutorEmailNotVerified(AssistantError):
    kind = ErrorKind.FORBIDDEN
    code = "email_not_verified"
    default_message = "Verify your email address before using the AI tutor."


class TutorEnrollmentRequired(AssistantError):
    kind = ErrorKind.FORBIDDEN
    code = "enrollment_required"
    default_message = (
        "Enroll in this course to ask the tutor about it (free preview lessons are open)."
    )


class CourseNotFound(AssistantError):
    kind = ErrorKind.NOT_FOUND
    code = "course_not_found"
    default_message = "No such published course."


class LessonNotInCourse(AssistantError):
    kind = ErrorKind.INVALID
    code = "lesson_not_in_course"
    default_message = "This lesson is not a live lesson of the conversation's course."


class ConversationNotFound(AssistantError):
    kind = ErrorKind.NOT_FOUND
    code = "conversation_not_found"
    default_message = "No such conversation."


class EmptyMessage(AssistantError):
    kind = ErrorKind.INVALID
    code = "message_empty"
    default_message = "Write a question first."


class MessageTooLong(AssistantError):
    kind = ErrorKind.TOO_LARGE
    code = "message_too_long"
    default_message = "This message is longer than the tutor accepts."


class CheckNotFound(AssistantError):
    kind = ErrorKind.NOT_FOUND
    code = "check_not_found"
    default_message = "No such check question."


class CheckAlreadyAnswered(AssistantError):
    kind = ErrorKind.CONFLICT
    code = "check_already_answered"
    default_message = "This check question has been answered already."


class InvalidChoice(AssistantError):
    kind = ErrorKind.INVALID
    code = "invalid_choice"
    default_message = "Pick one of the question's choices."


class ReflectionEmpty(AssistantError):
    kind = ErrorKind.INVALID
    code = "reflection_empty"
    default_message = "A reflection needs text, a link or a file."


class QuotaExceeded(AssistantError):
    kind = ErrorKind.RATE_LIMITED
    code = "assistant_quota_exceeded"

    def __init__(
        self,
        *,
        period: str,
        limit: int,
        used: int,
        resets_at,
        plan: str,
        unit: str = "interactions",
    ) -> None:
        self.period, self.limit, self.used, self.resets_at, self.plan, self.unit = (
            period,
            limit,
            used,
            resets_at,
            plan,
            unit,
        )
        what = "tutor interactions" if unit == "interactions" else "tutor tokens"
        message = (
            f"You have used all {limit} {what} of this {period} on the {plan} "
            "plan. Upgrade your plan for more, or come back when the quota resets."
        )
        super().__init__(message)

    @property
    def extra(self) -> dict:
        return {
            "period": self.period,
            "unit": self.unit,
            "limit": self.limit,
            "used": self.used,
            "resets_at": self.resets_at.isoformat(),
            "plan": self.plan,
            "upgrade_message": "Upgrade to premium or enterprise for more tutor interactions.",
        }


class ProviderError(AssistantError):
    """The model provider failed; nothing was charged and the learner's message is kept."""

    kind = ErrorKind.UNAVAILABLE
    code = "provider_error"
    default_message = "The tutor's model provider failed; try again in a moment."


class ProviderTimeout(ProviderError):
    code = "provider_timeout"
    default_message = "The tutor's model provider did not answer in time; try again."


class ProviderRateLimited(ProviderError):
    code = "provider_rate_limited"
    default_message = "The tutor's model provider is busy; try again in a moment."


class ProviderBadResponse(ProviderError):
    code = "provider_bad_response"
    default_message = "The tutor's model provider sent an answer that could not be used."


class ProviderCircuitOpen(ProviderError):
    code = "provider_circuit_open"
    default_message = "The tutor is paused after repeated provider failures; try again shortly."


class MessageNotFound(AssistantError):
    kind = ErrorKind.NOT_FOUND
    code = "message_not_found"
    default_message = "No such answer."
