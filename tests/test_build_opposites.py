"""The table of opposite words is built from WordNet's database files
(scripts/build_opposites.py), here a database of four synsets written by the test."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("build", ROOT / "scripts" / "build_opposites.py")
assert spec and spec.loader
build = importlib.util.module_from_spec(spec)
spec.loader.exec_module(build)

LICENCE_LINE = "  1 This software and database is being provided to you, the LICENSEE\n"
DATABASE = {
    # rise.v and fall.v point at each other's first word ("!", source 01, target 01);
    # go_up.v, a word of two, points at go_down.v: multi-word pairs are left out.
    "data.verb": LICENCE_LINE
    + "00000100 30 v 02 rise 0 go_up 0 002 ! 00000200 v 0101 ! 00000300 v 0202 | move up\n"
    + "00000200 30 v 01 fall 0 001 ! 00000100 v 0101 | move down\n"
    + "00000300 30 v 02 drop 0 go_down 0 001 ! 00000100 v 0202 | move down\n",
    # an adjective with its position marker: "high(a)" is "high"
    "data.adj": "00000400 00 a 01 high(a) 0 001 ! 00000500 a 0101 | tall\n"
    + "00000500 00 s 01 low 0 001 ! 00000400 a 0101 | short\n",
    "data.noun": "",
    "data.adv": "",
    "verb.exc": "fell fall\nrose rise\nwent go\n",
    "adj.exc": "",
    "noun.exc": "",
    "adv.exc": "",
}


def test_the_table_holds_single_word_pairs_both_ways_and_irregular_forms(tmp_path: Path) -> None:
    for name, text in DATABASE.items():
        (tmp_path / name).write_text(text, encoding="latin-1")
    table = build.build(tmp_path)
    assert table["opposites"] == {
        "fall": ["rise"],
        "high": ["low"],
        "low": ["high"],
        "rise": ["fall"],
    }
    # forms of words with no opposite ("went") are not kept
    assert table["forms"] == {"fell": ["fall"], "rose": ["rise"]}
    assert "Princeton" in str(table["notice"])
    written = build.dumps(table)
    assert json.loads(written) == table and '"fall": ["rise"],\n' in written  # a word a line


def test_the_packaged_table_is_the_one_the_checks_read() -> None:
    from assistant.answering.opposites import lemmas, opposites_of

    table = json.loads((ROOT / "assistant" / "answering" / "opposites.json").read_text("utf-8"))
    assert "Princeton" in table["notice"]
    assert lemmas("fell") >= {"fall"} and lemmas("increased") >= {"increase"}
    assert {"fall"} <= opposites_of("rose") and opposites_of("higher") == {"low"}
