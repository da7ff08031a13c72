"""Answers about what a 权责清单 says besides the power: 责任事项, 追责情形, 责任岗位, 监管电话.

Published lists carry them per item (bot.kb stores them as written, :class:`bot.kb.types.Accountability`);
staff ask "占道经营的责任事项有哪些？", "不履行会被怎么追责？", "这项由哪个岗位负责？". The answer is a
structural one (``{"type": "structural", "topic": "accountability", …}``): the list's text, shown as
it is on every channel, and what the list does not say is said to be missing, never made up.
"""

from __future__ import annotations

import re

from bot.answer import DISCLAIMER, Reply, short_name
from bot.kb.types import ItemInfo
from bot.structure import structural_reply

ASPECTS = ("duties", "consequences", "post", "phone")
_LABELS = {"duties": "责任事项", "consequences": "追责情形", "post": "责任岗位", "phone": "监管电话"}
_WORDS = {
    "duties": re.compile(r"责任事项|有哪些责任|有什么责任|承担(哪些|什么)责任|负(哪些|什么)责任"),
    "consequences": re.compile(r"追责|问责|追究|不履行|不作为|失职|渎职|履职不到位|没(做|履行)到位"),
    "post": re.compile(r"责任岗位|哪(个|些)岗位?|什么岗位?"),
    "phone": re.compile(r"(监管|监督|投诉|咨询)电话|电话是多少|打(什么|哪个)电话"),
}
# What is left of "这项由哪个岗位负责" once the aspect is taken out: no matter is named.
_FOLLOW_UP = re.compile(
    r"这一?项|这个事项?|该事项|此项|由|谁|负责|会被?|怎么|如何|怎样|是多少|是什么|是|有哪些|呢|吗|的"
)
_NUMBERED = re.compile(r"\s*(?=(?<![\d.])\d{1,2}\s*[、.．](?!\d))")  # 1、受理… 2、审查… on lines of their own
TEXT_LIMIT = 800


def aspect_asked(text: str) -> str | None:
    """Which part of the list a question asks about, if any: duties / consequences / post / phone."""
    return next((aspect for aspect in ASPECTS if _WORDS[aspect].search(text)), None)


def without_aspect_words(text: str) -> str:
    """The question without the words that ask for a part of the list (what is left may name the matter)."""
    for words in _WORDS.values():
        text = words.sub(" ", text)
    return _FOLLOW_UP.sub(" ", text)


def value_of(item: ItemInfo, aspect: str) -> str | None:
    found = item.accountability
    if found is None:
        return None
    return {"duties": found.duties, "consequences": found.consequences, "post": found.post, "phone": found.phone}[
        aspect
    ]


def accountability_answer(item: ItemInfo, aspect: str) -> Reply:
    """The list's text for ``aspect`` of ``item`` (the others it has are named after it)."""
    name, label = short_name(item), _LABELS[aspect]
    value = value_of(item, aspect)
    if value:
        lines = [f"“{name}”的{label}（清单原文）："]
        lines += [part for part in _NUMBERED.split(_short(value)) if part.strip()]
    else:
        lines = [f"“{name}”的清单没有列明{label}。"]
        if aspect == "post":
            lines.append("可以问承办机构，例如“这项归哪个办公室？”")
    others = [_LABELS[a] for a in ASPECTS if a != aspect and value_of(item, a)]
    if others:
        lines.append(f"清单还列有：{'、'.join(others)}（可以接着问）。")
    lines.append(DISCLAIMER)
    found = item.accountability
    return structural_reply(
        "\n".join(lines),
        "accountability",
        item=item.code,
        aspect=aspect,
        duties=found.duties if found else None,
        consequences=found.consequences if found else None,
        post=found.post if found else None,
        phone=found.phone if found else None,
    )


def _short(text: str) -> str:
    return text if len(text) <= TEXT_LIMIT else text[: TEXT_LIMIT - 1] + "…"
