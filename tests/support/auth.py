"""Sign people in for API tests with real JWTs (through the same service the API uses)."""

from __future__ import annotations

from rest_framework.test import APIClient

from learning.accounts import services
from tests.factories import DEFAULT_PASSWORD


def jwt_client(user, *, password: str = DEFAULT_PASSWORD, user_agent: str = "pytest") -> APIClient:
    session, refresh = services.session_start(
        email=user.email, password=password, user_agent=user_agent, ip_address="127.0.0.1"
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {refresh.access_token}")
    client.session_id = str(session.id)
    client.refresh_token = str(refresh)
    return client
