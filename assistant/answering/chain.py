"""The answer chain: condense → retrieve → number passages → prompt → model → citations.

Built from LangChain parts: the prompts are ``ChatPromptTemplate``s over the files in
``prompts/``, the model is any ``BaseChatModel`` (see :mod:`assistant.backends`), and the
retriever is the hybrid search. The ``extractive`` backend takes the same path with the
model step replaced by :mod:`assistant.answering.extractive`.

Events from :meth:`AnswerChain.stream`, in order: one ``Passages`` as soon as retrieval is
done, then ``Token``s as the model writes, then one final ``Answer``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate

from assistant.answering import prompts
from assistant.answering.citations import (
    CANNOT_ANSWER,
    citations_for,
    drop_phantom_claims,
    resolve_citations,
)
from assistant.answering.context import (
    bounded_history,
    diversify,
    format_passages,
    select_sentences,
    stands_alone,
    within_budget,
)
from assistant.answering.extractive import Extract, compose, pick_sentences, relevance
from assistant.answering.guards import PROMPT_RUN, check_question, drop_links, word_runs
from assistant.answering.other_names import other_name
from assistant.answering.sentences import content_words
from assistant.answering.short import (
    as_written,
    check_short,
    clean_short,
    drop_restatements,
    first_part,
    is_yes_no,
    join_short,
    past_headline,
    plain_sentences,
    supporting_sentence,
)
from assistant.answering.unfinished import drop_unfinished
from assistant.answering.verify import (
    DETERMINISTIC,
    NOTHING_REMOVED,
    ModelJudge,
    Verdict,
    Verifier,
    checks_before,
    read_prefix,
    verify_answer,
)
from assistant.retrieval.search import HybridSearcher
from assistant.store.embedder import TextEmbedder
from assistant.types import (
    NO_FILTERS,
    Answer,
    Citation,
    Event,
    Filters,
    Passage,
    Passages,
    RemovedClaim,
    TimeWindow,
    Token,
    Turn,
)

# Extractive score (see assistant.answering.extractive) above which a passage sentence answers the
# question plainly: "Who disputed the withdrawal?" scores 0.51 on the sample article, the
# unrelated "Who won the 2018 World Cup?" 0.09.
QUOTE_FALLBACK = 0.45
# Below this, no cited sentence of a model's answer is about the question, and the answer
# is refused: for "Who disputed the withdrawal?" the White House's sentences on the sample
# score 0.25 and 0.29; for "Who won the 2018 World Cup?" its sentences score under 0.03.
# The question's words are compared as stems here: "The proposal, put forward by Dana
# Whitfield, ..." is about "Who proposed closing the libraries?" (0.13 as words, 0.23 as
# stems); no recorded answer of the three evaluation sets changed (docs/benchmarks.md).
MIN_RELEVANCE = 0.15

_REFUSAL = re.compile(r"articles? (?:do(?:n['’]t| not)|does(?:n['’]t| not)) say", re.I)


def example_words(condense: str) -> set[str]:
    r"""The words a rewrite took from the rewrite prompt's worked example, not from the
    conversation: those its example's standalone questions add to its last questions
    ("bridge", "mayor"), beyond the words of the prompt's instructions.

    Example:
        >>> sorted(example_words(
        ...     "Rewrite it.\nExample.\nLast question: And the owners?\n"
        ...     "Standalone question: What did the owners say of the bridge?\n"
        ...     "Conversation:\n{history}"))
        ['bridge', 'say']
    """
    example = condense.partition("Example.")[2].partition("{history}")[0]
    lines = example.splitlines()
    asked = " ".join(x.partition(":")[2] for x in lines if x.startswith("Last question:"))
    rewritten = " ".join(x.partition(":")[2] for x in lines if x.startswith("Standalone question:"))
    instructions = condense.replace(example, "")
    return content_words(rewritten) - content_words(asked) - content_words(instructions)


@dataclass(frozen=True)
class Checked:
    """A reply as checked (:meth:`AnswerChain.check_reply`)."""

    text: str
    citations: tuple[Citation, ...]
    removed: tuple[RemovedClaim, ...]
    declined: bool  # the reply, its markers placed, is the refusal


class AnswerChain:
    """Answers a question (with its conversation) from the store, citing passages."""

    def __init__(
        self,
        searcher: HybridSearcher,
        embedder: TextEmbedder,
        *,
        backend: str,
        chat_model: BaseChatModel | None,
        k: int,
        passage_tokens: int,
        any_passage_tokens: int,
        sentence_floor: float,
        history_tokens: int,
        per_article: int,
        select: bool,
        verifiers: Sequence[Verifier] = (),
        reworded: ModelJudge | None = None,
        condense_model: BaseChatModel | None = None,
        retry_declines: bool = True,
    ) -> None:
        self.searcher = searcher
        self.embedder = embedder
        self.backend = backend
        self.chat_model = chat_model
        # What rewrites a follow-up: the chat model, or (in process) the same weights on
        # a context of its own, so the rewrite does not evict the answer prompt's cached
        # prefix and the follow-up's answer reads only its own passages.
        self.condense_model = condense_model or chat_model
        self.k = k
        self.passage_tokens = passage_tokens
        self.history_tokens = history_tokens
        self.per_article = per_article
        # A model is given the passages' sentences that bear on the question, within
        # passage_tokens, rather than whole passages (see select_sentences).
        self.select = select
        # Past any_passage_tokens, only sentences scoring sentence_floor of the best.
        self.any_passage_tokens = any_passage_tokens
        self.sentence_floor = sentence_floor
        # A model that declines though a passage sentence answers plainly is asked once
        # more to answer, in the same conversation (prompts/retry.txt).
        self.retry_declines = retry_declines
        # Checks of each claim after the always-on ones (the model as judge, an NLI
        # model), and the judge that reads again a claim in other words than its
        # passage's: see assistant.answering.verify.
        self.verifiers = (*checks_before(reworded), *verifiers)
        system = prompts.load("answer_system").replace("{cannot_answer}", CANNOT_ANSWER)
        self.prompt_runs = word_runs(system, PROMPT_RUN)
        self.answer_prompt = ChatPromptTemplate.from_messages(
            [
                ("system", system.replace("{", "{{").replace("}", "}}")),
                ("human", prompts.load("answer_user")),
            ]
        )
        self.short_requests = (prompts.load("short"), prompts.load("short_yes_no"))
        self.retry_request = prompts.load("retry")
        # Whether the model's cache holds the prefix (read_prefix): an in-process model
        # reads it before the first answer when the page's warm-up did not.
        self.prefix_read = False
        self.condense_prefix_read = False
        condense = prompts.load("condense")
        self.condense_prompt = ChatPromptTemplate.from_messages([("human", condense)])
        self.condense_instructions = condense.partition("{history}")[0]
        self.example_words = example_words(condense)

    # -- steps ---------------------------------------------------------------------------

    def condense(self, question: str, history: Sequence[Turn]) -> str:
        """A follow-up rewritten to stand alone, using the (token-bounded) history."""
        turns = bounded_history(history, self.history_tokens)
        if not turns or stands_alone(question):
            return question
        # Without a rewrite, the last question and this one are searched and asked together.
        joined = f"{turns[-1].question} {question}"
        if self.condense_model is None:  # extractive
            return joined
        if not self.condense_prefix_read:
            self.read_condense_prefix()
        text = "\n".join(f"User: {t.question}\nAssistant: {t.answer}" for t in turns)
        chain = self.condense_prompt | self.condense_model | StrOutputParser()
        rewritten = chain.invoke({"history": text, "question": question}).strip()
        rewritten = rewritten.splitlines()[0].strip() if rewritten else ""
        said = content_words(f"{text} {question}")
        if not rewritten or (content_words(rewritten) & self.example_words) - said:
            # Nothing, or words of the prompt's own example that the conversation never
            # used ("What did Zelensky say about the bridge?").
            return joined
        return rewritten

    def retrieve(
        self, question: str, filters: Filters, k: int | None, window: TimeWindow | None = None
    ) -> list[Passage]:
        """The passages the answer is written from: diverse; for a model shown whole
        passages, within the token budget. The budget is the model's prompt's: with
        sentence selection it is spent on their sentences (:func:`select_sentences`),
        and the extractive answerer, which has no prompt, reads all k."""
        k = k or self.k
        found = self.searcher.search(question, 3 * k, filters, window=window)
        chosen = diversify(found, k, self.per_article)
        if self.chat_model is None or self.select:
            return chosen
        return within_budget(chosen, self.passage_tokens)

    # -- answering -----------------------------------------------------------------------

    def stream(
        self,
        question: str,
        history: Sequence[Turn] = (),
        *,
        filters: Filters = NO_FILTERS,
        k: int | None = None,
        as_of: date | None = None,
    ) -> Iterator[Event]:
        """Passages first, then tokens as they come, then the checked Answer.

        ``as_of`` is the day the question is asked: its time words ("this week") name a
        window of days counted from it, which the search uses and the Answer records.
        None: time words are ordinary words.
        """
        question = check_question(question)
        timings: dict[str, float] = {}
        started = time.perf_counter()
        standalone = self.condense(question, history)
        timings["condense_s"] = time.perf_counter() - started
        step = time.perf_counter()
        window = self.searcher.time_window(standalone, as_of) if as_of else None
        passages = self.retrieve(standalone, filters, k, window)
        excerpts = None
        if passages and self.select and self.chat_model is not None:
            picked = select_sentences(
                standalone,
                passages,
                self.embedder,
                self.passage_tokens,
                any_tokens=self.any_passage_tokens,
                floor=self.sentence_floor,
            )
            passages, excerpts = [p for p, _ in picked], [x for _, x in picked]
        timings["retrieve_s"] = time.perf_counter() - step
        yield Passages(tuple(passages), standalone)

        step = time.perf_counter()
        short = ""
        plain: list[Extract] | None = None  # what a quote is made of, once worked out
        checked: Checked | None = None  # the reply as checked, once worked out
        if not passages:
            raw = CANNOT_ANSWER
        elif other_name(standalone, passages):
            # The question names one thing, the passages only another of its kind
            # ("Chicago Marathon", "Lakeshore Marathon"): nothing in them answers it, and
            # no sentence of theirs is quoted as if it did.
            raw, plain = CANNOT_ANSWER, []
        elif self.chat_model is None:
            raw = compose(pick_sentences(standalone, passages, self.embedder)) or CANNOT_ANSWER
            yield Token(raw)
        else:
            if not self.prefix_read and hasattr(self.chat_model, "read_prefix"):
                self.read_prefix()
            inputs = {"passages": format_passages(passages, excerpts), "question": standalone}
            conversation = self.answer_prompt.format_messages(**inputs)
            raw, cut = yield from self._stream_reply(conversation, started, timings)
            if _REFUSAL.search(raw):
                plain = self.plain_answers(standalone, passages)
            if plain and self.retry_declines:
                # Declined, though a passage sentence answers plainly: asked once more, in
                # the same conversation (read from the cache), the model may answer it;
                # what it writes is checked like any reply.
                request = self.retry_request.replace("{question}", standalone)
                conversation = [*conversation, AIMessage(raw), HumanMessage(request)]
                retry, retry_cut = yield from self._stream_reply(conversation, started, timings)
                if not _REFUSAL.search(retry):
                    raw, cut = retry, retry_cut
            if "first_token_s" not in timings:  # a decline, held back till now
                timings["first_token_s"] = time.perf_counter() - started
                yield Token(raw)
            # The reply is checked before its short answer is asked: a Yes or No stands
            # only over a sentence the checks keep, so when they keep none the model is
            # not asked for one.
            checked = self.check_reply(raw, standalone, passages, timings, cut=cut)
            short_step = time.perf_counter()
            if not _REFUSAL.search(raw):
                if checked.citations or not is_yes_no(standalone):
                    short = self.short_answer(inputs, raw, conversation=conversation)
            elif not is_yes_no(standalone) and plain:
                # Declined, though a passage sentence answers plainly (it would be quoted):
                # asked for only the answer, the model may still name it. That stands only
                # over a passage sentence that holds it (settle_short), so a question the
                # chain would refuse is still refused.
                short = self.short_answer(inputs, "")
            timings["short_s"] = time.perf_counter() - short_step
        if checked is None:
            checked = self.check_reply(raw, standalone, passages, timings)
        timings["generate_s"] = time.perf_counter() - step - timings.get("verify_s", 0.0)
        timings["total_s"] = time.perf_counter() - started
        answer = self.finish(
            question, checked, passages, timings, standalone, short=short, plain=plain
        )
        yield replace(answer, window=window)

    def _stream_reply(
        self, messages: list[BaseMessage], started: float, timings: dict[str, float]
    ) -> Generator[Token, None, tuple[str, bool]]:
        """The model's reply to ``messages``, its pieces yielded as they come, except a
        decline: pieces that may still be the start of it are held back, and it is
        never yielded (the answer that replaces it is). Returns the whole reply, and
        whether the model stopped at its length limit.

        Once the reply says the articles don't say, it is a decline whatever follows
        (:meth:`check_reply`): the model is stopped there, and the decline sentence it was
        writing is returned whole ("The articles don't say" as :data:`CANNOT_ANSWER`)."""
        text = ""
        shown = 0
        cut = False
        for piece in self.chat_model.stream(messages):  # type: ignore[union-attr]
            text += str(piece.content)
            meta = piece.response_metadata
            # llama.cpp and OpenAI-compatible servers say "finish_reason", Ollama "done_reason"
            cut = cut or "length" in (meta.get("finish_reason"), meta.get("done_reason"))
            if _REFUSAL.search(text):
                if CANNOT_ANSWER.startswith(text.strip()):
                    text = CANNOT_ANSWER
                break  # the rest, a full stop or more, is not written
            if shown or not CANNOT_ANSWER.startswith(text.lstrip()):
                if "first_token_s" not in timings:
                    timings["first_token_s"] = time.perf_counter() - started
                yield Token(text[shown:])
                shown = len(text)
        return text, cut

    def prefix_messages(self) -> list[BaseMessage]:
        """What every answer prompt starts with: the system prompt, then a stub question.

        llama.cpp re-reads only the tokens after the longest prefix a prompt shares with
        the one before, so reading these once (:meth:`warm_up`) spares the first question
        the system prompt's tokens.
        """
        system = self.answer_prompt.format_messages(passages="", question="")[0]
        return [system, HumanMessage("OK")]

    def read_prefix(self) -> None:
        """Read the fixed prompt prefix into the model's cache (:func:`read_prefix`)."""
        assert self.chat_model is not None
        read_prefix(self.chat_model, self.prefix_messages())
        self.prefix_read = True

    def read_condense_prefix(self) -> None:
        """Read the rewrite's instructions into the cache of its own context, when it has
        one (in process)."""
        model = self.condense_model
        if model is not None and model is not self.chat_model:
            read_prefix(model, [HumanMessage(self.condense_instructions)])
        self.condense_prefix_read = True

    def warm_up(self) -> None:
        """Load the chat model and read the fixed prompt prefixes into its caches (one
        token written each): the answer's, the follow-up rewrite's (so the first follow-up
        does not wait for its instructions), and the judge's, when there is one. For
        in-process models; a server backend would be sent a needless call."""
        if self.chat_model is not None:
            self.read_prefix()
            self.read_condense_prefix()
        for verifier in self.verifiers:
            # The judge of reworded claims is asked seldom: it reads its instructions on
            # its first call, not at start (docs/architecture.md).
            if isinstance(verifier, ModelJudge):
                verifier.warm_up()

    def short_answer(
        self,
        inputs: dict[str, str],
        reply: str,
        request: str = "",
        *,
        conversation: Sequence[BaseMessage] = (),
    ) -> str:
        """The model's answer as short as a headline, asked after its cited reply in the
        same conversation (see :mod:`assistant.answering.short`); one line. ``reply`` ""
        (the model declined): asked right after the passages and the question, so the
        decline is not in the conversation. ``request``: another request than
        ``prompts/short*.txt`` (for comparing requests)."""
        assert self.chat_model is not None
        request = request or self.short_requests[is_yes_no(inputs["question"])]
        messages = [
            *(conversation or self.answer_prompt.format_messages(**inputs)),
            *([AIMessage(reply)] if reply else []),
            HumanMessage(request.replace("{question}", inputs["question"])),
        ]
        line = ""
        for piece in self.chat_model.stream(messages, stop=["\n"]):
            line += str(piece.content)
            if past_headline(line):
                break  # too long to be a short answer already: the rest is not written
        return line.strip()

    def settle_short(
        self,
        short: str,
        question: str,
        text: str,
        citations: tuple[Citation, ...],
        passages: Sequence[Passage],
    ) -> tuple[str, str, tuple[Citation, ...], bool, tuple[RemovedClaim, ...]]:
        """The short answer kept, or "" and why not: ``(short, text, citations,
        quote_support, removed)``.

        Checked against the sentences that survived verification (:func:`check_short`);
        when verification removed them all, against the passage sentence that holds it
        and is about the question (:func:`supporting_sentence`), which then becomes the
        text, quoted. A short answer that lists more after a comma, and fails, is tried
        by its first part; the whole is listed as removed, with why.
        """
        alone = not citations or bool(_REFUSAL.search(text))
        failed: Verdict | None = None
        # The first part is cleaned as the whole was: one that only repeats the question
        # ("Zelensky." of "Zelensky, 3/3/2021." to what Zelensky said) answers nothing.
        cut = clean_short(first_part(short), question)
        for candidate in dict.fromkeys(x for x in (short, cut) if x):
            found = None
            if not alone:
                verdict = check_short(candidate, text, citations, question)
            elif candidate in ("Yes.", "No."):
                verdict = Verdict(False, "no checked sentence says it")
            else:
                found = supporting_sentence(
                    candidate, question, passages, self.embedder, min_score=MIN_RELEVANCE
                )
                verdict = (
                    self.judge_short(candidate, question, found.sentence)
                    if found
                    else Verdict(False, "no passage sentence about the question holds it")
                )
            if verdict.supported:
                dropped: tuple[RemovedClaim, ...] = ()
                if failed is not None:
                    reason = f"shortened to “{candidate}”: {failed.reason}"
                    dropped = (RemovedClaim(short, reason),)
                if found is not None:
                    text, citations = resolve_citations(compose([found]), passages)
                return candidate, text, citations, found is not None, dropped
            failed = failed or verdict
        assert failed is not None
        return "", text, citations, False, (RemovedClaim(short, failed.reason),)

    def check_reply(
        self,
        raw: str,
        question: str,
        passages: Sequence[Passage],
        timings: dict[str, float],
        *,
        cut: bool = False,
    ) -> Checked:
        """The model's reply with its links and made-up sources dropped and its markers
        placed; unless it declines, a sentence that breaks off removed
        (:func:`drop_unfinished`; ``cut``: the model stopped at its length limit), each
        other sentence verified against the passage it cites
        (:mod:`assistant.answering.verify`; what fails is listed, with why), and one that
        only repeats the question removed (:func:`drop_restatements`). Records the time
        the checks take as ``verify_s``."""
        text, citations = resolve_citations(
            drop_phantom_claims(drop_links(raw), passages), passages
        )
        removed = NOTHING_REMOVED
        declined = bool(_REFUSAL.search(text))
        if passages and not declined:
            # Every sentence is a claim, shown only when its cited passage supports it.
            step = time.perf_counter()
            text, unfinished = drop_unfinished(text, cut)
            text, removed = verify_answer(text, passages, self.verifiers)
            text, restated = drop_restatements(text, question)
            removed = (*unfinished, *removed, *restated)
            citations = citations_for(text, passages)
            timings["verify_s"] = time.perf_counter() - step
        return Checked(text, citations, removed, declined)

    def plain_answers(self, question: str, passages: Sequence[Passage]) -> list[Extract]:
        """The passage sentences that answer the question plainly, what a quote is made
        of: at most three of those most about it (the extractive score, at least
        ``QUOTE_FALLBACK``), page furniture left out, each giving what the question asks
        for (`short.answers_plainly`: a name to "who", a date to "when", a part saying
        all of a yes/no question)."""
        extracts = pick_sentences(
            question, list(passages), self.embedder, min_best=QUOTE_FALLBACK, max_sentences=10
        )
        return plain_sentences(question, extracts, passages)[:3]

    def judge_short(self, short: str, question: str, sentence: str) -> Verdict:
        """The checks after the deterministic ones (the model as judge, an NLI model) on
        the short answer as the reply to the question, against the sentence holding it;
        supported when there are none."""
        claim = f'The answer to "{question}" is: {short}'
        for verifier in self.verifiers[len(DETERMINISTIC) :]:
            verdict = verifier.check(claim, sentence)
            if not verdict.supported:
                return verdict
        return Verdict(True)

    def invoke(self, question: str, history: Sequence[Turn] = (), **kwargs: Any) -> Answer:
        """The final Answer of :meth:`stream`."""
        answer = None
        for event in self.stream(question, history, **kwargs):
            if isinstance(event, Answer):
                answer = event
        assert answer is not None
        return answer

    def finish(
        self,
        question: str,
        checked: Checked,
        passages: Sequence[Passage],
        timings: dict[str, float],
        standalone: str | None = None,
        *,
        short: str = "",
        plain: list[Extract] | None = None,
    ) -> Answer:
        """The Answer from the reply as checked (:meth:`check_reply`; what failed goes to
        ``Answer.removed``) and its short answer; an answer nothing supports, or one that
        recites the system prompt, becomes the refusal.

        When a model declines but one of the passages' own sentences answers the question
        plainly (the extractive score, at least ``QUOTE_FALLBACK``), the answer quotes
        those sentences instead: a 1.5B model declines now and then on the same passages
        it answered from a moment before (its cached prompt state changes the last digits
        of its scores), and a quoted, cited sentence is a better reply than none.
        ``plain``: those sentences when :meth:`stream` has already worked them out.
        """
        # The short answer is checked after the sentences that support it.
        short = clean_short(short, standalone or question)
        text, citations, removed = checked.text, checked.citations, checked.removed
        declined = checked.declined
        if word_runs(f"{short} {text}", PROMPT_RUN) & self.prompt_runs:
            # It recites its instructions: never shown.
            text, citations, short = CANNOT_ANSWER, (), ""
        if citations and self.chat_model is not None:
            # Cited, but about the question? A small model sometimes answers an
            # unanswerable question with a true but unrelated line of a passage.
            quotes = [c.quote for c in citations]
            fit = relevance(standalone or question, quotes, self.embedder, stemmed=True)
            if float(fit.max()) < MIN_RELEVANCE:
                text, citations = CANNOT_ANSWER, ()
        quote_support = False
        if short and (declined or text != CANNOT_ANSWER):
            step = time.perf_counter()
            short, text, citations, quote_support, dropped = self.settle_short(
                short, standalone or question, text, citations, passages
            )
            if not declined or quote_support:
                # After a decline the model's answer was the decline: a short answer
                # asked for then that no sentence holds was never offered as an answer.
                removed = (*removed, *dropped)
            short = as_written(short, [c.quote for c in citations])
            spent = time.perf_counter() - step
            timings["verify_s"] = timings.get("verify_s", 0.0) + spent
            timings["total_s"] = timings.get("total_s", 0.0) + spent
        else:
            short = ""
        # The answer as checked; a quote or the refusal below replaces its text.
        answer = Answer(
            question,
            join_short(short, text, quote_support=quote_support),
            citations,
            tuple(passages),
            self.backend,
            timings=timings,
            removed=removed,
            short=short,
            quote_support=quote_support,
            declined=declined,
        )
        if (_REFUSAL.search(text) or not citations) and self.chat_model is not None and passages:
            extracts = (
                plain if plain is not None else self.plain_answers(standalone or question, passages)
            )
            if extracts:
                text, citations = resolve_citations(drop_links(compose(extracts)), passages)
                return replace(answer, text=text, citations=citations, quoted=True, short="")
        if _REFUSAL.search(text) or not citations:
            return replace(answer, text=CANNOT_ANSWER, citations=(), refused=True, short="")
        return answer
