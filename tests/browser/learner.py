"""Helpers of the learner journeys in the reference frontend: accessibility checks with the
vendored axe-core, the request log check, screenshots for the README."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import urlsplit

AXE = Path(__file__).with_name("vendor") / "axe.min.js"
DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
# Paths a journey may request: the frontend's pages and static files, the public API (media
# playback included), WebSocket endpoints and media files.
ALLOWED_PREFIXES = ("/learn/", "/api/v2/", "/ws/", "/static/", "/media/")


def axe_violations(page, impacts=("serious", "critical")) -> list[str]:
    """Run axe-core in the page (evaluated through the DevTools protocol, which the page's
    CSP does not govern) and list the serious and critical violations."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    results = page.evaluate(
        "async () => (await window.axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results
        if v["impact"] in impacts
    ]


def outside_public_api(session) -> list[str]:
    """Requests of the journey that are neither the frontend, the public API, a WebSocket,
    media nor static files (e.g. the admin, the site's pages, another host)."""
    own = urlsplit(session.base_url).netloc
    bad = []
    for url in session.requests:
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about"):
            continue
        if parts.netloc != own or not parts.path.startswith(ALLOWED_PREFIXES):
            bad.append(url)
    return bad


def publish_screenshot(path: Path, name: str) -> None:
    """Copy a test's screenshot to docs/screenshots/ (shown in the README)."""
    DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, DOCS_SCREENSHOTS / f"{name}.png")
