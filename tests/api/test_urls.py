"""The API's URL rule: URL fields are absolute, from the request."""

from django.test import RequestFactory

from api.absolute import absolute_urls


def test_url_fields_become_absolute_from_the_request(settings):
    settings.SITE_URL = "https://lms.example.com"
    settings.ALLOWED_HOSTS = ["api.example.org"]
    request = RequestFactory().get("/", HTTP_HOST="api.example.org")
    data = {
        "url": "/media/images/a.png",
        "poster_url": "https://lms.example.com/api/v2/media/files/t",
        "hls_url": "https://bucket.s3.example.com/x.m3u8?sig=1",
        "title": "/not/a/url/field",
        "blocks": [{"image": {"renditions": {"card": {"url": "/media/c.png"}}}}],
        "html_url": "//cdn.example.com/x",
    }
    assert absolute_urls(data, request) == {
        "url": "http://api.example.org/media/images/a.png",
        "poster_url": "http://api.example.org/api/v2/media/files/t",
        "hls_url": "https://bucket.s3.example.com/x.m3u8?sig=1",
        "title": "/not/a/url/field",
        "blocks": [
            {"image": {"renditions": {"card": {"url": "http://api.example.org/media/c.png"}}}}
        ],
        "html_url": "//cdn.example.com/x",
    }
    assert absolute_urls(data, None) is data
