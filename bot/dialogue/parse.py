"""Understanding a message: what it names and asks, never how the answer reads.

Pure functions from the text (and the knowledge base) to values: the units and matter words in a
message, the option a user picks, and the subject of a structural question (power type, office,
post, stationed agency, reform fact, kind of unit, the units to compare). ``bot.structure`` and
``bot.answer`` render what these find.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.kb.types import POWER_TYPES, AgencyInfo, FactInfo, ItemInfo, Knowledge, PostInfo, UnitInfo
from bot.matching import clean_question, match_matter, matter_spans
from bot.units import UnitMention, find_unit, resolve_unit
from bot.verdict import office_base

# What is left of a follow-up once unit and question words are gone.
_FOLLOWUP_WORDS = re.compile(
    r"那么|那|还有|还是|换成|改成|如果是|要是|如果|对于|关于|行政|处罚|罚款|审批|批准|许可|查处|执法|罚|批|办|管|呢|吗|么|啊|呀|"
    r"一下|情况|怎样|怎么样|如何|谁|哪个|哪里|部门|单位|机构|办公室|条文|法条|条款|法律|具体|全文|原文|内容|看看|说说|讲讲|"
    r"最后|最终|由|在|调到|调去|去了|现在|已经|是|的|了|我|这边|那边|这里|那里|这|上班|工作"
)
_OWN_UNIT = re.compile(r"我们|咱们|我镇|我街|本镇|本街")
_SELF_INTRO = re.compile(r"我是|我在|我们是|我们在|我现在在|我调到|调到|调去|我属于|本人是|我来自")
_CHOICE = re.compile(r"\s*(选|选择|就|要)?\s*(第)?\s*[0-9一二两三四五六七八九十]+\s*(个|项|条)?\s*(吧|啊)?\s*")
_ORDINALS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_POWER_TYPE_WORDS = {
    "处罚": "行政处罚",
    "许可": "行政许可",
    "审批": "行政许可",
    "强制": "行政强制",
    "检查": "行政检查",
    "给付": "行政给付",
    "确认": "行政确认",
    "公共服务": "公共服务",
    # The bare verbs last: "能罚哪些", "可以批什么" (a longer word above wins when present).
    "罚": "行政处罚",
    "批": "行政许可",
}
STAGE_WORDS = {
    "巡查": ("巡查", "发现", "排查"),
    "受理": ("受理", "接收", "收件"),
    "立案": ("立案",),
    "调查": ("调查", "取证"),
    "审核": ("审核", "法制审核"),
    "决定": ("决定", "审批决定"),
    "执行": ("执行", "强制执行"),
    "初审": ("初审",),
    "指导": ("指导",),
    "服务": ("服务",),
}
_PUSHER = re.compile(
    r"^(区里|上级|区[^，,。]{0,8}?局|领导|上面)?(要求|要|让|叫|安排|交给|派给)?(我们街道|我们镇|我们)?"
    r"(负责|去|来|做|承担|管|接|搞)*"
)
_PUSH_VERBS = re.compile(r"^(负责|去|来|做|承担|管|接|搞)+")
# Where the work named ends and the question about it begins.
_PUSH_END = re.compile(r"[，,。；;？?！!]|必须|能不能|可不可以|可以|要不要|要接|该不该|需不需要|清单|吗|这项|这个|这些")
_PUSH_QUESTION = re.compile(r"必须|能不能|可以|要不要|清单|吗")
_COMPARE_SPLIT = re.compile(r"和|与|跟|同|对比|比较|比|、|，|,|vs|VS")


# --- units and matters -------------------------------------------------------------------------


def unit_mention(knowledge: Knowledge, text: str, entities: dict[str, str]) -> UnitMention:
    """The units a message names; a button payload's unit wins over the text, and in "我是石牌街道的，
    江高镇能…" the unit asked about is the one the asker does not introduce as their own."""
    named = entities.get("unit")
    if named:
        unit = find_unit(knowledge, named)
        if unit is not None:
            return UnitMention((unit,), (), None)
    mention = resolve_unit(knowledge, text, matter_spans(knowledge, text))
    pair = introduced_and_asked(knowledge, text)
    return UnitMention((pair[1],), mention.spans, None) if pair is not None else mention


def introduced_and_asked(knowledge: Knowledge, text: str) -> tuple[UnitInfo, UnitInfo] | None:
    """(the asker's unit, the unit asked about) when a self-introduction names one unit and the
    question another: "我是天河区石牌街道的，江高镇能批宅基地吗"."""
    intro = _SELF_INTRO.search(text)
    if intro is None:
        return None
    named = _named_units(knowledge, text)
    if len(named) != 2:
        return None
    own = next((unit for start, unit in named if intro.end() <= start <= intro.end() + 4), None)
    asked = next((unit for _, unit in named if unit != own), None)
    return (own, asked) if own is not None and asked is not None else None


def strip_spans(text: str, spans: tuple[tuple[int, int], ...]) -> str:
    """``text`` with the given spans (unit names) blanked out."""
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + " " + text[end:]
    return text


def item_in(knowledge: Knowledge, text: str, mention: UnitMention) -> ItemInfo | None:
    """The matter the text names once its unit names are taken out, if it is clear."""
    return match_matter(knowledge, strip_spans(text, mention.spans)).item


def has_matter_words(residual: str) -> bool:
    """Whether a message (without its unit names) says more than a follow-up's filler."""
    rest = _FOLLOWUP_WORDS.sub("", clean_question(residual))
    return len(rest) >= 2


def speaks_of_own_unit(text: str) -> bool:
    """ "我们镇…", "本街道…" — the asker means their own unit, whichever it is."""
    return bool(_OWN_UNIT.search(text))


_ELLIPSIS_END = re.compile(r"呢[？?。.!！\s]*$")
_QUESTION_CUES = re.compile(r"能|可以|可否|行不行|行使|谁|哪|依据|法律|法规|条文|根据|管|归|负责|承办|审批|处罚|吗|么")


def is_elliptical_follow_up(text: str, knowledge: Knowledge | None = None) -> bool:
    """ "那占道经营呢", "石牌街道呢" — the same question about another matter or unit: no cue of
    its own says whether it asks can, who or basis, so the last question's kind holds. Words
    inside a matter's name (大型户外广告设置审批) are no cue, when ``knowledge`` is given."""
    if not _ELLIPSIS_END.search(text):
        return False
    spans = matter_spans(knowledge, text) if knowledge is not None else ()
    return not _QUESTION_CUES.search(strip_spans(text, spans))


def is_self_introduction(text: str) -> bool:
    """ "我是石牌街道的" — a unit to remember for this user, not a question about it."""
    return bool(_SELF_INTRO.search(text))


# --- choices -----------------------------------------------------------------------------------


def looks_like_choice(text: str) -> bool:
    """ "第二个", "选3" — a message that only picks an offered option."""
    return bool(_CHOICE.fullmatch(text))


def option_number(text: str, count: int) -> int | None:
    """The 1-based option a message picks by number or ordinal (最后 = the last), if in range."""
    number = None
    digits = re.search(r"[0-9]+", text)
    if digits:
        number = int(digits.group())
    elif re.search(r"最后|后面那个|后一个", text):
        number = count  # before the ordinals: 最后一个 is not the first
    else:
        number = next((_ORDINALS[ch] for ch in text if ch in _ORDINALS), None)
    return number if number is not None and 1 <= number <= count else None


# --- structural questions ----------------------------------------------------------------------


def power_type_in(text: str) -> str | None:
    """The type of power a list question is about (行政处罚…), or None for all."""
    for power_type in POWER_TYPES:
        if power_type in text or power_type.replace("行政", "") + "权" in text:
            return power_type
    return next((power_type for word, power_type in _POWER_TYPE_WORDS.items() if word in text), None)


def find_office(knowledge: Knowledge, text: str) -> str | None:
    """The office (its base name, e.g. 综合行政执法办公室) the text names, in full or short."""
    for office in office_names(knowledge):
        if office in text or office.replace("办公室", "办") in text:
            return office
    # Short names (综治办, 执法队) are data: knowledge/offices.yaml ``short_names``.
    return next((office for short, office in knowledge.office_aliases.items() if short in text), None)


@lru_cache(maxsize=4)
def office_names(knowledge: Knowledge) -> tuple[str, ...]:
    """Every office's base name, longest first (so 综合行政执法办公室 wins over 执法办公室)."""
    return tuple(sorted({office_base(o) for u in knowledge.units for o in u.offices}, key=len, reverse=True))


def stage_in(text: str) -> str | None:
    """The step of handling a matter the text asks about (立案, 调查…)."""
    return next((stage for stage, words in STAGE_WORDS.items() if any(w in text for w in words)), None)


def posts_named(knowledge: Knowledge, text: str) -> list[PostInfo]:
    """The posts the text names, the most specific name first, narrowed to a named office."""
    office = find_office(knowledge, text)
    posts = [p for p in knowledge.posts if p.name in text or p.name.rstrip("岗") in text]
    if office:
        posts = [p for p in posts if p.office == office] or posts
    posts.sort(key=lambda p: -len(p.name))
    return [p for p in posts if p.name == posts[0].name]


def find_agency(knowledge: Knowledge, text: str) -> AgencyInfo | None:
    """The stationed agency the text names by its longest name or alias."""
    best = None
    for agency in knowledge.agencies:
        for name in (agency.name, *agency.aliases):
            if name and name in text and (best is None or len(name) > best[0]):
                best = (len(name), agency)
    return best[1] if best else None


_HOW_MANY = re.compile(r"多少|几个|几名|几项|几级|几")


def match_fact(knowledge: Knowledge, text: str) -> FactInfo | None:
    """The reform fact whose keywords the text shares most: a keyword in full, or at least half of its
    two-character pieces (派驻…执法队…编制 for 派驻执法队编制); a "多少/几" question prefers a fact with
    a number. A stray shared piece or two (执法) scores nothing, so a fact with many long keywords
    does not win on noise."""
    cleaned = clean_question(text)
    wants_number = bool(_HOW_MANY.search(text))
    best: tuple[float, FactInfo] | None = None
    for fact in knowledge.facts:
        score = 0.0
        for keyword in fact.keywords:
            if keyword and keyword in text:
                score += 1.0 + len(keyword) / 10
            else:
                pieces = {keyword[i : i + 2] for i in range(len(keyword) - 1)}
                shared = sum(p in cleaned for p in pieces) / len(pieces) if pieces else 0.0
                if shared >= 0.5:
                    score += 0.5 * shared
        numbers = re.findall(r"\d+", fact.answer)
        score += 0.5 * sum(number in text for number in numbers)
        if wants_number and numbers and score > 0:
            score += 0.2
        if score > 0.6 and (best is None or score > best[0]):
            best = (score, fact)
    return best[1] if best else None


def delegated_kind(text: str, unit: UnitInfo | None) -> str:
    """The kind of unit a "what was delegated to …" question means; the asker's own kind by default."""
    if "非中心" in text:
        return "noncentral_street"
    if "中心城区" in text:
        return "central_street"
    if "镇" in text and "街道" not in text:
        return "town"
    if "街道" in text:
        return unit.kind if unit is not None and unit.kind != "town" else "central_street"
    return unit.kind if unit is not None else "town"


def units_in_parts(knowledge: Knowledge, text: str) -> list[UnitInfo]:
    """The distinct units a message names (a comparison: "石牌街道和江高镇…"), in the order named."""
    found = [unit for _, unit in _named_units(knowledge, text)]
    if len(found) < 2:  # names written apart from their district ("天河区的石牌街道和…")
        for part in _COMPARE_SPLIT.split(text):
            unit = resolve_unit(knowledge, part, matter_spans(knowledge, part)).unit
            if unit is not None and unit not in found:
                found.append(unit)
    return found


def _named_units(knowledge: Knowledge, text: str) -> list[tuple[int, UnitInfo]]:
    """(where, unit) for each distinct unit named, in order. Each stretch of text where a unit name
    was found is resolved on its own, so 人和镇 is one unit and not split at its 和; a stretch naming a
    unit shared by two districts adds nothing."""
    mention = resolve_unit(knowledge, text, matter_spans(knowledge, text))
    stretches: list[list[int]] = []
    for start, end in sorted(mention.spans):
        if stretches and start < stretches[-1][1]:
            stretches[-1][1] = max(stretches[-1][1], end)
        else:
            stretches.append([start, end])
    found: list[tuple[int, UnitInfo]] = []
    for start, end in stretches:
        unit = resolve_unit(knowledge, text[start:end]).unit
        if unit is not None and unit not in [u for _, u in found]:
            found.append((start, unit))
    return found


def pushed_work(text: str, mention: UnitMention) -> str:
    """The work a "区里要我们负责X，必须接吗" question is about: X in the asker's own words, at most 20
    characters (共享单车管理, not the matcher's 共享单车理)."""
    raw = _PUSHER.sub("", re.sub(r"\s+", "", strip_spans(text, mention.spans)), count=1)
    pieces = (_PUSH_VERBS.sub("", p.strip("“”\"'：:的")) for p in _PUSH_END.split(raw))
    work = next((p for p in pieces if len(p) >= 2), "")  # "我们要不要负责X": X comes after the question
    if work:
        return work[:20]
    # Nothing left of the raw words (the request was all question words): the matcher's reading.
    asked = _PUSHER.sub("", clean_question(strip_spans(text, mention.spans)), count=1)
    return _PUSH_QUESTION.split(asked)[0][:20]
