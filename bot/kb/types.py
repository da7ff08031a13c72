"""Plain, frozen views of the knowledge base, detached from any session."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from bot.kb.names import unit_full_name
from bot.kb.thesaurus import Thesaurus

UNIT_KINDS = ("town", "central_street", "noncentral_street")
UNIT_KIND_LABELS = {"town": "镇", "central_street": "中心城区街道", "noncentral_street": "非中心城区街道"}
POWER_TYPES = (
    "行政许可",
    "行政处罚",
    "行政强制",
    "行政检查",
    "行政确认",
    "行政给付",
    "行政征收",
    "行政奖励",
    "行政裁决",
    "其他行政权力",
    "公共服务",
)
VERDICTS = ("yes", "no", "assist")


@dataclass(frozen=True)
class DistrictInfo:
    name: str
    central: bool
    editorial_office: str


@dataclass(frozen=True)
class UnitInfo:
    name: str
    district: str
    kind: str
    offices: tuple[str, ...]
    aliases: tuple[str, ...] = ()

    @property
    def full_name(self) -> str:
        return unit_full_name(self.district, self.name)


@dataclass(frozen=True)
class LegalRefInfo:
    law: str
    law_version: dt.date
    article: str | None  # 第四十二条, or None when the whole law is cited
    detail: str  # 第一款第（四）项, or ""
    text: str | None  # the cited clause, quoted from the law text

    @property
    def citation(self) -> str:
        where = f"{self.article or ''}{self.detail}"
        return f"《{self.law}》{where}"


@dataclass(frozen=True)
class DocumentInfo:
    code: str
    title: str
    issuer: str
    effective: dt.date
    note: str | None


@dataclass(frozen=True)
class ItemInfo:
    code: str
    name: str
    power_type: str
    department: str
    legal_basis_text: str
    office: str | None
    held_by: str | None
    note: str | None
    document: DocumentInfo | None  # None: the unit's duty comes from the law itself
    rules: dict[str, str] = field(default_factory=dict)  # unit kind -> yes/no/assist
    references: tuple[LegalRefInfo, ...] = ()
    aliases: tuple[str, ...] = ()  # names staff use (占道经营, 乱摆卖)
    keywords: tuple[str, ...] = ()  # words of situations (饭馆, 黑烟, 排风口)
    situations: tuple[str, ...] = ()  # cases told in staff's words (有人半夜把装修垃圾倒在村口)
    # A unit's own rule (from its own list), by the unit's full name (天河区石牌街道);
    # it wins over ``rules`` for that unit.
    unit_rules: dict[str, str] = field(default_factory=dict)
    # What a published list says besides (责任事项, 追责情形, 责任岗位, 监管电话), as written.
    accountability: Accountability | None = None


@dataclass(frozen=True)
class Accountability:
    """The responsibility part of a 权责清单 row, as the list wrote it; None where it says nothing."""

    duties: str | None = None  # 责任事项
    consequences: str | None = None  # 追责情形
    post: str | None = None  # 责任岗位
    phone: str | None = None  # 监管电话


@dataclass(frozen=True)
class DutyInfo:
    text: str
    stage: str | None
    items: tuple[str, ...]  # item codes


@dataclass(frozen=True)
class PostInfo:
    office: str
    name: str
    duties: tuple[DutyInfo, ...]


@dataclass(frozen=True)
class AgencyInfo:
    name: str
    aliases: tuple[str, ...]
    parent: str
    scope: str  # all / town / none (merged into a unit office)
    duties: str | None
    merged_into: str | None
    note: str | None
    source: str | None
    items: tuple[str, ...]


@dataclass(frozen=True)
class FactInfo:
    key: str
    topic: str
    answer: str
    keywords: tuple[str, ...]
    source: str


@dataclass(frozen=True, eq=False)
class Knowledge:
    """Everything the assistant answers from, loaded once per kb version.

    Compared and hashed by identity, so indexes can be cached per snapshot.
    """

    version: str
    built_at: dt.datetime
    districts: dict[str, DistrictInfo]
    units: tuple[UnitInfo, ...]
    items: dict[str, ItemInfo]
    office_substitutes: dict[str, str]
    posts: tuple[PostInfo, ...] = ()
    agencies: tuple[AgencyInfo, ...] = ()
    facts: tuple[FactInfo, ...] = ()
    # Short names staff use for offices (综治办 -> 综合治理办公室), in the order to try them.
    office_aliases: dict[str, str] = field(default_factory=dict)
    # Bare unit names that are everyday words (人民, 北京): a unit only with suffix or district.
    unit_common_words: frozenset[str] = frozenset()
    # Domain words speech recognisers get wrong, in priority order (for the normaliser).
    speech_terms: tuple[str, ...] = ()
    # Staff's words for the lists' words (knowledge/thesaurus.yaml), for matcher, NLU and normaliser.
    thesaurus: Thesaurus = field(default_factory=Thesaurus)
