"""PDF articles: the text layer of every page (pypdf)."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pypdf

from ingest.cleaning import clean_text, join_broken_words
from ingest.formats.fields import one_article, split_title
from ingest.furniture import strip_furniture
from ingest.reading import LoadError, LoadResult

_PLACEHOLDER_TITLE = re.compile(r"^untitled|\.(docx?|odt|rtf|pdf|txt|indd|pages)$", re.I)

# pypdf warns through logging ("EOF marker not found" on a cut-off file); with logging
# not set up, Python would print that bare line beside this loader's own message, which
# names the file and the fix. A program that sets up logging still gets pypdf's records.
logging.getLogger("pypdf").addHandler(logging.NullHandler())


def load_pdf(path: Path) -> LoadResult:
    """A PDF: the text of every page; the title from its metadata, else its first line."""
    encrypted = "the PDF is encrypted; save an unprotected copy and ingest that"
    reader = None
    try:
        reader = pypdf.PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            raise LoadError(path, encrypted)
        pages = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata
    except LoadError:
        raise
    except pypdf.errors.DependencyError as exc:
        if reader is not None and reader.is_encrypted:  # AES needs the cryptography package
            reason = f"{encrypted}, or install the cryptography package to read it ({exc})"
            raise LoadError(path, reason) from exc
        raise LoadError(path, f"not a readable PDF ({exc}); re-export it") from exc
    except (pypdf.errors.PyPdfError, ValueError) as exc:
        reason = f"not a readable PDF ({exc}); check the file is complete, or re-export it"
        raise LoadError(path, reason) from exc
    text = clean_text(join_broken_words("\n\n".join(pages)))
    if not text:
        raise LoadError(path, "the PDF has no text layer (a scan?); run OCR on it first")
    text = strip_furniture(text)
    title = (info.title or "").strip() if info else ""
    if _PLACEHOLDER_TITLE.search(title):
        title = ""  # "Microsoft Word - draft.docx" names a file, not the article
    if not title:
        title, text = split_title(text, path)
    return one_article(path, title, text, author=(info.author or "") if info else "")
