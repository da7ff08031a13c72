"""Find known phrases in a text (aliases, names, situation words) by dictionary look-ups."""

from __future__ import annotations

PREFIX = 2  # phrases are indexed by their first characters


class Phrases:
    """Find known phrases in a text by dictionary look-ups per start and length.

    Scales to hundreds of thousands of phrases, unlike one huge regex. Only the lengths of the
    phrases that begin with the text's next characters are tried at each start: a list's formal
    names run to a hundred characters, and trying every length everywhere cost a third of a turn.
    """

    def __init__(self, phrases: dict[str, list[int]]):
        self.phrases = phrases
        lengths: dict[str, set[int]] = {}
        for phrase in phrases:
            lengths.setdefault(phrase[:PREFIX], set()).add(len(phrase))
        # Longest first; a start whose next two characters begin no phrase may still begin a
        # one-character phrase, which is indexed under itself.
        self.lengths = {prefix: sorted(found, reverse=True) for prefix, found in lengths.items()}

    def find(self, text: str) -> list[tuple[str, int, int]]:
        hits = []
        size = len(text)
        for start in range(size):
            lengths = self.lengths.get(text[start : start + PREFIX], ())
            if start + 1 < size and text[start] in self.lengths:
                lengths = [*lengths, 1]  # a one-character phrase, when nothing longer starts here
            for length in lengths:
                if start + length > size:
                    continue
                piece = text[start : start + length]
                if piece in self.phrases:
                    hits.append((piece, start, start + length))
                    break  # the longest phrase starting here
        return hits
