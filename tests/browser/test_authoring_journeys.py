"""Instructor and editor journeys in headless Chromium against a live server and worker:
upload a real video and watch processing reach Ready without a reload; build a course with a
reading, a video with a checkpoint and a quiz with every question type; preview it; submit;
an editor approves; the course and its lessons reach the catalog API in one step. No console
errors on any page, and no request leaves the server's host."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import httpx
import pytest

from cms.models import CoursePage, SectionPage
from media_pipeline.models import VideoAsset
from tests.browser import authoring
from tests.browser.conftest import UPLOAD_LIMIT_BYTES
from tests.factories.accounts import DEFAULT_PASSWORD
from tests.media_pipeline.fixtures import make_clip

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(300)]


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("uploads")
    notes = folder / "notes.txt"
    notes.write_text("Lecture notes, not a video.\n")
    big = folder / "too-big.mp4"
    with big.open("wb") as handle:
        handle.truncate(UPLOAD_LIMIT_BYTES + 1)
    return {"clip": make_clip(folder / "lesson-one.mp4", seconds=2), "notes": notes, "big": big}


def upload_video(session, page, files) -> VideoAsset:
    page.goto(session.url("/admin/videos/"))
    page.get_by_role("link", name="Upload a video").first.click()
    page.wait_for_selector("#video-upload-form[data-ready=true]")

    # Bad input first: a readable reason, no request sent, the form stays usable.
    page.set_input_files("#video-file", str(files["notes"]))
    error = page.locator("#video-upload-error")
    assert "is not a video we accept" in error.inner_text()
    page.set_input_files("#video-file", str(files["big"]))
    assert "the upload limit is 3.0 MB" in error.inner_text()
    page.click("#video-upload-submit")
    assert "the upload limit is 3.0 MB" in error.inner_text()
    assert "csrfmiddlewaretoken" not in page.url

    # The connection drops while the bytes travel: a reason and a Retry, which resends.
    dropped = []

    def drop_first_part(route):
        if not dropped:
            dropped.append(route.request.url)
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/api/v2/media/uploads/parts/**", drop_first_part)
    page.fill("#video-title", "Lesson one")
    page.set_input_files("#video-file", str(files["clip"]))
    assert error.is_hidden()
    page.click("#video-upload-submit")
    error.wait_for(state="visible")
    assert "The network connection dropped while sending part 1." in error.inner_text()
    session.allow_console_error(r"net::ERR_CONNECTION_RESET")
    session.screenshot(page, "upload-dropped")
    # Progress arrives over the WebSocket too when the channel layer is Redis (the page opens
    # its socket only when the video is not finished as it loads).
    frames: list[str] = []
    sockets: list[str] = []

    def listen(socket):
        sockets.append(socket.url)
        socket.on("framereceived", lambda payload: frames.append(str(payload)))

    page.on("websocket", listen)
    page.click("#video-upload-retry")
    page.wait_for_url(re.compile(r".*/admin/videos/\d+/$"))
    asset = VideoAsset.objects.get(title="Lesson one")
    # Processing progress updates in place: the page is never reloaded.
    page.evaluate("window.__sameDocument = true")
    page.wait_for_selector("#video-status[data-status=ready]", timeout=120_000)
    assert page.evaluate("window.__sameDocument === true")
    assert page.locator("#video-status").text_content().strip() == "Ready"
    assert page.locator(".w-status").count() == 1  # one status badge
    # What processing found is fetched once the video is ready (asynchronously): wait for it.
    page.wait_for_function(
        "document.getElementById('video-duration').textContent.trim() === '0:02'",
        timeout=15_000,
    )
    session.screenshot(page, "video-ready")
    if os.environ.get("REDIS_URL") and sockets:
        # The worker's "ready" reached the browser over the socket (when the page's poll sees
        # the end first, the page keeps the socket a moment so the event in flight arrives).
        deadline = time.monotonic() + 5
        while not any('"status": "ready"' in frame for frame in frames):
            assert time.monotonic() < deadline, frames
            page.wait_for_timeout(100)
    elif os.environ.get("REDIS_URL"):
        # No socket: the page was rendered after processing had finished.
        assert page.locator("#video-detail[data-finished=true]").count() == 1
    asset.refresh_from_db()
    assert asset.status == VideoAsset.Status.READY
    return asset


def build_course(session, page, site) -> tuple[CoursePage, SectionPage]:
    """Course and section through the explorer, each saved once as a draft."""
    page.goto(session.url(f"/admin/pages/{site['catalog'].pk}/"))
    page.get_by_role("link", name="Add child page").first.click()
    page.fill("#id_title", "Explore video")
    page.press("#id_title", "Tab")
    # The author is the new course's instructor; the form is not autosaved meanwhile.
    instructor = page.locator("select[name='course_instructors-0-user']")
    assert instructor.input_value() == str(site["instructor"].pk)
    page.wait_for_timeout(1200)
    assert not CoursePage.objects.exists()
    session.screenshot(page, "new-course")
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url(re.compile(r".*/admin/pages/\d+/edit/$"))
    course = CoursePage.objects.get(title="Explore video")
    assert [i.user for i in course.course_instructors.all()] == [site["instructor"]]

    page.goto(session.url(f"/admin/pages/{course.pk}/add_subpage/"))
    page.fill("#id_title", "Look and listen")
    page.press("#id_title", "Tab")
    authoring.add_reading(page, "What to look for")
    authoring.add_video(page, "Watch the clip", "Lesson one")
    authoring.add_quiz(page, "Check yourself")
    session.screenshot(page, "new-section")
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url(re.compile(r".*/admin/pages/\d+/edit/$"))
    assert "created" in page.locator(".messages").inner_text()
    section = SectionPage.objects.get(title="Look and listen")
    lessons = section.get_latest_revision_as_object().lessons
    assert [lesson.block_type for lesson in lessons] == ["reading", "video", "quiz"]
    assert [q.block_type for q in lessons[2].value["questions"]] == [
        "single_choice",
        "multiple_choice",
        "true_false",
        "numeric",
        "short_text",
    ]
    assert len(lessons[1].value["checkpoints"]) == 1
    return course, section


def preview(session, page, course, section) -> None:
    """The preview panel renders the site's own pages, from this server (not port 8000)."""
    page.goto(session.url(f"/admin/pages/{section.pk}/edit/"))
    frame = authoring.open_preview(page)
    frame.locator("[data-kind=quiz]").wait_for()
    kinds = [el.get_attribute("data-kind") for el in frame.locator("[data-kind]").all()]
    assert kinds == ["reading", "video", "quiz"]
    assert frame.locator("video.player").count() == 1
    assert frame.locator("[data-kind=quiz] .question").count() == 5
    src = page.locator("iframe.w-preview__iframe").get_attribute("src")
    assert src.startswith(f"{session.base_url}/admin/pages/{section.pk}/edit/preview/")
    session.screenshot(page, "section-preview")

    page.goto(session.url(f"/admin/pages/{course.pk}/edit/"))
    frame = authoring.open_preview(page)
    assert "Look and listen" in frame.locator(".outline").inner_text()
    session.screenshot(page, "course-preview")


def test_instructor_uploads_builds_previews_submits_and_editor_approves(
    worker, admin_server, site, files, browser_session
):
    catalog_url = f"{admin_server}/api/v2/courses/"
    instructor = browser_session(admin_server)
    page = instructor.new_page()
    instructor.login(page, site["instructor"].email, DEFAULT_PASSWORD)
    upload_video(instructor, page, files)
    course, section = build_course(instructor, page, site)
    preview(instructor, page, course, section)

    authoring.submit_for_review(page)
    messages = page.locator(".messages").inner_text()
    assert "Submitted with it: Look and listen." in messages
    assert httpx.get(catalog_url).json()["results"] == []

    editor = browser_session(admin_server)
    page = editor.new_page()
    editor.login(page, site["editor"].email, DEFAULT_PASSWORD)
    assert authoring.review_row(page, "Explore video → Look and listen").count() == 1
    editor.screenshot(page, "review-dashboard")
    authoring.approve_from_dashboard(page, "Explore video")
    confirmation = page.locator(".messages").inner_text()
    assert "“Explore video” was approved and published. 1 section is live." in confirmation
    editor.screenshot(page, "approved")

    # The course and its lessons reach the catalog in the same step.
    (listed,) = httpx.get(catalog_url).json()["results"]
    assert (listed["title"], listed["lesson_count"]) == ("Explore video", 3)
    detail = httpx.get(f"{catalog_url}{listed['id']}/").json()
    lessons = detail["sections"][0]["lessons"]
    assert [lesson["kind"] for lesson in lessons] == ["reading", "video", "quiz"]
    assert lessons[1]["video_duration"] == pytest.approx(2, abs=0.2)

    for session in (instructor, editor):
        session.assert_clean()
