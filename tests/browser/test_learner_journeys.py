"""The reference student frontend in headless Chromium against a live server and worker, on
the demo content: a new learner registers, confirms the address from the e-mail, signs in,
enrolls, plays the demo video for real (a checkpoint stops it), resumes after a reload, cannot
complete it by seeking to the end, completes it by watching (the network drops on the way:
heartbeats wait offline and count once), asks the AI tutor and follows a citation into the
video, completes a reading, passes a quiz and sees the percent on the dashboard. axe-core
finds no serious or critical problem on the main screens, and every request is the frontend,
the public API, a WebSocket, media or static files.
An editor previews a draft change in the admin and sees the draft text in the frontend."""

from __future__ import annotations

import re
import time
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from learning.accounts.models import User
from learning.progress.models import LessonProgress
from tests.browser import learner
from tests.support import processes

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(300)]

PASSWORD = "a-long-unusual-passphrase-17"
EMAIL = "new.learner@example.com"


@pytest.fixture
def frontend_server(demo):
    """The ASGI app on a free port (never 8000), with the default preview target; one per
    journey, started after the demo content exists (a server kept across the database
    flush between tests would serve from stale caches)."""
    env = processes.test_database_env(DJANGO_ALLOW_ASYNC_UNSAFE=None)
    with processes.asgi_server(env) as url:
        yield url


@pytest.fixture
def demo(transactional_db):
    """What `make run` serves: the demo courses with their real (4 s) videos and captions."""
    from wagtail.models import Collection

    from learning.demo.services import load_demo_data
    from tests.factories import courses as cf

    # A flushed transactional database has lost the page tree and collection roots.
    cf._ensure_page_tree_root()
    if not Collection.objects.filter(depth=1).exists():
        Collection.add_root(name="Root")
    return load_demo_data()


def wait_for(predicate, timeout=20.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def read_link(mail_dir, path: str) -> str:
    def found():
        text = "\n".join(p.read_text() for p in mail_dir.glob("*.log"))
        match = re.search(r"(http\S+" + re.escape(path) + r"\?token=[^\s\"'<>]+)", text)
        return match.group(1) if match else None

    return wait_for(found, 60, "the e-mail")


def check_a11y(page, screen: str) -> None:
    assert learner.axe_violations(page) == [], f"accessibility problems on the {screen} screen"


def progress(lesson_id):
    return LessonProgress.objects.filter(user__email=EMAIL, lesson__lesson_id=lesson_id).first()


def video_state(page) -> dict:
    return page.evaluate(
        "() => { const v = document.querySelector('video'); return {t: v.currentTime, "
        "paused: v.paused, ended: v.ended, d: v.duration}; }"
    )


def play(page, at: float | None = None) -> None:
    script = "(at) => { const v = document.querySelector('video'); v.muted = true;"
    script += " if (at !== null) v.currentTime = at; v.play(); }"
    page.evaluate(script, at)


def test_new_learner_registers_enrolls_watches_reads_and_sees_progress(
    frontend_server, demo, worker_mail_dir, browser_session
):
    course = next(c for c in demo["courses"] if c.slug == "python-for-beginners")
    session = browser_session(frontend_server)
    page = session.new_page()
    revoked_blobs = []
    page.on("requestfailed", lambda r: r.url.startswith("blob:") and revoked_blobs.append(r.url))

    # Catalog: search and filters.
    page.goto(session.url("/learn/"))
    page.get_by_role("heading", name="Python for beginners").wait_for()
    check_a11y(page, "catalog")
    learner.publish_screenshot(session.screenshot(page, "catalog"), "catalog")
    page.get_by_label("Search courses").fill("tables")
    page.get_by_role("button", name="Search").click()
    page.get_by_text("1 course", exact=True).wait_for()
    assert page.get_by_role("heading", name="Data literacy").is_visible()
    page.get_by_label("Price").select_option("free")
    page.get_by_text("No course matches").wait_for()

    # Register; the e-mailed link opens the frontend's verify screen.
    page.get_by_role("link", name="Create account").click()
    page.get_by_label("First name").fill("Nora")
    page.get_by_label("E-mail address").fill(EMAIL)
    page.get_by_label("Password").fill("password")  # too common: refused by the server
    page.get_by_role("button", name="Create account").click()
    session.allow_console_error(r"/learn/register: .* status of 400")  # provoked
    page.get_by_role("alert").wait_for()
    assert "password" in page.get_by_role("alert").inner_text().lower()  # readable, not JSON
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.get_by_role("heading", name="Check your e-mail").wait_for()
    link = read_link(worker_mail_dir, "/learn/verify-email")
    assert link.startswith(f"{settings.FRONTEND_URL}/verify-email?token=")
    parts = urlsplit(link)
    page.goto(session.url(f"{parts.path}?{parts.query}"))
    page.get_by_role("heading", name="Your e-mail is confirmed").wait_for()

    # Sign in (a wrong password first: a readable message).
    page.get_by_role("link", name="Sign in", exact=True).last.click()
    page.get_by_role("heading", name="Sign in").wait_for()
    check_a11y(page, "sign-in")
    learner.publish_screenshot(session.screenshot(page, "sign-in"), "sign-in")
    page.get_by_label("Password").fill("not-my-password")
    page.get_by_role("button", name="Sign in").click()
    session.allow_console_error(r"/learn/sign-in\?.*status of 401")  # provoked
    assert page.get_by_role("alert").inner_text() == (
        "The email address or password is not correct."
    )
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="My learning").wait_for()
    # The refresh token is an httpOnly cookie scripts cannot read.
    assert "unpuzzle_refresh" not in page.evaluate("() => document.cookie")
    cookies = {c["name"]: c for c in session.context.cookies()}
    assert cookies["unpuzzle_refresh"]["httpOnly"] is True

    # Course page: outline and instructors; enroll.
    page.goto(session.url(f"/learn/courses/{course.pk}"))
    page.get_by_role("heading", name="Course outline").wait_for()
    assert "Ines Instructor" in page.locator(".instructors").inner_text()
    check_a11y(page, "course")
    learner.publish_screenshot(session.screenshot(page, "course"), "course")
    page.get_by_role("button", name="Enroll for free").click()
    page.get_by_text("You are enrolled", exact=True).wait_for()
    page.get_by_role("link", name="Start the course").click()

    # The video lesson: real HLS playback; the checkpoint at 1 s stops it.
    page.locator("video[data-ready=true]").wait_for()
    lesson_id = page.locator("article.lesson").get_attribute("data-lesson-id")
    assert page.locator("article.lesson").get_attribute("data-kind") == "video"
    play(page)
    page.get_by_role("heading", name=re.compile("Checkpoint at")).wait_for()
    assert video_state(page)["paused"]
    check_a11y(page, "player")
    learner.publish_screenshot(session.screenshot(page, "player-checkpoint"), "player")
    wait_for(lambda: (p := progress(lesson_id)) and p.position >= 0.8, what="the first heartbeat")
    watched = progress(lesson_id).watched_seconds
    assert 0.8 <= watched <= 2.5

    # Reload: the player resumes where the learner stopped.
    page.reload()
    page.locator("video[data-ready=true]").wait_for()
    wait_for(lambda: 0.8 <= video_state(page)["t"] <= 2.5, what="the resume position")

    # Seeking to the end does not complete the lesson: only what was played counts.
    play(page, at=3.7)
    wait_for(lambda: video_state(page)["ended"], what="the end of the video")
    wait_for(lambda: progress(lesson_id).watched_seconds > watched, what="the end span")
    row = progress(lesson_id)
    assert row.status != "completed"
    assert row.watched_seconds < 3
    assert "Completed" not in page.locator("#lesson-status").inner_text()

    # Watching the rest for real completes it (answering the checkpoint on the way).
    play(page, at=1.0)
    page.get_by_role("heading", name=re.compile("Checkpoint at")).wait_for()
    page.get_by_label("Your answer").fill("Python")
    page.get_by_role("button", name="Check answer").click()
    page.locator(".verdict").wait_for()
    # The network drops while watching: spans wait in the local queue, then count once.
    session.context.set_offline(True)
    session.allow_console_error(r"ERR_INTERNET_DISCONNECTED")
    page.get_by_role("button", name="Continue the video").click()
    wait_for(lambda: video_state(page)["ended"], timeout=30, what="the end of the video")
    queue_key = f"unpuzzle.heartbeats.{User.objects.get(email=EMAIL).pk}"
    queued = page.evaluate("(key) => JSON.parse(localStorage.getItem(key))", queue_key)
    assert queued and all(event["lesson_id"] == lesson_id for event in queued)
    assert progress(lesson_id).status != "completed"
    session.context.set_offline(False)
    page.locator("#lesson-status", has_text="Completed").wait_for()
    assert page.evaluate("(key) => localStorage.getItem(key)", queue_key) == "[]"
    row = progress(lesson_id)
    assert row.status == "completed"
    assert 3.6 <= row.watched_seconds <= 4.0  # every span counted once

    # The AI tutor (offline provider) streams an answer citing the video; a citation seeks.
    page.get_by_text("Ask the AI tutor").click()
    page.get_by_label("Your question").fill("What are the lessons like?")
    page.get_by_role("button", name="Ask").click()
    cited = page.locator(".tutor-sources button", has_text="Welcome at 0:0").first
    cited.wait_for(timeout=30_000)
    assert "Lessons are short videos" in page.locator(".tutor-answer").inner_text()
    cited.click()
    assert video_state(page)["t"] < 3

    # The next lesson, a reading: mark complete.
    page.locator("a[rel=next]").click()
    page.get_by_role("button", name="Mark complete").click()
    page.locator("#lesson-status", has_text="Completed").wait_for()

    # The quiz: graded on the server, results with feedback.
    page.get_by_role("link", name="Getting started quiz").click()
    page.get_by_role("button", name="Start the quiz").click()
    page.locator("fieldset[data-type=single_choice]").get_by_label("print").check()
    page.locator("fieldset[data-type=true_false]").get_by_label("True").check()
    page.locator("fieldset[data-type=multiple_choice]").get_by_label("def").check()
    page.locator("fieldset[data-type=multiple_choice]").get_by_label("return").check()
    page.locator("fieldset[data-type=numeric]").get_by_label("Your answer").fill("2.5")
    page.locator("fieldset[data-type=short_text]").get_by_label("Your answer").fill("Print")
    page.get_by_role("button", name="Submit answers").click()
    page.get_by_role("heading", name="You passed").wait_for()
    assert page.locator(".quiz-result .is-correct").count() == 5
    learner.publish_screenshot(session.screenshot(page, "quiz-result"), "quiz-result")

    # The dashboard shows the percent the API computes.
    page.get_by_role("link", name="My learning").click()
    item = page.locator(f".dash-item[data-course-id='{course.pk}']")
    item.wait_for()
    from learning.enrollment.models import Enrollment
    from learning.progress import selectors

    row = selectors.annotate_percent(
        Enrollment.objects.filter(user__email=EMAIL, course=course)
    ).get()
    expected = selectors.percent(row.minutes_done, row.minutes_total)
    assert expected > 0
    assert item.locator(".progress-text").inner_text() == f"{expected}%"
    check_a11y(page, "dashboard")
    learner.publish_screenshot(session.screenshot(page, "dashboard"), "dashboard")

    if revoked_blobs:
        # Chromium logs a load failure when the video element touches the MediaSource blob
        # URL hls.js already revoked; no request reaches any server.
        session.allow_console_error(r"Failed to load resource: net::ERR_FILE_NOT_FOUND$")
    session.assert_clean()
    assert learner.outside_public_api(session) == []


def test_editor_previews_a_draft_lesson_in_the_frontend(frontend_server, demo, browser_session):
    from cms.models import SectionPage
    from tests.browser import authoring

    section = SectionPage.objects.get(title="Getting started")
    draft = section.get_latest_revision_as_object()
    lessons = draft.lessons
    reading = next(child for child in lessons if child.value["title"] == "Why Python")
    first = reading.value["content"][0]
    first.value = type(first.value)("<p>Draft: Python code reads like plain English.</p>")
    draft.lessons = lessons
    draft.save_revision()  # a draft: the live lesson keeps the published text

    session = browser_session(frontend_server)
    page = session.new_page()
    session.login(page, "editor@example.com", "unpuzzle-demo")
    page.goto(session.url(f"/admin/pages/{section.pk}/edit/"))
    outer = authoring.open_preview(page)
    frame = outer.frame_locator("iframe")
    frame.get_by_text("Preview of unpublished changes").wait_for()
    reading_view = frame.locator("article[data-kind=reading]", has_text="Why Python")
    reading_view.get_by_text("Draft: Python code reads like plain English.").wait_for()
    kinds = [el.get_attribute("data-kind") for el in frame.locator("article[data-kind]").all()]
    assert kinds == ["video", "reading", "reading", "quiz"]
    src = frame.locator("body").evaluate("() => window.location.pathname")
    assert src == "/learn/preview"
    reading_view.scroll_into_view_if_needed()
    learner.publish_screenshot(session.screenshot(page, "editor-preview"), "editor-preview")

    # Learners still get the published text.
    live = page.request.get(
        session.url(f"/api/v2/courses/{section.get_parent().pk}/lessons/{reading.id}/")
    ).json()
    assert "Draft:" not in str(live["body"])
    session.assert_clean()
