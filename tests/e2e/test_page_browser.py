"""The chat page in a real browser: Debian's Chromium driven by Playwright.

The first question goes to the product's default backend, the packaged Qwen2.5 model on
llama.cpp; the library steps use the extractive backend, chosen in the page's settings,
to keep the test short. Set NEWSDESK_SCREENSHOT=docs/screenshot.png to save the page after
the first answer there (it always goes to the test's tmp folder).
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Route, expect, sync_playwright

from tests.servers import served_page

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
SCREENSHOT = os.environ.get("NEWSDESK_SCREENSHOT")  # read before conftest clears NEWSDESK_*
FERRY_TITLE = "Harbour ferry to Gullholm Island restarts after storm repairs"
FERRY = f"""{FERRY_TITLE}

The yellow harbour ferry between Kestrel Quay and Gullholm Island will sail again from
Saturday, the Kestrel harbour master said on Tuesday. The crossing stopped in March when a
storm bent the ferry's loading ramp.

Welders from the Kestrel boatyard fitted a new steel ramp in nine weeks. The first sailing
leaves Kestrel Quay at 7.15 a.m., and the last returns from Gullholm Island at 10 p.m.
"""
FERRY_QUESTION = "When does the Gullholm Island ferry sail again?"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is missing at {CHROMIUM}: run scripts/install-browser (as root; it "
            "apt-get installs Debian's chromium), then run the tests again",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The page over a fresh store holding the sample article, on a free loopback port."""
    with served_page(tmp_path_factory.mktemp("browser-store"), "local") as local_url:
        yield local_url


@pytest.fixture()
def page(browser: Browser, url: str) -> Iterator[Page]:
    """A page at the app that refuses, and records, every request off this server."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    elsewhere: list[str] = []

    def route(r: Route) -> None:
        if r.request.url.startswith(url):
            r.continue_()
        else:
            elsewhere.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.goto(url)
    yield page
    page.close()
    assert not elsewhere, f"the page tried to load things from elsewhere: {elsewhere}"


def ask(page: Page, question: str, *, timeout_s: float = 30) -> None:
    """Type a question, press Enter, and wait for its reply to finish."""
    done = page.locator("#nd-chat .nd-foot, #nd-chat .nd-refused, #nd-chat .nd-error")
    before = done.count()
    page.locator("#nd-question textarea").fill(question)
    page.locator("#nd-question textarea").press("Enter")
    deadline = time.monotonic() + timeout_s
    while done.count() <= before:
        assert time.monotonic() < deadline, f"no answer to {question!r} in {timeout_s} s"
        page.wait_for_timeout(100)


def shown_sources(page: Page, *, cited: bool = False) -> list[str]:
    """Titles in the sources panel for the answer shown (only the cited ones if asked)."""
    which = ".nd-passage.nd-cited" if cited else ".nd-passage"
    return page.locator(f"#nd-sources .nd-turn:not([hidden]) {which} .nd-title").all_inner_texts()


def test_answer_cites_and_opens_the_passage(page: Page, tmp_path: Path) -> None:
    started = time.monotonic()
    page.get_by_text("Who disputed the withdrawal?").first.click()
    # Sources come as soon as retrieval is done, while the model is still reading.
    expect(page.locator("#nd-sources .nd-passage").first).to_be_visible(timeout=30_000)
    assert page.locator("#nd-chat a.nd-cite").count() == 0

    reply = page.locator("#nd-chat .nd-foot, #nd-chat .nd-refused, #nd-chat .nd-error").first
    expect(reply).to_be_visible(timeout=120_000)
    answer = page.locator("#nd-chat .nd-answer").last
    print(f"\nlocal answer in {time.monotonic() - started:.1f} s: {answer.inner_text()}")
    assert "White House" in shown_sources(page)[0]
    cite = answer.locator("a.nd-cite").first
    expect(cite).to_be_visible()

    cite.click()
    target = page.locator(cite.get_attribute("href") or "#missing")
    expect(target).to_have_attribute("open", "")
    mark = target.locator("mark")
    expect(mark).to_be_visible()
    assert len(mark.inner_text()) > 20
    assert "White House" in target.locator(".nd-title").inner_text()

    shot = page.screenshot(path=str(tmp_path / "page.png"))
    if SCREENSHOT:
        Path(SCREENSHOT).parent.mkdir(parents=True, exist_ok=True)
        Path(SCREENSHOT).write_bytes(shot)


def test_upload_ask_and_delete(page: Page, tmp_path: Path) -> None:
    # The extractive backend, chosen in the settings, for quick answers. Only the server's
    # backend and extractive are on offer; a typed spec is not taken.
    page.get_by_text("Answer settings").click()
    backend = page.locator("#nd-backend input")
    backend.click()
    on_offer = [re.compile(r"\blocal$"), re.compile(r"\bextractive$")]  # after a ✓ mark
    expect(page.get_by_role("option")).to_have_text(on_offer)
    backend.fill("gguf:/etc/passwd")
    backend.press("Enter")
    backend.blur()
    expect(backend).to_have_value("local")
    backend.fill("extractive")
    backend.press("Enter")
    expect(backend).to_have_value("extractive")

    upload = tmp_path / "gullholm-ferry.txt"
    upload.write_text(FERRY, encoding="utf-8")
    page.get_by_role("tab", name="Library").click()
    page.locator("#nd-upload input[type=file]").set_input_files(str(upload))
    page.locator("#nd-add").click()
    expect(page.locator("#nd-report")).to_contain_text("gullholm-ferry.txt: 1 added")
    expect(page.locator("#nd-articles")).to_contain_text(FERRY_TITLE)

    page.get_by_role("tab", name="Ask").click()
    ask(page, FERRY_QUESTION)
    assert "Saturday" in page.locator("#nd-chat .nd-answer").last.inner_text()
    assert FERRY_TITLE in shown_sources(page, cited=True)
    cite = page.locator("#nd-chat .nd-answer").last.locator("a.nd-cite").first
    href = cite.get_attribute("href")  # e.g. #nd-t0-p1: answer 0, passage 1
    cite.click()
    expect(page.locator(f"{href} mark")).to_be_visible()

    page.get_by_role("tab", name="Library").click()
    page.locator("#nd-chosen input").click()
    page.get_by_role("option", name=re.compile("Gullholm")).click()
    page.get_by_role("button", name="Delete article").click()
    expect(page.locator("#nd-report")).to_contain_text(f"Deleted {FERRY_TITLE}")
    expect(page.locator("#nd-articles")).not_to_contain_text(FERRY_TITLE)

    page.get_by_role("tab", name="Ask").click()
    ask(page, FERRY_QUESTION)
    assert not any("Gullholm" in title for title in shown_sources(page))

    # The earlier answer's markers still open the passages that answer was written from.
    page.locator("#nd-chat .nd-answer").first.locator("a.nd-cite").first.click()
    expect(page.locator(f"{href} mark")).to_be_visible()
    assert FERRY_TITLE in shown_sources(page, cited=True)
