"""Domain errors of analytics; the API maps each kind to a problem response status."""

from config.errors import DomainError, ErrorKind


class AnalyticsError(DomainError):
    code = "analytics_error"


class DateRangeReversed(AnalyticsError):
    kind = ErrorKind.INVALID
    code = "date_range_reversed"
    default_message = "The start of the date range is after its end."


class DateRangeTooLong(AnalyticsError):
    kind = ErrorKind.INVALID
    code = "date_range_too_long"
    default_message = "The date range is longer than allowed."


class NotAnalyticsReviewer(AnalyticsError):
    kind = ErrorKind.FORBIDDEN
    code = "not_reviewer"
    default_message = "Only editors and administrators see platform analytics."


class LessonNotFound(AnalyticsError):
    kind = ErrorKind.NOT_FOUND
    code = "lesson_not_found"
    default_message = "The course has no such video lesson."
