"""Questions about time over a real collection: the same subject in two different weeks.

Acme announces a recall twice, a week apart, with different details; "this week" is the
week the question is asked in, so the answer and its citations follow the day asked.
"""

import json
from datetime import date
from pathlib import Path

import pytest

from assistant.cli import main

pytestmark = pytest.mark.slow

ARTICLES = [
    {
        "id": "acme-kettles",
        "title": "Acme announces a recall of kettles",
        "text": "Acme announced a recall of 40,000 electric kettles on Tuesday after reports "
        "that their lids come loose. Owners can return the kettles to any store for a refund.",
        "source": "Gazette",
        "published": "2023-09-26",
    },
    {
        "id": "acme-toasters",
        "title": "Acme announces a recall of toasters",
        "text": "Acme announced a recall of 12,000 toasters on Tuesday after a faulty switch "
        "caused small fires. Owners are asked to unplug the toasters and wait for a repair kit.",
        "source": "Gazette",
        "published": "2023-10-03",
    },
    {
        "id": "council",
        "title": "Council debates the budget",
        "text": "The city council debated the new budget for road repairs on Tuesday evening.",
        "source": "Gazette",
        "published": "2023-10-03",
    },
]
QUESTION = "What did Acme announce this week?"
LATER, EARLIER = date(2023, 10, 5), date(2023, 9, 28)


@pytest.fixture(scope="module")
def acme_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from assistant import Assistant

    folder = tmp_path_factory.mktemp("acme")
    corpus = folder / "articles.jsonl"
    corpus.write_text("\n".join(json.dumps(a) for a in ARTICLES) + "\n", encoding="utf-8")
    Assistant(data_dir=folder / "store", backend="extractive").ingest([corpus])
    return folder / "store"


@pytest.mark.parametrize("time_mode", ["filter", "weight"])
@pytest.mark.parametrize(("as_of", "cited"), [(LATER, "acme-toasters"), (EARLIER, "acme-kettles")])
def test_this_week_cites_the_week_asked_in(
    acme_store: Path, time_mode: str, as_of: date, cited: str
) -> None:
    from assistant import Assistant
    from assistant.settings import Settings

    settings = Settings(data_dir=acme_store, backend="extractive")
    settings.retrieval.time_mode = time_mode  # type: ignore[assignment]
    bot = Assistant(settings)
    answer = bot.ask(QUESTION, as_of=as_of)
    assert not answer.refused
    assert answer.citations[0].passage.article_id == cited
    if time_mode == "filter":  # the other week's article is not even a candidate
        assert {p.article_id for p in answer.passages} <= {cited, "council"}
    assert answer.window is not None
    assert answer.window.start <= as_of == answer.window.end
    assert bot.search(QUESTION, k=1, as_of=as_of)[0].article_id == cited


def test_without_time_words_both_weeks_are_found(acme_store: Path) -> None:
    from assistant import Assistant

    bot = Assistant(data_dir=acme_store, backend="extractive")
    found = {p.article_id for p in bot.search("What did Acme recall?", k=3, as_of=EARLIER)}
    assert {"acme-kettles", "acme-toasters"} <= found
    assert bot.ask("What did Acme recall?", as_of=EARLIER).window is None


def test_cli_says_which_dates_it_drew_on(
    acme_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["ask", QUESTION, "--data-dir", str(acme_store), "--backend", "extractive"]
    assert main([*args, "--as-of", "2023-10-05"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "Articles from 2023-10-02 to 2023-10-05 (this week)"
    assert "[1] Acme announces a recall of toasters (2023-10-03, Gazette)" in out
    assert main([*args, "--as-of", "2023-10-05", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["window"] == {"from": "2023-10-02", "to": "2023-10-05", "phrase": "this week"}
    assert shown["citations"][0]["article_id"] == "acme-toasters"


def test_eval_records_each_questions_window(
    acme_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    questions = tmp_path / "questions.jsonl"
    rows = [
        {
            "id": "later",
            "question": QUESTION,
            "gold_ids": ["acme-toasters"],
            "asked_on": "2023-10-05",
        },
        {
            "id": "earlier",
            "question": QUESTION,
            "gold_ids": ["acme-kettles"],
            "question_date": "2023-09-28",
        },
        {"id": "undated", "question": QUESTION, "gold_ids": ["acme-kettles"]},
    ]
    questions.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    out = tmp_path / "run"
    args = ["eval", str(questions), "--data-dir", str(acme_store), "--backend", "extractive"]
    assert main([*args, "--out", str(out), "--as-of", "2023-09-27", "--json"]) == 0
    records = {
        r["id"]: r for r in map(json.loads, (out / "results.jsonl").read_text().splitlines())
    }
    assert records["later"]["window"]["from"] == "2023-10-02"
    assert records["earlier"]["window"]["to"] == "2023-09-28"
    assert records["undated"]["window"]["to"] == "2023-09-27"  # --as-of
    assert all(r["metrics"]["hit@1"] == 1.0 for r in records.values())
    assert records["later"]["gold"]["asked_on"] == "2023-10-05"
    assert "2023-10-02 to 2023-10-05 (this week)" in (out / "report.md").read_text()
