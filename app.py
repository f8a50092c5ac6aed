"""The Newsdesk chat page: ``python app.py`` (or ``newsdesk serve``).

It listens on 127.0.0.1:7860 unless told otherwise (``--host``/``--port`` or
``NEWSDESK_HOST``/``NEWSDESK_PORT``); ``python app.py --help`` lists the flags. The page
itself is built in :mod:`assistant.web`.
"""

from __future__ import annotations

import sys

from assistant.web.layout import build_app, launch
from assistant.web.serve import main

__all__ = ["build_app", "launch", "main"]

if __name__ == "__main__":
    sys.exit(main())
