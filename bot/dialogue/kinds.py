"""Kinds of question the intents do not separate, told apart by their words.

A forwarded complaint, "does our unit have office X", "which posts has office X", "which offices
has our unit", "can we fine" and "what are its 责任事项" share words with power and structural
questions (管, 办公室, 罚款), so the classifier's intent cannot be trusted for them; their shape
can. :func:`kind_of` names the kind (a handler of ``bot.dialogue.structural``), the other
functions read what the question names.
"""

from __future__ import annotations

import re

from bot.accountability import aspect_asked, value_of, without_aspect_words
from bot.dialogue.parse import (
    find_agency,
    has_matter_words,
    is_self_introduction,
    office_names,
    posts_named,
    strip_spans,
    units_in_parts,
)
from bot.dialogue.state import State
from bot.dialogue.turn import Turn, UnitContext
from bot.kb.types import POWER_TYPES, ItemInfo, Knowledge
from bot.matching import clean_question, match_matter
from bot.units import UnitMention

# "设置了哪些办公室", "下设几个科室", "办公室都有哪些" (部门 is left out: "占道经营有哪些部门管").
_OFFICE_LIST = re.compile(
    r"(设|有|置|立)(了|有)?(哪些|什么|哪几个|几个|多少个?)(内设)?(办公室|机构|科室)"
    r"|(办公室|科室|内设机构)(都|一共|总共|分别)?(有|是|包括)(哪些|哪几个|几个|多少|什么)"
    r"|内设机构|机构设置|办公室设置"
)
# What comes right before the office in "有没有设城市管理办公室", "设置了应急管理办公室没有".
_POWER_WORDS = re.compile(r"权|事项|处罚|罚|许可|审批|批|强制|检查|给付|职责|负责|承办")
_HAS_BEFORE = re.compile(r"(有没有|有无|是否|设没设|还)?(有|设|设置|设立|成立|配备|配)?(了|有)?(这个|个)?$")
_HAS_WORD = re.compile(r"有|设|立|配")
_HAS_AFTER = re.compile(r"(吗|么|嘛|没有|没|不)?[？?。！!\s]*$")
_WHICH = re.compile(r"哪些|哪个|哪几|什么")
_OFFICE_POSTS = re.compile(r"岗位|哪些岗|几个岗|什么岗")
_WORK_ORDER = re.compile(
    r"(群众|市民|居民|村民|商户|业主|来电|有人)(反映|投诉|举报)|12345|(?<!施)工单|接到(投诉|举报|反映)|转办|转来"
)
# A work order's own question ("这个归我们管吗") names no matter; it is dropped before matching.
_OWNERSHIP_ASK = re.compile(
    r"(这个|这事|这些|以上|上述)?(是不是|归不归|该不该|要不要|属不属于|归|属于|是)?.{0,4}(管|负责|处理)"
)
# 区里 / 区X局 is the district, not 小区里, 社区里, 园区里 or 辖区里.
_NOT_DISTRICT = "(?<![小社园片景厂辖城市校住活镇街])"
_PUSHED_BY = re.compile(
    rf"{_NOT_DISTRICT}区里|{_NOT_DISTRICT}区[^，,。]{{0,8}}?(局|部门|办|委)|市里|上级|上面|领导|职能部门|要求|安排|通知|让我们|叫我们|要我们|"
    r"交给|派给|转给|推给|甩给|压给|下放给|下派|摊派|转嫁|下沉|任务|部门|(让|叫|要|安排)(街道|镇里|镇)|接不接|不接|该接|推掉|退回"
)
_COMPARE_ASK = re.compile(r"区别|不同|不一样|一样|相同|差别|差异|对比|比较|比一比|比")
_COMPARE_WORDS = re.compile(
    r"有什么|有啥|什么|区别|不同|不一样|一样|相同|差别|差异|对比|比较|比一比|比|和|与|跟|同|都|分别|两个|两者|权限|权责|上|在"
)
_CLAUSE_SPLIT = re.compile(r"[，,。；;！!？?\n]|还有|另外|同时|并且|而且")
_VAGUE_FILLER = re.compile(
    r"办公室|科室|能不能|可不可以|可以|能否|能|有没有|有什么|有哪些|哪些|什么|事项|权力|权限|职权|权|的|吗|么|呢|我们|咱们|自己|有|"
    r"那么|那|还|镇里|镇|街道|这边|列一下|列出来|列出|列举|列|一下|给我|帮我|看看|说说|东西|事情|哪方面|方面|"
    r"负责|开展|行使|做|办|干|管|具体|都|些|哪|行不行|行吗|是否|可否|否|不|没|吧|啊|呀|请问|问一下|点|给(?!付)|各"
)
_VAGUE_WORDS = {"罚款": "行政处罚", "罚": "行政处罚", "处罚": "行政处罚", "审批": "行政许可", "批": "行政许可"}


def office_mention(knowledge: Knowledge, text: str) -> tuple[str, int, int] | None:
    """The office the text names (base name) and where: its full name, the name with 办 for 办公室, or
    a short name."""
    for office in office_names(knowledge):
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
    if office_mention(knowledge, text) is not None:
        return False  # "石牌街道综合治理办公室有哪些职责" is about one office
    if _POWER_WORDS.search(text):
        return False  # "江高镇的办公室有哪些行政处罚权" asks for powers, not offices
    return bool(mention.units) or "我们" in text


def asks_has_office(knowledge: Knowledge, text: str) -> str | None:
    """ "派潭镇有应急管理办公室吗" — the office asked about, when the question is whether the unit has it."""
    found = office_mention(knowledge, text)
    if found is None:
        return None
    office, start, end = found
    if _WHICH.search(text[:start]):
        return None  # "哪些区的镇街设了应急管理办公室" asks which units, not whether one has it
    before = _HAS_BEFORE.search(text[:start])
    asks = before is not None and _HAS_WORD.search(before.group()) is not None
    return office if asks and _HAS_AFTER.fullmatch(text[end:]) else None


def asks_office_posts(knowledge: Knowledge, text: str) -> str | None:
    """ "综合行政执法办公室有哪些岗位" — the office whose posts are asked, when no post is named."""
    found = office_mention(knowledge, text)
    if found is None or not _OFFICE_POSTS.search(text):
        return None
    office, start, end = found
    rest = (text[:start] + " " + text[end:]).replace("岗位", "")  # 综合行政执法… is not the 综合岗
    return None if posts_named(knowledge, rest) else office


def accountability_asked(
    knowledge: Knowledge, text: str, state: State, mention: UnitMention
) -> tuple[str, ItemInfo | None] | None:
    """ "占道经营的责任事项有哪些", "不履行会被怎么追责"（after a matter）: (aspect, item) when the question asks
    what the list says of an item's responsibilities; the item is None when none is named or known.

    A 责任岗位 question is taken only for an item whose list names one (the others are about the
    duty statements of posts.yaml); a matter whose own name has the words (对不履行…的处罚) is a
    power question.
    """
    aspect = aspect_asked(text)
    if aspect is None:
        return None
    asked = strip_spans(text, mention.spans)
    named = match_matter(knowledge, asked).item
    if named is not None and aspect_asked(named.name) == aspect:
        return None  # the words are the matter's own: 对…不履行岗位职责…的处罚
    residual = without_aspect_words(asked)
    item = named or match_matter(knowledge, residual).item
    if item is None and not has_matter_words(residual):
        item = knowledge.items.get(state.matter or "")
    if aspect == "post" and (item is None or not value_of(item, "post")):
        return None
    return aspect, item


def asks_about_two_units(knowledge: Knowledge, text: str) -> bool:
    """ "石牌街道和江高镇处罚油烟一样吗", "江高镇跟人和镇都能批宅基地吗": a question naming two units asks
    about both (a comparison), whatever else it says; "我是石牌街道的，江高镇…" names the asker's own."""
    if is_self_introduction(text) and not _COMPARE_ASK.search(text):
        return False
    return len(units_in_parts(knowledge, text)) >= 2


def compared_matter(knowledge: Knowledge, text: str, mention: UnitMention) -> ItemInfo | None:
    """The one matter a comparison is about ("…在宅基地审批上有什么区别"), if it names one clearly."""
    rest = _COMPARE_WORDS.sub(" ", strip_spans(text, mention.spans))
    return match_matter(knowledge, rest).item if has_matter_words(rest) else None


def is_pushed_work(text: str) -> bool:
    """ "区城管局要我们负责X", "上级安排…": someone hands the unit the work. Without such words, "我们能行使
    这项权力吗：<事项>" or "我们要不要管X" asks about the unit's own power, not about a task pushed down."""
    return bool(_PUSHED_BY.search(text))


def is_work_order(text: str) -> bool:
    """A forwarded complaint or 12345 work order: what people report, then "is this ours?"."""
    return bool(_WORK_ORDER.search(text))


def work_order_matters(knowledge: Knowledge, text: str, mention: UnitMention) -> list[ItemInfo] | None:
    """The matters a work order names, clause by clause, in the order reported; None when unclear.

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
    if not found:  # one matter told across clauses ("有个工地…，半夜还在浇混凝土")
        whole = match_matter(knowledge, _OWNERSHIP_ASK.sub("", body))
        if whole.item is None and whole.candidates:
            return None  # something in the list may fit: ask, do not say "nothing fits"
        found = [whole.item] if whole.item is not None else []
    return found


def vague_power_type(residual: str) -> str | None:
    """ "能不能罚款", "有什么审批权" — a power type and nothing else: the type, else None."""
    rest = _VAGUE_FILLER.sub("", clean_question(residual) or residual)
    rest = rest.replace("行政", "")
    if rest in _VAGUE_WORDS:
        return _VAGUE_WORDS[rest]
    return next((t for t in POWER_TYPES if rest == t.replace("行政", "")), None)


_OVERVIEW = re.compile(r"有什么|有哪些|哪些|多少|几项|几个|全部|所有")
_LIST_WORDS = re.compile(r"哪些|列|全部|所有|清单|多少|几|一共|总共|统计|看看")


def asks_for_list(text: str) -> bool:
    """ "我们有哪些行政处罚权" asks for the list; "街道有什么审批权" only for an overview."""
    return bool(_LIST_WORDS.search(text))


_WHOLE_LIST = re.compile(r"清单|权力|权责|事项|权限|职权")
# What a structural intent's own question speaks of; without it, a question about a matter the
# classifier took for one ("…规划手续一个没办，街道可以立案查处吗" as ask_document).
_SUBJECT_WORDS = {
    "ask_document": re.compile(r"文件|文号|决定|下放|赋权|委托|授权|什么时候|哪年|哪一年|何时|印发|发文|批次"),
    "ask_kb_version": re.compile(r"版本|更新|数据|知识库|资料|来源|官方|过时|维护|演示|真实|可靠|哪一版"),
    "ask_list_powers": _LIST_WORDS,
    "ask_delegated_list": _LIST_WORDS,
    "ask_compare": re.compile(rf"{_COMPARE_ASK.pattern}|也有|也能|都有|都能|多|少|差|谁的|没有的|出入|对照"),
    "ask_agency": re.compile(r"所|站|派驻|派出|机构|属地|执法队|中队|大队|分局|垂直|双重"),
}


def asks_about_whole_list(text: str) -> bool:
    """ "我们街道的权力清单是依据什么文件定的" asks about the list as a whole, not one matter."""
    return bool(_WHOLE_LIST.search(text))


def asks_to_compare(text: str) -> bool:
    """The message itself asks for a comparison (区别, 对比, 比…), whatever units it names."""
    return bool(_COMPARE_ASK.search(text))


def lacks_subject(intent: str, text: str) -> bool:
    """The message has none of the words a question of ``intent`` speaks of (False for other intents)."""
    words = _SUBJECT_WORDS.get(intent)
    return words is not None and not words.search(text)


def unit_kinds_in(text: str) -> tuple[str, ...]:
    """The kinds of unit a question without a unit speaks of: 街道, 镇, or both."""
    if "街道" in text and "镇" not in text:
        return ("central_street", "noncentral_street")
    if "镇" in text and "街道" not in text:
        return ("town",)
    return ("town", "central_street", "noncentral_street")


def kind_of(knowledge: Knowledge, turn: Turn, state: State, units: UnitContext) -> str | None:
    """The kind of question the text asks when its words settle it whatever the intent: a work
    order, a unit's offices, whether it has an office, an office's posts, a vague power question.

    These phrasings share words with power and structural questions (管, 办公室, 罚款), so the
    classifier cannot be trusted to tell them apart; their shape can.
    """
    text, mention = turn.text.strip(), units.mention
    if turn.entities.get("matter") or text.startswith("/"):
        return None  # a button payload asks about one matter
    if is_work_order(text):
        found = work_order_matters(knowledge, text, mention)
        # One matter (or an unclear one) is an ordinary power question: answered, or clarified, as one.
        if found is not None and len(found) != 1:
            return "ask_work_order"
    if asks_about_two_units(knowledge, text):
        return "ask_compare"
    if asks_has_office(knowledge, text):
        return "ask_has_office"
    if asks_office_posts(knowledge, text):
        return "ask_office_posts"
    if asks_unit_offices(knowledge, text, mention):
        return "ask_unit_offices"
    if accountability_asked(knowledge, text, state, mention):
        return "ask_accountability"
    if turn.intent == "page_next" or office_mention(knowledge, text) is not None:
        return None  # "公共服务办公室负责哪些事项" is about the office, not the 公共服务 type
    if not vague_power_type(strip_spans(text, mention.spans)):
        return None
    if state.matter is not None and not _OVERVIEW.search(text):
        return None  # "那能罚款吗" after a matter was discussed: a follow-up about that matter
    return "ask_list_powers" if asks_for_list(text) else "ask_power_summary"
