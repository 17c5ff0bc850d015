"""WebSocket authentication: the same JWT access tokens as the HTTP API.

Browsers cannot set headers on a WebSocket handshake, so the access token is taken from the
``access_token`` query parameter or from the ``Sec-WebSocket-Protocol`` header as the pair
``bearer, <token>``. Without a token, the session cookie (Django's auth middleware) applies.

:class:`OriginPolicy` guards against cross-site WebSocket hijacking: a browser (which always
sends ``Origin``) must come from one of ``ALLOWED_HOSTS``; a client without an ``Origin``
header (native apps, servers) is accepted only when it authenticated with a valid bearer
token, which a hijacking page cannot have.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import AccessToken

from learning.accounts import selectors


def _token_from_scope(scope) -> str | None:
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    if query.get("access_token"):
        return query["access_token"][0]
    protocols = [p.strip() for p in scope.get("subprotocols", [])]
    if len(protocols) >= 2 and protocols[0].lower() == "bearer":
        return protocols[1]
    return None


@database_sync_to_async
def _user_for_token(raw: str):
    """``(user, session id, expiry as a Unix time)``, or ``(None, None, None)``."""
    try:
        token = AccessToken(raw)
    except TokenError:
        return None, None, None
    user_id, session_id = token.get(api_settings.USER_ID_CLAIM), token.get("sid")
    if user_id is None or session_id is None:
        return None, None, None
    user = selectors.user_for_session(user_id=user_id, session_id=session_id)
    if user is None:
        return None, None, None
    return user, str(session_id), token.get("exp")


class JWTAuthMiddleware(BaseMiddleware):
    """Put the token's user in ``scope["user"]``; a bad token means an anonymous user (the
    consumer decides whether to refuse). Runs inside Channels' session auth stack."""

    async def __call__(self, scope, receive, send):
        raw = _token_from_scope(scope)
        if raw is not None:
            from django.contrib.auth.models import AnonymousUser

            user, session_id, expires_at = await _user_for_token(raw)
            scope = {
                **scope,
                "user": user or AnonymousUser(),
                "auth_via": "jwt",
                "auth_session_id": session_id,
                "auth_expires_at": expires_at,
            }
        return await super().__call__(scope, receive, send)


def _has_origin(scope) -> bool:
    return any(name == b"origin" for name, _ in scope.get("headers", []))


class OriginPolicy:
    """Browsers from ``ALLOWED_HOSTS`` only; no ``Origin`` only with a valid bearer token.
    Runs inside :class:`JWTAuthMiddleware` (it needs to know whether the token was valid)."""

    def __init__(self, app):
        from channels.security.websocket import AllowedHostsOriginValidator

        self.app = app
        self.browser_check = AllowedHostsOriginValidator(app)

    async def __call__(self, scope, receive, send):
        if scope.get("type") == "websocket" and not _has_origin(scope):
            user = scope.get("user")
            if scope.get("auth_via") == "jwt" and user is not None and user.is_authenticated:
                return await self.app(scope, receive, send)
        return await self.browser_check(scope, receive, send)
