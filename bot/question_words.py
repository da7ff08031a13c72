"""What a question says besides its matter, for the matcher (pure Python).

Framing words that say nothing about the matter (能不能, 归谁管…), the core of a
formal item name without the framing every list adds (对…的处罚), a licence
named as missing (没办X就…), and whether the asker wants permission (申请、审批)
or action against a violation (罚、责令、拆): each is a small rule of its own,
kept apart from the index that scores items.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.kb.types import ItemInfo

# Words that frame a question but say nothing about the matter.
_QUESTION_WORDS = (
    "能不能",
    "可不可以",
    "可以不可以",
    "能否",
    "可否",
    "是不是",
    "是否",
    "会不会",
    "要不要",
    "就是",
    "有没有",
    "有无",
    "归不归",
    "管不管",
    "请问",
    "请教",
    "问一下",
    "问下",
    "咨询",
    "想问",
    "想知道",
    "告诉我",
    "帮我查",
    "查一下",
    "查查",
    "我们这里",
    "我们这边",
    "我们这",
    "我们",
    "咱们",
    "本单位",
    "本街道",
    "本镇",
    "街道",
    "镇里",
    "镇上",
    "辖区",
    "这个事情",
    "这个事",
    "这件事",
    "这种事",
    "这事",
    "这类",
    "这种",
    "那个",
    "这个",
    "由谁负责",
    "谁负责",
    "谁来管",
    "谁管",
    "归谁管",
    "归谁",
    "哪个部门",
    "哪个办公室",
    "哪个科室",
    "法律依据",
    "哪条法律",
    "哪部法律",
    "哪些法律",
    "什么法律",
    "哪条法规",
    "什么法规",
    "根据什么",
    "依据",
    "法规",
    "哪条",
    "哪一条",
    "第几条",
    "规定",
    "可以",
    "能够",
    "能",
    "会",
    "吗",
    "呢",
    "吧",
    "啊",
    "呀",
    "嘛",
    "么",
    "了",
    "的",
    "得",
    "是",
    "有权",
    "权力",
    "权限",
    "职权",
    "管",
    "负责",
    "办理",
    "处理",
    "要",
    "想",
    "怎么",
    "什么",
    "我",
)
COMMON_WORD_FREQ = 50  # jieba's dictionary counts: 社会 43401, 会所 39, 能管 absent
QUESTION_RE = re.compile("|".join(sorted(map(re.escape, _QUESTION_WORDS), key=len, reverse=True)))
PUNCT_RE = re.compile(r"[\s\W_]+", re.UNICODE)
_PENALTY_RE = re.compile(r"处罚|罚款|罚|查处|执法|处理违法")
# The formal name without the framing every list adds: 对…的处罚, …审批.
_NAME_LEAD = re.compile(r"^(对|关于)")
_NAME_TAIL = re.compile(
    r"(的)?(行政处罚|处罚|审批|许可|核准|备案|登记|确认|给付|奖励|征收|裁决|检查|监督检查|强制措施|强制执行)$"
)
NAME_CORE_MIN = 6  # shorter cores (低保) are everyday words, not copied names
# "没办X就…", "未取得X…", "无照…": the question is about the violation, not the licence.
NEGATION_BEFORE = re.compile(r"(没有?办?理?|未办理?|未取得|未经|没取得|没申请|未申请|不办|无)$")
_LICENCE_RE = re.compile(r"审批|批准|许可|核发|报建|批")
# What the asker wants done: permission (申请、审批、手续) or action against a violation.
_ASKS_PERMISSION = re.compile(r"申请|审批|批准|批|发证|办证|许可|手续|核发|报建|登记")
_ASKS_ENFORCEMENT = re.compile(
    r"罚|查处|责令|拆|没收|取缔|违法|违规|违章|乱|擅自|偷|停工|叫停|"
    r"没有?(办|经|拿|报|取得|申请)|未(经|办|取得|报|申请)|无证|无照|不办"
)
# A permission named as missing (没报建、未经批准、没办手续) asks about the violation, not for the permission.
_NEGATED_PERMISSION = re.compile(
    r"(没有?|未|无|不)(经|办理?|去办|拿|取得|申请|经过)?(报建|审批|批准|批|许可|手续|登记)"
)
ENFORCEMENT_TYPES = ("行政处罚", "行政强制")
# 依据是啥, 依据哪条, 哪部法律, 法律依据: the legal basis asked for (a document is another question).
_ASKS_BASIS = re.compile(
    r"依据(是|为)?(啥|什么|哪)(?!.{0,3}文件)|(哪|什么)(一|部|条|个|项)?(法律|法规|条例|法|条款)|法律依据|法条"
)
_ASKS_WHO = re.compile(r"谁|哪个(部门|单位|机关)|哪(一)?级")
# Who or which office, and nothing else (这个归谁罚, 由哪个办公室负责).
_ASKS_WHO_OR_OFFICE = re.compile(
    r"谁|哪(个|一个|家)?(部门|单位|机关|办公室|办|科室|岗位|口子)|哪(一)?级|哪里|哪儿|找哪"
)
# 归/由/哪 name a holder; 是找花山镇处理吗 asks who handles it, too.
_WHO_HANDLES = re.compile(r"[归由哪]|找.{0,8}(处理|管|办|罚|批|查)")
# Whether the unit can (能罚吗, 有没有这个权限, 管不管): a yes-or-no question.
_ASKS_WHETHER = re.compile(r"能|可以|可否|可不可以|行不行|有没有|是不是|管不管|要不要|[吗么嘛]")
CONFLICT_PENALTY = 0.15  # a licence asked about as a penalty, or the reverse


def without_framing(name: str) -> str:
    """对擅自倾倒、堆放、丢弃污泥的处罚 -> 擅自倾倒、堆放、丢弃污泥 (punctuation kept)."""
    return _NAME_TAIL.sub("", _NAME_LEAD.sub("", name.strip()))


def name_core(name: str) -> str:
    """The name without framing or punctuation: what is looked for in a question."""
    return without_framing(PUNCT_RE.sub("", name))


def clean_question(text: str) -> str:
    """The question without punctuation and framing words.

    A one-character framing word (会, 管, 要…) that is part of a common word (社会, 管理, 需要)
    is kept: “共享单车管理” is not “共享单车理”, “社会生活噪声” not “社生活噪声”.
    """
    text = PUNCT_RE.sub("", text)
    kept = _common_words_with_framing()

    def drop(match: re.Match[str]) -> str:
        found, start = match.group(), match.start()
        if len(found) == 1 and (text[start - 1 : start + 1] in kept or text[start : start + 2] in kept):
            return found
        return ""

    return QUESTION_RE.sub(drop, text)


@lru_cache(maxsize=1)
def _common_words_with_framing() -> frozenset[str]:
    """Two-character words of jieba's dictionary, common enough, holding a one-character framing word."""
    import jieba  # its dictionary file only: read once

    single = {w for w in _QUESTION_WORDS if len(w) == 1}
    kept = set()
    with jieba.get_dict_file() as lines:
        for raw in lines:
            word, freq, *_ = raw.decode("utf-8").split(" ")
            if len(word) == 2 and int(freq) >= COMMON_WORD_FREQ and single & set(word):
                kept.add(word)
    return frozenset(kept)


def asks_for(text: str) -> str | None:
    """ "permission" or "enforcement" when the question clearly asks for one and not the other."""
    permission = bool(_ASKS_PERMISSION.search(_NEGATED_PERMISSION.sub("", text)))
    enforcement = bool(_ASKS_ENFORCEMENT.search(text))
    if permission and not enforcement:
        return "permission"
    if enforcement and not permission:
        return "enforcement"
    return None


def asks_basis(text: str) -> bool:
    """The message asks for the legal basis (能处理吗？依据是啥), whatever else it asks."""
    return bool(_ASKS_BASIS.search(text))


def asks_who(text: str) -> bool:
    """The message asks who holds or handles something (归谁管, 由哪个部门批)."""
    return bool(_ASKS_WHO.search(text))


def asks_only_who(text: str) -> bool:
    """Who or which office is asked, and not whether (这个归谁罚？ — not 能罚吗，还是归谁罚)."""
    return bool(_ASKS_WHO_OR_OFFICE.search(text)) and not _ASKS_WHETHER.search(text)


def asks_only_whether(text: str) -> bool:
    """Whether is asked, and neither who nor where (街道有这个服务吗？, not 是找镇里处理吗？)."""
    return bool(_ASKS_WHETHER.search(text)) and not _ASKS_WHO_OR_OFFICE.search(text) and not _WHO_HANDLES.search(text)


def conflicts(item: ItemInfo, wants: str | None) -> bool:
    """The question asks for a licence and the item is a penalty, or the other way round."""
    return (wants == "permission" and item.power_type in ENFORCEMENT_TYPES) or (
        wants == "enforcement" and item.power_type == "行政许可"
    )


def adjusted_score(score: float, item: ItemInfo, hint: str | None, wants: str | None) -> float:
    if hint and item.power_type == hint:
        score += 0.04
    if conflicts(item, wants):
        score -= CONFLICT_PENALTY
    return min(1.0, score)


def type_hint(text: str) -> str | None:
    if _PENALTY_RE.search(text):
        return "行政处罚"
    if _LICENCE_RE.search(text):
        return "行政许可"
    return None
