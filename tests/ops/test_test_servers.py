"""The test suite's own server process outlives the database it serves: transactional tests
flush it, and Django recreates the content types with new ids. A write through the server
after a flush must not use the ids of before (a 500 foreign-key violation on Wagtail's
reference index, found by the schema fuzzing as instructor and admin)."""

import httpx
from django.core.management import call_command

from tests.factories import UserFactory
from tests.factories import learning as lf
from tests.support.auth import jwt_client


def post_announcement(url: str) -> httpx.Response:
    instructor = UserFactory(roles=["instructor"])
    course, _lessons = lf.video_course(instructors=[instructor])
    auth = jwt_client(instructor)._credentials["HTTP_AUTHORIZATION"]
    return httpx.post(
        f"{url}/api/v2/courses/{course.pk}/announcements/",
        json={"title": "Office hours", "body": "Thursday at five.", "pinned": False},
        headers={"Authorization": auth},
        timeout=30,
    )


def test_writes_after_a_flush_use_the_new_content_types(transactional_db, live_asgi_url):
    assert post_announcement(live_asgi_url).status_code == 201
    # What the next transactional test starts with: new rows, new ids.
    call_command("flush", interactive=False, verbosity=0, reset_sequences=False)
    response = post_announcement(live_asgi_url)
    assert response.status_code == 201, response.text
