"""The authorization matrix's roles: fixture names in ``tests/conftest.py``."""

ROLES = (
    "anonymous",
    "student",
    "other_student",
    "instructor",
    "other_instructor",
    "editor",
    "admin_user",
)


def client_for(role: str, request, api_client, as_user):
    """An API client acting as ``role`` (an anonymous one for ``"anonymous"``)."""
    if role == "anonymous":
        return api_client
    return as_user(request.getfixturevalue(role))


# Endpoints every signed-in person uses also get a learner whose address is not verified.
ROLES_WITH_UNVERIFIED = ("anonymous", "unverified", *ROLES[1:])
