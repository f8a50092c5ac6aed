"""Page furniture: known patterns dropped anywhere, lines a source repeats dropped per run."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from ingest import chunk_articles, load_paths
from ingest.documents import Article
from ingest.furniture import (
    drop_repeated_lines,
    is_furniture_line,
    source_key,
    strip_dateline,
    strip_furniture,
)
from ingest.seen_lines import SeenLines
from tests.conftest import SAMPLE_DIR

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.mark.parametrize(
    "line",
    [
        "Leave a Comment",
        "Leave a Reply",
        "Sign up for our newsletter",
        "Sign up for CNN’s Five Things newsletter.",
        "Advertisement",
        "ADVERTISEMENT",
        "Share this article",
        "QUIZ TIME Which wildly popular show was recently green lit…",
        "We use cookies to improve your experience on our site.",
        "This website uses cookies.",
        "Accept all cookies",
        "Photo: Ann Lee/Reuters",
        "Image credit: NASA",
        "Photograph by Ann Lee",
        "(Getty Images)",
        "(AP Photo/Evan Vucci)",
        "Protesters in Moscow on Monday. (Photo by Ann Lee/Getty Images)",
        "By Ann Lee and Bo Park, CNN",
        "By ANN LEE | Updated 10:00 GMT, March 4, 2024",
        "By Jean-Pierre O’Neil - Reuters",
        "CNN —",
        "(CNN) —",
        "WASHINGTON (Reuters) -",
        "  Leave a comment  ",
        "Additional reporting by Andy Bounds in Brussels and Max Seddon in Moscow",
        "(Reporting by Ann Lee in London; Editing by Bo Park and Cy Dee)",
        "Reporting by Ann Lee, Bo Park and Jean-Pierre O’Neil; Writing by Cy Dee.",
        "Writing and editing by Ann Lee",
        "Ann Lee in London and The Associated Press contributed to this report.",
        "Reuters contributed reporting.",
        "Contributing: Ann Lee, USA TODAY",
        "Our Standards: The Thomson Reuters Trust Principles.",
        "HADLEY, Mont. (AP) —",
    ],
)
def test_furniture_lines(line: str) -> None:
    assert is_furniture_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "Regulators said sites that use cookies must ask before they store them.",
        "The bakery sold 400 cookies on Saturday.",
        "By Tuesday, officials had left the building.",
        "By Christmas the ferry will sail again.",
        "Advertisement revenue fell 20% last year.",
        "Quiz time at the pub was cancelled, the landlord said.",
        "NATO said it had not seen any de-escalation.",
        "Share prices fell on Monday.",
        "Reporting by the BBC found that the firm had hidden its losses.",
        "Editing by hand is slow, the archivist said.",
        "Residents contributed to this report's findings, the council said.",
        "The union said members contributed to the strike fund.",
        "The newsletter's editor said readers had signed up in their thousands.",
        "The council will photograph every bench in the park.",
        "Our standards have slipped, the trust's chair said of its principles.",
        "",
    ],
)
def test_reporting_is_not_furniture(line: str) -> None:
    assert not is_furniture_line(line)


def test_a_byline_made_to_backtrack_is_answered_at_once() -> None:
    started = time.perf_counter()
    assert not is_furniture_line("By A" + ",A" * 300 + " and then a verb.")
    assert not is_furniture_line("By A" + " | A-B" * 35 + " x")
    assert not is_furniture_line("Reporting by A" + " and A, A" * 12 + " x")
    assert time.perf_counter() - started < 0.5


def test_a_long_paragraph_is_never_furniture_whatever_it_starts_with() -> None:
    paragraph = "Subscribe " + "to the idea that the harbour needs a second ramp, " * 10
    assert not is_furniture_line(paragraph)


@pytest.mark.parametrize(
    ("paragraph", "kept"),
    [
        ("CNN — A Russian court on Monday fined him.", "A Russian court on Monday fined him."),
        ("(CNN) — A court ruled.", "A court ruled."),
        ("WASHINGTON (Reuters) - The Senate voted.", "The Senate voted."),
        ("LONDON, March 3 (Reuters) - Shares fell.", "Shares fell."),
        ("NEW YORK — The mayor said no.", "The mayor said no."),
        ("HADLEY, Mont. (AP) — The park closed.", "The park closed."),
        ("HADLEY, Montana, May 12 (Reuters) - The river rose.", "The river rose."),
        ("KYIV, Ukraine — Sirens sounded.", "Sirens sounded."),
        # not datelines: left as they are
        ("NATO-led forces moved on Tuesday.", "NATO-led forces moved on Tuesday."),
        ("NATO — the alliance — said no.", "NATO — the alliance — said no."),
        ("The CNN — Fox rivalry goes on.", "The CNN — Fox rivalry goes on."),
        ("Officials said — twice — no.", "Officials said — twice — no."),
    ],
)
def test_a_dateline_opening_a_paragraph_is_cut_and_the_sentence_kept(
    paragraph: str, kept: str
) -> None:
    assert strip_dateline(paragraph) == kept


def test_furniture_goes_from_anywhere_in_the_text() -> None:
    text = (
        "Advertisement\n\n"
        "CNN — A Russian court on Monday fined a platform.\n\n"
        "By Ann Lee, CNN\n\n"
        "QUIZ TIME Which wildly popular show was recently green lit?\n\n"
        "The platform said it would appeal.\n"
        "(Getty Images)\n"
        "It has a month to do so.\n\n"
        "Regulators said sites that use cookies must ask first.\n\n"
        "Sign up for our newsletter\n\n"
        "Leave a Comment"
    )
    assert strip_furniture(text) == (
        "A Russian court on Monday fined a platform.\n\n"
        "The platform said it would appeal.\n"
        "It has a month to do so.\n\n"
        "Regulators said sites that use cookies must ask first."
    )


def test_a_dateline_only_opens_a_paragraph() -> None:
    text = "The court sat late.\nCNN — A ruling came at nine."
    assert strip_furniture(text) == text


def test_text_without_furniture_is_returned_as_it_is() -> None:
    text = "One.\n\nTwo."
    assert strip_furniture(text) is text


# -- lines repeated across a source's articles --------------------------------------------


def _article(n: int, *lines: str, source: str = "Herald", **meta: str) -> Article:
    body = [f"Story {n} has a sentence of its own, number {n}.", *lines]
    return Article(id=f"a{n}", title=f"Story {n}", text="\n\n".join(body), source=source, **meta)


def test_a_line_in_most_articles_of_a_source_is_dropped_from_all() -> None:
    slogan = "Independent local news since 1881."
    articles = [_article(n, slogan) for n in range(4)]
    kept = drop_repeated_lines(articles)
    assert [a.text for a in kept] == [
        f"Story {n} has a sentence of its own, number {n}." for n in range(4)
    ]
    assert [a.id for a in kept] == [a.id for a in articles]


def test_a_line_in_three_of_four_articles_is_dropped_and_one_in_two_stays() -> None:
    slogan, quote = "Get our app for alerts.", "“We will keep going,” she said."
    articles = [
        _article(0, slogan, quote),
        _article(1, slogan, quote),
        _article(2, slogan),
        _article(3),
    ]
    kept = drop_repeated_lines(articles)
    assert not any(slogan in a.text for a in kept)
    assert [quote in a.text for a in kept] == [True, True, False, False]


def test_two_articles_sharing_lines_are_left_alone() -> None:
    articles = [
        _article(0, "Shared line.", "Another one."),
        _article(1, "Shared line.", "Another one."),
    ]
    assert drop_repeated_lines(articles) == articles


def test_the_share_of_a_big_source_must_be_reached_too() -> None:
    quote = "“We will keep going,” she said."
    articles = [_article(n, *([quote] if n < 5 else [])) for n in range(20)]
    # 5 of 20 is 25%, below 30%: a quote some stories share, not the site's furniture
    assert sum(quote in a.text for a in drop_repeated_lines(articles)) == 5
    articles = [_article(n, *([quote] if n < 6 else [])) for n in range(20)]
    assert not any(quote in a.text for a in drop_repeated_lines(articles))


def test_sources_are_counted_apart() -> None:
    slogan = "Independent local news since 1881."
    articles = [_article(0, slogan), _article(1, slogan), _article(2, slogan, source="Gazette")]
    assert drop_repeated_lines(articles) == articles


def test_lines_are_compared_with_spacing_and_case_folded() -> None:
    articles = [
        _article(0, "Get our app  for alerts."),
        _article(1, "GET OUR APP FOR ALERTS."),
        _article(2, "get our app for alerts."),
    ]
    assert all("app" not in a.text.lower() for a in drop_repeated_lines(articles))


def test_long_lines_are_reporting_even_when_repeated() -> None:
    paragraph = " ".join(["word"] * 26) + "."
    articles = [_article(n, paragraph) for n in range(4)]
    assert drop_repeated_lines(articles) == articles


def test_the_same_text_under_several_ids_counts_once() -> None:
    story = "The ferry sails on Saturday.\n\nThe ramp is fixed."
    articles = [
        Article(id=f"copy{n}", title="Ferry", text=story, source="Herald") for n in range(3)
    ]
    assert drop_repeated_lines(articles) == articles
    seen = SeenLines()
    for _ in range(3):  # the same article ingested again replaces its own record
        assert drop_repeated_lines(articles[:1], seen=seen) == articles[:1]


def test_lines_of_earlier_runs_count_with_this_run(tmp_path: Path) -> None:
    slogan = "Independent local news since 1881."
    path = tmp_path / "seen-lines.json"
    kept = []
    for n in range(4):  # one article a run, as a watched folder brings them
        seen = SeenLines.load(path)
        kept += drop_repeated_lines([_article(n, slogan)], seen=seen)
        seen.save()
    assert [slogan in a.text for a in kept] == [True, True, False, False]
    # An article of the first run, ingested again, loses the line too.
    (again,) = drop_repeated_lines([_article(0, slogan)], seen=SeenLines.load(path))
    assert again.text == "Story 0 has a sentence of its own, number 0."
    assert slogan not in path.read_text(encoding="utf-8")  # keys, never the text


def test_the_share_counts_earlier_runs_articles_too() -> None:
    quote = "“We will keep going,” she said."
    seen = SeenLines()
    drop_repeated_lines([_article(n) for n in range(20)], seen=seen)
    kept = drop_repeated_lines([_article(n, quote) for n in range(20, 26)], seen=seen)
    # 6 of 26 articles of the source is below 30%: a quote stories share, kept
    assert all(quote in a.text for a in kept)


def test_a_deleted_article_no_longer_counts() -> None:
    slogan = "Independent local news since 1881."
    seen = SeenLines()
    drop_repeated_lines([_article(0, slogan), _article(1, slogan)], seen=seen)
    seen.forget(["a0"])
    (kept,) = drop_repeated_lines([_article(2, slogan)], seen=seen)
    assert slogan in kept.text


def test_two_ingests_at_once_keep_each_others_articles(tmp_path: Path) -> None:
    path = tmp_path / "seen-lines.json"
    first, second = SeenLines.load(path), SeenLines.load(path)
    first.record("source:herald", {"a": ("01", ("aa",))})
    second.record("source:herald", {"b": ("02", ("aa",))})
    first.save()
    second.save()
    assert set(SeenLines.load(path).earlier("source:herald")) == {"a", "b"}
    deleting = SeenLines.load(path)
    deleting.forget(["a"])
    deleting.save()
    assert set(SeenLines.load(path).earlier("source:herald")) == {"b"}
    rebuilt = SeenLines.load(path)
    rebuilt.clear()
    rebuilt.record("source:gazette", {"c": ("03", ("bb",))})
    rebuilt.save()
    assert SeenLines.load(path).earlier("source:herald") == {}
    assert set(SeenLines.load(path).earlier("source:gazette")) == {"c"}


def test_an_unreadable_record_is_started_again_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "seen-lines.json"
    path.write_text("{not json", encoding="utf-8")
    seen = SeenLines.load(path)
    assert "could not be read" in caplog.text and str(path) in caplog.text
    assert seen.earlier("source:herald") == {}
    seen.record("source:herald", {"a": ("0a1b", ("2c3d",))})
    seen.save()
    assert SeenLines.load(path).earlier("source:herald") == {"a": ("0a1b", ("2c3d",))}


def test_an_article_is_never_emptied() -> None:
    articles = [_article(n, "Get our app.") for n in range(3)]
    articles.append(Article(id="bare", title="Bare", text="Get our app.", source="Herald"))
    kept = drop_repeated_lines(articles)
    assert kept[-1].text == "Get our app."
    assert all("app" not in a.text for a in kept[:-1])


def test_source_key_is_the_source_else_the_site_else_the_folder() -> None:
    assert (
        source_key(Article(id="a", title="", text="x", source=" The  Herald "))
        == "source:the herald"
    )
    assert (
        source_key(Article(id="a", title="", text="x", url="https://www.ft.com/a")) == "site:ft.com"
    )
    assert source_key(Article(id="a", title="", text="x", path="news/x.txt")) == "folder:news"
    assert source_key(Article(id="a", title="", text="x")) == ""


# -- through the loaders ------------------------------------------------------------------

FURNITURE_WORDS = (
    "quiz time",
    "sign up",
    "newsletter",
    "leave a comment",
    "cnn —",
    "getty images",
    "photo:",
    "we use cookies",
    "advertisement",
    "by ann lee",
    "by jane doe",
    "share this article",
    "get the cnn app",
    "since 1881",
)


def _assert_clean(text: str) -> None:
    lowered = text.lower()
    assert not [w for w in FURNITURE_WORDS if w in lowered], text


def test_html_pages_and_an_export_of_one_source_lose_their_furniture() -> None:
    articles, skipped = load_paths([DATA / "furniture"], max_file_mb=20)
    assert skipped == []
    assert len(articles) == 8
    for article in articles:
        _assert_clean(article.text)
    texts = {a.id: a.text for a in articles}
    assert texts["wire-court"].startswith("A Russian court on Monday fined a video platform")
    # a quote two stories share is reporting, not furniture
    assert sum("We will keep going" in t for t in texts.values()) == 2
    drama = next(a for a in articles if a.title.startswith("Harbour Lights"))
    assert "green lit a second season of the show Harbour Lights" in drama.text


def test_every_chunk_is_the_stored_text_at_its_offsets() -> None:
    articles, _ = load_paths([DATA / "furniture", DATA / "articles"], max_file_mb=20)
    by_id = {a.id: a for a in articles}
    chunks = chunk_articles(articles, chunk_tokens=40, overlap_tokens=8)
    assert len(chunks) > len(articles)
    for chunk in chunks:
        assert by_id[chunk.article_id].text[chunk.start : chunk.end] == chunk.text
        _assert_clean(chunk.text)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        (
            "story.txt",
            "Pool reopens\n\nADVERTISEMENT\n\nCNN — The pool reopened on Monday.\n\n"
            "Photo: Ann Lee\n\nIt had been shut for a year.\n\nLeave a Comment\n",
        ),
        (
            "story.md",
            "# Pool reopens\n\nAdvertisement\n\nCNN — The pool reopened on Monday.\n\n"
            "(Getty Images)\n\nIt had been shut for a year.\n\nSign up for our newsletter\n",
        ),
        (
            "story.html",
            "<html><body><article><h1>Pool reopens</h1><p>Advertisement</p>"
            "<p>CNN — The pool reopened on Monday, the council said.</p>"
            "<p>Photo: Ann Lee</p><p>It had been shut for a year for repairs to the roof.</p>"
            "<p>Leave a Comment</p></article></body></html>",
        ),
        (
            "story.jsonl",
            json.dumps(
                {
                    "title": "Pool reopens",
                    "text": "Advertisement\n\nCNN — The pool reopened on Monday.\n\n"
                    "(Getty Images)\n\nIt had been shut for a year.\n\nShare this article",
                }
            ),
        ),
    ],
)
def test_every_format_loses_its_furniture(tmp_path: Path, name: str, content: str) -> None:
    (tmp_path / name).write_text(content, encoding="utf-8")
    (article,) = load_paths([tmp_path], max_file_mb=20).articles
    assert article.text.startswith("The pool reopened on Monday")
    assert "It had been shut for a year" in article.text
    _assert_clean(article.text)


def _write_pdf(path: Path, lines: list[str]) -> None:
    """A one-page PDF whose text layer holds the lines (Helvetica, ASCII)."""
    ops = ["BT", "/F1 11 Tf", "14 TL", "56 780 Td"]
    ops += ["({}) Tj T*".format(line.replace("(", "\\(").replace(")", "\\)")) for line in lines]
    stream = "\n".join([*ops, "ET"]).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    path.write_bytes(bytes(out))


def test_a_pdf_loses_its_furniture(tmp_path: Path) -> None:
    lines = [
        "Pool reopens",
        "",
        "Advertisement",
        "",
        "(CNN) - The pool reopened on Monday.",
        "",
        "Photo: Ann Lee",
        "",
        "It had been shut for a year.",
        "",
        "Leave a Comment",
    ]
    _write_pdf(tmp_path / "story.pdf", lines)
    (article,) = load_paths([tmp_path], max_file_mb=20).articles
    assert article.title == "Pool reopens"
    # pypdf gives the page's lines without the blank ones between them
    assert article.text.split("\n") == [
        "The pool reopened on Monday.",
        "It had been shut for a year.",
    ]


def test_a_record_of_only_furniture_is_skipped_and_the_others_load(tmp_path: Path) -> None:
    rows = [
        {"id": "ok", "title": "Pool", "text": "The pool reopened on Monday.\n\nLeave a Comment"},
        {"id": "bare", "title": "Menu", "text": "Advertisement\n\nSign up for our newsletter"},
    ]
    path = tmp_path / "export.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    articles, skipped = load_paths([path], max_file_mb=20)
    assert [a.text for a in articles] == ["The pool reopened on Monday."]
    assert [str(s) for s in skipped] == [
        f"{path}:2: empty 'text' after cleaning; every article needs its text"
    ]


def test_a_page_of_only_furniture_is_skipped_naming_the_file(tmp_path: Path) -> None:
    page = tmp_path / "cookies.html"
    page.write_text(
        "<html><body><main><p>We use cookies to improve your experience.</p>"
        "<p>Accept all cookies</p></main></body></html>",
        encoding="utf-8",
    )
    good = tmp_path / "good.txt"
    good.write_text("Pool reopens\n\nThe pool reopened on Monday.", encoding="utf-8")
    articles, skipped = load_paths([page, good], max_file_mb=20)
    assert [a.text for a in articles] == ["The pool reopened on Monday."]
    assert len(skipped) == 1 and skipped[0].path == str(page)
    assert "no article body found in the HTML" in skipped[0].reason


def test_the_sample_article_ends_with_its_reporting_not_its_credits() -> None:
    (article,) = load_paths([SAMPLE_DIR], max_file_mb=20).articles
    assert article.text.endswith("Olaf Scholz, German chancellor, US officials said.")
    assert "Additional reporting" not in article.text
