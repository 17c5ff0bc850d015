"""Domain errors of accounts. The API maps each to a problem response by ``code`` and
``kind``; messages are safe to show to the person."""

from config.errors import DomainError, ErrorKind


class AccountError(DomainError):
    code = "account_error"


class InvalidCredentials(AccountError):
    code = "invalid_credentials"
    kind = ErrorKind.UNAUTHENTICATED
    default_message = "The email address or password is not correct."


class InvalidToken(AccountError):
    """Expired, forged, reused or wrong-purpose tokens. ``code`` says which."""

    code = "token_invalid"
    kind = ErrorKind.INVALID
    default_message = "This link or token is not valid."


class SessionRevoked(AccountError):
    code = "session_revoked"
    kind = ErrorKind.UNAUTHENTICATED
    default_message = "This session has been signed out. Sign in again."


class TokenReused(AccountError):
    code = "token_reused"
    kind = ErrorKind.UNAUTHENTICATED
    default_message = (
        "This refresh token was already used. For your safety the session has been signed out."
    )


class EmailTaken(AccountError):
    code = "email_taken"
    kind = ErrorKind.INVALID
    default_message = "An account with this email address already exists."


class WrongPassword(AccountError):
    code = "wrong_password"
    kind = ErrorKind.INVALID
    default_message = "The current password is not correct."


class InvalidImage(AccountError):
    code = "invalid_image"
    kind = ErrorKind.INVALID
    default_message = "The file is not a supported image (JPEG, PNG, WebP or GIF)."


class RequestConflict(AccountError):
    code = "conflict"
    kind = ErrorKind.CONFLICT
    default_message = "This request conflicts with the current state."


class RefreshRaced(AccountError):
    code = "token_already_rotated"
    kind = ErrorKind.CONFLICT
    default_message = (
        "This refresh token was just exchanged by another request. Use the newest tokens."
    )
