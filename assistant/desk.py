"""The Assistant: the one object that reads Settings and wires the parts together."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any, cast

from langchain_core.language_models import BaseChatModel

from assistant.answering.chain import AnswerChain
from assistant.answering.verify import ModelJudge, NLICheck, Verifier
from assistant.backends.llamacpp import LlamaCppChat
from assistant.backends.registry import BACKENDS, CHAT_BACKENDS, make_chat_model
from assistant.errors import ConfigError
from assistant.evaluation import RunResult, load_questions, read_results, run_evaluation
from assistant.models.offline import PROFILES
from assistant.retrieval import HybridRetriever, HybridSearcher, Mode
from assistant.retrieval.time_window import TimeHandling
from assistant.settings import MAX_K, Settings, with_overrides
from assistant.store import ChunkStore, RemoteEmbedder, SentenceEmbedder, TextEmbedder
from assistant.store.embedder import chroma_function
from assistant.types import (
    NO_FILTERS,
    Answer,
    Event,
    Filters,
    Passage,
    StoredArticle,
    TimeWindow,
    Turn,
)
from ingest import Fetcher, chunk_articles, load_sources
from ingest.documents import IngestReport
from ingest.seen_lines import FILE_NAME as SEEN_LINES_FILE
from ingest.seen_lines import SeenLines

# The claim judge's own llama.cpp context: its instructions (about 300 tokens), the quoted
# sentences and the claim.
JUDGE_CONTEXT_TOKENS = 2048
# The follow-up rewrite's context beyond the conversation: its instructions and example
# (about 170 tokens), the question and the rewrite, with room for the tokenizers' difference.
CONDENSE_PROMPT_TOKENS = 1024


class Assistant:
    """Ingest articles, search them, and answer questions with cited passages.

    Example:
        >>> from assistant import Assistant
        >>> bot = Assistant(data_dir="newsdesk-data")
        >>> report = bot.ingest(["data/sample"])
        >>> answer = bot.ask("Who disputed the withdrawal?")
        >>> print(answer.text, answer.citations[0].passage.title)

    A collection is opened with the embedding profile it was built with, unless a profile
    is asked for (an override, or set in ``settings``, e.g. by ``NEWSDESK_PROFILE``); one
    that differs from the collection's is a CollectionMismatch that says how to fix it.

    Args:
        settings: a full Settings; by default read from ``NEWSDESK_*`` variables.
        **overrides: top-level Settings fields to change, e.g. ``data_dir``, ``backend``.

    Raises:
        ConfigError: an override names no setting, or has a value its setting does not take.
    """

    def __init__(self, settings: Settings | None = None, **overrides: Any) -> None:
        base = settings or Settings()
        s = with_overrides(base, overrides)
        if "profile" not in s.model_fields_set:
            recorded = _recorded_profile(s)
            if recorded is not None and recorded != s.profile:
                s = with_overrides(s, {"profile": recorded})
        self.settings = s
        self.embedder = _embedder(s)
        # The update time a feed gave each entry when this Assistant last read it
        # (ingest with only_new): an entry whose time has changed since is fetched again.
        self._feed_updates: dict[str, str] = {}
        self.store = ChunkStore(
            embedder=self.embedder,
            data_dir=s.data_dir,
            chroma_host=s.chroma_host,
            collection=s.collection,
            context=s.chunking.context,
            build_params={
                "profile": s.profile,
                "chunk_tokens": s.chunking.chunk_tokens,
                "overlap_tokens": s.chunking.overlap_tokens,
                "encoding": s.chunking.encoding,
            },
        )
        r = s.retrieval
        self.searcher = HybridSearcher(
            self.store,
            self.embedder,
            fusion=s.fusion(),
            candidates=r.candidates,
            dedupe_threshold=r.dedupe_threshold,
            mode=r.mode,
            time=TimeHandling(
                mode=r.time_mode,
                weight=r.time_weight,
                margin_days=r.time_margin_days,
                recency_weight=r.recency_weight,
            ),
        )
        chat_model = self._chat_model(s.backend)
        judge = self._judge(chat_model)
        self.chain = AnswerChain(
            self.searcher,
            self.embedder,
            backend=s.backend,
            chat_model=chat_model,
            k=r.k,
            passage_tokens=s.llm.passage_tokens,
            any_passage_tokens=s.llm.any_passage_tokens,
            sentence_floor=s.sentence_floor(),
            history_tokens=s.llm.history_tokens,
            per_article=r.per_article,
            select=s.llm.select_sentences,
            retry_declines=s.llm.retry_declines,
            verifiers=self._verifiers(judge),
            reworded=judge if s.verify.reworded else None,
            condense_model=self._condense_model(chat_model),
        )

    @property
    def in_process(self) -> bool:
        """Whether the chat model runs in this process (``local``, ``gguf:``)."""
        return self.settings.backend == "local" or self.settings.backend.startswith("gguf:")

    def warm_up(self) -> None:
        """Load what the first question would wait for: the embedding model, the keyword
        index and, for an in-process chat model, the model with the answer prompt's fixed
        prefix read into its cache, so the first question pays only for its own passages.
        Server backends are not called. Raises what loading raises (a missing model)."""
        self.search("warm up")
        if self.in_process:
            self.chain.warm_up()

    def _judge(self, chat_model: BaseChatModel | None) -> ModelJudge | None:
        """The chat model as claim judge, when a verify setting asks for one."""
        v = self.settings.verify
        if chat_model is None or not (self._judge_on or v.reworded):
            return None
        if isinstance(chat_model, LlamaCppChat):
            # A context of its own keeps the judge's instructions cached between
            # answers (the answer's prompt would evict them); claims are short.
            chat_model = chat_model.for_context("judge", n_ctx=JUDGE_CONTEXT_TOKENS)
        return ModelJudge(chat_model)

    def _condense_model(self, chat_model: BaseChatModel | None) -> BaseChatModel | None:
        """What rewrites a follow-up: for an in-process model, its weights on a context of
        their own, sized for the bounded conversation and the rewrite prompt; the answer
        prompt's cached prefix then survives a follow-up (docs/benchmarks.md)."""
        if isinstance(chat_model, LlamaCppChat):
            llm = self.settings.llm
            n_ctx = min(llm.n_ctx, llm.history_tokens + CONDENSE_PROMPT_TOKENS)
            return chat_model.for_context("condense", n_ctx=n_ctx)
        return chat_model

    @property
    def _judge_on(self) -> bool:
        """Whether every claim the always-on checks pass is put to the judge."""
        v = self.settings.verify
        return v.judge if v.judge is not None else not self.in_process

    def _verifiers(self, judge: ModelJudge | None) -> list[Verifier]:
        """The claim checks the verify settings turn on, after the always-on ones."""
        nli_model = self.settings.verify.nli_model
        checks: list[Verifier] = []
        if judge is not None and self._judge_on:
            checks.append(judge)
        if nli_model is not None:
            checks.append(NLICheck(nli_model))
        return checks

    def _chat_model(self, spec: str) -> BaseChatModel | None:
        """The chat model of a backend spec (None for extractive); loads nothing yet."""
        if spec == "extractive":
            return None
        if spec.partition(":")[0].strip().lower() not in CHAT_BACKENDS:
            raise ConfigError(f"unknown backend {spec!r}; known backends: {', '.join(BACKENDS)}")
        llm = self.settings.llm
        return make_chat_model(
            spec,
            temperature=llm.temperature,
            max_tokens=llm.max_tokens,
            n_ctx=llm.n_ctx,
            n_threads=llm.n_threads,
            base_url=llm.base_url,
            timeout=llm.timeout,
            model_dir=self.settings.model_dir,
        )

    # -- ingest --------------------------------------------------------------------------

    def ingest(
        self,
        paths: Iterable[str | Path],
        *,
        rebuild: bool = False,
        progress: bool = True,
        only_new: bool = False,
        allow_private: bool = True,
    ) -> IngestReport:
        """Load, chunk, embed and store articles from files, folders, urls and feeds.

        Articles already stored with the same content are left alone; changed ones are
        replaced; bad files and urls are skipped and listed in the report with the
        reason, while the good ones of the same run still go in. An article from a url
        has the url as its id, so fetching it again replaces it.

        Args:
            paths: files or folders (searched recursively), ``http(s)://`` urls of
                articles or RSS/Atom feeds, saved feeds (``.xml``, ``.rss``, ``.atom``).
            rebuild: empty the collection first (needed after changing the model or
                chunking).
            progress: show a progress bar on long runs (on a terminal only).
            only_new: leave feed entries already stored unfetched (counted unchanged),
                unless the feed marks one updated (Atom's ``<updated>``) at another time
                than when this Assistant last read it: that one is fetched again (a
                correction, a developing story) and replaces the stored one if it changed.
            allow_private: False refuses urls on private, loopback or link-local
                addresses (the page does so when it serves beyond this machine).

        Returns:
            An IngestReport with the added, unchanged, replaced and skipped articles.
        """
        # Load before a rebuild empties the store: a crash while loading leaves it as it was.
        # Short lines of earlier runs' articles count towards a source's furniture, unless
        # the store is rebuilt from this run's alone (with a Chroma server nothing is
        # kept locally: each run counts its own articles).
        seen = SeenLines.load(self._seen_path) if self._seen_path else SeenLines()
        if rebuild:
            seen.clear()
        read_now: dict[str, str] = {}  # update times the feeds give in this run

        def unchanged(updated: Mapping[str, str]) -> set[str]:
            read_now.update(updated)
            return self._unchanged_entries(updated)

        f = self.settings.fetch
        with Fetcher(
            timeout=f.timeout,
            max_bytes=int(self.settings.max_file_mb * 1024 * 1024),
            max_redirects=f.max_redirects,
            allow_private=allow_private,
        ) as fetcher:
            articles, skipped, kept = load_sources(
                paths,
                max_file_mb=self.settings.max_file_mb,
                fetcher=fetcher,
                known=unchanged if only_new and not rebuild else None,
                workers=f.workers,
                seen=seen,
            )
        # An entry's time is noted once it is stored or left alone, not when its fetch
        # failed: an updated entry that could not be fetched is tried again next time.
        for article_id in [*kept, *(a.id for a in articles)]:
            if read_now.get(article_id):
                self._feed_updates[article_id] = read_now[article_id]
        if rebuild:
            self.store.reset()
        report = IngestReport(skipped=list(skipped), unchanged=list(kept))
        stored = self.store.stored_hashes([a.id for a in articles])
        todo = []
        for article in articles:
            previous = stored.get(article.id)
            if previous == article.content_hash:
                report.unchanged.append(article.id)
                continue
            (report.replaced if previous else report.added).append(article.id)
            todo.append(article)
        c = self.settings.chunking
        chunks = chunk_articles(
            todo,
            chunk_tokens=c.chunk_tokens,
            overlap_tokens=c.overlap_tokens,
            encoding=c.encoding,
        )
        with _progress_bar(len(chunks), enabled=progress) as bar:
            report.chunks_written = self.store.write(
                chunks, batch_size=self.settings.embed_batch_size, progress=bar.update
            )
        seen.save()
        return report

    @property
    def _seen_path(self) -> Path | None:
        """Where the short lines of ingested articles are kept (:mod:`ingest.seen_lines`):
        beside the embedded store; None with a Chroma server, where nothing is kept
        locally."""
        if self.settings.chroma_host:
            return None
        return Path(self.settings.data_dir) / SEEN_LINES_FILE

    def _unchanged_entries(self, updated: Mapping[str, str]) -> set[str]:
        """Of feed entries (id -> the update time the feed gives, "" for none), those
        stored and not marked updated since this Assistant last read them. An entry it
        has not read before counts as unchanged when stored: its time is noted now, and
        only a later change brings it in again."""
        stored = self.store.stored_hashes(list(updated))
        return {
            article_id
            for article_id in stored
            if self._feed_updates.get(article_id, updated[article_id]) == updated[article_id]
        }

    def delete(self, article_id: str) -> None:
        """Remove an article and all its chunks."""
        self.store.delete_articles([article_id])
        if self._seen_path and self._seen_path.is_file():
            seen = SeenLines.load(self._seen_path)
            seen.forget([article_id])
            seen.save()

    def articles(self) -> list[StoredArticle]:
        """Every stored article, newest first."""
        return self.store.articles()

    def stats(self) -> dict[str, Any]:
        """Counts and how the collection was built."""
        return {
            "articles": len(self.store.articles()),
            "chunks": self.store.count(),
            "profile": self.settings.profile,
            "embedding_model": self.embedder.model_name,
            "dimensions": self.embedder.dimensions,
            "embedder": self.embedder.location,
            "chunk_tokens": self.settings.chunking.chunk_tokens,
            "overlap_tokens": self.settings.chunking.overlap_tokens,
            "fusion": asdict(self.settings.fusion()),
            "store": self.store.location,
            "collection": self.settings.collection,
            "backend": self.settings.backend,
        }

    # -- search and answers --------------------------------------------------------------

    def search(
        self,
        query: str,
        k: int | None = None,
        *,
        sources: Iterable[str] = (),
        date_from: date | None = None,
        date_to: date | None = None,
        mode: str | None = None,
        as_of: date | None = None,
    ) -> list[Passage]:
        """The k passages that best match the query.

        Args:
            query: the question or keywords.
            k: how many passages, 1 to 50 (default: the retrieval setting, 5).
            sources: only articles from these sources.
            date_from: only articles published on or after this day.
            date_to: only articles published on or before this day.
            mode: "hybrid", "dense" or "bm25" (default: the retrieval setting, hybrid).
            as_of: the day the query is asked, which its time words ("this week", "in
                July") count from (default: today); see :meth:`time_window`.
        """
        if mode not in (None, "hybrid", "dense", "bm25"):
            raise ConfigError(f"unknown search mode {mode!r}; use hybrid, dense or bm25")
        filters = Filters(tuple(sources), date_from, date_to)
        window = self.time_window(query, as_of)
        return self.searcher.search(
            query, self._k(k), filters, cast(Mode | None, mode), window=window
        )

    def time_window(self, question: str, as_of: date | None = None) -> TimeWindow | None:
        """The days a question's time words name, counted from ``as_of`` (default: today).

        None when it names no time or ``retrieval.time_mode`` is off.

        Example:
            >>> w = bot.time_window("What did Acme announce this week?", date(2023, 10, 5))
            >>> w.start, w.end, w.phrase  # doctest: +SKIP
            (datetime.date(2023, 10, 2), datetime.date(2023, 10, 5), 'this week')
        """
        return self.searcher.time_window(question, as_of or date.today())

    def retriever(self, k: int | None = None, filters: Filters = NO_FILTERS) -> HybridRetriever:
        """The hybrid search as a LangChain retriever."""
        return HybridRetriever(searcher=self.searcher, k=self._k(k), filters=filters)

    def _k(self, k: int | None) -> int:
        """The passages a call asks for, within the settings' bounds (None: the setting)."""
        if k is None:
            return self.settings.retrieval.k
        if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= MAX_K:
            raise ConfigError(f"k must be a whole number from 1 to {MAX_K}, not {k!r}")
        return k

    def ask(
        self,
        question: str,
        history: Sequence[Turn] = (),
        *,
        k: int | None = None,
        sources: Iterable[str] = (),
        date_from: date | None = None,
        date_to: date | None = None,
        as_of: date | None = None,
    ) -> Answer:
        """Answer a question from the stored articles, citing passages ``[n]``.

        Args:
            question: the question; a follow-up is understood through ``history``.
            history: earlier turns of the conversation, oldest first.
            k, sources, date_from, date_to, as_of: as for :meth:`search`.

        Returns:
            An Answer; its ``window`` is the days the question's time words named. When
            the articles do not hold the answer its text is the fixed reply
            ``CANNOT_ANSWER`` (``refused=True``) and its passages are the closest.

        Raises:
            ConfigError: k is outside 1..50.
            BackendError: the chat model's server failed or could not be reached.
        """
        return self.chain.invoke(
            question,
            history,
            filters=Filters(tuple(sources), date_from, date_to),
            k=self._k(k),
            as_of=as_of or date.today(),
        )

    def stream(
        self,
        question: str,
        history: Sequence[Turn] = (),
        *,
        k: int | None = None,
        sources: Iterable[str] = (),
        date_from: date | None = None,
        date_to: date | None = None,
        as_of: date | None = None,
    ) -> Iterator[Event]:
        """Like :meth:`ask`, as events: ``Passages``, then ``Token``s, then the ``Answer``."""
        yield from self.chain.stream(
            question,
            history,
            filters=Filters(tuple(sources), date_from, date_to),
            k=self._k(k),
            as_of=as_of or date.today(),
        )

    def evaluate(
        self,
        questions: str | Path,
        out: str | Path,
        *,
        limit: int | None = None,
        progress: bool = True,
        workers: int = 1,
        as_of: date | None = None,
    ) -> RunResult:
        """Run a question set and score it; results go to ``out/results.jsonl`` as they come.

        Args:
            questions: a JSON Lines or CSV file with ``question`` and optionally ``id``,
                ``answers``, ``gold_ids``, ``answerable``.
            out: the run folder; a run interrupted there resumes where it stopped.
            limit: only the first N questions.
            progress: a progress bar with ETA on the terminal.
            workers: questions answered at once, for backends on servers (the results
                and their order are those of one worker). The ``local`` backend answers
                one at a time whatever this says.
            as_of: the day a question without its own ``asked_on`` (or ``question_date``)
                is asked on, which its time words count from (default: today).

        Returns:
            A RunResult with every record, the summary metrics and any bad rows.

        Example:
            >>> run = bot.evaluate("questions.jsonl", "runs/baseline")  # doctest: +SKIP
            >>> run.summary["hit@5"], run.summary["f1"]  # doctest: +SKIP
        """
        items, bad = load_questions(Path(questions))
        items = items[:limit] if limit else items
        folder = Path(out)
        done = len(read_results(folder)) if (folder / "results.jsonl").exists() else 0
        with _progress_bar(
            len(items),
            enabled=progress,
            unit="question",
            desc="Evaluating",
            initial=min(done, len(items)),
            minimum=1,
        ) as bar:
            return run_evaluation(
                self,
                items,
                folder,
                progress=bar.update,
                bad_rows=bad,
                workers=workers,
                as_of=as_of,
            )


def _embedder(s: Settings) -> TextEmbedder:
    """The profile's packaged model, or the embedding server's when one is set."""
    if s.embeddings is None:
        return SentenceEmbedder(
            PROFILES[s.profile], batch_size=s.embed_batch_size, model_dir=s.model_dir
        )
    if not s.embeddings_base_url:
        raise ConfigError(
            f"embeddings {s.embeddings} come from a server: set NEWSDESK_EMBEDDINGS_BASE_URL "
            "to its API root, e.g. http://127.0.0.1:8080/v1"
        )
    key = s.embeddings_api_key
    return RemoteEmbedder(
        s.embeddings,
        base_url=s.embeddings_base_url,
        batch_size=s.embed_batch_size,
        timeout=s.embeddings_timeout,
        api_key=key.get_secret_value() if key else None,
    )


def _recorded_profile(s: Settings) -> str | None:
    """The embedding profile the settings' collection was built with; None when there is
    no such collection yet or it cannot be read now (the store says why on first use)."""
    if not s.chroma_host and not (Path(s.data_dir) / "chroma.sqlite3").is_file():
        return None  # no embedded store: nothing to read, and no folder made for it
    embedder = SentenceEmbedder(PROFILES[s.profile])  # loads no model
    store = ChunkStore(
        embedder=embedder,
        data_dir=s.data_dir,
        chroma_host=s.chroma_host,
        collection=s.collection,
        build_params={},
    )
    try:
        collection = store.client.get_collection(
            s.collection, embedding_function=chroma_function(embedder)
        )
    except Exception:  # absent, or a store that cannot be opened: its error comes on use
        return None
    profile = (collection.metadata or {}).get("profile")
    return profile if profile in PROFILES else None


class _NoBar:
    def update(self, n: int = 1) -> None:
        pass

    def __enter__(self) -> _NoBar:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


def _progress_bar(
    total: int,
    *,
    enabled: bool,
    unit: str = "chunk",
    desc: str = "Embedding",
    initial: int = 0,
    minimum: int = 200,
) -> Any:
    """A tqdm bar with ETA on stderr for runs long enough to want one (hidden off a tty)."""
    if not enabled or total < minimum:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, unit=unit, desc=desc, initial=initial, disable=None)
