"""Headless Chromium for browser journeys (Playwright for Python driving Debian's
``chromium``; never a downloaded browser). Shared by the admin journeys and the reference
frontend's.

- ``chromium`` (module): the launched browser. Module-scoped on purpose: Playwright's sync API
  runs an event loop on the test thread, which must be gone before other tests use asyncio.
  Missing Chromium skips the journeys on a developer machine and fails them in CI (``CI``
  set): install it with ``make browsers``.
- ``browser_session``: a fresh context that records every request and console error and
  saves screenshots under ``var/test/screenshots/<test name>/``;
  ``session.assert_clean()`` fails on a console error or a request to any host but the
  server's.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "test" / "screenshots"
LOCAL_SCHEMES = {"data", "blob", "about", "chrome-extension"}


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="module")
def chromium():
    if not Path(CHROMIUM).exists():
        message = f"Chromium is not installed at {CHROMIUM}: run `make browsers`."
        if _in_ci():
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop on this thread; the test's own ORM calls
    # (set-up, assertions) are plain synchronous code between browser steps.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
            )
            yield browser
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


class BrowserSession:
    def __init__(self, context, base_url: str, shots: Path) -> None:
        self.context = context
        self.base_url = base_url.rstrip("/")
        self.shots = shots
        self.requests: list[str] = []
        self.console_errors: list[str] = []
        self.visited: list[str] = []
        self.allowed_console_errors: list[re.Pattern] = []
        context.on("request", lambda request: self.requests.append(request.url))
        context.on("page", self._watch)

    def _watch(self, page) -> None:
        def on_console(message):
            if message.type == "error":
                self.console_errors.append(f"{page.url}: {message.text}")

        page.on("console", on_console)
        page.on("pageerror", lambda error: self.console_errors.append(f"{page.url}: {error}"))
        page.on(
            "framenavigated",
            lambda frame: self.visited.append(frame.url) if frame == page.main_frame else None,
        )

    def new_page(self):
        page = self.context.new_page()
        page.set_default_timeout(15_000)
        return page

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def screenshot(self, page, name: str) -> Path:
        self.shots.mkdir(parents=True, exist_ok=True)
        path = self.shots / f"{len(list(self.shots.glob('*.png'))):02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    def allow_console_error(self, pattern: str) -> None:
        """An error the journey provokes on purpose (e.g. a refused upload)."""
        self.allowed_console_errors.append(re.compile(pattern))

    def outside_requests(self) -> list[str]:
        own = urlsplit(self.base_url).netloc
        return [
            url
            for url in self.requests
            if urlsplit(url).scheme not in LOCAL_SCHEMES and urlsplit(url).netloc != own
        ]

    def unexpected_console_errors(self) -> list[str]:
        return [
            error
            for error in self.console_errors
            if not any(pattern.search(error) for pattern in self.allowed_console_errors)
        ]

    def assert_clean(self) -> None:
        assert self.unexpected_console_errors() == [], "console errors on pages visited"
        assert self.outside_requests() == [], "requests to hosts other than the server"

    def login(self, page, email: str, password: str) -> None:
        page.goto(self.url("/admin/login/"))
        page.fill("input[name=username]", email)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r".*/admin/$"))


@pytest.fixture
def browser_session(chromium, request) -> Iterator:
    """``browser_session(base_url)`` -> a :class:`BrowserSession` on a fresh context."""
    contexts = []
    name = re.sub(r"[^\w.-]+", "_", request.node.name)
    shutil.rmtree(SCREENSHOTS / name, ignore_errors=True)

    def start(base_url: str) -> BrowserSession:
        context = chromium.new_context(viewport={"width": 1280, "height": 900})
        contexts.append(context)
        return BrowserSession(context, base_url, SCREENSHOTS / name)

    yield start
    for context in contexts:
        context.close()
