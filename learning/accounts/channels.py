"""WebSocket authentication: the same JWT access tokens as the HTTP API.

Browsers cannot set headers on a WebSocket handshake, so the access token is taken from the
``access_token`` query parameter or from the ``Sec-WebSocket-Protocol`` header as the pair
``bearer, <token>``. Without a token, the session cookie (Django's auth middleware) applies.
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
    try:
        token = AccessToken(raw)
    except TokenError:
        return None
    user_id, session_id = token.get(api_settings.USER_ID_CLAIM), token.get("sid")
    if user_id is None or session_id is None:
        return None
    return selectors.user_for_session(user_id=user_id, session_id=session_id)


class JWTAuthMiddleware(BaseMiddleware):
    """Put the token's user in ``scope["user"]``; a bad token means an anonymous user (the
    consumer decides whether to refuse). Runs inside Channels' session auth stack."""

    async def __call__(self, scope, receive, send):
        raw = _token_from_scope(scope)
        if raw is not None:
            from django.contrib.auth.models import AnonymousUser

            user = await _user_for_token(raw)
            scope = {**scope, "user": user or AnonymousUser(), "auth_via": "jwt"}
        return await super().__call__(scope, receive, send)
