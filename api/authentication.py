"""JWT bearer authentication bound to sign-in sessions.

Access tokens carry the id of the session (``sid``) they were issued for. A token is
accepted only while that session is active and the user is active, checked in the same
single query that loads the user, so signing out or revoking a session takes effect at once.
"""

from __future__ import annotations

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt import authentication
from rest_framework_simplejwt.exceptions import InvalidToken
from rest_framework_simplejwt.settings import api_settings

from learning.accounts import selectors


class JWTAuthentication(authentication.JWTAuthentication):
    def get_user(self, validated_token):
        user_id = validated_token.get(api_settings.USER_ID_CLAIM)
        session_id = validated_token.get("sid")
        if user_id is None or session_id is None:
            raise InvalidToken("Token contained no recognizable user identification")
        user = selectors.user_for_session(user_id=user_id, session_id=session_id)
        if user is None:
            raise AuthenticationFailed(
                "This session has been signed out or the user is inactive.", code="session_revoked"
            )
        user.auth_session_id = str(session_id)
        return user


class SessionJWTScheme(SimpleJWTScheme):
    """Document our subclass like simplejwt's own (bearer JWT)."""

    target_class = "api.authentication.JWTAuthentication"
    name = "jwtAuth"
