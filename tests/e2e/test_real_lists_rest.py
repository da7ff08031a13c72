"""Issue 11, done when: every row of the real published lists, imported as published, is answered
over REST with that row's verdict, its legal basis as written and its office (or the note that the
list names none); and what the lists say of responsibilities (责任事项, 追责情形, 责任岗位) is answered.

The session's shared stack answers from the demonstration knowledge that other tests rely on, so
this module boots a second stack of its own, once, on a knowledge base with the lists imported.
"""

from __future__ import annotations

import csv
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.answer import BASIS_AS_WRITTEN
from bot.config import KNOWLEDGE_DIR
from bot.kb.build import build
from bot.kb.importer import import_list
from bot.kb.legal import cited_titles, law_key, load_laws
from bot.kb.provider import KnowledgeProvider
from bot.kb.source_items import OFFICE_UNSTATED
from bot.kb.types import Knowledge
from tests.e2e.conftest import answer
from tests.stack import Stack, rest_say, start_stack

REAL = Path(__file__).resolve().parents[1] / "data" / "real_lists"
# Each list, the kind of unit it is imported for, a unit of that kind, its name and basis columns.
LISTS = {
    "qingshuihe_xiangzhen_fuquan_qingdan_neimenggu": ("town", "白云区江高镇", "赋权事项", "法律法规依据"),
    "mingguang_mingnan_jiedao_quanli_zeren_qingdan_anhui": ("central_street", "天河区石牌街道", "项目名称", "实施依据"),
    "xian_shiji_quanzeqingdan": ("noncentral_street", "从化区街口街道", "服务事项", "实施依据"),
}
POSTS_LIST = (
    "序号,事项名称,权力类型,实施依据,实施主体,责任事项,追责情形,责任岗位\n"
    "1,对在村道上擅自晾晒农作物的处罚,行政处罚,《城市道路管理条例》第二十七条,乡镇人民政府,"
    "1.立案责任：及时立案。2.调查责任：调查取证。,不依法履行职责的，依法追究责任。,执法队员岗\n"
)
HELD = {law_key(title) for title in load_laws(KNOWLEDGE_DIR / "laws")}


def _rows() -> list[tuple[str, str, str, str]]:
    """(unit, name as the list writes it, basis cell, list) for every row of every list."""
    out = []
    for stem, (_, unit, name_column, basis_column) in LISTS.items():
        with (REAL / f"{stem}.csv").open(encoding="utf-8") as f:
            for row in csv.DictReader(f):
                out.append((unit, "".join(row[name_column].split()), row[basis_column], stem))
    return out


@pytest.fixture(scope="module")
def lists_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, Knowledge]]:
    work = tmp_path_factory.mktemp("real-lists-stack")
    knowledge = work / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, knowledge, ignore=shutil.ignore_patterns("imports"))
    url = f"sqlite:///{work / 'kb.sqlite3'}"
    build(knowledge, url)
    for stem, (kind, *_) in LISTS.items():
        import_list(REAL / f"{stem}.csv", knowledge, url, unit_kind=kind, progress=False)
    posts = work / "岗位清单.csv"
    posts.write_text(POSTS_LIST, encoding="utf-8")
    import_list(posts, knowledge, url, unit_kind="town", progress=False)
    with start_stack(url, {}, work / "servers.log") as running:
        yield running, KnowledgeProvider(url, check_every_s=0).get()


def _ask(stack: Stack, *texts: str) -> list[dict[str, Any]]:
    sender = f"test-lists-{uuid.uuid4().hex[:8]}"
    return [rest_say(stack.rasa_url, sender, text) for text in texts][-1]


@pytest.mark.parametrize(("unit", "name", "basis", "stem"), _rows(), ids=lambda v: v[:12] if isinstance(v, str) else v)
def test_every_row_of_the_real_lists_is_answered_over_rest(lists_stack, unit, name, basis, stem):
    stack, k = lists_stack
    messages = _ask(stack, f"{unit}能不能行使“{name}”这项权力？")
    p = answer(messages)
    assert p["type"] == "power_answer", p
    assert messages[0]["text"].startswith("可以。") and "None" not in messages[0]["text"]
    assert (p["verdict"], p["unit"]["name"], p["item"]["name"]) == ("yes", unit, name)
    item = k.items[p["item"]["code"]]
    # The basis as the list wrote it (spaces and the pasted article text aside) …
    assert "".join(item.legal_basis_text.split())[:12] == "".join(basis.split())[:12]
    titles = [law_key(t) for t, _ in cited_titles(basis)]
    quoted = {ref["law"] for ref in p["legal_basis"]}
    # … each law we hold quoted with its article, and the cell itself shown when any is not held.
    assert {t for t in titles if t in HELD} <= quoted
    assert all(ref["text"] for ref in p["legal_basis"])
    if any(t not in HELD for t in titles):
        assert BASIS_AS_WRITTEN + item.legal_basis_text in (p["note"] or "")
    # The office, or the note that the list names none.
    assert p["handled_by"] or OFFICE_UNSTATED in (p["note"] or ""), p
    if stem.startswith("mingguang"):
        assert p["handled_by"] == "公共服务办公室"  # 独生子女: the field's office
    if stem.startswith("xian"):
        assert "清单所列承办机构：" in (p["note"] or "")  # the city's office, kept as written


def test_responsibilities_from_the_lists_are_answered_and_followed_up(lists_stack):
    stack, _ = lists_stack
    sender = f"test-lists-{uuid.uuid4().hex[:8]}"
    duties = answer(rest_say(stack.rasa_url, sender, "独生子女父母光荣证核发与注销的责任事项有哪些？"))
    assert (duties["topic"], duties["aspect"]) == ("accountability", "duties")
    assert duties["duties"].startswith("1、受理阶段责任")
    follow = rest_say(stack.rasa_url, sender, "不履行会被怎么追责？")
    consequences = answer(follow)
    assert consequences["aspect"] == "consequences" and consequences["item"] == duties["item"]
    assert "追责情形（清单原文）" in follow[0]["text"]

    other = f"test-lists-{uuid.uuid4().hex[:8]}"
    answer(rest_say(stack.rasa_url, other, "江高镇能不能处罚在村道上擅自晾晒农作物？"))
    post = rest_say(stack.rasa_url, other, "这项由哪个岗位负责？")
    assert answer(post)["aspect"] == "post" and "执法队员岗" in post[0]["text"]
