"""Browser journeys: a real uvicorn server and Celery worker on the test database, driven by
headless Chromium. Rows the server must see are committed (``transactional_db``)."""

from __future__ import annotations

import pytest

from tests.support.browser import browser_session, chromium  # noqa: F401
from tests.support.processes import asgi_server, test_database_env

# Small enough that the journey can show the size check with a few megabytes.
UPLOAD_LIMIT_BYTES = 3 * 1024 * 1024


@pytest.fixture(scope="module")
def admin_server(django_db_setup, django_db_blocker):
    """The ASGI app on a free port (never 8000): the admin must not assume one."""
    with django_db_blocker.unblock():
        # The authoring journey checks the site's own preview templates; the reference
        # frontend's preview has its own journey.
        env = test_database_env(
            MEDIA_UPLOAD_MAX_BYTES=str(UPLOAD_LIMIT_BYTES),
            DJANGO_ALLOW_ASYNC_UNSAFE=None,
            HEADLESS_PREVIEW_CLIENT_URL="",
        )
    with asgi_server(env) as url:
        assert not url.endswith(":8000")
        yield url


@pytest.fixture
def site(transactional_db):
    """What ``make run`` starts from: the page tree with a catalog, roles and review
    workflow, an image collection, an instructor and an editor."""
    from wagtail.models import Collection

    from tests.factories import UserFactory
    from tests.factories import courses as cf

    if not Collection.objects.filter(depth=1).exists():
        Collection.add_root(name="Root")
    catalog = cf.catalog()
    return {
        "catalog": catalog,
        "instructor": UserFactory(
            email="instructor@example.com", first_name="Ines", roles=["instructor"]
        ),
        "editor": UserFactory(email="editor@example.com", first_name="Ed", roles=["editor"]),
    }
