"""Find known phrases in a text (aliases, names, situation words) by dictionary look-ups."""

from __future__ import annotations


class Phrases:
    """Find known phrases in a text by dictionary look-ups per start and length.

    Scales to hundreds of thousands of phrases, unlike one huge regex.
    """

    def __init__(self, phrases: dict[str, list[int]]):
        self.phrases = phrases
        self.lengths = sorted({len(p) for p in phrases}, reverse=True)

    def find(self, text: str) -> list[tuple[str, int, int]]:
        hits = []
        for start in range(len(text)):
            for length in self.lengths:
                piece = text[start : start + length]
                if len(piece) == length and piece in self.phrases:
                    hits.append((piece, start, start + length))
                    break  # the longest phrase starting here
        return hits
