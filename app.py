"""The Newsdesk chat page: ``python app.py`` (or ``newsdesk serve``).

It listens on loopback unless told otherwise (``--host``/``--port``, or the settings
``NEWSDESK_HOST``/``NEWSDESK_PORT``); ``python app.py --help`` lists the flags and their
defaults. The page itself is built in :mod:`assistant.web`.
"""

from __future__ import annotations

import sys

from assistant.web.layout import build_app, launch
from assistant.web.serve import main

__all__ = ["build_app", "launch", "main"]

if __name__ == "__main__":
    sys.exit(main())
