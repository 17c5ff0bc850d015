"""The URLs of the HTTP endpoints that serve media, without naming them.

``media_pipeline`` hands out links (signed file URLs, upload part targets, stream playlists)
and its admin pages call the media API, but the routes belong to the HTTP layer. That layer
registers one builder per endpoint at startup (``api.apps.ApiConfig.ready``); this module only
knows the endpoint names below and the arguments each takes, so renaming a route in ``api/``
cannot silently break media.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured

#: Every endpoint media code links to, with the keyword arguments its builder receives.
ENDPOINTS: dict[str, tuple[str, ...]] = {
    "signed_file": ("token",),  # a stored file behind a signed token (local storage)
    "upload_part": ("token",),  # PUT target of one part of a local chunked upload
    "upload_create": (),  # start an upload
    "upload_complete": ("pk",),  # finish an upload
    "upload_detail": ("pk",),  # an upload's state (parts received), to resume it
    "upload_abort": ("pk",),  # abandon an upload
    "stream_master": ("token",),  # the HLS master playlist of a signed stream
    "video_detail": ("pk",),  # a video's API representation (status, progress)
}

_builders: dict[str, Callable[..., str]] = {}


def register(**builders: Callable[..., str]) -> None:
    """Set the builders, e.g. ``register(signed_file=lambda token: reverse(...))``."""
    unknown = set(builders) - set(ENDPOINTS)
    if unknown:
        raise ImproperlyConfigured(f"Unknown media endpoints: {', '.join(sorted(unknown))}.")
    _builders.update(builders)


def url(endpoint: str, **kwargs) -> str:
    """The path of ``endpoint`` (relative to the site; callers make it absolute)."""
    try:
        builder = _builders[endpoint]
    except KeyError:
        raise ImproperlyConfigured(
            f"No URL builder registered for the media endpoint {endpoint!r}: the app serving "
            "the media API registers them (media_pipeline.endpoints.register) at startup."
        ) from None
    return builder(**kwargs)
