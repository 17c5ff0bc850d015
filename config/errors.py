"""The one base of every package's domain errors (``<app>/errors.py``).

Domain code knows no HTTP. An error carries a stable machine-readable ``code``, a ``kind``
(what went wrong, in domain terms) and a ``message`` safe to show to people. The HTTP layer
alone (``api/exceptions.py``) maps each kind to a status; the admin shows the message.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorKind(StrEnum):
    """What kind of failure a domain error is; ``api.exceptions`` maps each to a status."""

    INVALID = "invalid"  # the request is not acceptable as asked
    UNAUTHENTICATED = "unauthenticated"  # who is asking is not established
    PAYMENT_REQUIRED = "payment_required"  # allowed only after paying
    FORBIDDEN = "forbidden"  # known, and not allowed
    NOT_FOUND = "not_found"  # no such thing (or not visible to the caller)
    CONFLICT = "conflict"  # not in a state that allows it
    GONE = "gone"  # existed, expired for good
    TOO_LARGE = "too_large"  # over a size limit
    RATE_LIMITED = "rate_limited"  # over a quota or rate; retry after it resets
    UNAVAILABLE = "unavailable"  # a dependency is down; worth retrying later


class DomainError(Exception):
    code = "error"
    kind = ErrorKind.INVALID
    default_message = "The request could not be completed."
    # Extra members of the problem response (e.g. a quota's limit and reset time).
    extra: dict = {}

    def __init__(self, message: str | None = None, *, code: str | None = None) -> None:
        self.message = message or self.default_message
        if code:
            self.code = code
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message
