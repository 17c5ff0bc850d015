"""The kinds of notification, declared in code.

A *kind* says what a notification is about, who may receive it, which channels it uses by
default and how its title and body read. Apps add their own kinds from their
``AppConfig.ready()``::

    from learning.notifications.registry import Audience, Channel, NotificationKind, register

    register(NotificationKind(
        key="certificate_issued",
        label="Certificate issued",
        audience=Audience.LEARNER,
        title="Your certificate for {course_title} is ready",
        body="Congratulations! Download it from your dashboard.",
        email=Channel.IMMEDIATE,
    ))

and then call ``learning.notifications.services.notify(recipients=..., kind="certificate_issued",
context={"course_title": ...})``. Titles and bodies are ``str.format`` templates filled from the
``context`` given to ``notify``. An email uses ``templates/emails/notifications/<key>.txt`` /
``.html`` when present, else the generic ``notification`` templates.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Channel(StrEnum):
    """How a kind reaches someone by email by default: never, at once, or in the daily digest."""

    OFF = "off"
    IMMEDIATE = "immediate"
    DIGEST = "digest"


class Audience(StrEnum):
    """Who a kind may be sent to (documentation for the people reading preferences, and the
    check :func:`learning.notifications.services.notify` applies to staff-only kinds)."""

    LEARNER = "learner"  # learners of a course (anyone signed in)
    STAFF = "staff"  # instructors and reviewers (the admin's users)
    REVIEWERS = "reviewers"  # editors and admins
    ANYONE = "anyone"


class UnknownKind(LookupError):
    pass


@dataclass(frozen=True)
class NotificationKind:
    key: str
    label: str
    title: str
    body: str = ""
    audience: Audience = Audience.ANYONE
    in_app: bool = True  # shown in the app (and pushed) by default
    email: Channel = Channel.OFF  # email by default
    mandatory: bool = False  # cannot be switched off in the app, and its emails always go
    description: str = ""

    def render(self, context: dict) -> tuple[str, str]:
        """Title and body filled from ``context``; a missing key renders as empty."""
        values = _Defaulting(context)
        return self.title.format_map(values)[:200], self.body.format_map(values)


class _Defaulting(dict):
    def __missing__(self, key):
        return ""


_kinds: dict[str, NotificationKind] = {}


def register(kind: NotificationKind) -> NotificationKind:
    """Register (or replace) a kind. Safe to call more than once."""
    _kinds[kind.key] = kind
    return kind


def get(key: str) -> NotificationKind:
    try:
        return _kinds[key]
    except KeyError:
        raise UnknownKind(key) from None


def kinds() -> list[NotificationKind]:
    return sorted(_kinds.values(), key=lambda k: k.key)


def keys() -> list[str]:
    return sorted(_kinds)
