"""Lighthouse-style numbers for the reference student frontend, measured in Debian's Chromium:
JavaScript shipped on first load (raw and gzip), requests, and timings (first contentful
paint, DOMContentLoaded, load, and the screen's content ready) for the catalog and the player.

Run against a server with the demo content (e.g. `make run`):

    .venv/bin/python bench/frontend/measure.py --base http://127.0.0.1:8000 --runs 5

Each run is a fresh browser context (cold HTTP cache), 1280x900, no throttling. The player
is the demo course's first (free-preview) video lesson, opened anonymously.
"""

from __future__ import annotations

import argparse
import gzip
import json
import platform
import statistics
import sys
import time
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
TIMINGS = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const fcp = performance.getEntriesByName('first-contentful-paint')[0];
  return {dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd,
          fcp: fcp ? fcp.startTime : null};
}"""


def screens(base: str) -> dict[str, tuple[str, str]]:
    courses = httpx.get(f"{base}/api/v2/courses/?q=python").json()["results"]
    course = httpx.get(f"{base}/api/v2/courses/{courses[0]['id']}/").json()
    video = next(
        lesson
        for section in course["sections"]
        for lesson in section["lessons"]
        if lesson["kind"] == "video" and lesson["free_preview"]
    )
    player = f"/learn/courses/{course['id']}/lessons/{video['id']}"
    return {"catalog": ("/learn/", ".cards"), "player": (player, "video[data-ready=true]")}


def measure(browser, base: str, path: str, ready: str) -> dict:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    scripts: dict[str, bytes] = {}

    def on_response(response):
        if response.request.resource_type == "script" or response.url.endswith(".js"):
            try:
                scripts[response.url] = response.body()
            except Exception:
                scripts.setdefault(response.url, b"")

    page.on("response", on_response)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    started = time.perf_counter()
    page.goto(f"{base}{path}")
    page.wait_for_selector(ready)
    ready_ms = (time.perf_counter() - started) * 1000
    page.wait_for_load_state("load")
    timings = page.evaluate(TIMINGS)
    context.close()
    vendor = {url: body for url, body in scripts.items() if "/vendor/" in url}
    own = {url: body for url, body in scripts.items() if url not in vendor}
    return {
        "requests": len(requests),
        "js_files": len(scripts),
        "js_bytes": sum(len(b) for b in own.values()),
        "js_gzip_bytes": sum(len(gzip.compress(b)) for b in own.values()),
        "video_library_gzip_bytes": sum(len(gzip.compress(b)) for b in vendor.values()),
        "fcp_ms": timings["fcp"],
        "dcl_ms": timings["dcl"],
        "load_ms": timings["load"],
        "ready_ms": ready_ms,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    base = args.base.rstrip("/")
    results = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox"], headless=True
        )
        for name, (path, ready) in screens(base).items():
            runs = [measure(browser, base, path, ready) for _ in range(args.runs)]
            results[name] = {
                key: statistics.median(run[key] for run in runs if run[key] is not None)
                for key in runs[0]
            }
            results[name]["path"] = path
        browser.close()
    report = {
        "base": base,
        "runs": args.runs,
        "python": sys.version.split()[0],
        "machine": platform.platform(),
        "results": results,
    }
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
