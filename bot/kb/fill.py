"""Writing validated sources into the (emptied) knowledge tables, inside the build's transaction.

Rows go in as bulk Core inserts with ids given here, in the order the sources list them (queries
read aliases, offices, posts in id order). Building each row as an ORM object took ~20 s for a
10,000-item list; this takes about a second.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from bot.kb import models as m
from bot.kb.sources import Sources


class _Rows:
    """Rows per table, each given the next id of its table."""

    def __init__(self) -> None:
        self.tables: dict[Any, list[dict[str, Any]]] = {}

    def add(self, model: Any, **values: Any) -> int:
        rows = self.tables.setdefault(model, [])
        values["id"] = len(rows) + 1
        rows.append(values)
        return int(values["id"])

    def write(self, session: Session, order: tuple[Any, ...]) -> None:
        for model in order:
            rows = self.tables.get(model)
            if rows:
                session.execute(insert(model.__table__), rows)


# Parents before children.
_INSERT_ORDER = (
    m.District,
    m.Unit,
    m.UnitAlias,
    m.Office,
    m.OfficeSubstitute,
    m.OfficeAlias,
    m.VocabularyWord,
    m.Law,
    m.Article,
    m.Document,
    m.PowerItem,
    m.DelegationRule,
    m.UnitRule,
    m.LegalReference,
    m.ItemAlias,
    m.Post,
    m.Duty,
    m.DutyItem,
    m.Agency,
    m.AgencyItem,
    m.Fact,
)


def fill(session: Session, sources: Sources) -> tuple[int, int]:
    """Insert every row of ``sources``; (laws, articles) written."""
    rows = _Rows()
    districts = {
        name: rows.add(m.District, name=name, central=central, editorial_office=office)
        for name, (central, office) in sources.districts.items()
    }
    units: dict[str, int] = {}
    for unit in sources.units:
        unit_id = rows.add(m.Unit, name=unit.name, district_id=districts[unit.district], kind=unit.kind)
        units[unit.full_name] = unit_id
        for position, office in enumerate(unit.offices):
            rows.add(m.Office, unit_id=unit_id, name=office, position=position)
        for alias in unit.aliases:
            rows.add(m.UnitAlias, unit_id=unit_id, alias=alias)
    for office, substitute in sources.office_substitutes.items():
        rows.add(m.OfficeSubstitute, office=office, substitute=substitute)
    for alias, office in sources.office_aliases.items():
        rows.add(m.OfficeAlias, alias=alias, office=office)
    for kind, words in (("unit_common_word", sources.unit_common_words), ("speech_term", sources.speech_terms)):
        for word in words:
            rows.add(m.VocabularyWord, kind=kind, word=word, grp=None)
    for group_number, group in enumerate(sources.synonyms):
        for word in group:
            rows.add(m.VocabularyWord, kind="synonym", word=word, grp=group_number)

    # Every article of a cited law is stored, so answers can quote neighbouring articles too.
    cited_laws = {ref.law for item in sources.items for ref in item.references}
    laws: dict[str, int] = {}
    articles: dict[tuple[str, str], int] = {}
    for title, text in sources.laws.items():
        if title not in cited_laws:
            continue
        laws[title] = rows.add(m.Law, title=title, version_date=text.version_date, source_file=text.source_file)
        for number, body in text.articles.items():
            articles[(title, number)] = rows.add(m.Article, law_id=laws[title], number=number, text=body)

    documents = {
        code: rows.add(
            m.Document,
            code=code,
            title=doc["title"],
            issuer=doc["issuer"],
            effective=dt.date.fromisoformat(doc["effective"]),
            note=doc.get("note") or None,
        )
        for code, doc in sources.documents.items()
    }

    items: dict[str, int] = {}
    for row in sources.items:
        item_id = rows.add(
            m.PowerItem,
            code=row.code,
            name=row.name,
            power_type=row.power_type,
            department=row.department,
            legal_basis_text=row.legal_basis,
            office=row.office,
            held_by=row.held_by,
            note=row.note,
            document_id=documents[row.document] if row.document else None,
            duties=row.duties,
            accountability=row.accountability,
            responsible_post=row.responsible_post,
            phone=row.phone,
        )
        items[row.code] = item_id
        for kind, verdict in row.rules.items():
            rows.add(m.DelegationRule, item_id=item_id, unit_kind=kind, verdict=verdict)
        for unit_name, verdict in row.unit_rules.items():
            rows.add(m.UnitRule, item_id=item_id, unit_id=units[unit_name], verdict=verdict)
        for position, ref in enumerate(row.references):
            rows.add(
                m.LegalReference,
                item_id=item_id,
                position=position,
                law_id=laws[ref.law],
                article_id=articles[(ref.law, ref.article)] if ref.article else None,
                detail=ref.detail,
            )
        for alias in row.aliases:
            rows.add(m.ItemAlias, item_id=item_id, alias=alias, kind="alias")
        for keyword in row.keywords:
            rows.add(m.ItemAlias, item_id=item_id, alias=keyword, kind="keyword")
        for situation in row.situations:
            rows.add(m.ItemAlias, item_id=item_id, alias=situation, kind="example")

    for position, raw in enumerate(sources.posts):
        post_id = rows.add(m.Post, office=raw["office"], name=raw["name"], position=position)
        for i, duty in enumerate(raw["duties"]):
            duty_id = rows.add(m.Duty, post_id=post_id, position=i, text=duty["text"], stage=duty["stage"])
            for code in duty["items"]:
                rows.add(m.DutyItem, duty_id=duty_id, item_id=items[code])
    for raw in sources.agencies:
        agency_id = rows.add(
            m.Agency,
            name=raw["name"],
            aliases=";".join(raw["aliases"]),
            parent=raw["parent"],
            scope=raw["scope"],
            duties=raw["duties"],
            merged_into=raw["merged_into"],
            note=raw["note"],
            source=raw["source"],
        )
        for code in raw["items"]:
            rows.add(m.AgencyItem, agency_id=agency_id, item_id=items[code])
    for raw in sources.facts:
        rows.add(
            m.Fact,
            key=raw["key"],
            topic=raw["topic"],
            answer=raw["answer"],
            keywords=";".join(raw["keywords"]),
            source=raw["source"],
        )
    rows.write(session, _INSERT_ORDER)
    return len(laws), len(articles)
