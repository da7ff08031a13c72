"""Phrase look-up: the longest known phrase at each start, found wherever it is in the text."""

from bot.phrases import Phrases


def _find(phrases: list[str], text: str) -> list[tuple[str, int, int]]:
    return Phrases({p: [i] for i, p in enumerate(phrases)}).find(text)


def test_the_longest_phrase_starting_at_a_place_wins():
    hits = _find(["占道", "占道经营", "经营"], "街道能处罚占道经营吗")
    assert hits == [("占道经营", 5, 9), ("经营", 7, 9)]


def test_one_character_phrases_are_found_in_the_middle_and_at_the_end():
    assert _find(["罚", "罚款"], "能罚吗罚") == [("罚", 1, 2), ("罚", 3, 4)]
    assert _find(["罚", "罚款"], "能罚款吗") == [("罚款", 1, 3)]


def test_a_phrase_longer_than_the_rest_of_the_text_is_not_found():
    assert _find(["乡村建设规划许可证"], "乡村建设规划许可") == []
    assert _find(["乡村建设规划许可证"], "没有乡村建设规划许可证") == [("乡村建设规划许可证", 2, 11)]


def test_a_formal_item_name_is_found_among_hundreds_of_phrases():
    names = [f"对违反第{i}条规定行为的处罚" for i in range(500)]
    hits = _find(names, "能不能行使“对违反第123条规定行为的处罚”")
    assert hits[0] == ("对违反第123条规定行为的处罚", 6, 21)
