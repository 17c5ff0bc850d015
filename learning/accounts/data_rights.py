"""Account data rights: export everything the product holds about a person, and erase it.

Each app registers a *section* once (in its ``AppConfig.ready()``): a function that exports
the person's data as JSON-serialisable values, and optionally one that erases or anonymises
it when the account is deleted. Aggregate learning records are kept, tied to the anonymised
account.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone


@dataclass(frozen=True)
class DataSection:
    name: str
    export: Callable[[Any], Any]
    erase: Callable[[Any], None] | None = None


_sections: dict[str, DataSection] = {}


def register(
    name: str, *, export: Callable[[Any], Any], erase: Callable[[Any], None] | None = None
):
    """Register (or replace) the section ``name``. Safe to call more than once."""
    _sections[name] = DataSection(name, export, erase)


def sections() -> list[DataSection]:
    return list(_sections.values())


def export_user_data(user) -> dict:
    data: dict[str, Any] = {
        "format": "unpuzzle-account-export/1",
        "exported_at": timezone.now().isoformat(),
    }
    for section in _sections.values():
        data[section.name] = section.export(user)
    return data


def erase_user_data(user) -> None:
    for section in _sections.values():
        if section.erase is not None:
            section.erase(user)


def _iso(value):
    return value.isoformat() if value else None


def _export_account(user) -> dict:
    from learning.accounts.roles import roles_of

    return {
        "id": user.pk,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "display_name": user.display_name,
        "bio": user.bio,
        "timezone": user.timezone,
        "language": user.language,
        "avatar": user.avatar.name or None,
        "email_verified_at": _iso(user.email_verified_at),
        "date_joined": _iso(user.date_joined),
        "last_login": _iso(user.last_login),
        "roles": roles_of(user),
    }


def _export_sessions(user) -> list[dict]:
    return [
        {
            "id": str(s.id),
            "user_agent": s.user_agent,
            "ip_address": s.ip_address,
            "created_at": _iso(s.created_at),
            "last_used_at": _iso(s.last_used_at),
            "expires_at": _iso(s.expires_at),
            "revoked_at": _iso(s.revoked_at),
        }
        for s in user.auth_sessions.order_by("created_at")
    ]


def _erase_sessions(user) -> None:
    user.auth_sessions.update(user_agent="", ip_address=None)


def _export_instructor_requests(user) -> list[dict]:
    return [
        {
            "status": r.status,
            "motivation": r.motivation,
            "created_at": _iso(r.created_at),
            "decided_at": _iso(r.decided_at),
            "decision_note": r.decision_note,
        }
        for r in user.instructor_requests.order_by("created_at")
    ]


def _erase_instructor_requests(user) -> None:
    user.instructor_requests.update(motivation="", decision_note="")


def register_accounts_sections() -> None:
    register("account", export=_export_account)
    register("sessions", export=_export_sessions, erase=_erase_sessions)
    register(
        "instructor_requests", export=_export_instructor_requests, erase=_erase_instructor_requests
    )
