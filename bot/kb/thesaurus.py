"""The domain thesaurus (``knowledge/thesaurus.yaml``): staff's words mapped to the lists' words.

Each group's first word is the canonical one (the word the lists use); the others are
said instead of it (随便/随意 → 乱, 扔/丢 → 倾倒, 饭店/大排档 → 餐饮). The matcher compares
questions and the items' vocabulary in canonical form; the lexicon passes every word on to
jieba, the NLU lookups and the speech normaliser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_WORD = re.compile(r"^[\u4e00-\u9fff]{1,8}$")


def read_thesaurus(spec: Any, report: Any) -> list[tuple[str, ...]]:
    """Validated groups from the parsed YAML (``{"groups": [[canonical, synonym, …], …]}``).

    ``report(message)`` is called for each problem; the file is optional (``spec`` None).
    """
    if spec is None:
        return []
    if not isinstance(spec, dict) or not isinstance(spec.get("groups", []), list):
        report("须为 groups: [[规范词, 同义词, …], …] 的映射")
        return []
    groups: list[tuple[str, ...]] = []
    seen: set[str] = set()
    for number, raw in enumerate(spec.get("groups") or [], start=1):
        if not isinstance(raw, list) or len(raw) < 2:
            report(f"第 {number} 组须为至少两个词的列表")
            continue
        words = tuple(str(w).strip() for w in raw)
        bad = [w for w in words if not _WORD.match(w)]
        again = [w for w in words if w in seen]
        if bad:
            report(f"第 {number} 组：{'、'.join(bad)} 须为 1 到 8 个汉字")
        elif again or len(set(words)) < len(words):
            report(f"第 {number} 组：{'、'.join(again) or '组内'} 重复（一个词只能在一组中）")
        else:
            seen.update(words)
            groups.append(words)
    return groups


@dataclass(frozen=True)
class Thesaurus:
    groups: tuple[tuple[str, ...], ...] = ()
    canonical: dict[str, str] = field(default_factory=dict, compare=False)

    @classmethod
    def of(cls, groups: tuple[tuple[str, ...], ...]) -> Thesaurus:
        return cls(groups, {word: group[0] for group in groups for word in group})

    @property
    def words(self) -> list[str]:
        return [w for group in self.groups for w in group]

    def canonical_tokens(self, tokens: list[str]) -> str:
        """The tokens joined, each in canonical form.

        A token that is a thesaurus word becomes its canonical word; a token made up
        entirely of thesaurus words (乱扔 = 乱 + 扔) is replaced piece by piece; any other
        token is kept as it is, so a single-character word never changes inside a
        longer word (倒 in 倒闭, 烧 in 烧烤).
        """
        return "".join(self._token(t) for t in tokens)

    def _token(self, token: str) -> str:
        if token in self.canonical:
            return self.canonical[token]
        pieces = self._pieces(token)
        return "".join(self.canonical[p] for p in pieces) if pieces else token

    def _pieces(self, token: str) -> list[str]:
        """Split ``token`` into thesaurus words, longest first; [] when it cannot be."""
        pieces: list[str] = []
        start = 0
        while start < len(token):
            for end in range(min(len(token), start + 8), start, -1):
                if token[start:end] in self.canonical:
                    pieces.append(token[start:end])
                    start = end
                    break
            else:
                return []
        return pieces
