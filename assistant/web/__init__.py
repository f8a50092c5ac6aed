"""The chat page: its layout (``layout``), what it does (``actions``, ``pool``,
``uploads``), its HTML (``views``) with its CSS and JavaScript in ``static/``, and serving
it (``serve``). ``app.py`` at the top level builds and launches it. Only ``layout``,
``actions`` and ``serve`` import Gradio, so ``views`` is tested without it."""
