"""Upload API on the embedded default (local chunked uploads): access, bad input, resume."""

from datetime import timedelta

import pytest
from django.utils import timezone

from media_pipeline import storage as media_storage
from media_pipeline.delivery import LOCAL_PART_SALT
from media_pipeline.models import VideoAsset
from tests.factories.media import video_bytes
from tests.media_pipeline.fixtures import ROLES, client_for, matrix

pytestmark = pytest.mark.django_db
UPLOADS = "/api/v2/media/uploads/"


def create(client, *, filename="lesson.mp4", size=1000, content_type="video/mp4", **extra):
    body = {"filename": filename, "size_bytes": size, "content_type": content_type, **extra}
    return client.post(UPLOADS, body, format="json")


def put_part(client, part: dict, data: bytes):
    path = part["url"].removeprefix("http://testserver")
    return client.generic("PUT", path, data, content_type="application/octet-stream")


def upload_bytes(client, data: bytes, **kwargs) -> dict:
    response = create(client, size=len(data), **kwargs)
    assert response.status_code == 201, response.json()
    body = response.json()
    for part in body["upload"]["parts"]:
        chunk = data[part["offset"] : part["offset"] + part["size"]]
        assert put_part(client, part, chunk).status_code == 200
    return body


EXPECTED_CREATE = matrix(201, other_instructor=201)


@pytest.mark.parametrize("role", ROLES)
def test_create_authorization_matrix(roles, role):
    response = create(client_for(roles.user(role)), title="Week 1")
    assert response.status_code == EXPECTED_CREATE[role], response.content
    if response.status_code == 201:
        body = response.json()
        asset = VideoAsset.objects.get()
        assert body["asset"]["id"] == asset.pk
        assert body["asset"]["status"] == "awaiting_upload"
        assert asset.owner == roles.user(role)
        assert body["upload"]["backend"] == "local"
        assert [p["part_number"] for p in body["upload"]["parts"]] == [1]
    else:
        assert response["Content-Type"] == "application/problem+json"
        assert not VideoAsset.objects.exists()
    if role in ("student", "other_student"):
        assert response.json()["code"] == "upload_not_allowed"


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        (
            {"filename": "lecture.avi", "content_type": "video/x-msvideo"},
            400,
            "unsupported_file_type",
        ),
        ({"filename": "notes.txt", "content_type": "text/plain"}, 400, "unsupported_file_type"),
        ({"filename": "lesson.mp4", "content_type": "text/plain"}, 400, "unsupported_file_type"),
        ({"filename": "lesson", "content_type": "video/mp4"}, 400, "unsupported_file_type"),
        ({"size": 0}, 400, "empty_upload"),
        ({"size": -5}, 400, "empty_upload"),
        ({"size": 6 * 1024**3}, 413, "upload_too_large"),
        ({"size": "lots"}, 400, "invalid"),
        ({"filename": ""}, 400, "invalid"),
    ],
)
def test_bad_upload_requests_are_refused_and_create_nothing(roles, payload, status, code):
    response = create(client_for(roles.instructor), **payload)
    assert response.status_code == status, response.json()
    assert response.json()["code"] == code
    assert response["Content-Type"] == "application/problem+json"
    assert not VideoAsset.objects.exists()


def test_size_limit_comes_from_settings(roles, settings):
    settings.MEDIA_UPLOAD_MAX_BYTES = 500
    response = create(client_for(roles.instructor), size=501)
    assert response.status_code == 413
    assert "limit is 500 bytes" in response.json()["detail"]


def test_chunked_upload_in_parts_then_complete(roles, settings, clips):
    settings.MEDIA_UPLOAD_PART_SIZE = 4096
    data = clips["small"].read_bytes()
    client = client_for(roles.instructor)
    body = upload_bytes(client, data, title="Chunked")
    assert len(body["upload"]["parts"]) == -(-len(data) // 4096) > 1
    response = client.post(f"{UPLOADS}{body['asset']['id']}/complete/")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "uploaded"
    asset = VideoAsset.objects.get()
    with media_storage.open_local(asset.original.name) as fh:
        assert fh.read() == data
    # A retrying client completing again gets the same answer, nothing is queued twice.
    again = client.post(f"{UPLOADS}{asset.pk}/complete/")
    assert again.status_code == 200
    assert again.json()["status"] == "uploaded"


def test_complete_queues_processing_after_commit(roles, django_capture_on_commit_callbacks):
    client = client_for(roles.instructor)
    body = upload_bytes(client, video_bytes(1000))
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(f"{UPLOADS}{body['asset']['id']}/complete/")
    assert response.status_code == 200
    # One publish of the new state and one processing task, both only after commit.
    assert len(callbacks) == 2


def test_parts_can_be_resent_and_come_in_any_order(roles, settings):
    settings.MEDIA_UPLOAD_PART_SIZE = 10
    client = client_for(roles.instructor)
    data = video_bytes(25)
    body = create(client, size=len(data)).json()
    parts = body["upload"]["parts"]
    for part in [parts[2], parts[0], parts[1], parts[0]]:
        chunk = data[part["offset"] : part["offset"] + part["size"]]
        assert put_part(client, part, chunk).json()["received_bytes"] == part["size"]
    # Fresh URLs for the same upload (e.g. after the first ones expired).
    resumed = client.get(f"{UPLOADS}{body['asset']['id']}/")
    assert resumed.status_code == 200
    assert len(resumed.json()["upload"]["parts"]) == 3
    assert client.post(f"{UPLOADS}{body['asset']['id']}/complete/").status_code == 200
    with media_storage.open_local(VideoAsset.objects.get().original.name) as fh:
        assert fh.read() == data


def test_zero_bytes_sent_then_complete_is_refused_and_upload_stays_open(roles):
    client = client_for(roles.instructor)
    body = create(client, size=1000).json()
    response = client.post(f"{UPLOADS}{body['asset']['id']}/complete/")
    assert response.status_code == 400
    assert response.json()["code"] == "upload_missing"
    assert VideoAsset.objects.get().status == "awaiting_upload"


def test_part_of_the_wrong_size_is_refused(roles):
    client = client_for(roles.instructor)
    part = create(client, size=1000).json()["upload"]["parts"][0]
    short = put_part(client, part, b"x" * 999)
    assert short.status_code == 400
    assert short.json()["code"] == "invalid_upload_part"
    oversize = put_part(client, part, b"x" * 5000)
    assert oversize.status_code == 400
    assert "must be 1000 bytes" in oversize.json()["detail"]
    empty = put_part(client, part, b"")
    assert empty.status_code == 400
    assert size_on_disk(VideoAsset.objects.get()) in (None, 0)


def size_on_disk(asset):
    return media_storage.size_of(asset.original.name)


def test_size_mismatch_at_complete_is_refused(roles, settings):
    settings.MEDIA_UPLOAD_PART_SIZE = 500
    client = client_for(roles.instructor)
    body = create(client, size=1000).json()
    first = body["upload"]["parts"][0]
    assert put_part(client, first, b"a" * 500).status_code == 200
    response = client.post(f"{UPLOADS}{body['asset']['id']}/complete/")
    assert response.status_code == 400
    assert response.json()["code"] == "upload_size_mismatch"
    assert "Received 500 bytes but 1000 were declared" in response.json()["detail"]
    assert VideoAsset.objects.get().status == "awaiting_upload"


def test_tampered_and_expired_part_urls_are_rejected(roles):
    client = client_for(roles.instructor)
    body = create(client, size=10).json()
    part = body["upload"]["parts"][0]
    tampered = dict(part, url=part["url"].replace("/parts/", "/parts/x"))
    response = put_part(client, tampered, b"x" * 10)
    assert response.status_code == 403
    assert response.json()["code"] == "invalid_signature"
    token = media_storage.sign({"a": body["asset"]["id"], "p": 1}, salt=LOCAL_PART_SALT, expires=-1)
    expired = client.generic(
        "PUT", f"{UPLOADS}parts/{token}/", b"x" * 10, content_type="application/octet-stream"
    )
    assert expired.status_code == 403
    assert expired.json()["code"] == "signature_expired"
    assert size_on_disk(VideoAsset.objects.get()) is None


def test_expired_upload_cannot_be_completed(roles):
    client = client_for(roles.instructor)
    body = upload_bytes(client, video_bytes(1000))
    VideoAsset.objects.update(upload_expires_at=timezone.now() - timedelta(seconds=1))
    response = client.post(f"{UPLOADS}{body['asset']['id']}/complete/")
    assert response.status_code == 410
    assert response.json()["code"] == "upload_expired"
    assert VideoAsset.objects.get().status == "awaiting_upload"


EXPECTED_COMPLETE = matrix(200)


@pytest.mark.parametrize("role", ROLES)
def test_complete_authorization_matrix(roles, role):
    body = upload_bytes(client_for(roles.instructor), video_bytes(1000))
    response = client_for(roles.user(role)).post(f"{UPLOADS}{body['asset']['id']}/complete/")
    assert response.status_code == EXPECTED_COMPLETE[role]
    expected_status = "uploaded" if response.status_code == 200 else "awaiting_upload"
    assert VideoAsset.objects.get().status == expected_status


EXPECTED_ABORT = matrix(204)


@pytest.mark.parametrize("role", ROLES)
def test_abort_authorization_matrix(roles, role):
    body = upload_bytes(client_for(roles.instructor), video_bytes(1000))
    asset = VideoAsset.objects.get()
    response = client_for(roles.user(role)).post(f"{UPLOADS}{body['asset']['id']}/abort/")
    assert response.status_code == EXPECTED_ABORT[role]
    if response.status_code == 204:
        assert not VideoAsset.objects.exists()
        assert size_on_disk(asset) is None
    else:
        assert VideoAsset.objects.get().status == "awaiting_upload"
        assert size_on_disk(asset) == 1000


def test_completed_upload_cannot_be_aborted(roles):
    client = client_for(roles.instructor)
    body = upload_bytes(client, video_bytes(1000))
    client.post(f"{UPLOADS}{body['asset']['id']}/complete/")
    response = client.post(f"{UPLOADS}{body['asset']['id']}/abort/")
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_state"
    assert VideoAsset.objects.get().status == "uploaded"


@pytest.mark.parametrize("role", ROLES)
def test_resume_authorization_matrix(roles, role):
    body = create(client_for(roles.instructor)).json()
    response = client_for(roles.user(role)).get(f"{UPLOADS}{body['asset']['id']}/")
    assert response.status_code == EXPECTED_COMPLETE[role]


NOT_VIDEOS = {
    "pdf": b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n" + b"0" * 600,
    "html": b"<!doctype html><html><body><script>alert(1)</script></body></html>" + b" " * 600,
    "zip": b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 600,
    "text": b"just some words, nothing like a container " * 20,
}


@pytest.mark.parametrize("kind", sorted(NOT_VIDEOS))
def test_bytes_that_are_not_a_video_are_refused_whatever_the_name_and_type(
    roles, kind, django_capture_on_commit_callbacks
):
    """The name says .mp4 and the declared type video/mp4; the stored bytes decide."""
    data = NOT_VIDEOS[kind]
    client = client_for(roles.instructor)
    body = upload_bytes(client, data, filename="lecture.mp4", content_type="video/mp4")
    asset_id = body["asset"]["id"]
    name = VideoAsset.objects.get(pk=asset_id).original.name
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{UPLOADS}{asset_id}/complete/")
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "not_a_video"
    assert "not a video" in response.json()["detail"]
    asset = VideoAsset.objects.get(pk=asset_id)
    assert asset.status == "failed" and "not a video" in asset.failure_reason
    assert not media_storage.storage().exists(name)  # the refused bytes are gone
    # Nothing to process: completing again says it failed, it never becomes "uploaded".
    again = client.post(f"{UPLOADS}{asset_id}/complete/")
    assert again.status_code == 409 and VideoAsset.objects.get(pk=asset_id).status == "failed"


@pytest.mark.parametrize(
    "head",
    [
        b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm",  # Matroska / WebM
        b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  ",  # QuickTime
        b"RIFF\x00\x00\x00\x00AVI LIST",  # AVI
    ],
)
def test_common_video_containers_are_recognised(head):
    from media_pipeline.services import sniff_video

    assert sniff_video(head + b"\x00" * 256) is None
    ts = bytearray(400)
    ts[0] = ts[188] = 0x47  # an MPEG transport stream: a sync byte every 188 bytes
    assert sniff_video(bytes(ts)) is None
