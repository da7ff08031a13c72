"""The demonstration catalogue beyond the 42 core matters: size, coverage of
power types, unique codes and aliases, and no new item stealing a core alias."""

import csv
from collections import Counter

from bot.config import KNOWLEDGE_DIR
from bot.matching import match_matter

MAIN_TYPES = ("行政许可", "行政处罚", "行政强制", "行政检查", "行政确认", "行政给付", "其他行政权力", "公共服务")


def _rows():
    with open(KNOWLEDGE_DIR / "items.csv", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_catalogue_has_many_items_of_every_power_type(knowledge):
    assert len(knowledge.items) >= 212
    counts = Counter(item.power_type for item in knowledge.items.values())
    for power_type in MAIN_TYPES:
        assert counts[power_type] >= 5, (power_type, counts)
    assert counts.most_common(1)[0][0] == "行政处罚"


def test_codes_and_aliases_are_unique():
    rows = _rows()
    codes = [row["code"] for row in rows]
    assert len(codes) == len(set(codes))
    owner = {}
    for row in rows:
        for alias in filter(None, (a.strip() for a in row["aliases"].split(";"))):
            assert owner.setdefault(alias, row["code"]) == row["code"], (alias, owner[alias], row["code"])
    with open(KNOWLEDGE_DIR / "aliases.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            for alias in filter(None, (a.strip() for a in row["aliases"].split(";"))):
                assert owner.setdefault(alias, row["code"]) == row["code"], (alias, owner[alias], row["code"])


def test_every_added_item_has_aliases_and_situation_words(knowledge):
    core = {row["code"] for row in _rows()[:42]}
    for code, item in knowledge.items.items():
        if code in core:
            continue
        assert 3 <= len(item.aliases) <= 6, code
        assert 10 <= len(item.keywords) <= 40, code
        assert len(item.situations) >= 5, code  # cases told in staff's words, for the embedding signal
        assert item.references and all(ref.text for ref in item.references if ref.article), code


def test_no_added_item_captures_a_core_alias(knowledge):
    rows = _rows()
    for row in rows[:42]:
        for alias in filter(None, row["aliases"].split(";")):
            match = match_matter(knowledge, alias)
            codes = [c.item.code for c in match.candidates]
            # The core item comes first; an added item may be offered beside it, never instead.
            assert codes and codes[0] == row["code"], (alias, codes)
            assert match.item is None or match.item.code == row["code"], (alias, codes)
