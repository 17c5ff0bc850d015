"""Steps of the authoring journeys, written as an instructor or editor uses the admin:
click the "+" of a stream, pick a block, type into the fields (Draftail for rich text)."""

from __future__ import annotations


def add_block(page, path: str, option: str | None = None, scope: str = "body") -> None:
    """Click the last add button of the stream or list ``path`` inside ``scope``; pick
    ``option`` from the block menu when the stream offers several."""
    page.locator(scope).locator(f"[data-contentpath='{path}'] button.c-sf-add-button").last.click()
    if option:
        page.get_by_role("option", name=option, exact=True).click()


def block_scope(page, prefix: str) -> str:
    """A selector for the block whose form fields start with ``prefix`` (e.g. lessons-0)."""
    block_id = page.locator(f"input[name='{prefix}-id']").input_value()
    return f"[data-contentpath='{block_id}']"


def type_rich_text(page, name: str, text: str) -> None:
    editor = (
        page.locator(f"input[name='{name}']")
        .locator("xpath=ancestor::*[.//*[@contenteditable='true']][1]")
        .locator("[contenteditable='true']")
        .first
    )
    editor.click()
    page.keyboard.type(text)


def fill(page, name: str, value: str) -> None:
    page.fill(f"[name='{name}']", value)


def count(page, name: str) -> int:
    return int(page.locator(f"input[name='{name}-count']").input_value())


def add_lesson(page, option: str) -> str:
    """Add a lesson of kind ``option``; returns its field prefix once the admin's script has
    inserted it (the block menu inserts on a later tick than the click, so reading the count
    at once can still name the previous lesson)."""
    before = count(page, "lessons")
    add_block(page, "lessons", option)
    page.wait_for_function(
        "n => Number(document.querySelector(\"input[name='lessons-count']\").value) > n", arg=before
    )
    return f"lessons-{before}"


def add_reading(page, title: str) -> None:
    prefix = add_lesson(page, "Reading")
    fill(page, f"{prefix}-value-title", title)
    fill(page, f"{prefix}-value-summary", "What a good question looks like.")
    add_block(page, "content", "Paragraph", scope=block_scope(page, prefix))
    type_rich_text(page, f"{prefix}-value-content-0-value", "Start by restating the problem.")


def choose_video(page, prefix: str, video_title: str) -> None:
    page.locator(block_scope(page, prefix)).get_by_role("button", name="Choose a video").click()
    modal = page.locator(".modal-dialog")
    modal.get_by_role("link", name=video_title).click()
    modal.wait_for(state="detached")


def fill_single_choice(page, prefix: str, prompt: str, choices=("Yes", "No")) -> None:
    """A single-choice question starts with two blank choices: fill them, the first correct."""
    type_rich_text(page, f"{prefix}-prompt", prompt)
    for index, text in enumerate(choices):
        fill(page, f"{prefix}-choices-{index}-value-text", text)
    page.check(f"[name='{prefix}-choices-0-value-correct']")


def add_video(page, title: str, video_title: str) -> None:
    prefix = add_lesson(page, "Video")
    fill(page, f"{prefix}-value-title", title)
    choose_video(page, prefix, video_title)
    # A checkpoint comes with its one question, a single-choice one with two choices.
    add_block(page, "checkpoints", scope=block_scope(page, prefix))
    checkpoint = f"{prefix}-value-checkpoints-0-value"
    fill(page, f"{checkpoint}-at_seconds", "1")
    fill_single_choice(page, f"{checkpoint}-question-0-value", "Did you hear the tone?")


def add_quiz(page, title: str) -> None:
    prefix = add_lesson(page, "Quiz")
    scope = block_scope(page, prefix)
    fill(page, f"{prefix}-value-title", title)
    questions = f"{prefix}-value-questions"

    add_block(page, "questions", "Single choice", scope=scope)
    fill_single_choice(page, f"{questions}-0-value", "Which is a video format?", ("MP4", "TXT"))

    add_block(page, "questions", "Multiple choice", scope=scope)
    fill_single_choice(page, f"{questions}-1-value", "Which are containers?", ("MKV", "Pixel"))

    add_block(page, "questions", "True or false", scope=scope)
    type_rich_text(page, f"{questions}-2-value-prompt", "HLS cuts video into segments.")
    page.select_option(f"[name='{questions}-2-value-correct_answer']", "true")

    add_block(page, "questions", "Number", scope=scope)
    type_rich_text(page, f"{questions}-3-value-prompt", "How many seconds is the clip?")
    fill(page, f"{questions}-3-value-answer", "2")

    add_block(page, "questions", "Short text", scope=scope)
    type_rich_text(page, f"{questions}-4-value-prompt", "Name the streaming format.")
    fill(page, f"{questions}-4-value-accepted_answers-0-value", "HLS")


def open_preview(page):
    """Open the edit view's preview panel; returns a locator scope inside its frame."""
    page.click("button[data-side-panel-toggle=preview]")
    # Wagtail loads the preview in a second iframe and swaps it in once loaded.
    page.wait_for_function(
        "() => { const frames = document.querySelectorAll('iframe.w-preview__iframe');"
        " return frames.length === 1 && frames[0].src.includes('/preview/'); }"
    )
    return page.frame_locator("iframe.w-preview__iframe")


def submit_for_review(page) -> None:
    page.locator("footer .w-dropdown__toggle, footer [aria-label='More actions']").first.click()
    page.get_by_role("button", name="Submit to Course review").click()
    page.wait_for_load_state()


def review_row(page, title: str):
    return page.locator("tr").filter(has=page.get_by_role("link", name=title, exact=True))


def approve_from_dashboard(page, title: str) -> None:
    row = review_row(page, title)
    row.locator(".w-dropdown__toggle").first.click()
    row.get_by_role("button", name="Approve", exact=True).click()
    page.wait_for_load_state()
