"""The product's ASGI application as test servers run it.

Transactional tests flush the database between tests, and Django recreates the content types
with new ids; a server process that lives for the whole session would keep the old ids in its
ContentType cache (used by Wagtail's reference index, permissions and revisions) and fail on
a foreign key when a later test writes through it. In production content types never change
under a running server, so only the test server forgets them at the start of each request.
"""

from django.core.signals import request_started

from config.asgi import application

__all__ = ["application"]


def _forget_content_types(**kwargs) -> None:
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()


request_started.connect(_forget_content_types, dispatch_uid="test-server-content-types")
