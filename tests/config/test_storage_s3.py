"""The default storage on a real S3 endpoint (moto's standalone server)."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from ops.readiness import check_storage


@pytest.fixture
def s3_storage(s3_server, settings):
    settings.STORAGES = {**settings.STORAGES, "default": s3_server["storage"]}
    return s3_server


def test_files_round_trip_through_the_bucket(s3_storage):
    name = default_storage.save("probe/hello.txt", ContentFile(b"hello"))
    listed = s3_storage["client"].list_objects_v2(Bucket=s3_storage["bucket"])["Contents"]
    assert [obj["Key"] for obj in listed] == [name]
    with default_storage.open(name) as fh:
        assert fh.read() == b"hello"
    url = default_storage.url(name)
    assert "X-Amz-Signature=" in url
    default_storage.delete(name)
    assert not default_storage.exists(name)


def test_readiness_checks_the_bucket(s3_storage, settings):
    assert check_storage() == {"backend": "s3"}
    settings.STORAGES["default"]["OPTIONS"]["bucket_name"] = "missing-bucket"
    settings.STORAGES = dict(settings.STORAGES)
    with pytest.raises(Exception, match=r"404|Not Found|NoSuchBucket"):
        check_storage()


def test_the_head_of_a_stored_upload_is_one_ranged_read(s3_storage, settings):
    from media_pipeline import storage as media_storage

    settings.STORAGES = {**settings.STORAGES, "videos": settings.STORAGES["default"]}
    assert media_storage.is_s3()
    name = media_storage.storage().save("uploads/clip.mp4", ContentFile(b"0123456789" * 2000))
    assert media_storage.read_head(name, length=16) == b"0123456789012345"
    assert len(media_storage.read_head(name)) == 8192


def test_browsers_get_urls_signed_for_the_public_endpoint(s3_storage, settings):
    """In a compose stack the app reaches the bucket by a service name no browser resolves:
    every URL handed out names the public endpoint, and works there."""
    import httpx

    from media_pipeline import storage as media_storage

    public = s3_storage["endpoint"].replace("127.0.0.1", "localhost")
    options = {**settings.STORAGES["default"]["OPTIONS"], "public_endpoint_url": public}
    store = {"BACKEND": "config.storage.S3Storage", "OPTIONS": options}
    settings.STORAGES = {**settings.STORAGES, "default": store, "videos": store}

    name = default_storage.save("probe/poster.txt", ContentFile(b"poster"))
    url = default_storage.url(name)
    assert url.startswith(f"{public}/{s3_storage['bucket']}/") and "X-Amz-Signature=" in url
    assert httpx.get(url, timeout=10).content == b"poster"

    put = media_storage.presigned_put("uploads/clip.mp4", content_type="video/mp4", expires=60)
    assert put.startswith(f"{public}/")
    answer = httpx.put(put, content=b"bytes", headers={"Content-Type": "video/mp4"}, timeout=10)
    assert answer.status_code == 200
    assert media_storage.read_head("uploads/clip.mp4", length=5) == b"bytes"
    # The application's own calls still use the internal endpoint.
    assert media_storage.s3_client().meta.endpoint_url == s3_storage["endpoint"]
