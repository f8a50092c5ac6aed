"""load_file: one loader per format, titles and metadata, clear errors for bad files."""

from __future__ import annotations

import json
from pathlib import Path

import pypdf
import pytest

from ingest.documents import article_id_for_content, article_id_for_file
from ingest.loaders import LOADERS, LoadError, load_file, parse_date
from tests.data.make_sample_pdf import write_pdf

ROOT = Path(__file__).resolve().parents[2]
ARTICLES = ROOT / "tests" / "data" / "articles"
BAD = ROOT / "tests" / "data" / "bad"
SAMPLE = ROOT / "data" / "sample" / "white-house-russia-withdrawal.txt"


def load_one(path: Path):  # type: ignore[no-untyped-def]
    """The single article a file holds."""
    articles, skipped = load_file(path, max_file_mb=None)
    assert skipped == []
    assert len(articles) == 1
    return articles[0]


# --- one article per file ---------------------------------------------------------------


def test_txt_first_line_is_the_title_and_not_in_the_text() -> None:
    article = load_one(ARTICLES / "harbour-ferry.txt")
    assert article.title == "Harbour ferry service to resume after six-month pause"
    assert article.text.startswith("The harbour ferry between Northpoint")
    assert article.title not in article.text
    assert article.text.endswith("extended by six months at no cost.")
    assert article.id == article_id_for_file(ARTICLES / "harbour-ferry.txt")
    assert article.path == str(ARTICLES / "harbour-ferry.txt")
    assert (article.url, article.published, article.source, article.author) == ("", "", "", "")


def test_sample_article() -> None:
    article = load_one(SAMPLE)
    assert article.title == "White House says Russian troop withdrawal claims are ‘false’"
    assert "false,” a senior" in article.text
    assert not article.text.endswith("Leave a Comment")


def test_txt_with_a_single_paragraph_takes_its_title_from_the_file_name(tmp_path: Path) -> None:
    path = tmp_path / "late_night-vote.txt"
    path.write_text("The council voted late at night to keep the market open.\n", "utf-8")
    article = load_one(path)
    assert article.title == "late night vote"
    assert article.text == "The council voted late at night to keep the market open."


def test_txt_whose_first_line_is_too_long_for_a_title(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    first = "word " * 60
    path.write_text(f"{first}\n\nSecond paragraph.", "utf-8")
    article = load_one(path)
    assert article.title == "long"
    assert article.text.startswith("word word") and article.text.endswith("Second paragraph.")


def test_markdown_heading_is_the_title() -> None:
    article = load_one(ARTICLES / "library-late-fees.md")
    assert article.title == "City libraries scrap late fees for good"
    assert article.text.startswith("The city's libraries will no longer charge fines")
    assert "## What changes" in article.text
    assert "# City libraries" not in article.text


def test_markdown_front_matter(tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    path.write_text(
        "---\ntitle: Bridge reopens\ndate: 2024-04-02\nauthor: Kim Park\n"
        "url: https://example.com/bridge\n---\n# A heading in the body\n\nTraffic is back.\n",
        "utf-8",
    )
    article = load_one(path)
    assert article.title == "Bridge reopens"
    assert article.published == "2024-04-02"
    assert article.author == "Kim Park"
    assert article.url == "https://example.com/bridge"
    assert article.text == "# A heading in the body\n\nTraffic is back."


def test_html_main_text_and_metadata() -> None:
    article = load_one(ARTICLES / "bike-lanes.html")
    assert article.title == "Council approves riverside bike lanes"
    assert article.published == "2024-03-05"
    assert article.author == "Jane Doe"
    assert article.url == "https://news.example.com/2024/03/05/bike-lanes"
    assert article.source == "The Daily Example"
    assert article.text.startswith("The city council voted on Tuesday")
    assert article.text.endswith("half of it paid by a national cycling fund.")
    assert article.text.count("\n\n") == 3  # four paragraphs, kept apart
    for chrome in ("Log in", "Copyright", "Privacy", "Sport"):
        assert chrome not in article.text


@pytest.mark.parametrize(
    "body",
    [
        "<nav>Home | About</nav>",
        '<div role="navigation"><a href="/">Home</a> | <a href="/about">About</a></div>',
    ],
    ids=["nav", "role-navigation"],
)
def test_a_page_of_navigation_only_is_skipped_not_stored(tmp_path: Path, body: str) -> None:
    from ingest.pipeline import load_paths

    path = tmp_path / "menu.html"
    path.write_text(f"<html><body>{body}</body></html>", encoding="utf-8")
    articles, skipped = load_paths([path], max_file_mb=None)
    assert articles == []
    assert [str(s) for s in skipped] == [
        f"{path}: no article body found in the HTML; "
        "save the article's own page, not an index or a login page"
    ]


def test_navigation_stays_out_of_an_article_with_a_body(tmp_path: Path) -> None:
    path = tmp_path / "pool.html"
    path.write_text(
        "<html><body><nav>Home | About</nav><article><h1>Pool reopens</h1>"
        "<p>The town pool reopened on Monday after repairs to its roof.</p></article>"
        "</body></html>",
        encoding="utf-8",
    )
    article = load_one(path)
    assert article.title == "Pool reopens"
    assert article.text == "The town pool reopened on Monday after repairs to its roof."


def test_pdf_text_and_metadata() -> None:
    article = load_one(ARTICLES / "solar-farm.pdf")
    assert article.title == "Solar farm approved on former airfield"
    assert article.author == "Example Gazette"
    assert article.text.startswith("Planners approved a 40-megawatt solar farm")
    assert article.text.endswith("Building work is due to start in the autumn.")
    assert (ARTICLES / "solar-farm.pdf").stat().st_size < 10_000


def test_pdf_words_broken_at_line_ends_are_whole_again(tmp_path: Path) -> None:
    # A typeset page hyphenates: pypdf gives "with-" and "drawn" on two lines.
    path = tmp_path / "ceasefire.pdf"
    lines = [
        "The Kremlin said it had with-",
        "drawn some troops, a well-",
        "known analyst said. Its self-",
        "imposed limit on the 40-",
        "megawatt plant and the Biden-",
        "Harris plan stand.",
    ]
    write_pdf(path, lines, title="Ceasefire talks stall", author="Example Gazette")
    assert "with-\ndrawn" in pypdf.PdfReader(path).pages[0].extract_text()
    article = load_one(path)
    # A syllable break joined; compounds keep their hyphen: a prefix English hyphenates,
    # a number before the break, a capital after it.
    assert article.text == (
        "The Kremlin said it had withdrawn some troops, a well-known analyst said. Its "
        "self-imposed limit on the 40-megawatt plant and the Biden-Harris plan stand."
    )


@pytest.mark.parametrize("title", [None, "Microsoft Word - draft3.docx", "Untitled"])
def test_pdf_without_a_real_title_uses_its_first_line(tmp_path: Path, title: str | None) -> None:
    writer = pypdf.PdfWriter(clone_from=ARTICLES / "solar-farm.pdf")
    writer.metadata = None
    if title:
        writer.add_metadata({"/Title": title})
    path = tmp_path / "untitled.pdf"
    writer.write(path)
    article = load_one(path)
    assert article.title == "Solar farm approved on former airfield"
    assert article.text.startswith("Planners approved")


def test_encrypted_pdf_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    writer = pypdf.PdfWriter(clone_from=ARTICLES / "solar-farm.pdf")
    writer.encrypt("secret", algorithm="RC4-128")
    path = tmp_path / "locked.pdf"
    writer.write(path)
    with pytest.raises(LoadError, match="encrypted; save an unprotected copy") as caught:
        load_file(path, max_file_mb=None)
    assert caught.value.path == str(path)


def test_pdf_with_an_empty_user_password_is_read(tmp_path: Path) -> None:
    writer = pypdf.PdfWriter(clone_from=ARTICLES / "solar-farm.pdf")
    writer.encrypt("", owner_password="owner", algorithm="RC4-128")
    path = tmp_path / "no-copy.pdf"
    writer.write(path)
    assert load_one(path).title == "Solar farm approved on former airfield"


def test_same_file_gives_the_same_id(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_text("Title\n\nFirst version.", "utf-8")
    first = load_one(path)
    path.write_text("Title\n\nSecond version, edited.", "utf-8")
    second = load_one(path)
    assert first.id == second.id  # an edited file replaces its old chunks
    assert first.content_hash != second.content_hash


# --- encodings ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "text"),
    [
        ("Title\n\nCafé “naïve” résumé.".encode("utf-8-sig"), "Café “naïve” résumé."),
        ("Title\n\nCafé “naïve” résumé.".encode("utf-16"), "Café “naïve” résumé."),
        ("Title\n\nCafé “naïve” résumé.".encode("cp1252"), "Café “naïve” résumé."),
        (b"Title\r\n\r\nWindows line ends.\r\n", "Windows line ends."),
    ],
)
def test_text_encodings(tmp_path: Path, data: bytes, text: str) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(data)
    article = load_one(path)
    assert article.title == "Title"
    assert article.text == text


def test_text_in_an_unclear_encoding_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cyrillic.txt"
    path.write_bytes("Заголовок\n\nПривет, мир! Как дела?".encode("cp1251"))
    with pytest.raises(LoadError, match="not UTF-8 text; save it as UTF-8 and ingest again"):
        load_file(path, max_file_mb=None)


# --- exports ------------------------------------------------------------------------------


def test_jsonl_rows() -> None:
    articles, skipped = load_file(ARTICLES / "export.jsonl", max_file_mb=None)
    assert skipped == []
    first, second, third = articles
    assert first.id == "wire-1001"
    assert (first.title, first.published, first.source, first.author) == (
        "Central bank holds rates",
        "2024-02-15",
        "Example Wire",
        "Li Wei",
    )
    assert first.text.endswith("not yet near the 2 per cent target.")
    assert "\n\n" in first.text
    assert second.id == "https://wire.example.com/1002"  # no id: the url
    assert second.published == "2024-02-15"
    assert third.id == article_id_for_content(third.title, third.text)  # no id, no url
    assert third.published == ""  # "sometime in February" is not a date
    assert {a.path for a in articles} == {str(ARTICLES / "export.jsonl")}


def test_export_row_without_id_has_a_content_id(tmp_path: Path) -> None:
    row = {"title": "Same story", "text": "Same words."}
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    one.write_text(json.dumps(row) + "\n", "utf-8")
    two.write_text(json.dumps({"source": "Elsewhere", **row}) + "\n", "utf-8")
    assert (
        load_file(one, max_file_mb=None).articles[0].id
        == load_file(two, max_file_mb=None).articles[0].id
    )
    row["text"] = "Other words."
    one.write_text(json.dumps(row) + "\n", "utf-8")
    assert (
        load_file(one, max_file_mb=None).articles[0].id
        != load_file(two, max_file_mb=None).articles[0].id
    )


def test_json_articles_object() -> None:
    articles, skipped = load_file(ARTICLES / "export.json", max_file_mb=None)
    assert skipped == []
    museum, marathon = articles
    assert museum.id == "2001"  # numbers become strings
    assert museum.published == "2024-03-09"
    assert museum.author == "A. Writer, B. Reporter"
    assert marathon.url == "https://times.example.com/2002"


@pytest.mark.parametrize(
    "payload",
    [
        [{"title": "T", "text": "Body."}],
        {"title": "T", "text": "Body."},
        {"articles": [{"title": "T", "text": "Body."}]},
    ],
)
def test_json_shapes(tmp_path: Path, payload: object) -> None:
    path = tmp_path / "a.json"
    path.write_text(json.dumps(payload), "utf-8")
    (article,) = load_file(path, max_file_mb=None).articles
    assert (article.title, article.text) == ("T", "Body.")


def test_json_bad_items_are_skipped_by_index(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text(json.dumps([{"text": "Good."}, "not an object", {"title": "x"}]), "utf-8")
    articles, skipped = load_file(path, max_file_mb=None)
    assert [a.text for a in articles] == ["Good."]
    assert [s.path for s in skipped] == [f"{path}[1]", f"{path}[2]"]
    assert "expected an object" in skipped[0].reason
    assert "no 'text' field" in skipped[1].reason


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"title": "x", ', "not valid JSON"),
        ('"just a string"', "expected a list of articles"),
    ],
)
def test_json_whole_file_errors(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "a.json"
    path.write_text(content, "utf-8")
    with pytest.raises(LoadError, match=message):
        load_file(path, max_file_mb=None)


def test_csv_rows() -> None:
    articles, skipped = load_file(ARTICLES / "export.csv", max_file_mb=None)
    assert skipped == []
    water, airport = articles
    assert (water.id, water.author, water.published) == ("csv-1", "Sam Lee", "2024-01-20")
    assert water.text.endswith("new pipes in the east of the city.")
    assert airport.id == article_id_for_content("Airport adds night flights", airport.text)
    assert airport.published == "2024-03-25"


def test_csv_without_a_text_column(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("title,body\nT,B\n", "utf-8")
    with pytest.raises(LoadError, match="no 'text' column \\(columns: title, body\\)"):
        load_file(path, max_file_mb=None)


def test_csv_row_lines_point_at_the_row(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text('Title,Text\nA,"two\nlines"\nB,\nC,fine\n', "utf-8")
    articles, skipped = load_file(path, max_file_mb=None)
    assert [a.title for a in articles] == ["A", "C"]  # header names are case-insensitive
    assert [(s.path, s.reason) for s in skipped] == [
        (f"{path}:4", "empty 'text' after cleaning; every article needs its text")
    ]


def test_jsonl_bad_rows_do_not_stop_the_file() -> None:
    path = BAD / "rows.jsonl"
    articles, skipped = load_file(path, max_file_mb=None)
    assert [a.id for a in articles] == ["good-1", "good-2"]
    assert [s.path for s in skipped] == [f"{path}:2", f"{path}:3"]
    assert skipped[0].reason.startswith("not valid JSON")
    assert skipped[1].reason.startswith("no 'text' field")


# --- bad files ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.txt", "the file is empty"),
        ("junk.txt", "binary data, not text"),
        ("no-body.html", "no article body found in the HTML"),
        ("truncated.pdf", "not a readable PDF"),
        ("report.docx", "'.docx' files are not supported; convert it to one of: .csv .htm"),
    ],
)
def test_bad_files_raise_load_error_naming_the_file(name: str, message: str) -> None:
    path = BAD / name
    with pytest.raises(LoadError, match=message) as caught:
        load_file(path, max_file_mb=None)
    assert caught.value.path == str(path)
    assert str(caught.value).startswith(f"{path}: ")


def test_every_suffix_is_listed_for_an_unknown_one() -> None:
    with pytest.raises(LoadError) as caught:
        load_file(Path("notes"), max_file_mb=None)
    assert "files without a suffix are not supported" in str(caught.value)
    assert all(suffix in str(caught.value) for suffix in LOADERS)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="cannot be read"):
        load_file(tmp_path / "gone.txt", max_file_mb=None)


def test_title_only_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text("# Just a heading\n\n\u200b\n", "utf-8")
    with pytest.raises(LoadError, match="no article text after cleaning"):
        load_file(path, max_file_mb=None)


# --- dates --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        ("2022-02-16", "2022-02-16"),
        ("2022-02-16T09:30:00Z", "2022-02-16"),
        ("2022-02-16T23:30:00-05:00", "2022-02-16"),  # the date as written, not UTC's
        ("20220216", "2022-02-16"),
        ("Wed, 16 Feb 2022 10:00:00 GMT", "2022-02-16"),
        ("16 February 2022", "2022-02-16"),
        ("February 16, 2022", "2022-02-16"),
        ("2022/02/16", "2022-02-16"),
        ("", ""),
        ("February 2022", ""),  # no day: we do not make one up
        ("2022", ""),
        ("yesterday", ""),
        ("2022-13-45", ""),
    ],
)
def test_parse_date(value: str, iso: str) -> None:
    assert parse_date(value) == iso
