"""The matcher's third signal: whose texts a question's characters look like (naive Bayes).

The sentence embedding (:mod:`bot.semantic`) says which item's passages a question means; this
says which item's passages it is written like. It is a multinomial naive Bayes classifier over
the TF-IDF weights of single characters and character pairs, trained on the same passages
(:func:`bot.kb.embeddings.passages`: names, aliases, cases told in staff's words, situation
keywords and post duties — never evaluation questions). Its probability joins the combined score
(``bot.semantic.NGRAM_WEIGHT``), and the confidence model (:mod:`bot.confidence`) uses whether it
puts the combined best first and how likely it finds it, because a combined best that both learned
signals agree on is rarely wrong.

Character pairs need no tokeniser, so spoken and misspelt questions still share most of their
pairs with the passages. The model is built in memory from the passages in well under a second.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from bot.kb.embeddings import passages
from bot.kb.types import Knowledge

ALPHA = 0.1  # additive smoothing of the per-item weights
NGRAMS = (1, 2)


@dataclass
class NgramIndex:
    codes: tuple[str, ...]  # item of each row of the per-item weights
    vectorizer: TfidfVectorizer
    texts: np.ndarray  # passage texts (object array), to leave one out
    rows: np.ndarray  # item row of each passage
    passage_weights: sparse.csr_matrix  # (passages, features)
    weights: sparse.csc_matrix  # (items, features): summed passage weights, by feature
    totals: np.ndarray  # (items,) sum of each item's weights
    counts: np.ndarray  # (items,) passages per item

    @classmethod
    def build(cls, knowledge: Knowledge) -> NgramIndex | None:
        rows = passages(knowledge)
        if not rows:
            return None
        codes = tuple(knowledge.items)
        column = {code: i for i, code in enumerate(codes)}
        vectorizer = TfidfVectorizer(analyzer="char", ngram_range=NGRAMS, sublinear_tf=True, dtype=np.float32)
        matrix = vectorizer.fit_transform([text for _, text in rows]).tocsr()
        item_of = np.array([column[code] for code, _ in rows], dtype=np.int64)
        onehot = sparse.csr_matrix(
            (np.ones(len(rows), dtype=np.float32), (item_of, np.arange(len(rows)))), shape=(len(codes), len(rows))
        )
        weights = (onehot @ matrix).tocsc()
        return cls(
            codes=codes,
            vectorizer=vectorizer,
            texts=np.array([text for _, text in rows], dtype=object),
            rows=item_of,
            passage_weights=matrix,
            weights=weights,
            totals=np.asarray(weights.sum(axis=1)).ravel(),
            counts=np.bincount(item_of, minlength=len(codes)).astype(np.float64),
        )

    def probabilities(self, question: str, mask: str | None = None, leave_out: str | None = None) -> dict[str, float]:
        """Each item's posterior probability for ``question``.

        Args:
            mask: a passage text to train without (a case of the base asked as a question).
            leave_out: an item to leave out altogether (a matter the base does not hold).
        """
        query = self.vectorizer.transform([question]).tocsr()
        features, values = query.indices, query.data.astype(np.float64)
        n_features = self.weights.shape[1]
        weights = self.weights[:, features].toarray().astype(np.float64)  # (items, query features)
        totals, counts = self.totals.astype(np.float64), self.counts.copy()
        if mask is not None:
            for passage in np.flatnonzero(self.texts == mask):
                item = self.rows[passage]
                own = self.passage_weights[passage]
                weights[item] -= own[:, features].toarray().ravel()
                totals[item] -= own.sum()
                counts[item] -= 1
        # log P(question | item) up to a constant: sum over its features of weight * log(smoothed share)
        log_share = np.log(np.maximum(weights, 0.0) + ALPHA) - np.log(totals + ALPHA * n_features)[:, None]
        scores = log_share @ values + np.log(np.maximum(counts, 1e-9) / counts.sum())
        if leave_out is not None and leave_out in self.codes:
            scores[self.codes.index(leave_out)] = -np.inf
        scores = np.exp(scores - scores.max())
        scores /= scores.sum()
        return {code: float(p) for code, p in zip(self.codes, scores, strict=True)}
