"""How names are written in the knowledge: one place for the helpers every layer shares.

- ``office_base``: an office without its second name in brackets;
- ``split_list``: a cell holding several values;
- ``unit_full_name``: a unit's unambiguous name (district + unit);
- ``bare_name``: a unit's name without 街道/镇;
- ``item_key``: an item's name as lists are compared (no spaces or punctuation).
"""

from __future__ import annotations

import re
import unicodedata

# Separators between the values of one cell (aliases, keywords, unit rules): ASCII and
# full-width semicolons, and 、, the enumeration comma Chinese lists are written with
# (占道经营、乱摆卖). Commas are not separators: an editor's note may contain them.
LIST_SEPARATORS = re.compile(r"[;；、]")
_SECOND_NAME = re.compile(r"[（(].*?[）)]$")


def office_base(name: str) -> str:
    """综合行政执法办公室（综合行政执法队） -> 综合行政执法办公室."""
    return _SECOND_NAME.sub("", name).strip()


def split_list(value: str | None) -> list[str]:
    """``占道经营；乱摆卖、摆摊`` -> [占道经营, 乱摆卖, 摆摊]; blanks dropped."""
    return [part.strip() for part in LIST_SEPARATORS.split(value or "") if part.strip()]


def unit_full_name(district: str, name: str) -> str:
    """天河区 + 石牌街道 -> 天河区石牌街道, the name unit rules and answers use."""
    return f"{district}{name}"


def bare_name(name: str) -> str:
    """石牌街道 -> 石牌, 江高镇 -> 江高."""
    return name[:-2] if name.endswith("街道") else name[:-1]


_NAME_NOISE = re.compile(r"[\s\W_]+")  # what does not make two names different


def item_key(name: str) -> str:
    """A name as compared between lists: 对擅自占用城市道路的处罚 == 对擅自占用城市道路的处罚。"""
    return _NAME_NOISE.sub("", unicodedata.normalize("NFKC", name))
