"""The public API is what assistant/__init__.py exports, and nothing else by accident."""

import assistant


def test_exported_members() -> None:
    exported = {name for name in dir(assistant) if not name.startswith("_")}
    modules = {name for name in exported if type(getattr(assistant, name)).__name__ == "module"}
    assert exported - modules == set(assistant.__all__)


def test_every_error_is_a_newsdesk_error() -> None:
    for name in (
        "ConfigError",
        "ModelError",
        "StoreError",
        "CollectionMismatch",
        "BackendError",
        "EmbeddingError",
    ):
        assert issubclass(getattr(assistant, name), assistant.NewsdeskError)
