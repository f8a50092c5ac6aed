"""The Chroma store: one collection of chunks, embedded or on a ``chroma run`` server.

Each chunk is one Chroma record with id ``ARTICLE_ID#INDEX``. Writes are upserts, so
writing the same chunk twice changes nothing. An article counts as stored once its chunk
0 is there: the writer puts chunk 0 of each article last, so a run killed half-way leaves
no article that looks complete but is not, and the next run finishes it.

The collection's metadata records the embedding model and chunking it was built with;
opening it with others is a :class:`CollectionMismatch` that says how to rebuild.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assistant.errors import CollectionMismatch, StoreError
from assistant.models.offline import ensure_offline
from assistant.store.embedder import TextEmbedder, chroma_function
from assistant.types import StoredArticle
from ingest.documents import Chunk

SCHEMA = 1  # bump when the record layout changes; old collections must be rebuilt
# Records per upsert; the embedded store refuses batches over about 5,000.
_UPSERT_BATCH = 1000


def chunk_metadata(chunk: Chunk, chunk_count: int) -> dict[str, str | int]:
    """Flat metadata for a Chroma record (Chroma stores no None or nested values)."""
    return {
        "article_id": chunk.article_id,
        "index": chunk.index,
        "start": chunk.start,
        "end": chunk.end,
        "title": chunk.title,
        "url": chunk.url,
        "published": chunk.published,
        # YYYYMMDD as a number, so Chroma can filter a date range with $gte/$lte
        "published_day": int(chunk.published[:10].replace("-", "") or 0)
        if chunk.published[:10].replace("-", "").isdigit()
        else 0,
        "source": chunk.source,
        "author": chunk.author,
        "article_hash": chunk.article_hash,
        "chunk_count": chunk_count,
    }


def with_context(text: str, *, title: str = "", source: str = "", published: str = "") -> str:
    """A chunk as BM25 indexes it: its article's title, source and date, then itself.

    The passage shown and cited stays the article's own text; the context lets a chunk
    that never names its subject ("He said ...") be found by the article's title or
    outlet. Dense vectors are of the chunk alone: with MiniLM on multihop-rag-500, whose
    chunks are single sentences, a title ahead of the chunk cut dense MRR@10 from 0.817
    to 0.765, while BM25's rose from 0.835 to 0.897 (benchmarks/tune_fusion.py).
    """
    head = " · ".join(x for x in (title, source, published) if x)
    return f"{head}\n\n{text}" if head else text


class ChunkStore:
    """A Chroma collection of chunks with the embedder that fills it."""

    def __init__(
        self,
        *,
        embedder: TextEmbedder,
        data_dir: Path,
        chroma_host: str | None = None,
        collection: str = "articles",
        build_params: dict[str, str | int],
        context: bool = True,
    ) -> None:
        self.embedder = embedder
        self.data_dir = Path(data_dir)
        self.chroma_host = chroma_host
        self.collection_name = collection
        self.context = context  # for BM25 only; the vectors are of the chunk text alone
        self.build_params = {"embedding_model": embedder.model_name, **build_params}
        self._client: Any = None
        self._collection: Any = None

    # -- opening -------------------------------------------------------------------------

    @property
    def location(self) -> str:
        """Where the store lives, for messages and stats."""
        return f"chroma://{self.chroma_host}" if self.chroma_host else str(self.data_dir)

    @property
    def client(self) -> Any:
        if self._client is None:
            ensure_offline()
            import chromadb
            from chromadb.config import Settings as ChromaSettings

            settings = ChromaSettings(anonymized_telemetry=False)
            try:
                if self.chroma_host:
                    host, _, port = self.chroma_host.rpartition(":")
                    self._client = chromadb.HttpClient(host=host, port=int(port), settings=settings)
                    self._client.heartbeat()
                else:
                    self.data_dir.mkdir(parents=True, exist_ok=True)
                    self._client = chromadb.PersistentClient(
                        path=str(self.data_dir), settings=settings
                    )
            except Exception as exc:  # chromadb raises many kinds; all mean "cannot open"
                if self.chroma_host:
                    raise StoreError(
                        f"cannot reach the Chroma server at {self.chroma_host} ({exc}); "
                        "start one with `chroma run --path DIR --host 127.0.0.1 --port PORT` "
                        "or unset NEWSDESK_CHROMA_HOST to use the embedded store"
                    ) from exc
                raise StoreError(
                    f"cannot open the Chroma store in {self.data_dir} ({exc}); check the "
                    "folder is writable, or choose another with --data-dir"
                ) from exc
        return self._client

    @property
    def collection(self) -> Any:
        if self._collection is None:
            metadata = {"newsdesk_schema": SCHEMA, **self.build_params, "revision": 0}
            collection = self.client.get_or_create_collection(
                name=self.collection_name,
                metadata=metadata,
                configuration={"hnsw": {"space": "cosine"}},
                embedding_function=chroma_function(self.embedder),
            )
            self._check_build(collection)
            self._collection = collection
        return self._collection

    def _check_build(self, collection: Any) -> None:
        recorded = dict(collection.metadata or {})
        wanted = {"newsdesk_schema": SCHEMA, **self.build_params}
        diffs = [
            f"{key}={recorded.get(key)!r} (asked for {value!r})"
            for key, value in wanted.items()
            if recorded.get(key) != value
        ]
        if diffs and collection.count() > 0:
            hint = ""
            model = str(recorded.get("embedding_model", ""))
            if model != self.build_params["embedding_model"] and model.startswith("openai:"):
                hint = (
                    f"open it with NEWSDESK_EMBEDDINGS={model} and its server's "
                    "NEWSDESK_EMBEDDINGS_BASE_URL, or "
                )
            elif recorded.get("profile") in ("fast", "accurate"):
                remote = ":" in self.embedder.model_name
                unset = "unset NEWSDESK_EMBEDDINGS and " if remote else ""
                hint = f"{unset}open it with --profile {recorded['profile']}, or "
            raise CollectionMismatch(
                f"the collection {self.collection_name!r} in {self.location} was built with "
                f"{', '.join(diffs)}; {hint}rebuild it with `newsdesk ingest --rebuild "
                "PATH...`, or use another --data-dir"
            )

    def reset(self) -> None:
        """Delete the collection and everything in it; the next use creates it anew."""
        with contextlib.suppress(Exception):  # absent already: nothing to delete
            self.client.delete_collection(self.collection_name)
        self._collection = None

    def _reopened(self) -> Any:
        """The collection as it is now, opened by name. Another process's rebuild
        (``newsdesk ingest --rebuild`` while the page runs) deletes the collection this
        handle points at and makes a new one under the same name; once a handle was open,
        a missing collection is not made anew here, so the rebuild's profile stands."""
        from chromadb.errors import NotFoundError

        try:
            fresh = self.client.get_collection(
                self.collection_name, embedding_function=chroma_function(self.embedder)
            )
        except NotFoundError as exc:
            if self._collection is None:  # never opened here: a new store, made as usual
                return self.collection
            raise StoreError(
                f"the collection {self.collection_name!r} in {self.location} is gone: "
                "deleted, or being rebuilt by another process; ask again when the rebuild "
                "is done, or run `newsdesk ingest` to start a new one"
            ) from exc
        if self._collection is None or fresh.id != self._collection.id:
            self._check_build(fresh)
            self._collection = fresh
        return fresh

    def _read(self, method: str, **kwargs: Any) -> Any:
        """``collection.method(**kwargs)``, once more on the current collection if another
        process replaced the one this handle points at."""
        from chromadb.errors import NotFoundError

        try:
            return getattr(self.collection, method)(**kwargs)
        except NotFoundError:
            return getattr(self._reopened(), method)(**kwargs)

    # -- reading -------------------------------------------------------------------------

    @property
    def revision(self) -> int:
        """A counter bumped by every write, so readers know when to rebuild their indexes."""
        return int((self._reopened().metadata or {}).get("revision", 0))

    def count(self) -> int:
        """Number of chunks stored."""
        return int(self._read("count"))

    def stored_hashes(self, article_ids: Sequence[str]) -> dict[str, str]:
        """Content hash of each of these articles that is stored complete."""
        found: dict[str, str] = {}
        ids = list(dict.fromkeys(article_ids))
        for start in range(0, len(ids), 1000):
            batch = [f"{aid}#0" for aid in ids[start : start + 1000]]
            got = self._read("get", ids=batch, include=["metadatas"])
            for meta in got["metadatas"]:
                found[str(meta["article_id"])] = str(meta["article_hash"])
        return found

    def articles(self) -> list[StoredArticle]:
        """Every complete article, newest first."""
        got = self._read("get", where={"index": 0}, include=["metadatas"])
        articles = [
            StoredArticle(
                id=str(m["article_id"]),
                title=str(m["title"]),
                url=str(m["url"]),
                published=str(m["published"]),
                source=str(m["source"]),
                author=str(m["author"]),
                chunks=int(m["chunk_count"]),
                content_hash=str(m["article_hash"]),
            )
            for m in got["metadatas"]
        ]
        return sorted(articles, key=lambda a: (a.published, a.title), reverse=True)

    def all_chunks(self, page: int = 5000) -> tuple[list[str], list[str], list[dict[str, Any]]]:
        """Ids, texts and metadata of every chunk, read in pages."""
        ids: list[str] = []
        texts: list[str] = []
        metas: list[dict[str, Any]] = []
        total = self.count()
        for offset in range(0, total, page):
            got = self._read("get", include=["documents", "metadatas"], limit=page, offset=offset)
            ids.extend(got["ids"])
            texts.extend(got["documents"])
            metas.extend(dict(m) for m in got["metadatas"])
        return ids, texts, metas

    def dense_query(
        self, vector: Sequence[float] | np.ndarray, n: int, where: dict[str, Any] | None
    ) -> list[tuple[str, str, dict[str, Any], float]]:
        """The n nearest chunks as (id, text, metadata, cosine similarity).

        Chroma returns fewer when it holds fewer (none from an empty collection), so the
        store is not counted first: at 100,000 chunks that count cost a quarter of a search.
        """
        got = self._read(
            "query",
            query_embeddings=np.asarray([vector], dtype=np.float32),
            n_results=n,
            where=where or None,
            include=["documents", "metadatas", "distances"],
        )
        return [
            (cid, doc, dict(meta), 1.0 - float(dist))
            for cid, doc, meta, dist in zip(
                got["ids"][0],
                got["documents"][0],
                got["metadatas"][0],
                got["distances"][0],
                strict=True,
            )
        ]

    # -- writing -------------------------------------------------------------------------

    def write(
        self,
        chunks: Sequence[Chunk],
        *,
        batch_size: int = 64,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Embed and upsert chunks, each article's chunk 0 last; returns chunks written.

        Replacing an article never deletes it first. Its new chunks are all embedded
        before any is written (embedding is the slow part, and where a crash or a kill
        is likely), then upserted over the old ones with chunk 0 last, and only then are
        the old chunks that the new version no longer has deleted, so an article that
        shrank keeps no stale tail. A failure while embedding leaves the old version
        whole. Embedding still runs ``batch_size`` chunks at a time across articles;
        only the vectors of the article being embedded wait in memory.

        Writes go to the collection as it is now (reopened first), so a page that
        outlived another process's rebuild adds to the new collection.
        """
        if not chunks:
            return 0
        by_article: dict[str, list[Chunk]] = {}
        for chunk in chunks:
            by_article.setdefault(chunk.article_id, []).append(chunk)
        # Article by article, chunk 0 last within each, so articles finish in turn.
        ordered = [
            c
            for group in by_article.values()
            for c in sorted(group, key=lambda c: (c.index == 0, c.index))
        ]
        last_of_article = {c.article_id: i for i, c in enumerate(ordered)}
        self._reopened()
        vectors: list[np.ndarray] = []
        written = 0
        try:
            for start in range(0, len(ordered), batch_size):
                batch = ordered[start : start + batch_size]
                vectors.extend(self.embedder.encode([c.text for c in batch]))
                # The articles whose every chunk now has its vector are written.
                ready = 0
                while written + ready < len(vectors):
                    end = last_of_article[ordered[written + ready].article_id] + 1
                    if end > len(vectors):
                        break
                    ready = end - written
                if ready:
                    done = ordered[written : written + ready]
                    self._replace(done, vectors[written : written + ready], by_article)
                    vectors[written : written + ready] = [np.empty(0)] * ready  # free them
                    written += ready
                    if progress:
                        progress(ready)
        finally:
            if written:
                self._bump_revision()
        return written

    def _replace(
        self, chunks: list[Chunk], vectors: list[np.ndarray], by_article: dict[str, list[Chunk]]
    ) -> None:
        """Upsert whole articles, chunk 0 of each after all the others; then delete the
        chunks of those articles that the new versions no longer have."""
        order = sorted(range(len(chunks)), key=lambda i: chunks[i].index == 0)  # stable
        for start in range(0, len(order), _UPSERT_BATCH):
            picked = order[start : start + _UPSERT_BATCH]
            batch = [chunks[i] for i in picked]
            self.collection.upsert(
                ids=[c.id for c in batch],
                documents=[c.text for c in batch],
                embeddings=np.asarray([vectors[i] for i in picked], dtype=np.float32),
                metadatas=[chunk_metadata(c, len(by_article[c.article_id])) for c in batch],
            )
        article_ids = list(dict.fromkeys(c.article_id for c in chunks))
        kept = {c.id for c in chunks}
        for start in range(0, len(article_ids), 500):
            got = self.collection.get(
                where={"article_id": {"$in": article_ids[start : start + 500]}}, include=[]
            )
            stale = [cid for cid in got["ids"] if cid not in kept]
            if stale:
                self.collection.delete(ids=stale)

    def delete_articles(self, article_ids: Iterable[str]) -> None:
        """Remove every chunk of these articles (complete or not)."""
        ids = list(article_ids)
        if ids:
            self._reopened()
        for start in range(0, len(ids), 500):
            self.collection.delete(where={"article_id": {"$in": ids[start : start + 500]}})
        if ids:
            self._bump_revision()

    def _bump_revision(self) -> None:
        metadata = dict(self.collection.metadata or {})
        # A clock-based revision stays increasing across processes that write in turn.
        metadata["revision"] = max(int(metadata.get("revision", 0)) + 1, time.time_ns() // 1000)
        self.collection.modify(metadata=metadata)
