"""Video library API: who sees which videos, query budgets, renaming, re-processing."""

import pytest

from media_pipeline.models import VideoAsset
from tests.factories.media import VideoAssetFactory
from tests.media_pipeline.fixtures import ROLES, client_for, matrix

pytestmark = pytest.mark.django_db
VIDEOS = "/api/v2/media/videos/"


@pytest.fixture
def library(roles):
    """Two videos of the owner, one of the other instructor, one of the editor."""
    return {
        "instructor": VideoAssetFactory.create_batch(2, owner=roles.instructor),
        "other_instructor": [VideoAssetFactory(owner=roles.other_instructor)],
        "editor": [VideoAssetFactory(owner=roles.editor)],
    }


EXPECTED_LIST = {
    "anonymous": (401, None),
    "student": (403, None),
    "other_student": (403, None),
    "instructor": (200, 2),
    "other_instructor": (200, 1),
    "editor": (200, 4),
    "admin_user": (200, 4),
}


@pytest.mark.parametrize("role", ROLES)
def test_list_authorization_matrix(roles, library, role):
    response = client_for(roles.user(role)).get(VIDEOS)
    status, count = EXPECTED_LIST[role]
    assert response.status_code == status
    if status == 200:
        body = response.json()
        assert body["count"] == count
        if role in ("instructor", "other_instructor"):
            assert {v["owner"]["id"] for v in body["results"]} == {roles.user(role).pk}
    if role in ("student", "other_student"):
        assert response.json()["code"] == "media_access_denied"


def test_list_is_newest_first_filterable_and_within_a_query_budget(
    roles, library, django_assert_max_num_queries
):
    VideoAssetFactory.create_batch(5, owner=roles.instructor, status="ready")
    client = client_for(roles.editor)
    with django_assert_max_num_queries(6):
        response = client.get(VIDEOS, {"page_size": 50})
    ids = [v["id"] for v in response.json()["results"]]
    assert ids == sorted(ids, reverse=True)
    ready = client.get(VIDEOS, {"status": "ready"}).json()
    assert ready["count"] == 5
    assert all(v["status"] == "ready" for v in ready["results"])
    bad = client.get(VIDEOS, {"status": "done"})
    assert bad.status_code == 400
    assert "status" in bad.json()["errors"]


EXPECTED_DETAIL = matrix(200)


@pytest.mark.parametrize("role", ROLES)
def test_detail_authorization_matrix(roles, library, role):
    asset = library["instructor"][0]
    response = client_for(roles.user(role)).get(f"{VIDEOS}{asset.pk}/")
    assert response.status_code == EXPECTED_DETAIL[role]
    if response.status_code == 200:
        body = response.json()
        assert (body["id"], body["status"], body["progress"]) == (asset.pk, "awaiting_upload", 0)
        assert body["owner"] == {"id": roles.instructor.pk, "name": str(roles.instructor)}


def test_detail_of_a_processed_video_within_a_query_budget(
    roles, processed_video, django_assert_max_num_queries
):
    client = client_for(roles.instructor)
    # 5 for the video and its permission checks, plus 1 authenticating the real JWT (user and
    # session in one query).
    with django_assert_max_num_queries(6):
        response = client.get(f"{VIDEOS}{processed_video.pk}/")
    body = response.json()
    assert body["status"] == "ready"
    assert body["progress"] == 100
    assert body["duration_seconds"] == pytest.approx(2.0, abs=0.1)
    assert (body["width"], body["height"], body["video_codec"]) == (320, 240, "h264")
    assert [r["name"] for r in body["renditions"]] == ["240p"]
    assert body["captions"][0]["language"] == "en"
    assert len(body["checksum_sha256"]) == 64


def test_unknown_video_is_404(roles):
    assert client_for(roles.editor).get(f"{VIDEOS}999999/").status_code == 404


EXPECTED_RENAME = matrix(200)


@pytest.mark.parametrize("role", ROLES)
def test_rename_authorization_matrix(roles, library, role):
    asset = library["instructor"][0]
    response = client_for(roles.user(role)).patch(
        f"{VIDEOS}{asset.pk}/", {"title": "Renamed"}, format="json"
    )
    assert response.status_code == EXPECTED_RENAME[role]
    asset.refresh_from_db()
    assert (asset.title == "Renamed") is (response.status_code == 200)


@pytest.mark.parametrize("payload", [{}, {"title": ""}, {"title": "x" * 256}])
def test_rename_bad_input_changes_nothing(roles, library, payload):
    asset = library["instructor"][0]
    response = client_for(roles.instructor).patch(f"{VIDEOS}{asset.pk}/", payload, format="json")
    assert response.status_code == 400
    assert "title" in response.json()["errors"]
    assert VideoAsset.objects.get(pk=asset.pk).title == asset.title


EXPECTED_REPROCESS = matrix(202)


@pytest.mark.parametrize("role", ROLES)
def test_reprocess_authorization_matrix(roles, role, django_capture_on_commit_callbacks):
    asset = VideoAssetFactory(owner=roles.instructor, status="failed", failure_reason="boom")
    with django_capture_on_commit_callbacks() as callbacks:
        response = client_for(roles.user(role)).post(f"{VIDEOS}{asset.pk}/reprocess/")
    assert response.status_code == EXPECTED_REPROCESS[role]
    asset.refresh_from_db()
    if response.status_code == 202:
        assert (asset.status, asset.failure_reason, len(callbacks)) == ("uploaded", "", 2)
    else:
        assert (asset.status, asset.failure_reason, len(callbacks)) == ("failed", "boom", 0)


def test_reprocess_of_an_unfinished_upload_is_a_conflict(roles):
    asset = VideoAssetFactory(owner=roles.instructor)
    response = client_for(roles.instructor).post(f"{VIDEOS}{asset.pk}/reprocess/")
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_state"
    assert VideoAsset.objects.get(pk=asset.pk).status == "awaiting_upload"
