"""The authorization matrix: one person per role, shared by every test package.

The people are the fixtures of ``tests/conftest.py``; ``roles`` bundles them so a matrix test
is parametrized over :data:`ROLES` and asks ``roles.user(role)``. ``instructor`` is the one
whose resources are tested (the course's instructor, the video's owner);
``other_instructor`` teaches elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

ROLES = (
    "anonymous",
    "student",
    "other_student",
    "instructor",
    "other_instructor",
    "editor",
    "admin_user",
)


@dataclass
class Roles:
    student: object
    other_student: object
    instructor: object
    other_instructor: object
    editor: object
    admin_user: object

    def user(self, role: str):
        """The person in ``role``; None for ``"anonymous"``."""
        return None if role == "anonymous" else getattr(self, role)


@pytest.fixture
def roles(student, other_student, instructor, other_instructor, editor, admin_user) -> Roles:
    return Roles(student, other_student, instructor, other_instructor, editor, admin_user)


def client_for(user, request=None, api_client=None, as_user=None) -> APIClient:
    """An API client signed in with a real session-bound JWT (anonymous for ``None``).

    Also ``client_for(role, request, api_client, as_user)``: the client of the fixture named
    ``role`` (an anonymous one for ``"anonymous"``), for matrices parametrized by role name.
    """
    from tests.support.auth import jwt_client

    if request is not None:
        if user == "anonymous":
            return api_client
        return as_user(request.getfixturevalue(user))
    return APIClient() if user is None else jwt_client(user)


# Endpoints every signed-in person uses also get a learner whose address is not verified.
ROLES_WITH_UNVERIFIED = ("anonymous", "unverified", *ROLES[1:])
