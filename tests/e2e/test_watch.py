"""News as it arrives: `newsdesk ingest URL` and `newsdesk watch FEED`, against a loopback site."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant import Assistant
from assistant.cli import EXIT_SKIPPED, main, parse_every, watch
from tests.newsroom import Route, Site, article_page, atom, rss, serve_site

ROOT = Path(__file__).resolve().parents[2]
NEWSDESK = [sys.executable, "-c", "import sys; from assistant.cli import main; sys.exit(main())"]

STORIES = [
    (
        "tide",
        "Spring tides flood the harbour road",
        "Spring tides flooded the harbour road twice on Tuesday, and the council closed it "
        "for four hours while crews pumped the water back into the bay.",
    ),
    (
        "bakery",
        "Old bakery on Mill Street reopens",
        "The old bakery on Mill Street reopened on Saturday under new owners, who kept its "
        "wood-fired oven and the recipe for the rye loaf it was known for since 1931.",
    ),
    (
        "regatta",
        "Regatta draws a record ninety boats",
        "A record ninety boats entered the summer regatta, the yacht club said, twenty "
        "more than last year, with crews from as far as the northern islands.",
    ),
]


def add_story(site: Site, slug: str, title: str, text: str) -> None:
    """Publish a story: its page, and an entry for it at the top of the feed."""
    paragraphs = [text, f"{title}: more on this story as it develops, the editors said."]
    page = article_page(title, paragraphs, published="2024-05-02", author="Desk")
    site.routes[f"/{slug}.html"] = Route(page)
    items = [
        {"title": t, "link": site.url(f"/{s}.html"), "published": "2024-05-02"}
        for s, t, _ in STORIES
        if f"/{s}.html" in site.routes
    ]
    site.routes["/feed.xml"] = Route(
        rss("Harbour Herald", items), content_type="application/rss+xml"
    )


@pytest.fixture()
def site() -> Iterator[Site]:
    with serve_site() as running:
        for story in STORIES[:2]:
            add_story(running, *story)
        yield running


@pytest.mark.parametrize(("text", "seconds"), [("30s", 30), ("5m", 300), ("1h", 3600), ("2", 2)])
def test_parse_every(text: str, seconds: float) -> None:
    assert parse_every(text) == seconds


@pytest.mark.parametrize("text", ["soon", "0s", "-5m", "m"])
def test_parse_every_refuses(text: str) -> None:
    with pytest.raises(
        argparse.ArgumentTypeError, match=r"expected 30s, 5m or 1h|must be positive"
    ):
        parse_every(text)


@pytest.mark.slow
def test_ingest_urls_reports_the_failed_ones_and_stores_the_rest(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--backend", "extractive", "--data-dir", str(tmp_path / "store")]
    good, missing = site.url("/tide.html"), site.url("/nothing-here.html")
    assert main(["ingest", good, missing, *args]) == EXIT_SKIPPED
    out, err = capsys.readouterr()
    assert out.startswith("1 added, 0 unchanged, 0 replaced, 1 skipped")
    assert f"skipped {missing}: the server answered HTTP 404 Not Found" in err
    assert main(["ingest", site.url("/feed.xml"), *args]) == 0
    assert capsys.readouterr().out.startswith("1 added, 1 unchanged, 0 replaced, 0 skipped")


@pytest.mark.slow
def test_watch_picks_up_an_entry_added_between_two_reads(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bot = Assistant(data_dir=tmp_path / "store", backend="extractive")
    feed = site.url("/feed.xml")
    sleeps: list[float] = []

    def publish(run: int) -> None:
        if run == 1:
            site.requests.clear()
            add_story(site, *STORIES[2])

    code = watch(bot, [feed], every=60, runs=2, sleep=sleeps.append, after_run=publish)
    assert code == 0
    first, second = capsys.readouterr().out.splitlines()
    assert first.endswith(f"{feed}: 2 new, 0 updated, 0 unchanged, 0 failed")
    assert second.endswith(f"{feed}: 1 new, 0 updated, 2 unchanged, 0 failed")
    assert sleeps == [60]
    # The second read fetched the feed and the new page only.
    assert sorted(path for path, _ in site.requests) == ["/feed.xml", "/regatta.html"]
    assert "Regatta draws a record ninety boats" in {a.title for a in bot.articles()}


def publish_atom(site: Site, stories: dict[str, tuple[str, str, str]]) -> None:
    """Pages and an Atom feed for ``stories`` (slug -> title, text, the entry's update
    time)."""
    items = []
    for slug, (title, text, updated) in stories.items():
        page = article_page(title, [text], published="2024-05-02", author="Desk")
        site.routes[f"/{slug}.html"] = Route(page)
        items.append(
            {"title": title, "link": site.url(f"/{slug}.html"), "published": "2024-05-02"}
            | {"updated": updated}
        )
    site.routes["/atom.xml"] = Route(
        atom("Harbour Herald", items), content_type="application/atom+xml"
    )


@pytest.mark.slow
def test_watch_fetches_again_an_entry_the_feed_marks_updated(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (_, tide_title, tide_text), (_, bakery_title, bakery_text) = STORIES[:2]
    corrected = tide_text.replace("four hours", "six hours")
    stories = {
        "tide": (tide_title, tide_text, "2024-05-02T09:00:00Z"),
        "bakery": (bakery_title, bakery_text, "2024-05-02T09:00:00Z"),
    }
    publish_atom(site, stories)
    bot = Assistant(data_dir=tmp_path / "store", backend="extractive")
    feed = site.url("/atom.xml")
    fetched: list[list[str]] = []

    def correct(run: int) -> None:
        fetched.append(sorted(path for path, _ in site.requests))
        site.requests.clear()
        if run == 1:  # a correction: the page changes and the feed says when
            stories["tide"] = (tide_title, corrected, "2024-05-02T15:30:00Z")
            publish_atom(site, stories)

    watch(bot, [feed], every=60, runs=3, sleep=lambda _: None, after_run=correct)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("  ", 1)[1] for line in lines] == [
        f"{feed}: 2 new, 0 updated, 0 unchanged, 0 failed",
        f"{feed}: 0 new, 1 updated, 1 unchanged, 0 failed",
        f"{feed}: 0 new, 0 updated, 2 unchanged, 0 failed",
    ]
    # The updated entry's page alone was fetched again, and only once.
    assert fetched[1:] == [["/atom.xml", "/tide.html"], ["/atom.xml"]]
    found = bot.search("How long was the harbour road closed?", k=1)[0]
    assert "six hours" in found.text and "four hours" not in found.text
    assert len(bot.articles()) == 2


@pytest.mark.slow
def test_watch_tries_an_updated_entry_again_after_its_fetch_failed(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, title, text = STORIES[0]
    stories = {"tide": (title, text, "2024-05-02T09:00:00Z")}
    publish_atom(site, stories)
    bot = Assistant(data_dir=tmp_path / "store", backend="extractive")
    feed = site.url("/atom.xml")

    def update(run: int) -> None:
        if run == 1:  # updated, but the page is down for the next read
            stories["tide"] = (
                title,
                text.replace("four hours", "six hours"),
                "2024-05-03T08:00:00Z",
            )
            publish_atom(site, stories)
            site.routes["/tide.html"] = Route(status=503)
        elif run == 2:
            # The stored version stayed while its update could not be fetched.
            kept = bot.search("How long was the harbour road closed?", k=1)[0].text
            assert "four hours" in kept
            publish_atom(site, stories)  # the page is back

    watch(bot, [feed], every=60, runs=3, sleep=lambda _: None, after_run=update)
    out, err = capsys.readouterr()
    assert [line.split("  ", 1)[1] for line in out.splitlines()] == [
        f"{feed}: 1 new, 0 updated, 0 unchanged, 0 failed",
        f"{feed}: 0 new, 0 updated, 0 unchanged, 1 failed",
        f"{feed}: 0 new, 1 updated, 0 unchanged, 0 failed",
    ]
    assert "503" in err
    assert "six hours" in bot.search("How long was the harbour road closed?", k=1)[0].text


@pytest.mark.slow
def test_watch_command_runs_twice_then_stops(site: Site, tmp_path: Path) -> None:
    feed = site.url("/feed.xml")
    args = ["watch", feed, "--every", "1s", "--runs", "2"]
    args += ["--backend", "extractive", "--data-dir", str(tmp_path / "store")]
    with subprocess.Popen(
        [*NEWSDESK, *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        assert process.stdout is not None
        first = process.stdout.readline()
        add_story(site, *STORIES[2])  # the command sleeps a second before its next read
        rest, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    assert first.rstrip().endswith(f"{feed}: 2 new, 0 updated, 0 unchanged, 0 failed")
    assert rest.splitlines() == [rest.splitlines()[0]]
    assert rest.rstrip().endswith(f"{feed}: 1 new, 0 updated, 2 unchanged, 0 failed")


@pytest.mark.slow
def test_watch_command_exits_0_at_ctrl_c(site: Site, tmp_path: Path) -> None:
    args = ["watch", site.url("/feed.xml"), "--every", "1h"]
    args += ["--backend", "extractive", "--data-dir", str(tmp_path / "store")]
    with subprocess.Popen(
        [*NEWSDESK, *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # A shell's background job ignores SIGINT, and Python then keeps it ignored.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    ) as process:
        assert process.stdout is not None
        assert "2 new" in process.stdout.readline()
        os.kill(process.pid, signal.SIGINT)
        _, err = process.communicate(timeout=60)
    assert process.returncode == 0
    assert "stopped watching" in err
