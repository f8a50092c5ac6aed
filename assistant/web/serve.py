"""``newsdesk serve`` (and ``python app.py``): flags, sign-in, and serving the page.

Every flag has a setting (``NEWSDESK_HOST``, ``NEWSDESK_PORT``, ``NEWSDESK_AUTH``,
``NEWSDESK_PAGE_BACKENDS``, ...; see :mod:`assistant.settings`); a flag overrides it.
"""

from __future__ import annotations

import argparse
import ipaddress
import logging
import sys
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from assistant.errors import ConfigError, NewsdeskError
from assistant.settings import Settings, read_settings, with_overrides
from assistant.web.layout import build_app, launch

log = logging.getLogger("newsdesk.web")

EXIT_ERROR = 1
EXIT_BAD_SETTING = 2  # as argparse exits on a bad flag


def _default(name: str) -> Any:
    return Settings.model_fields[name].get_default(call_default_factory=True)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsdesk serve", description="Serve the Newsdesk chat page."
    )
    parser.add_argument(
        "--host", help=f"address to bind (NEWSDESK_HOST; default {_default('host')})"
    )
    parser.add_argument(
        "--port", type=int, help=f"port (NEWSDESK_PORT; default {_default('port')})"
    )
    parser.add_argument("--data-dir", type=Path, help="store folder (NEWSDESK_DATA_DIR)")
    parser.add_argument(
        "--backend",
        help=f"default answer backend (NEWSDESK_BACKEND; default {_default('backend')}): "
        "local, gguf:PATH, openai:MODEL, ollama:MODEL, extractive",
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


def page_settings(args: argparse.Namespace) -> Settings:
    """The ``NEWSDESK_*`` settings with the flags given on top.

    Raises:
        ConfigError: a setting or flag with a bad value, in one line.
    """
    flags = {
        "host": args.host,
        "port": args.port,
        "data_dir": args.data_dir,
        "backend": args.backend,
        "page_backends": args.allow_backend,
        "auth": args.auth,
    }
    return with_overrides(read_settings(), {k: v for k, v in flags.items() if v is not None})


def parse_auth(value: SecretStr | None) -> tuple[str, str] | None:
    """The auth setting (``user:password``, already checked) as (user, password), or None."""
    if value is None:
        return None
    user, _, password = value.get_secret_value().partition(":")
    return user, password


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def main(argv: list[str] | None = None) -> int:
    """Serve the page until interrupted; 0 on a clean stop, 1 on an error, 2 on a bad
    setting or flag."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    log.setLevel(logging.INFO)
    logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index build
    try:
        settings = page_settings(args)
    except ConfigError as exc:
        print(f"newsdesk serve: {exc}", file=sys.stderr)
        return EXIT_BAD_SETTING
    auth = parse_auth(settings.auth)
    if not is_loopback(settings.host) and not auth:
        print(
            f"newsdesk serve: listening on {settings.host} without --auth: anyone who can "
            "reach this machine can read and change the library (add --auth USER:PASSWORD "
            "to stop that)",
            file=sys.stderr,
        )
    try:
        demo = build_app(settings, allow_backends=settings.page_backends, warm_up=True)
        launch(
            demo,
            host=settings.host,
            port=settings.port,
            max_file_mb=settings.max_file_mb,
            auth=auth,
        )
    except (NewsdeskError, OSError) as exc:  # OSError: the port is taken, say
        print(f"newsdesk serve: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 0
    return 0
