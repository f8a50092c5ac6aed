"""Write tests/data/bad/locked.pdf: solar-farm.pdf behind a password, which ingest refuses.

Run from the repository root: ``.venv/bin/python tests/data/make_locked_pdf.py``. The PDF
is committed; this script only documents how it was made. RC4-128, because pypdf reads
it without the ``cryptography`` package (AES would need it); ingest refuses either kind.
"""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfWriter

DATA = Path(__file__).parent
OUT = DATA / "bad" / "locked.pdf"


def main() -> None:
    writer = PdfWriter(clone_from=DATA / "articles" / "solar-farm.pdf")
    writer.encrypt(user_password="newsdesk", owner_password="newsdesk", algorithm="RC4-128")
    with OUT.open("wb") as out:
        writer.write(out)


if __name__ == "__main__":
    main()
