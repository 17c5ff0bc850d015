"""Single-purpose, expiring tokens for links sent by email.

- Email verification: signed with a purpose-specific salt, expires after
  ``EMAIL_VERIFICATION_TIMEOUT`` seconds, and is bound to the address and to the account's
  verification state, so it works once and only for the address it was sent to.
- Password reset: Django's token generator, bound to the password hash and last login, so
  it stops working once the password changes; expires after ``PASSWORD_RESET_TIMEOUT``.

A token of one purpose never validates as another (different salts / formats).
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import signing
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes, force_str
from django.utils.http import base36_to_int, urlsafe_base64_decode, urlsafe_base64_encode

from learning.accounts.errors import InvalidToken

VERIFY_SALT = "learning.accounts.verify-email"


def _state(user) -> str:
    """Changes when the address changes or gets verified: invalidates older tokens."""
    verified = user.email_verified_at.isoformat() if user.email_verified_at else ""
    raw = f"{user.email.lower()}|{verified}"
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def make_verification_token(user) -> str:
    return signing.dumps({"u": user.pk, "s": _state(user)}, salt=VERIFY_SALT, compress=True)


def read_verification_token(token: str):
    """Return the user the token verifies; raise :class:`InvalidToken` with a precise code."""
    try:
        data = signing.loads(token, salt=VERIFY_SALT, max_age=settings.EMAIL_VERIFICATION_TIMEOUT)
    except signing.SignatureExpired:
        raise InvalidToken(
            "This verification link has expired. Ask for a new one.", code="token_expired"
        ) from None
    except signing.BadSignature:
        raise InvalidToken("This verification link is not valid.", code="token_invalid") from None
    if not isinstance(data, dict) or "u" not in data or "s" not in data:
        raise InvalidToken("This verification link is not valid.", code="token_invalid")
    user = get_user_model().objects.filter(pk=data["u"], is_active=True).first()
    if user is None:
        raise InvalidToken("This verification link is not valid.", code="token_invalid")
    if data["s"] != _state(user):
        if user.email_verified_at is not None:
            raise InvalidToken("This verification link was already used.", code="token_used")
        raise InvalidToken("This verification link is no longer valid.", code="token_invalid")
    return user


class _ResetTokenGenerator(PasswordResetTokenGenerator):
    def token_state(self, user, token: str) -> str:
        """``"valid"``, ``"expired"`` (genuine but too old) or ``"invalid"``."""
        if self.check_token(user, token):
            return "valid"
        try:
            ts_b36, _ = token.split("-", 1)
            ts = base36_to_int(ts_b36)
        except ValueError:
            return "invalid"
        for secret in [self.secret, *self.secret_fallbacks]:
            if constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token):
                return "expired"
        return "invalid"


password_reset_token_generator = _ResetTokenGenerator()


def make_password_reset_token(user) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return f"{uid}:{password_reset_token_generator.make_token(user)}"


def read_password_reset_token(token: str):
    try:
        uid_part, token_part = token.split(":", 1)
        pk = force_str(urlsafe_base64_decode(uid_part))
        user = get_user_model().objects.get(pk=pk, is_active=True)
    except (ValueError, TypeError, OverflowError, get_user_model().DoesNotExist):
        raise InvalidToken("This password reset link is not valid.", code="token_invalid") from None
    state = password_reset_token_generator.token_state(user, token_part)
    if state == "expired":
        raise InvalidToken(
            "This password reset link has expired. Ask for a new one.", code="token_expired"
        )
    if state != "valid":
        raise InvalidToken(
            "This password reset link is not valid or was already used. Ask for a new one.",
            code="token_invalid",
        )
    return user
