"""Write tests/data/articles/solar-farm.pdf: a small real PDF with a text layer.

Run from the repository root: ``.venv/bin/python tests/data/make_sample_pdf.py``. The
PDF is committed; this script documents how it was made, and tests write other PDFs
with :func:`write_pdf`.
"""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

TITLE = "Solar farm approved on former airfield"
LINES = [
    TITLE,
    "",
    "Planners approved a 40-megawatt solar farm on the old airfield on Wednesday.",
    "The panels will cover 60 hectares and power about 12,000 homes.",
    "",
    "Sheep will graze between the rows, and a footpath will cross the site.",
    "Building work is due to start in the autumn.",
]
OUT = Path(__file__).parent / "articles" / "solar-farm.pdf"


def _escape(line: str) -> str:
    return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def main() -> None:
    write_pdf(OUT, LINES, title=TITLE, author="Example Gazette")


def write_pdf(out: Path, lines: list[str], *, title: str, author: str) -> None:
    """A one-page PDF whose text layer holds ``lines``, one per line, in Helvetica."""
    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)  # A4 in points
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    # pypdf has no public name for adding an indirect object; this writes test files only.
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
    )
    ops = ["BT", "/F1 11 Tf", "14 TL", "56 780 Td"]
    ops += [f"({_escape(line)}) Tj T*" for line in lines]
    ops.append("ET")
    stream = DecodedStreamObject()
    stream.set_data("\n".join(ops).encode("latin-1"))
    page[NameObject("/Contents")] = writer._add_object(stream)
    writer.add_metadata({"/Title": title, "/Author": author})
    writer.compress_identical_objects()
    with out.open("wb") as file:
        writer.write(file)


if __name__ == "__main__":
    main()
