"""media_pipeline's links come from builders the HTTP layer registers at startup."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from media_pipeline import endpoints


def test_api_registered_every_media_endpoint():
    assert endpoints.url("signed_file", token="abc") == "/api/v2/media/files/abc"
    assert endpoints.url("upload_part", token="abc") == "/api/v2/media/uploads/parts/abc/"
    assert endpoints.url("upload_create") == "/api/v2/media/uploads/"
    assert endpoints.url("upload_complete", pk=7) == "/api/v2/media/uploads/7/complete/"
    assert endpoints.url("stream_master", token="abc") == "/api/v2/media/stream/abc/master.m3u8"
    assert endpoints.url("video_detail", pk=7) == "/api/v2/media/videos/7/"


def test_unknown_or_unregistered_endpoints_are_configuration_errors(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="Unknown media endpoints: nope"):
        endpoints.register(nope=lambda: "/")
    monkeypatch.setattr(endpoints, "_builders", {})
    with pytest.raises(ImproperlyConfigured, match="signed_file"):
        endpoints.url("signed_file", token="abc")
