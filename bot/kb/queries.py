"""Queries over the knowledge base. Each takes a session and returns frozen
dataclasses, never live ORM objects."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.errors import KnowledgeUnavailable
from bot.kb import models as m
from bot.kb.legal import clause_text
from bot.kb.names import unit_full_name
from bot.kb.thesaurus import Thesaurus
from bot.kb.types import (
    Accountability,
    AgencyInfo,
    DistrictInfo,
    DocumentInfo,
    DutyInfo,
    FactInfo,
    ItemInfo,
    Knowledge,
    LegalRefInfo,
    PostInfo,
    UnitInfo,
)


def current_version(session: Session) -> tuple[str, object] | None:
    row = session.execute(
        select(m.KbVersion.version, m.KbVersion.built_at).order_by(m.KbVersion.id.desc()).limit(1)
    ).first()
    return (row[0], row[1]) if row else None


def load_knowledge(session: Session) -> Knowledge:
    """Load the whole knowledge base in force into memory.

    Raises:
        KnowledgeUnavailable: when no build has been recorded yet.
    """
    version = current_version(session)
    if version is None:
        raise KnowledgeUnavailable("知识库尚未构建，请先运行 python -m bot.kb build")
    districts = {
        d.name: DistrictInfo(d.name, d.central, d.editorial_office)
        for d in session.execute(select(m.District)).scalars()
    }
    units = tuple(
        UnitInfo(
            name=u.name,
            district=u.district.name,
            kind=u.kind,
            offices=tuple(o.name for o in u.offices),
            aliases=tuple(a.alias for a in u.aliases),
        )
        for u in session.execute(
            select(m.Unit)
            .options(selectinload(m.Unit.offices), selectinload(m.Unit.aliases), selectinload(m.Unit.district))
            .order_by(m.Unit.id)
        ).scalars()
    )
    items = {}
    query = (
        select(m.PowerItem)
        .options(
            selectinload(m.PowerItem.rules),
            selectinload(m.PowerItem.unit_rules).selectinload(m.UnitRule.unit).selectinload(m.Unit.district),
            selectinload(m.PowerItem.aliases),
            selectinload(m.PowerItem.document),
            selectinload(m.PowerItem.references).selectinload(m.LegalReference.law),
            selectinload(m.PowerItem.references).selectinload(m.LegalReference.article),
        )
        .order_by(m.PowerItem.id)
    )
    for item in session.execute(query).scalars():
        doc = item.document
        items[item.code] = ItemInfo(
            code=item.code,
            name=item.name,
            power_type=item.power_type,
            department=item.department,
            legal_basis_text=item.legal_basis_text,
            office=item.office,
            held_by=item.held_by,
            note=item.note,
            document=DocumentInfo(doc.code, doc.title, doc.issuer, doc.effective, doc.note) if doc else None,
            rules={r.unit_kind: r.verdict for r in item.rules},
            references=tuple(
                LegalRefInfo(
                    law=ref.law.title,
                    law_version=ref.law.version_date,
                    article=ref.article.number if ref.article else None,
                    detail=ref.detail,
                    text=clause_text(ref.article.text, ref.detail) if ref.article else None,
                )
                for ref in item.references
            ),
            aliases=tuple(a.alias for a in item.aliases if a.kind == "alias"),
            keywords=tuple(a.alias for a in item.aliases if a.kind == "keyword"),
            situations=tuple(a.alias for a in item.aliases if a.kind == "example"),
            unit_rules={unit_full_name(r.unit.district.name, r.unit.name): r.verdict for r in item.unit_rules},
            accountability=_accountability(item),
        )
    posts = tuple(
        PostInfo(
            p.office, p.name, tuple(DutyInfo(d.text, d.stage, tuple(di.item.code for di in d.items)) for d in p.duties)
        )
        for p in session.execute(
            select(m.Post)
            .options(selectinload(m.Post.duties).selectinload(m.Duty.items).selectinload(m.DutyItem.item))
            .order_by(m.Post.position)
        ).scalars()
    )
    agencies = tuple(
        AgencyInfo(
            a.name,
            tuple(x for x in a.aliases.split(";") if x),
            a.parent,
            a.scope,
            a.duties,
            a.merged_into,
            a.note,
            a.source,
            tuple(ai.item.code for ai in a.items),
        )
        for a in session.execute(
            select(m.Agency).options(selectinload(m.Agency.items).selectinload(m.AgencyItem.item)).order_by(m.Agency.id)
        ).scalars()
    )
    words: dict[str, list[str]] = {"unit_common_word": [], "speech_term": []}
    synonyms: dict[int, list[str]] = {}
    for word in session.execute(select(m.VocabularyWord).order_by(m.VocabularyWord.id)).scalars():
        if word.kind == "synonym":
            synonyms.setdefault(word.grp, []).append(word.word)
        else:
            words.setdefault(word.kind, []).append(word.word)
    facts = tuple(
        FactInfo(f.key, f.topic, f.answer, tuple(k for k in f.keywords.split(";") if k), f.source)
        for f in session.execute(select(m.Fact).order_by(m.Fact.id)).scalars()
    )
    return Knowledge(
        version=version[0],
        built_at=version[1],  # type: ignore[arg-type]
        districts=districts,
        units=units,
        items=items,
        office_substitutes={o.office: o.substitute for o in session.execute(select(m.OfficeSubstitute)).scalars()},
        posts=posts,
        agencies=agencies,
        facts=facts,
        office_aliases={
            a.alias: a.office for a in session.execute(select(m.OfficeAlias).order_by(m.OfficeAlias.id)).scalars()
        },
        unit_common_words=frozenset(words["unit_common_word"]),
        speech_terms=tuple(words["speech_term"]),
        thesaurus=Thesaurus.of(tuple(tuple(synonyms[g]) for g in sorted(synonyms))),
    )


def _accountability(item: m.PowerItem) -> Accountability | None:
    found = Accountability(item.duties, item.accountability, item.responsible_post, item.phone)
    return found if any((found.duties, found.consequences, found.post, found.phone)) else None
