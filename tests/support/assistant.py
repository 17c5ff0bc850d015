"""Fixtures for AI tutor tests: the local OpenAI-compatible server wired into settings."""

from __future__ import annotations

import pytest

from tests.support.openai_server import fake_openai_server


@pytest.fixture
def openai_server(settings):
    """A running local OpenAI-compatible server the tutor is configured to use (short
    timeouts and backoff so failure tests stay fast)."""
    from learning.assistant.providers import reset_breakers

    with fake_openai_server() as server:
        settings.ASSISTANT_PROVIDER = "openai"
        settings.OPENAI_API_KEY = "test-key"
        settings.ASSISTANT_OPENAI_BASE_URL = server.url
        settings.ASSISTANT_MODEL = "gpt-4o-mini"
        settings.ASSISTANT_PROVIDER_TIMEOUT_SECONDS = 1.0
        settings.ASSISTANT_PROVIDER_RETRIES = 2
        settings.ASSISTANT_PROVIDER_BACKOFF_SECONDS = 0.01
        reset_breakers()
        yield server
        reset_breakers()


@pytest.fixture
def offline_tutor(settings):
    from learning.assistant.providers import reset_breakers

    settings.ASSISTANT_PROVIDER = "offline"
    reset_breakers()
    return settings
