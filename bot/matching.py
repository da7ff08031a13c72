"""Map what staff type to power items: names, aliases and free descriptions.

Three signals, computed over the item's name, aliases and situation keywords:

* alias hits — an alias written verbatim in the question (the strongest
  evidence; a longer alias beats a shorter one it contains);
* term coverage — the share of the question's informative terms (jieba words
  and character bigrams, weighted by inverse document frequency) that the
  item's vocabulary explains. Terms the knowledge base has never seen weigh
  the most, so a question about a matter the base does not hold (采矿许可证)
  stays below the threshold instead of landing on the nearest guess;
* situation keywords — words of a described situation (饭馆, 黑烟, 排风口);
  at least two distinct ones, weighted by how specific they are, must occur.

Questions and the items' vocabulary are compared in the canonical words of the domain
thesaurus (knowledge/thesaurus.yaml). Whether to answer, offer options or say unknown is
decided by thresholds calibrated on the development split (bot.semantic); the options are
ordered with the learned signals — the sentence embedding (bot.semantic) and the character
n-gram classifier (bot.ngram) — which also feed the confidence model (bot.confidence).
"""

from __future__ import annotations

import math
import re
import threading
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from bot import confidence, semantic
from bot.config import settings
from bot.evidence import NAME_WORDS_EVIDENCE, NAME_WORDS_SCORE, Evidence
from bot.kb.law_library import LAWS_DIR
from bot.kb.legal import load_laws
from bot.kb.types import ItemInfo, Knowledge
from bot.ngram import NgramIndex
from bot.phrases import Phrases
from bot.question_words import (
    NAME_CORE_MIN,
    PUNCT_RE,
    adjusted_score,
    asks_for,
    clean_question,
    conflicts,
    name_core,
    type_hint,
)
from bot.retrieval import TermPostings, fresh_tokenizer

MAX_OPTIONS = 4
OPTIONS_WHEN_THIN = 3  # offered when only the confidence model finds the best candidates likely
_NEGATED = re.compile(r"没|未|无|不办|不申请|不报")  # 没办许可证就… asks about the penalty
_LICENCE_WORDS = ("许可", "执照")
_LICENCE_NAME_MAX = 12  # characters before 许可/执照 looked at
_ACTION_CHARS = frozenset("核发颁办理申请领取得换补验审批查没有未无不的是能否可以要需须该应当依法")  # 核发|乡村建设…


@dataclass(frozen=True)
class Candidate:
    item: ItemInfo
    score: float
    evidence: str  # the alias or terms that matched
    kind: str = "terms"  # name / alias / terms / keywords: which signal gave the score


@dataclass(frozen=True)
class MatterMatch:
    """The outcome of matching: one item, several to choose from, or none."""

    candidates: tuple[Candidate, ...]  # best first, all above the threshold
    tentative: bool = False  # the best is likely but not sure enough to answer: ask first

    @property
    def item(self) -> ItemInfo | None:
        return self.candidates[0].item if len(self.candidates) == 1 and not self.tentative else None

    @property
    def ambiguous(self) -> bool:
        return len(self.candidates) > 1 or (self.tentative and bool(self.candidates))

    @property
    def unknown(self) -> bool:
        return not self.candidates


class MatterIndex:
    def __init__(self, knowledge: Knowledge, embeddings: bool = True):
        self.items = list(knowledge.items.values())
        self.position = {item.code: i for i, item in enumerate(self.items)}
        self.semantic = semantic.SemanticIndex.build(knowledge) if embeddings else None
        self.ngram = NgramIndex.build(knowledge) if self.semantic is not None else None
        laws = load_laws(settings().knowledge_dir / LAWS_DIR)
        articles = [text for law in laws.values() for text in law.articles.values()]
        self.licences = licence_names([*articles, *(t for item in self.items for t in (item.name, *item.aliases))])
        self.thesaurus = knowledge.thesaurus
        self.tokenizer = fresh_tokenizer()
        self._lock = threading.Lock()
        with self._lock:
            for item in self.items:
                for alias in item.aliases:
                    self.tokenizer.add_word(alias, freq=2000)
            for word in self.thesaurus.words:
                if len(word) >= 2:
                    self.tokenizer.add_word(word, freq=2000)
        alias_items: dict[str, list[int]] = {}
        keyword_items: dict[str, list[int]] = {}
        self.postings: dict[str, list[int]] = {}  # term -> items whose vocabulary has it
        for index, item in enumerate(self.items):
            terms: set[str] = set()
            for text in self.with_canonical((item.name, *item.aliases)):
                terms |= self.terms(text)
            for term in terms:
                self.postings.setdefault(term, []).append(index)
            for alias in self.with_canonical(item.aliases):
                if len(alias) >= 2 and index not in alias_items.get(alias, ()):
                    alias_items.setdefault(alias, []).append(index)
            for word in self.with_canonical(item.keywords):
                if index not in keyword_items.get(word, ()):
                    keyword_items.setdefault(word, []).append(index)
        n = max(1, len(self.items))
        self.idf = {t: math.log(1 + n / len(ix)) for t, ix in self.postings.items()}
        self.unseen_idf = math.log(1 + n / 0.5)
        self.retrieval = TermPostings(self.postings, [item.code for item in self.items])
        # Formal names copied from a list win outright; so does a long core of one.
        name_items: dict[str, list[int]] = {}
        for index, item in enumerate(self.items):
            full = PUNCT_RE.sub("", item.name)
            core = name_core(item.name)
            for text in {full, core} if len(core) >= NAME_CORE_MIN else {full}:
                name_items.setdefault(text, []).append(index)
        self.name_phrases = Phrases(name_items)
        with self._lock:
            name_words = [self.tokenizer.lcut(name_core(item.name)) for item in self.items]
        plain = fresh_tokenizer()  # aliases cut by the default dictionary, not into themselves
        alias_words = {alias: plain.lcut(alias, HMM=False) for alias in alias_items}
        self.evidence = Evidence(self.items, Phrases(alias_items), Phrases(keyword_items), name_words, alias_words)

    def canonical(self, text: str) -> str:
        """``text`` with the thesaurus's words in canonical form (随便扔 → 乱倾倒)."""
        if not self.thesaurus.groups:
            return text
        with self._lock:
            tokens = self.tokenizer.lcut(text)
        return self.thesaurus.canonical_tokens(tokens)

    def with_canonical(self, texts: tuple[str, ...]) -> list[str]:
        """The texts and, where it differs, each one's canonical form."""
        out = list(texts)
        out.extend(c for c in (self.canonical(t) for t in texts) if c not in out)
        return out

    def terms(self, text: str) -> set[str]:
        text = PUNCT_RE.sub("", text)
        with self._lock:
            words = {w for w in self.tokenizer.lcut(text) if len(w) >= 2}
        bigrams = {text[i : i + 2] for i in range(len(text) - 1)}
        return words | bigrams

    def rank(self, question: str) -> list[Candidate]:
        """Every item with any evidence, best first (no threshold): lexical and learned signals."""
        return self.with_semantic(question, self.lexical_rank(question))

    def lexical_rank(self, question: str) -> list[Candidate]:
        """Every item with lexical evidence, best first."""
        raw = PUNCT_RE.sub("", question)
        canonical = self.canonical(raw)
        query = clean_question(canonical)
        scores: dict[int, tuple[float, str, str]] = {}

        def offer(index: int, score: float, evidence: str, kind: str) -> None:
            if score > scores.get(index, (0.0, "", ""))[0]:
                scores[index] = (score, evidence, kind)

        # Aliases are looked for in the text as written: question words such
        # as 会/管 are also parts of names (居委会).
        for text in {raw, canonical}:
            for index, (score, alias) in self.evidence.alias_scores(text).items():
                offer(index, score, alias, "alias")
        q_terms = self.terms(query) if len(query) >= 2 else set()
        weights = {t: self.idf.get(t, self.unseen_idf) for t in q_terms}
        total = sum(weights.values())
        if total > 0:
            for index, terms in self.retrieval.shared(weights).items():
                # Capped below a verbatim alias: 乡村建设规划许可证 names the licence,
                # even though the penalty's long name contains the same words.
                coverage = 0.9 * sum(weights[t] for t in terms) / total
                offer(index, coverage, "、".join(sorted(terms, key=len, reverse=True)[:3]), "terms")
        for index, (score, words) in self.evidence.keyword_scores(canonical).items():
            offer(index, score, words, "keywords")
        for index in self.evidence.names_in_other_words(raw, canonical, scores):
            offer(index, NAME_WORDS_SCORE, NAME_WORDS_EVIDENCE, "alias")
        hint, wants = type_hint(question), asks_for(raw)
        if any(kind == "alias" and evidence.startswith("未取得") for _, evidence, kind in scores.values()):
            hint, wants = None, None  # a licence named as missing (没有X就建房) is not a request for it
        if wants is not None:
            # The matter was recognised by its other side: 广告牌……谁批 asks for the licence.
            # Only a phrase of the matter counts (an alias, situation words): not shared terms, and
            # not the item's own name, which names that side.
            for index, (score, evidence, kind) in list(scores.items()):
                side_phrase = kind in ("alias", "keywords") and evidence != NAME_WORDS_EVIDENCE
                if side_phrase and conflicts(self.items[index], wants):
                    for other in self.evidence.other_sides.get(index, ()):
                        offer(other, score, evidence, kind)
        return sorted(
            (
                Candidate(self.items[i], adjusted_score(s, self.items[i], hint, wants), e, k)
                for i, (s, e, k) in scores.items()
            ),
            key=lambda c: (-c.score, c.item.code),
        )

    def similarities(self, question: str) -> dict[str, float] | None:
        """Each item's embedding similarity to the question as written; None without embeddings."""
        plain = clean_question(question)
        if self.semantic is None or len(plain) < 2:
            return None
        return self.semantic.similarities(plain)

    def with_semantic(
        self,
        question: str,
        ranked: list[Candidate],
        similarity: dict[str, float] | None = None,
        ngram: dict[str, float] | None = None,
    ) -> list[Candidate]:
        """``ranked`` re-scored with the learned signals, plus the embedding's own shortlist
        (a matter described in words the lists never use); unchanged without embeddings."""
        similarity = similarity if similarity is not None else self.similarities(question)
        if similarity is None:
            return ranked
        ngram = ngram if ngram is not None else self.ngram_probabilities(question)
        seen = {c.item.code for c in ranked}
        extra = [
            Candidate(self.items[self.position[code]], 0.0, f"语义相近 {similarity[code]:.2f}", "semantic")
            for code in semantic.shortlist(similarity)
            if code not in seen
        ]
        return sorted(
            (
                replace(
                    c,
                    score=c.score
                    + semantic.boost(similarity[c.item.code])
                    + semantic.NGRAM_WEIGHT * ngram.get(c.item.code, 0.0),
                )
                for c in [*ranked, *extra]
            ),
            key=lambda c: (-c.score, c.item.code),
        )

    def ngram_probabilities(self, question: str) -> dict[str, float]:
        """The character n-gram classifier's probability of each item (empty without it)."""
        plain = clean_question(question)
        return self.ngram.probabilities(plain) if self.ngram is not None and len(plain) >= 2 else {}

    def match(self, question: str) -> MatterMatch:
        """Answer, offer options, or say unknown — by rules calibrated on the development split
        (``python -m bot.evaluation calibrate``) so that at most ~1% of answers are wrong.

        A formal item name wins outright; so does a clear lexical best (its own words are in the
        question). Otherwise both signals are combined and the confidence model
        (:mod:`bot.confidence`) decides whether their best is answered; when it is not, the close
        candidates are offered, or "unknown" said when there is hardly any lexical evidence.
        """
        named = self.named(question)
        if named:
            return MatterMatch(tuple(named))
        ranked = self.lexical_rank(question)
        if self.sure(question, ranked):
            return MatterMatch((ranked[0],))
        combined, row = self.combined(question, ranked)
        # A candidate only the embedding found (no word of the question is its) is never answered:
        # meta questions (这项权力什么时候下放的) resemble some item's texts, too.
        if (
            row is not None
            and combined[0].kind != "semantic"
            and confidence.answered(row)
            and not names_another_licence(combined[0].item, question, self.licences)
        ):
            return MatterMatch((combined[0],))
        # Nor is an item offered that holds a shorter licence than the one asked about.
        offered = [c for c in combined if not names_another_licence(c.item, question, self.licences)]
        if not ranked or ranked[0].score < semantic.CLARIFY:
            if row is not None and confidence.worth_options(row):
                return MatterMatch(tuple(offered[:OPTIONS_WHEN_THIN]))
            return MatterMatch(())
        top = combined[0].score
        options = [c for c in offered if c.score >= max(semantic.CLARIFY, top - semantic.OPTION_SPAN)]
        return MatterMatch(tuple(options[:MAX_OPTIONS]), tentative=len(options) == 1)

    def sure(self, question: str, ranked: list[Candidate]) -> bool:
        """The lexical best is answered outright: its own words are in the question, clearly ahead."""
        second = ranked[1].score if len(ranked) > 1 else 0.0
        return (
            bool(ranked)
            and semantic.confident(ranked[0].kind, ranked[0].score, second)
            and not conflicting(ranked[0].item, question)
        )

    def combined(self, question: str, ranked: list[Candidate]) -> tuple[list[Candidate], np.ndarray | None]:
        """Both signals' ranking, and the confidence features of its best (None without embeddings)."""
        return self.scored(question, ranked, self.similarities(question))

    def scored(
        self,
        question: str,
        ranked: list[Candidate],
        similarity: dict[str, float] | None,
        ngram: dict[str, float] | None = None,
    ) -> tuple[list[Candidate], np.ndarray | None]:
        """:meth:`combined` with the question's embedding similarities (and n-gram probabilities)
        already known."""
        ngram = ngram if ngram is not None else self.ngram_probabilities(question)
        combined = self.with_semantic(question, ranked, similarity, ngram)
        if similarity is None or not combined:
            return combined, None
        row = confidence.features(
            combined[0].item.code,
            [(c.item.code, c.score, c.kind, c.evidence) for c in ranked],
            similarity,
            [(c.item.code, c.score) for c in combined[:2]],
            conflicting(combined[0].item, question),
            ngram,
        )
        return combined, row

    def named(self, question: str) -> list[Candidate]:
        """Items whose formal name (or its long core) is written in the question.

        The longest name wins; names inside a longer one are not evidence of
        their own. Several items with the same longest name are all returned.
        """
        raw = PUNCT_RE.sub("", question)
        hits = self.name_phrases.find(raw)
        if not hits:
            return []
        longest = max(end - start for _, start, end in hits)
        if longest < NAME_CORE_MIN:
            return []
        indexes: list[int] = []
        for text, start, end in hits:
            if end - start == longest:
                indexes.extend(i for i in self.name_phrases.phrases[text] if i not in indexes)
        return [Candidate(self.items[i], 1.0, "事项名称", "name") for i in indexes[:MAX_OPTIONS]]

    def alias_spans(self, text: str) -> tuple[tuple[int, int], ...]:
        """Where matter aliases and formal item names occur in ``text`` (to keep unit names out of them)."""
        spans = [(start, end) for _, start, end in self.evidence.aliases.find(text)]
        spans += [(start, end) for _, start, end in self.name_phrases.find(text) if end - start >= NAME_CORE_MIN]
        return tuple(spans)


def conflicting(item: ItemInfo, question: str) -> bool:
    """An item of the other kind than the question asks for (审批 vs 处罚) is never answered outright.

    A penalty asked with permission words that are negated (没批就建) is what the question means.
    """
    negated_permission = item.power_type != "行政许可" and _NEGATED.search(question)
    return conflicts(item, asks_for(question)) and not negated_permission


def licence_names(texts: list[str]) -> frozenset[str]:
    """Every ending of the text before each 许可/执照 in ``texts``, with the word (用地规划许可,
    建设用地规划许可, …): the names of licences as the laws and the lists write them."""
    names: set[str] = set()
    for text in texts:
        for word in _LICENCE_WORDS:
            start = text.find(word)
            while start >= 0:
                end = start + len(word)
                names.update(text[max(0, start - k) : end] for k in range(1, _LICENCE_NAME_MAX + 1) if k <= start)
                start = text.find(word, end)
    return frozenset(names)


def names_another_licence(item: ItemInfo, question: str, known: frozenset[str]) -> bool:
    """The question names a licence by a longer name than any the item's texts have (建设用地规划许可证
    is not the item's 乡村建设规划许可证): the model's guess is then a different matter, not answered.

    ``known`` is :func:`licence_names` of the laws and the lists: a name counts only as far as they
    write it, so 没办|乡村建设规划许可证 is the item's licence, not a longer one, and words of
    doing (核发乡村建设规划许可证) do not make a name longer.
    """
    text = PUNCT_RE.sub("", question)
    own = (item.name, *item.aliases, *item.situations)
    for word in _LICENCE_WORDS:
        start = text.find(word)
        while start >= 0:
            end = start + len(word)
            lengths = range(1, min(start, _LICENCE_NAME_MAX) + 1)
            named = max((k for k in lengths if text[start - k : end] in known), default=0)
            ours = max((k for k in lengths if any(text[start - k : end] in t for t in own)), default=0)
            if named > ours and not set(text[start - named : start - ours]) <= _ACTION_CHARS:
                return True
            start = text.find(word, end)
    return False


@lru_cache(maxsize=4)
def matter_index(knowledge: Knowledge) -> MatterIndex:
    return MatterIndex(knowledge)


def likely_matters(knowledge: Knowledge, text: str, floor: float = 0.3) -> list[ItemInfo]:
    """Items with some evidence, best first, even below the answer threshold (for suggestions)."""
    return [c.item for c in matter_index(knowledge).rank(text) if c.score >= floor]


def matter_spans(knowledge: Knowledge, text: str) -> tuple[tuple[int, int], ...]:
    return matter_index(knowledge).alias_spans(text)


def match_matter(knowledge: Knowledge, text: str) -> MatterMatch:
    """Match the matter a question is about. ``text`` should not contain the unit name."""
    return matter_index(knowledge).match(text)
