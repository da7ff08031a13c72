"""Build the knowledge base from ``knowledge/`` in one transaction.

Knowledge tables are emptied and refilled inside a single transaction, so a
failed build leaves the previous version in place, and tables that are not
knowledge (user directory, audit) are never touched. Builds and imports hold
the knowledge-base lock (:mod:`bot.kb.locking`), and a build first settles an
import a crash interrupted (:mod:`bot.kb.pending`).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.kb import models as m
from bot.kb.locking import kb_lock
from bot.kb.pending import settle, staged_files
from bot.kb.sources import IMPORTS_DIR, Sources, load_sources
from bot.kb.store import get_engine

logger = logging.getLogger(__name__)

# Children before parents, for deletes.
_KNOWLEDGE_TABLES = (
    m.DutyItem,
    m.Duty,
    m.Post,
    m.AgencyItem,
    m.Agency,
    m.Fact,
    m.ItemAlias,
    m.UnitRule,
    m.DelegationRule,
    m.LegalReference,
    m.PowerItem,
    m.Document,
    m.Article,
    m.Law,
    m.Office,
    m.OfficeSubstitute,
    m.OfficeAlias,
    m.VocabularyWord,
    m.UnitAlias,
    m.Unit,
    m.District,
)


@dataclass(frozen=True)
class BuildResult:
    version: str
    units: int
    items: int
    laws: int
    articles: int
    skipped: bool


def build(knowledge_dir: Path, url: str | None = None, force: bool = False) -> BuildResult:
    """Validate the sources and (re)build the knowledge base, under the knowledge-base lock.

    Raises:
        BuildRejected: when a source file has errors; the database is untouched.
    """
    with kb_lock():
        settle_imports(knowledge_dir, url)
        return write_knowledge(load_sources(knowledge_dir), url, force)


def write_knowledge(sources: Sources, url: str | None = None, force: bool = False) -> BuildResult:
    """Write validated sources as the new version, in one transaction (the caller holds the lock).

    Skipped when the version in force was built from the same sources, unless ``force``.
    """
    engine = get_engine(url)
    _ensure_schema(engine)
    version = f"{dt.datetime.now():%Y%m%d.%H%M%S}-{sources.digest[:8]}"
    with Session(engine, future=True) as session, session.begin():
        latest = session.execute(select(m.KbVersion).order_by(m.KbVersion.id.desc()).limit(1)).scalar()
        if latest is not None and latest.version.endswith(sources.digest[:8]) and not force:
            return BuildResult(latest.version, len(sources.units), len(sources.items), 0, 0, skipped=True)
        for table in _KNOWLEDGE_TABLES:
            session.execute(delete(table))
        counts = _fill(session, sources)
        session.add(
            m.KbVersion(
                version=version,
                built_at=dt.datetime.now(),
                sources=json.dumps(sources.hashes, ensure_ascii=False, sort_keys=True),
            )
        )
    logger.info("knowledge base %s built: %s", version, counts)
    return BuildResult(version, len(sources.units), len(sources.items), *counts, skipped=False)


def built_sources(url: str | None = None) -> dict[str, str]:
    """The sources (path under ``knowledge/`` -> sha256) the version in force was built from."""
    engine = get_engine(url)
    if not inspect(engine).has_table(m.KbVersion.__tablename__):
        return {}
    with Session(engine, future=True) as session:
        latest = session.execute(select(m.KbVersion.sources).order_by(m.KbVersion.id.desc()).limit(1)).scalar()
    return json.loads(latest) if latest else {}


def settle_imports(knowledge_dir: Path, url: str | None = None) -> list[str]:
    """Finish or undo an import a crash interrupted (see :mod:`bot.kb.pending`); the caller holds the lock."""
    imports_dir = knowledge_dir / IMPORTS_DIR
    if not staged_files(imports_dir):
        return []
    finished = settle(imports_dir, built_sources(url), IMPORTS_DIR)
    if finished:
        logger.warning("finished interrupted imports: %s", finished)
    return finished


def _ensure_schema(engine: Engine) -> None:
    """Create missing tables; recreate knowledge tables whose columns changed.

    Knowledge tables hold nothing but what the next build writes, so a
    changed layout is dropped and recreated; other tables are never dropped.
    """
    existing = inspect(engine)
    stale = [
        model.__table__
        for model in (*_KNOWLEDGE_TABLES, m.KbVersion)
        if existing.has_table(model.__tablename__)
        and {c["name"] for c in existing.get_columns(model.__tablename__)} != set(model.__table__.columns.keys())
    ]
    if stale:
        logger.warning("knowledge tables changed layout, recreating: %s", [t.name for t in stale])
        knowledge_tables = [model.__table__ for model in (*_KNOWLEDGE_TABLES, m.KbVersion)]
        m.Base.metadata.drop_all(engine, tables=knowledge_tables)
    m.Base.metadata.create_all(engine)


def _fill(session: Session, sources: Sources) -> tuple[int, int]:
    districts = {}
    for name, (central, editorial_office) in sources.districts.items():
        districts[name] = m.District(name=name, central=central, editorial_office=editorial_office)
        session.add(districts[name])
    units = {}
    for unit_row in sources.units:
        unit = m.Unit(name=unit_row.name, district=districts[unit_row.district], kind=unit_row.kind)
        units[unit_row.full_name] = unit
        unit.offices = [m.Office(name=o, position=i) for i, o in enumerate(unit_row.offices)]
        unit.aliases = [m.UnitAlias(alias=a) for a in unit_row.aliases]
        session.add(unit)

    for office, substitute in sources.office_substitutes.items():
        session.add(m.OfficeSubstitute(office=office, substitute=substitute))
    for alias, office in sources.office_aliases.items():
        session.add(m.OfficeAlias(alias=alias, office=office))
    for kind, words in (("unit_common_word", sources.unit_common_words), ("speech_term", sources.speech_terms)):
        session.add_all(m.VocabularyWord(kind=kind, word=word) for word in words)
    for group_number, group in enumerate(sources.synonyms):
        session.add_all(m.VocabularyWord(kind="synonym", word=word, grp=group_number) for word in group)

    cited = {(ref.law, ref.article) for item in sources.items for ref in item.references}
    cited_laws = {law for law, _ in cited}
    laws: dict[str, m.Law] = {}
    articles: dict[str, dict[str, m.Article]] = {}
    n_articles = 0
    for title, text in sources.laws.items():
        if title not in cited_laws:
            continue
        law = m.Law(title=title, version_date=text.version_date, source_file=text.source_file)
        laws[title] = law
        session.add(law)
        for number, body in text.articles.items():
            # Every article of a cited law is stored, so answers can quote
            # neighbouring articles too.
            article = m.Article(law=law, number=number, text=body)
            session.add(article)
            articles.setdefault(title, {})[number] = article
            n_articles += 1

    documents = {}
    for code, doc in sources.documents.items():
        documents[code] = m.Document(
            code=code,
            title=doc["title"],
            issuer=doc["issuer"],
            effective=dt.date.fromisoformat(doc["effective"]),
            note=doc.get("note") or None,
        )
        session.add(documents[code])

    items_by_code: dict[str, m.PowerItem] = {}
    for row in sources.items:
        item = m.PowerItem(
            code=row.code,
            name=row.name,
            power_type=row.power_type,
            department=row.department,
            legal_basis_text=row.legal_basis,
            office=row.office,
            held_by=row.held_by,
            note=row.note,
            document=documents.get(row.document) if row.document else None,
        )
        item.rules = [m.DelegationRule(unit_kind=k, verdict=v) for k, v in row.rules.items()]
        item.unit_rules = [m.UnitRule(unit=units[u], verdict=v) for u, v in row.unit_rules.items()]
        item.references = [
            m.LegalReference(
                position=i,
                law=laws[ref.law],
                article=articles[ref.law][ref.article] if ref.article else None,
                detail=ref.detail,
            )
            for i, ref in enumerate(row.references)
        ]
        item.aliases = [m.ItemAlias(alias=a, kind="alias") for a in row.aliases] + [
            m.ItemAlias(alias=k, kind="keyword") for k in row.keywords
        ]
        session.add(item)
        items_by_code[row.code] = item

    for position, raw in enumerate(sources.posts):
        post = m.Post(office=raw["office"], name=raw["name"], position=position)
        post.duties = [
            m.Duty(
                position=i,
                text=d["text"],
                stage=d["stage"],
                items=[m.DutyItem(item=items_by_code[c]) for c in d["items"]],
            )
            for i, d in enumerate(raw["duties"])
        ]
        session.add(post)
    for raw in sources.agencies:
        agency = m.Agency(
            name=raw["name"],
            aliases=";".join(raw["aliases"]),
            parent=raw["parent"],
            scope=raw["scope"],
            duties=raw["duties"],
            merged_into=raw["merged_into"],
            note=raw["note"],
            source=raw["source"],
        )
        agency.items = [m.AgencyItem(item=items_by_code[c]) for c in raw["items"]]
        session.add(agency)
    for raw in sources.facts:
        session.add(
            m.Fact(
                key=raw["key"],
                topic=raw["topic"],
                answer=raw["answer"],
                keywords=";".join(raw["keywords"]),
                source=raw["source"],
            )
        )
    session.flush()
    return len(laws), n_articles
