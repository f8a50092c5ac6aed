"""Model files from installed packages, joined and checked; nothing downloads at run time.

``files``: the GGUF chat models and the accurate embedder, joined from their part
packages into a cache folder and checked against their published hashes. ``offline``:
the environment that keeps every library off the network, and the embedding models by
name.
"""

from assistant.models.files import (
    default_model_dir,
    join_parts,
    mpnet_path,
    qwen_gguf_path,
    qwen_part_paths,
    smollm2_gguf_path,
)
from assistant.models.offline import EMBEDDING_MODELS, PROFILES, ensure_offline, minilm_path

__all__ = [
    "EMBEDDING_MODELS",
    "PROFILES",
    "default_model_dir",
    "ensure_offline",
    "join_parts",
    "minilm_path",
    "mpnet_path",
    "qwen_gguf_path",
    "qwen_part_paths",
    "smollm2_gguf_path",
]
