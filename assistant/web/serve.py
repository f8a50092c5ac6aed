"""``newsdesk serve`` (and ``python app.py``): flags, sign-in, and serving the page."""

from __future__ import annotations

import argparse
import ipaddress
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from assistant.errors import NewsdeskError
from assistant.settings import Settings
from assistant.web.layout import DEFAULT_HOST, DEFAULT_PORT, build_app, launch

log = logging.getLogger("newsdesk.web")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsdesk serve", description="Serve the Newsdesk chat page."
    )
    parser.add_argument("--host", help=f"address to bind (NEWSDESK_HOST; default {DEFAULT_HOST})")
    parser.add_argument("--port", type=int, help=f"port (NEWSDESK_PORT; default {DEFAULT_PORT})")
    parser.add_argument("--data-dir", type=Path, help="store folder (NEWSDESK_DATA_DIR)")
    parser.add_argument(
        "--backend",
        help="default answer backend (NEWSDESK_BACKEND): local (default), gguf:PATH, "
        "openai:MODEL, ollama:MODEL, extractive",
    )
    parser.add_argument(
        "--allow-backend",
        action="append",
        metavar="SPEC",
        help="also let readers choose this backend (repeatable; NEWSDESK_PAGE_BACKENDS="
        "SPEC,SPEC); they may always choose the default backend and extractive, nothing else",
    )
    parser.add_argument("--auth", help="require sign-in, USER:PASSWORD (NEWSDESK_AUTH)")
    return parser


def page_backends(flags: Sequence[str] | None, env: str | None) -> list[str]:
    """The --allow-backend specs, else NEWSDESK_PAGE_BACKENDS split at commas."""
    specs = flags if flags else (env or "").split(",")
    return [spec.strip() for spec in specs if spec.strip()]


def parse_auth(value: str | None) -> tuple[str, str] | None:
    """``user:password`` -> (user, password); empty -> None."""
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user or not password:
        raise ValueError("--auth / NEWSDESK_AUTH must be USER:PASSWORD")
    return user, password


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def main(argv: list[str] | None = None) -> int:
    """Serve the page until interrupted; 0 on a clean stop, 1 on an error, 2 on bad flags."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    log.setLevel(logging.INFO)
    logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index build
    try:
        host = args.host or os.environ.get("NEWSDESK_HOST") or DEFAULT_HOST
        port = args.port or int(os.environ.get("NEWSDESK_PORT") or DEFAULT_PORT)
    except ValueError:
        print("newsdesk serve: NEWSDESK_PORT must be a port number", file=sys.stderr)
        return 2
    try:
        auth = parse_auth(args.auth or os.environ.get("NEWSDESK_AUTH"))
    except ValueError as exc:
        print(f"newsdesk serve: {exc}", file=sys.stderr)
        return 2
    if not is_loopback(host) and not auth:
        print(
            f"newsdesk serve: listening on {host} without --auth: anyone who can reach this "
            "machine can read and change the library (add --auth USER:PASSWORD to stop that)",
            file=sys.stderr,
        )
    try:
        overrides: dict[str, Any] = {}
        if args.data_dir is not None:
            overrides["data_dir"] = args.data_dir
        if args.backend:
            overrides["backend"] = args.backend
        settings = Settings()
        settings = settings.model_copy(update=overrides) if overrides else settings
        allow = page_backends(args.allow_backend, os.environ.get("NEWSDESK_PAGE_BACKENDS"))
        demo = build_app(settings, allow_backends=allow)
        launch(demo, host=host, port=port, auth=auth)
    except ValidationError as exc:  # a NEWSDESK_* variable with a bad value
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        print(f"newsdesk serve: setting {where}: {first['msg']}", file=sys.stderr)
        return 1
    except (NewsdeskError, OSError) as exc:  # OSError: the port is taken, say
        print(f"newsdesk serve: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    return 0
