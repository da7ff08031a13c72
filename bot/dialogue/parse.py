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
    r"在|调到|调去|去了|现在|已经|是|的|了|我|这边|那边|这里|那里|这|上班|工作"
)
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
    r"^(区里|上级|区[^，,。]{0,8}?局|领导)?(要|让|叫|安排)?(我们|我们街道|我们镇)?(负责|去|来|做|承担|管)?"
)
_PUSH_QUESTION = re.compile(r"必须|能不能|可以|要不要|清单|吗")
_COMPARE_SPLIT = re.compile(r"和|与|跟|同|对比|比较|比|、|，|,|vs|VS")


# --- units and matters -------------------------------------------------------------------------


def unit_mention(knowledge: Knowledge, text: str, entities: dict[str, str]) -> UnitMention:
    """The units a message names; a button payload's unit wins over the text."""
    named = entities.get("unit")
    if named:
        unit = find_unit(knowledge, named)
        if unit is not None:
            return UnitMention((unit,), (), None)
    return resolve_unit(knowledge, text, matter_spans(knowledge, text))


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
    for office in _office_names(knowledge):
        if office in text or office.replace("办公室", "办") in text:
            return office
    # Short names (综治办, 执法队) are data: knowledge/offices.yaml ``short_names``.
    return next((office for short, office in knowledge.office_aliases.items() if short in text), None)


@lru_cache(maxsize=4)
def _office_names(knowledge: Knowledge) -> tuple[str, ...]:
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


def match_fact(knowledge: Knowledge, text: str) -> FactInfo | None:
    """The reform fact whose keywords (or their two-character pieces and numbers) the text shares most."""
    cleaned = clean_question(text)
    best: tuple[float, FactInfo] | None = None
    for fact in knowledge.facts:
        score = 0.0
        for keyword in fact.keywords:
            if keyword and keyword in text:
                score += 1.0 + len(keyword) / 10
            else:
                # Partial credit for the keyword's two-character pieces.
                pieces = {keyword[i : i + 2] for i in range(len(keyword) - 1)}
                if pieces:
                    score += 0.5 * sum(p in cleaned for p in pieces) / len(pieces)
        for number in re.findall(r"\d+", fact.answer):
            if number in text:
                score += 0.5
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
    """The units of a comparison ("石牌街道和江高镇…"), each resolved in its own part, in order."""
    found: list[UnitInfo] = []
    for part in _COMPARE_SPLIT.split(text):
        mention = resolve_unit(knowledge, part, matter_spans(knowledge, part))
        if mention.unit is not None and mention.unit not in found:
            found.append(mention.unit)
    return found


def pushed_work(text: str, mention: UnitMention) -> str:
    """The work a "区里要我们负责X，必须接吗" question is about: X, at most 20 characters."""
    # clean_question also drops 管/要/的 inside the work (共享单车管理 → 共享单车理); reading the raw
    # words instead loses more on questions phrased otherwise, so the quote stays approximate.
    asked = _PUSHER.sub("", clean_question(strip_spans(text, mention.spans)), count=1)
    return _PUSH_QUESTION.split(asked)[0][:20]


# --- kinds of question the intents do not separate -------------------------------------------

_OFFICE_LIST = re.compile(
    r"(设|有)(了|置)?(哪些|什么|哪几个|几个|多少个?)(内设)?(办公室|机构|科室)|内设机构|机构设置|办公室设置"
)
_HAS_BEFORE = re.compile(r"(有没有|有无|是否设有|是否设|是否有|设没设|设有|设了|有)(这个|个)?$")
_HAS_AFTER = re.compile(r"(吗|么|嘛|没有|没|不)?[？?。！!\s]*$")
_OFFICE_POSTS = re.compile(r"岗位|哪些岗|几个岗|什么岗")
_WORK_ORDER = re.compile(
    r"(群众|市民|居民|村民|商户|业主|来电|有人)(反映|投诉|举报)|12345|工单|接到(投诉|举报|反映)|转办|转来"
)
# A work order's own question ("这个归我们管吗") names no matter; it is dropped before matching.
_OWNERSHIP_ASK = re.compile(
    r"(这个|这事|这些|以上|上述)?(是不是|归不归|该不该|要不要|属不属于|归|属于|是)?.{0,4}(管|负责|处理)"
)
_CLAUSE_SPLIT = re.compile(r"[，,。；;！!？?\n]|还有|另外|同时|并且|而且")
_VAGUE_FILLER = re.compile(
    r"能不能|可不可以|可以|能否|能|有没有|有什么|有哪些|哪些|什么|事项|权力|权限|权|的|吗|么|呢|我们|自己|有"
)
_VAGUE_WORDS = {"罚款": "行政处罚", "罚": "行政处罚", "处罚": "行政处罚", "审批": "行政许可", "批": "行政许可"}


def office_mention(knowledge: Knowledge, text: str) -> tuple[str, int, int] | None:
    """The office the text names (base name) and where: its full name, the name with 办 for 办公室, or
    a short name."""
    for office in _office_names(knowledge):
        for written in (office, office.replace("办公室", "办")):
            at = text.find(written)
            if at >= 0:
                return office, at, at + len(written)
    for short, office in knowledge.office_aliases.items():
        at = text.find(short)
        if at >= 0:
            return office, at, at + len(short)
    return None


def asks_unit_offices(knowledge: Knowledge, text: str, mention: UnitMention) -> bool:
    """ "石牌街道设有哪些办公室" — a named unit's offices (not the reform's general count, not agencies)."""
    if not _OFFICE_LIST.search(text) or "派驻" in text or find_agency(knowledge, text) is not None:
        return False
    return bool(mention.units) or "我们" in text


def asks_has_office(knowledge: Knowledge, text: str) -> str | None:
    """ "派潭镇有应急管理办公室吗" — the office asked about, when the question is whether the unit has it."""
    found = office_mention(knowledge, text)
    if found is None:
        return None
    office, start, end = found
    return office if _HAS_BEFORE.search(text[:start]) and _HAS_AFTER.fullmatch(text[end:]) else None


def asks_office_posts(knowledge: Knowledge, text: str) -> str | None:
    """ "综合行政执法办公室有哪些岗位" — the office whose posts are asked, when no post is named."""
    found = office_mention(knowledge, text)
    if found is None or not _OFFICE_POSTS.search(text):
        return None
    office, start, end = found
    rest = (text[:start] + " " + text[end:]).replace("岗位", "")  # 综合行政执法… is not the 综合岗
    return None if posts_named(knowledge, rest) else office


def is_work_order(text: str) -> bool:
    """A forwarded complaint or 12345 work order: what people report, then "is this ours?"."""
    return bool(_WORK_ORDER.search(text))


def work_order_matters(knowledge: Knowledge, text: str, mention: UnitMention) -> list[ItemInfo]:
    """The matters a work order names, clause by clause, in the order reported; none when unclear.

    Each clause is matched on its own so that two matters in one complaint are both found; a clause
    whose match is ambiguous or weak adds nothing (a guessed matter would be a wrong answer).
    """
    body = _WORK_ORDER.sub(" ", strip_spans(text, mention.spans))
    found: list[ItemInfo] = []
    for clause in _CLAUSE_SPLIT.split(body):
        clause = clause.strip(' ：:“”"')
        if len(_OWNERSHIP_ASK.sub("", clause)) < 2:
            continue
        item = match_matter(knowledge, clause).item
        if item is not None and item not in found:
            found.append(item)
    return found


def vague_power_type(residual: str) -> str | None:
    """ "能不能罚款", "有什么审批权" — a power type and nothing else: the type, else None."""
    rest = _VAGUE_FILLER.sub("", clean_question(residual) or residual)
    rest = rest.replace("行政", "")
    if rest in _VAGUE_WORDS:
        return _VAGUE_WORDS[rest]
    return next((t for t in POWER_TYPES if rest == t.replace("行政", "")), None)


_LIST_WORDS = re.compile(r"哪些|列|全部|所有|清单|多少|几|一共|总共|统计|看看")


def asks_for_list(text: str) -> bool:
    """ "我们有哪些行政处罚权" asks for the list; "街道有什么审批权" only for an overview."""
    return bool(_LIST_WORDS.search(text))


def unit_kinds_in(text: str) -> tuple[str, ...]:
    """The kinds of unit a question without a unit speaks of: 街道, 镇, or both."""
    if "街道" in text and "镇" not in text:
        return ("central_street", "noncentral_street")
    if "镇" in text and "街道" not in text:
        return ("town",)
    return ("town", "central_street", "noncentral_street")
