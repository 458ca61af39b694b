"""What the browser tests share: where Chromium is, how it is started, and how the chat is driven."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"  # screenshots, looked at by a person before an issue is closed
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
FINISHED = "#chat-box .msg.bot:not(.streaming)"  # an answer bubble whose streaming has ended


def submit(page, question: str) -> int:
    """Type a question and press Enter; the number of finished answers before it."""
    before = page.locator(FINISHED).count()
    page.fill("#question-box textarea", question)
    page.press("#question-box textarea", "Enter")
    return before


def wait_answer(page, before: int):
    """The newest answer bubble, once more than `before` have finished."""
    page.wait_for_function("([selector, n]) => document.querySelectorAll(selector).length > n",
                           arg=[FINISHED, before], timeout=60_000)
    return page.locator(FINISHED).last


def ask(page, question: str):
    """Ask in the chat and return the finished answer bubble."""
    return wait_answer(page, submit(page, question))
