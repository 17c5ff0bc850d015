"""The API's URL rule: every URL a response carries (fields named ``url`` or ``*_url``) is
absolute, built from the request (scheme and host the client used), like playback and
upload links. Content built once and cached (lesson bodies) stores site-relative paths
(or ``SITE_URL``-absolute ones); they are made absolute here, per response. Links inside
rich-text HTML stay as the HTML has them."""

from __future__ import annotations

from django.conf import settings


def _is_url_key(key) -> bool:
    return isinstance(key, str) and (key == "url" or key.endswith("_url"))


def absolute_url(value: str, request) -> str:
    """``value`` absolute from ``request`` when it is a path on this site."""
    site = settings.SITE_URL.rstrip("/")
    if site and value.startswith(site + "/"):
        value = value[len(site) :]
    if value.startswith("/") and not value.startswith("//"):
        return request.build_absolute_uri(value)
    return value


def absolute_urls(data, request):
    """A copy of ``data`` (JSON-like) with every URL field made absolute from ``request``."""
    if request is None:
        return data
    if isinstance(data, dict):
        return {
            key: absolute_url(value, request)
            if _is_url_key(key) and isinstance(value, str)
            else absolute_urls(value, request)
            for key, value in data.items()
        }
    if isinstance(data, list):
        return [absolute_urls(item, request) for item in data]
    return data
