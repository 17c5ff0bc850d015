"""Brute-force protection for the Wagtail admin's sign-in form.

Failed attempts are counted per account (the username typed, hashed) and per client address
in the cache, over a sliding window that restarts with each failure. When either count reaches
its limit, sign-in is refused for that account or address until the window passes, even with
the right password, so guessing stays slow whichever way it is spread. A successful sign-in
clears the account's count. The API's sign-in has its own throttles (``THROTTLE_LOGIN_*``).
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

PREFIX = "admin-login-failures"


def _keys(request, username: str) -> list[str]:
    keys = [f"{PREFIX}:ip:{BaseThrottle().get_ident(request)}"]
    username = (username or "").strip().lower()
    if username:
        keys.append(f"{PREFIX}:account:{hashlib.sha256(username.encode()).hexdigest()}")
    return keys


def _limits() -> dict[str, int]:
    return {
        "ip": settings.ADMIN_LOGIN_MAX_FAILURES_PER_IP,
        "account": settings.ADMIN_LOGIN_MAX_FAILURES_PER_ACCOUNT,
    }


def is_locked(request, username: str) -> bool:
    limits = _limits()
    counts = cache.get_many(_keys(request, username))
    return any(count >= limits[key.split(":")[1]] for key, count in counts.items())


def record_failure(request, username: str) -> None:
    window = settings.ADMIN_LOGIN_LOCKOUT_SECONDS
    for key in _keys(request, username):
        if cache.add(key, 1, window):
            continue
        try:
            cache.incr(key)
            cache.touch(key, window)
        except ValueError:  # expired in between
            cache.add(key, 1, window)


def record_success(request, username: str) -> None:
    cache.delete_many(_keys(request, username)[1:])
