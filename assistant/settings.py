"""One Settings object for the whole assistant; environment variables ``NEWSDESK_*``.

Nested sections use a double underscore: ``NEWSDESK_RETRIEVAL__K=8``. A few settings that
scripts rely on have short names too: ``NEWSDESK_DATA_DIR``, ``NEWSDESK_BACKEND``,
``NEWSDESK_CHROMA_HOST``, and the page's ``NEWSDESK_HOST``, ``NEWSDESK_PORT``,
``NEWSDESK_AUTH``, ``NEWSDESK_PAGE_BACKENDS``. Only :class:`assistant.Assistant` (and the
page's and the CLI's entry points) read Settings; everything below takes explicit
arguments. This is the one place with defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from assistant.errors import ConfigError
from assistant.retrieval.fusion import Fusion

MAX_K = 50  # most passages a question may ask for (retrieval.k, and k of each call)


class ChunkingSettings(BaseModel):
    """How articles are cut into passages."""

    chunk_tokens: int = Field(
        180,
        gt=16,
        description="Chunk size in cl100k tokens; 180 stays under MiniLM's 256-wordpiece "
        "limit with room for the title that is embedded ahead of the chunk.",
    )
    overlap_tokens: int = Field(30, ge=0, description="Tokens shared by neighbouring chunks.")
    encoding: str = Field("cl100k_base", description="tiktoken encoding used to count tokens.")
    context: bool = Field(
        True,
        description="Index each chunk for BM25 with its article's title, source and date "
        "ahead of it (the passage shown stays the article's own text).",
    )


# Fusion per embedding profile, chosen with benchmarks/tune_fusion.py on the three shared
# sets and, between the settings that lose to neither input, by the local model's answers
# (README, Retrieval). Each profile also names constants for the method it does not use,
# for when a user asks for that method.
PROFILE_FUSION: dict[str, dict[str, Any]] = {
    "fast": {
        "fusion": "rrf",
        "rrf_k": 5,
        "dense_weight": 1.0,
        "bm25_weight": 1.5,
        "alpha": 0.55,
        # The query rules are off: none held up out of sample with RRF (docs/retrieval.md).
        "number_weight": 0.0,
        "source_weight": 0.0,
        "date_weight": 0.0,
    },
    "accurate": {
        "fusion": "convex",
        "alpha": 0.65,
        "rrf_k": 40,
        "dense_weight": 1.0,
        "bm25_weight": 1.25,
        # Only the numbers rule held up out of sample with convex fusion (docs/retrieval.md).
        "number_weight": 0.8,
        "source_weight": 0.0,
        "date_weight": 0.0,
    },
}
# The relevance floor on sentences past llm.any_passage_tokens, per profile: chosen on the
# fast embedder's scores (docs/benchmarks.md); the accurate embedder scores differently.
PROFILE_SENTENCE_FLOOR: dict[str, float] = {"fast": 0.6, "accurate": 0.0}
RRF_KEYS = ("rrf_k", "dense_weight", "bm25_weight")
BONUS_KEYS = ("number_weight", "source_weight", "date_weight")
FUSION_KEYS = ("alpha", *RRF_KEYS, *BONUS_KEYS)


class RetrievalSettings(BaseModel):
    """How passages are found for a question."""

    mode: Literal["hybrid", "dense", "bm25"] = Field(
        "hybrid", description="hybrid (dense + BM25, fused), or one of them alone."
    )
    k: int = Field(5, gt=0, le=MAX_K, description="Passages returned for a question (at most 50).")
    per_article: int = Field(
        2,
        gt=0,
        description="Most passages from one article among those an answer is written from, "
        "while other articles are found (a fifth passage of one story rarely adds anything).",
    )
    candidates: int = Field(
        40, gt=0, description="Candidates taken from each of dense and BM25 before fusion."
    )
    fusion: Literal["convex", "rrf"] | None = Field(
        None,
        description="How dense and BM25 candidates become one ranking: convex (min-max "
        "normalised scores mixed by alpha) or rrf (reciprocal rank fusion); None: the "
        "profile's, or rrf when an rrf constant is set.",
    )
    alpha: float | None = Field(
        None,
        ge=0,
        le=1,
        description="Convex fusion: the dense share (BM25 gets 1 - alpha); None: the "
        "profile's, chosen with benchmarks/tune_fusion.py on the three shared sets "
        "(settings.PROFILE_FUSION; README, Benchmarks).",
    )
    rrf_k: int | None = Field(None, gt=0, description="RRF rank constant; None: the profile's.")
    dense_weight: float | None = Field(
        None, ge=0, description="RRF weight of the dense ranking; None: the profile's."
    )
    bm25_weight: float | None = Field(
        None, ge=0, description="RRF weight of the BM25 ranking; None: the profile's."
    )
    number_weight: float | None = Field(
        None,
        ge=0,
        description="Bonus for a candidate holding the numbers the question names (years, "
        "quarters, seasons), times the share it holds, on the scale where a chunk first in "
        "both lists scores 1; 0 turns it off; None: the profile's.",
    )
    source_weight: float | None = Field(
        None,
        ge=0,
        description="Bonus for a candidate from an outlet the question names ('as TechCrunch "
        "reported'), on the same scale as number_weight; 0 turns it off; None: the "
        "profile's.",
    )
    date_weight: float | None = Field(
        None,
        ge=0,
        description="Bonus, for a question that asks when ('When was it released?', 'the "
        "premiere date'), for a candidate that states a day of a month (not counting the "
        "date it opens with), on the same scale as number_weight; 0 turns it off; None: the "
        "profile's.",
    )
    dedupe_threshold: float = Field(
        0.8,
        gt=0,
        le=1,
        description="Share of the shorter passage's word 3-grams found in another, at or "
        "above which the two count as the same story and collapse to the better-ranked.",
    )
    # Questions about time ("this week", "in July"): measured with benchmarks/time_questions.py
    # (docs/retrieval.md, Questions about time).
    time_mode: Literal["filter", "weight", "off"] = Field(
        "weight",
        description="What the days a question's time words name do to its search: weight "
        "(a bonus for articles published then), filter (only those, and undated ones), or "
        "off (time words are ordinary words). Weight: a question's dates may be those of "
        "one of the stories it asks about, or of an event, not of every article it needs.",
    )
    time_weight: float = Field(
        0.5,
        ge=0,
        description="weight mode: bonus for a candidate published in the question's window, "
        "on the scale where a chunk first in both lists scores 1.",
    )
    time_margin_days: int = Field(
        0,
        ge=0,
        description="Days added on each side of a question's window before it filters or "
        "weighs; 0, since a margin of 1 or 2 days measured no better.",
    )
    recency_weight: float = Field(
        0.0,
        ge=0,
        description="When a question names no time: bonus for the newest candidate (the "
        "oldest gets none, the rest in proportion to their dates), on the same scale as "
        "time_weight; 0 turns it off.",
    )


class LLMSettings(BaseModel):
    """The chat model behind the answers (not used by the extractive backend)."""

    temperature: float = Field(0.0, ge=0, le=2, description="Sampling temperature; 0 is greedy.")
    max_tokens: int = Field(256, gt=0, description="Most tokens in an answer.")
    n_ctx: int = Field(4096, gt=256, description="Context window of llama.cpp models, tokens.")
    n_threads: int | None = Field(None, description="llama.cpp CPU threads; None: all cores.")
    base_url: str | None = Field(
        None, description="Server URL for openai:/ollama: backends (else their env vars)."
    )
    timeout: float = Field(120.0, gt=0, description="Seconds to wait for a server's answer.")
    passage_tokens: int = Field(
        400,
        gt=0,
        description="Most passage tokens (cl100k) put in a model's prompt (the extractive "
        "backend reads all k passages); on 2 cores the local model reads about 100 prompt "
        "tokens a second, so this is the main cost of an answer (the measured curve is in "
        "docs/benchmarks.md).",
    )
    any_passage_tokens: int = Field(
        250,
        gt=0,
        description="Passage tokens spent on the sentences that bear most on the question "
        "whatever their score; past them, up to passage_tokens, a sentence is given only if "
        "it scores at least sentence_floor times the best sentence's score (a long "
        "article's sentences about other things are not read before the answer).",
    )
    sentence_floor: float | None = Field(
        None,
        ge=0,
        le=1,
        description="The share of the best sentence's relevance score a sentence needs to "
        "be given past any_passage_tokens; 0 fills passage_tokens; None: the profile's "
        "(fast 0.6; accurate 0, since 0.6 was chosen on the fast embedder's scores and "
        "with the accurate one drops the sample answer's sentence).",
    )
    history_tokens: int = Field(
        600, ge=0, description="Most conversation tokens used to understand a follow-up."
    )
    select_sentences: bool = Field(
        True,
        description="Give a model the passages' sentences that bear on the question, within "
        "passage_tokens, rather than whole passages (citations keep exact offsets).",
    )
    retry_declines: bool = Field(
        True,
        description="When a model declines though a passage sentence answers the question "
        "plainly, ask it once more, in the same conversation, to answer from the passages "
        "(its reply is checked as any is); false: quote the sentence instead.",
    )


class FetchSettings(BaseModel):
    """How ingest fetches articles and feeds from urls (pages are limited by max_file_mb)."""

    timeout: float = Field(
        15.0, gt=0, description="Seconds a page may take, connecting and reading included."
    )
    max_redirects: int = Field(5, ge=0, description="Redirects followed before giving up.")
    workers: int = Field(4, gt=0, description="A feed's entry pages fetched at once.")


class VerifySettings(BaseModel):
    """How each claim of an answer is checked against its cited passage, after the numbers,
    dates, names and content-word checks, which always run (assistant/answering/verify.py)."""

    judge: bool | None = Field(
        None,
        description="Ask the answering chat model, per claim, whether the cited sentences "
        "state it (a one-word Yes/No reply); None: on for server backends (openai:, "
        "ollama:), off for the in-process ones (local, gguf:), where the 1.5B model as "
        "judge rejects right short answers (docs/architecture.md).",
    )
    reworded: bool = Field(
        True,
        description="A claim whose numbers, names and negations hold but whose words "
        "differ from the cited passage's is kept when the chat model, asked as with "
        "judge, reads the passage as stating it; false: such claims are removed. The "
        "model is asked only about those claims.",
    )
    nli_model: Path | None = Field(
        None,
        description="Folder of a sentence-transformers NLI CrossEncoder on disk, asked per "
        "claim whether the cited sentences entail it; None: no NLI check (none is packaged).",
    )


class Settings(BaseSettings):
    """Everything a user can set. Environment variables override defaults; flags override those."""

    model_config = SettingsConfigDict(
        env_prefix="NEWSDESK_", env_nested_delimiter="__", extra="ignore"
    )

    data_dir: Path = Field(
        Path("newsdesk-data"), description="Folder of the embedded Chroma store."
    )
    chroma_host: str | None = Field(
        None,
        description="host:port of a `chroma run` server; when set, the store lives there "
        "and data_dir is not used for it.",
    )
    collection: str = Field("articles", description="Chroma collection name.")
    backend: str = Field(
        "local",
        description="Answer backend spec: 'local' (packaged Qwen2.5 on llama.cpp), "
        "'gguf:PATH', 'openai:MODEL', 'ollama:MODEL', or 'extractive' (no LLM).",
    )
    profile: Literal["fast", "accurate"] = Field(
        "fast",
        description="Embedding profile, chosen when a collection is created and recorded in "
        "it: fast = all-MiniLM-L6-v2 (384 dims); accurate = all-mpnet-base-v2 (768 dims, "
        "about 8x slower to ingest, better retrieval).",
    )
    embed_batch_size: int = Field(
        64, gt=0, description="Chunks embedded per batch (per request to an embedding server)."
    )
    embeddings: str | None = Field(
        None,
        description="Embeddings from a server instead of the profile's packaged model: "
        "'openai:MODEL' for an OpenAI-compatible /v1/embeddings (vLLM, Text Embeddings "
        "Inference, llama.cpp's server with --embedding, Ollama); recorded in the "
        "collection, which then opens only with the same; None: the profile's model.",
    )
    embeddings_base_url: str | None = Field(
        None,
        description="API root of the embedding server, e.g. http://127.0.0.1:8080/v1; "
        "needed when embeddings is set.",
    )
    embeddings_api_key: SecretStr | None = Field(
        None, description="Bearer token for the embedding server, if it wants one."
    )
    embeddings_timeout: float = Field(
        60.0, gt=0, description="Seconds to wait for one reply of the embedding server."
    )
    max_file_mb: float = Field(
        20.0,
        gt=0,
        description="Largest file ingest reads, in MB (the chat page's upload limit too); "
        "a larger one is skipped with a message saying to split it or raise this.",
    )
    model_dir: Path | None = Field(
        None,
        description="Folder where model files joined from their packages are kept (the "
        "local chat model, the accurate embedder); None: $XDG_CACHE_HOME/newsdesk/models, "
        "else ~/.cache/newsdesk/models.",
    )
    host: str = Field(
        "127.0.0.1",
        min_length=1,
        description="Address the chat page listens on; anything but loopback wants auth.",
    )
    port: int = Field(7860, gt=0, le=65535, description="Port the chat page listens on.")
    auth: SecretStr | None = Field(
        None,
        description="USER:PASSWORD that the chat page asks for; None: no sign-in.",
    )
    page_backends: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Backend specs readers of the chat page may choose besides the default "
        "and extractive; in the environment, comma-separated: "
        "NEWSDESK_PAGE_BACKENDS=openai:gpt-4o-mini,local.",
    )
    chunking: ChunkingSettings = Field(default_factory=ChunkingSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    verify: VerifySettings = Field(default_factory=VerifySettings)
    fetch: FetchSettings = Field(default_factory=FetchSettings)

    def fusion(self) -> Fusion:
        """The fusion in force: what is set, else the profile's tuned choice."""
        r = self.retrieval
        tuned = PROFILE_FUSION[self.profile]

        def chosen(key: str) -> Any:
            value = getattr(r, key)
            return tuned[key] if value is None else value

        rrf_set = any(getattr(r, key) is not None for key in RRF_KEYS)
        method = r.fusion or ("rrf" if rrf_set else tuned["fusion"])
        return Fusion(method=method, **{key: chosen(key) for key in FUSION_KEYS})

    def sentence_floor(self) -> float:
        """The sentence floor in force: what is set, else the profile's."""
        floor = self.llm.sentence_floor
        return PROFILE_SENTENCE_FLOOR[self.profile] if floor is None else floor

    @field_validator("chroma_host")
    @classmethod
    def _host_port(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        host, _, port = value.rpartition(":")
        if not host or not port.isdigit():
            raise ValueError(f"expected host:port, like 127.0.0.1:8000, got {value!r}")
        return value

    @field_validator("embeddings")
    @classmethod
    def _embeddings_spec(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        prefix, _, model = value.strip().partition(":")
        if prefix.lower() != "openai" or not model.strip():
            raise ValueError(f"expected openai:MODEL, like openai:bge-small-en-v1.5, got {value!r}")
        return f"openai:{model.strip()}"

    @field_validator("auth", mode="before")
    @classmethod
    def _user_password(cls, value: Any) -> Any:
        text = value.get_secret_value() if isinstance(value, SecretStr) else value
        if text in (None, ""):
            return None
        user, sep, password = str(text).partition(":")
        if not sep or not user or not password:
            raise ValueError("expected USER:PASSWORD")  # never the value: it is a secret
        return value

    @field_validator("page_backends", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        specs = value.split(",") if isinstance(value, str) else value
        if isinstance(specs, list | tuple):
            return [str(spec).strip() for spec in specs if str(spec).strip()]
        return value


_SECRET_FIELDS = {"auth", "embeddings_api_key"}


def read_settings() -> Settings:
    """Settings from the ``NEWSDESK_*`` environment; a bad value is a one-line ConfigError.

    Raises:
        ConfigError: names the setting and what is wrong with it (never a secret's value).
    """
    try:
        return Settings()
    except ValidationError as exc:
        raise _config_error(exc, show_input=False) from None


def with_overrides(base: Settings, overrides: Mapping[str, Any]) -> Settings:
    """``base`` with top-level fields changed, validated as a whole.

    ``model_copy(update=...)`` would take any value unchecked; this checks every change as
    ``Settings`` checks its environment. Fields set in ``base`` or ``overrides`` stay
    marked as set (``model_fields_set``), so that the Assistant can tell a profile asked
    for from the default.

    Raises:
        ConfigError: an unknown field, or a value the field does not take, in one line
            that names the field and what it accepts.
    """
    unknown = [key for key in overrides if key not in Settings.model_fields]
    if unknown:
        raise ConfigError(
            f"unknown setting {unknown[0]!r}; known settings: {', '.join(Settings.model_fields)}"
        )
    if not overrides:
        return base
    try:
        merged = Settings.model_validate({**base.model_dump(), **overrides})
    except ValidationError as exc:
        raise _config_error(exc, show_input=True) from None
    return base.model_copy(update={key: getattr(merged, key) for key in overrides})


def _config_error(exc: ValidationError, *, show_input: bool) -> ConfigError:
    """The first problem of a ValidationError as one line: field, value, what it takes."""
    first = exc.errors()[0]
    where = ".".join(str(x) for x in first["loc"])
    shown = show_input and first["loc"][0] not in _SECRET_FIELDS and "input" in first
    value = f"={first['input']!r}" if shown else ""
    message = f"setting {where}{value}: {first['msg']}"
    if first["loc"][0] == "backend":
        from assistant.backends.registry import BACKENDS

        message += f"; known backends: {', '.join(BACKENDS)}"
    return ConfigError(message)
