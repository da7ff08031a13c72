"""SQLAlchemy models of the knowledge base (SQLAlchemy 1.4, 2.0 style).

Only the build and the query modules use these classes; everything else sees
the frozen dataclasses of :mod:`bot.kb.types`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import declarative_base, relationship

# Any: SQLAlchemy 1.4 ships no types for declarative classes (its mypy plugin needs sqlalchemy2-stubs).
Base: Any = declarative_base()


class District(Base):
    __tablename__ = "district"

    id = Column(Integer, primary_key=True)
    name = Column(String(32), unique=True, nullable=False)
    central = Column(Boolean, nullable=False)
    editorial_office = Column(String(64), nullable=False)


class Unit(Base):
    __tablename__ = "unit"
    __table_args__ = (UniqueConstraint("district_id", "name"),)

    id = Column(Integer, primary_key=True)
    name = Column(String(32), nullable=False, index=True)
    district_id = Column(ForeignKey("district.id"), nullable=False)
    kind = Column(String(24), nullable=False)  # town / central_street / noncentral_street
    district = relationship(District)
    offices = relationship("Office", order_by="Office.position")
    aliases = relationship("UnitAlias")


class UnitAlias(Base):
    __tablename__ = "unit_alias"

    id = Column(Integer, primary_key=True)
    unit_id = Column(ForeignKey("unit.id"), nullable=False, index=True)
    alias = Column(String(32), nullable=False)


class Office(Base):
    __tablename__ = "office"
    __table_args__ = (UniqueConstraint("unit_id", "name"),)

    id = Column(Integer, primary_key=True)
    unit_id = Column(ForeignKey("unit.id"), nullable=False, index=True)
    name = Column(String(64), nullable=False)
    position = Column(Integer, nullable=False)


class OfficeSubstitute(Base):
    """Where a unit lacks ``office``, ``substitute`` handles its matters."""

    __tablename__ = "office_substitute"

    id = Column(Integer, primary_key=True)
    office = Column(String(64), unique=True, nullable=False)
    substitute = Column(String(64), nullable=False)


class OfficeAlias(Base):
    """A short name staff use for an office (综治办 -> 综合治理办公室); ``id`` keeps their order."""

    __tablename__ = "office_alias"

    id = Column(Integer, primary_key=True)
    alias = Column(String(32), unique=True, nullable=False)
    office = Column(String(64), nullable=False)


class VocabularyWord(Base):
    """A word of ``knowledge/vocabulary.yaml``; ``id`` keeps their order.

    kind: ``unit_common_word`` (a bare unit name that is an everyday word),
    ``speech_term`` (a domain word the speech normaliser corrects towards) or
    ``synonym`` (a thesaurus word; ``grp`` numbers its group, whose first word is canonical).
    """

    __tablename__ = "vocabulary_word"
    __table_args__ = (UniqueConstraint("kind", "word"),)

    id = Column(Integer, primary_key=True)
    kind = Column(String(24), nullable=False)
    word = Column(String(32), nullable=False)
    grp = Column(Integer, nullable=True)


class Law(Base):
    __tablename__ = "law"

    id = Column(Integer, primary_key=True)
    title = Column(String(64), unique=True, nullable=False)
    version_date = Column(Date, nullable=False)
    source_file = Column(String(128), nullable=False)


class Article(Base):
    __tablename__ = "article"
    __table_args__ = (UniqueConstraint("law_id", "number"),)

    id = Column(Integer, primary_key=True)
    law_id = Column(ForeignKey("law.id"), nullable=False, index=True)
    number = Column(String(16), nullable=False)  # e.g. 第四十二条
    text = Column(Text, nullable=False)
    law = relationship(Law, backref="articles")


class Document(Base):
    """A delegation decision or list that puts a power with a unit kind."""

    __tablename__ = "document"

    id = Column(Integer, primary_key=True)
    code = Column(String(32), unique=True, nullable=False)
    title = Column(String(128), nullable=False)
    issuer = Column(String(64), nullable=False)
    effective = Column(Date, nullable=False)
    note = Column(Text)


class PowerItem(Base):
    __tablename__ = "power_item"

    id = Column(Integer, primary_key=True)
    code = Column(String(64), unique=True, nullable=False)
    name = Column(String(200), nullable=False)
    power_type = Column(String(16), nullable=False)
    department = Column(String(64), nullable=False)
    legal_basis_text = Column(String(300), nullable=False)
    office = Column(String(64))
    held_by = Column(String(64))
    note = Column(Text)
    document_id = Column(ForeignKey("document.id"))  # null: the power comes from the law itself
    # What published lists add, as they wrote it (None when the list says nothing).
    duties = Column(Text)  # 责任事项
    accountability = Column(Text)  # 追责情形
    responsible_post = Column(String(200))  # 责任岗位
    phone = Column(String(64))  # 监管电话
    document = relationship(Document)
    rules = relationship("DelegationRule")
    unit_rules = relationship("UnitRule")
    references = relationship("LegalReference", order_by="LegalReference.position")
    aliases = relationship("ItemAlias", order_by="ItemAlias.id")


class LegalReference(Base):
    __tablename__ = "legal_reference"

    id = Column(Integer, primary_key=True)
    item_id = Column(ForeignKey("power_item.id"), nullable=False, index=True)
    position = Column(Integer, nullable=False)
    law_id = Column(ForeignKey("law.id"), nullable=False)
    article_id = Column(ForeignKey("article.id"))  # null when the whole law is cited
    detail = Column(String(32), nullable=False, default="")  # e.g. 第一款第（四）项
    law = relationship(Law)
    article = relationship(Article)


class DelegationRule(Base):
    __tablename__ = "delegation_rule"
    __table_args__ = (UniqueConstraint("item_id", "unit_kind"),)

    id = Column(Integer, primary_key=True)
    item_id = Column(ForeignKey("power_item.id"), nullable=False, index=True)
    unit_kind = Column(String(24), nullable=False)
    verdict = Column(String(8), nullable=False)  # yes / no / assist


class UnitRule(Base):
    """A single unit's own rule for an item (from its own list); it wins over the kind's rule."""

    __tablename__ = "unit_rule"
    __table_args__ = (UniqueConstraint("item_id", "unit_id"),)

    id = Column(Integer, primary_key=True)
    item_id = Column(ForeignKey("power_item.id"), nullable=False, index=True)
    unit_id = Column(ForeignKey("unit.id"), nullable=False)
    verdict = Column(String(8), nullable=False)  # yes / no / assist
    unit = relationship(Unit)


class ItemAlias(Base):
    __tablename__ = "item_alias"

    id = Column(Integer, primary_key=True)
    item_id = Column(ForeignKey("power_item.id"), nullable=False, index=True)
    alias = Column(String(64), nullable=False)
    # alias: a name; keyword: a situation word; example: a case told in staff's words
    kind = Column(String(8), nullable=False, default="alias")


class Post(Base):
    """A post of an office kind (岗位职责说明书)."""

    __tablename__ = "post"

    id = Column(Integer, primary_key=True)
    office = Column(String(64), nullable=False, index=True)
    name = Column(String(64), nullable=False)
    position = Column(Integer, nullable=False)
    duties = relationship("Duty", order_by="Duty.position")


class Duty(Base):
    __tablename__ = "duty"

    id = Column(Integer, primary_key=True)
    post_id = Column(ForeignKey("post.id"), nullable=False, index=True)
    position = Column(Integer, nullable=False)
    text = Column(Text, nullable=False)
    stage = Column(String(8))  # 巡查/受理/立案/调查/审核/决定/执行/初审/指导/服务
    items = relationship("DutyItem")


class DutyItem(Base):
    __tablename__ = "duty_item"

    id = Column(Integer, primary_key=True)
    duty_id = Column(ForeignKey("duty.id"), nullable=False, index=True)
    item_id = Column(ForeignKey("power_item.id"), nullable=False)
    item = relationship(PowerItem)


class Agency(Base):
    """A stationed agency (派驻机构), or a former one merged into a unit office."""

    __tablename__ = "agency"

    id = Column(Integer, primary_key=True)
    name = Column(String(64), unique=True, nullable=False)
    aliases = Column(Text, nullable=False, default="")  # ;-separated
    parent = Column(String(64), nullable=False)
    scope = Column(String(8), nullable=False)  # all / town / none (merged)
    duties = Column(Text)
    merged_into = Column(String(64))
    note = Column(Text)
    source = Column(Text)
    items = relationship("AgencyItem")


class AgencyItem(Base):
    __tablename__ = "agency_item"

    id = Column(Integer, primary_key=True)
    agency_id = Column(ForeignKey("agency.id"), nullable=False, index=True)
    item_id = Column(ForeignKey("power_item.id"), nullable=False)
    item = relationship(PowerItem)


class Fact(Base):
    """A fact of the reform, answerable as it stands, with its source."""

    __tablename__ = "fact"

    id = Column(Integer, primary_key=True)
    key = Column(String(64), unique=True, nullable=False)
    topic = Column(String(32), nullable=False)
    answer = Column(Text, nullable=False)
    keywords = Column(Text, nullable=False)  # ;-separated
    source = Column(Text, nullable=False)


class KbVersion(Base):
    """One row per successful build; the newest row is the version in force."""

    __tablename__ = "kb_version"

    id = Column(Integer, primary_key=True)
    version = Column(String(32), unique=True, nullable=False)
    built_at = Column(DateTime, nullable=False)
    sources = Column(Text, nullable=False)  # JSON: file -> sha256
