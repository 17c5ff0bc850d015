"""Abuse limits: per client IP and per target account (the email in the request body).
Rates live in ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` and are read at request time."""

from __future__ import annotations

import hashlib

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


class _ScopedThrottle(SimpleRateThrottle):
    scope: str

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]


class IPThrottle(_ScopedThrottle):
    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class AccountThrottle(_ScopedThrottle):
    """Keyed on the email address the request is about, whoever sends it."""

    def get_cache_key(self, request, view):
        email = request.data.get("email") if hasattr(request.data, "get") else None
        if not isinstance(email, str) or not email.strip():
            return None
        ident = hashlib.sha256(email.strip().lower().encode()).hexdigest()  # short, not plain
        return self.cache_format % {"scope": self.scope, "ident": ident}


def by_ip(scope: str) -> type[IPThrottle]:
    return type(f"IPThrottle_{scope}", (IPThrottle,), {"scope": scope})


def by_account(scope: str) -> type[AccountThrottle]:
    return type(f"AccountThrottle_{scope}", (AccountThrottle,), {"scope": scope})


class UserThrottle(_ScopedThrottle):
    """Keyed on the signed-in user (for endpoints that need a sign-in)."""

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


def by_user(scope: str) -> type[UserThrottle]:
    return type(f"UserThrottle_{scope}", (UserThrottle,), {"scope": scope})
