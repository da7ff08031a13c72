"""python -m bot.kb laws add: a law a real list cites but the library lacks is added, and the
next build quotes its article; a cited article it does not have is reported with file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.kb.__main__ import main
from bot.kb.importer import import_list
from bot.kb.provider import KnowledgeProvider
from bot.units import find_unit
from bot.verdict import decide

REAL = Path(__file__).resolve().parents[2] / "data" / "real_lists"
QINGSHUIHE = REAL / "qingshuihe_xiangzhen_fuquan_qingdan_neimenggu.csv"
GRASSLAND = "在草原上开展经营性旅游活动的许可"
# As the national database publishes it: title, history, contents, chapters, articles (an excerpt).
LAW_TEXT = Path(__file__).resolve().parents[2] / "data" / "laws" / "草原法_节选.txt"


@pytest.fixture()
def env(tmp_path: Path, knowledge_copy: Path, kb_url: str, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str]:
    database = tmp_path / "kb.sqlite3"
    shutil.copyfile(kb_url[len("sqlite:///") :], database)
    url = f"sqlite:///{database}"
    monkeypatch.setenv("KB_KNOWLEDGE_DIR", str(knowledge_copy))
    monkeypatch.setenv("KB_DATABASE_URL", url)
    monkeypatch.setenv("KB_BUILD_DIR", str(tmp_path / "build"))
    return knowledge_copy, url


def _grassland(url: str):  # type: ignore[no-untyped-def]
    k = KnowledgeProvider(url, check_every_s=0).get()
    unit = find_unit(k, "白云区江高镇")
    assert unit is not None
    return decide(k, unit, next(i for i in k.items.values() if i.name == GRASSLAND))


def test_a_law_added_to_the_library_is_quoted_after_the_build(env, tmp_path, capsys):
    knowledge_dir, url = env
    import_list(QINGSHUIHE, knowledge_dir, url, unit_kind="town", progress=False)
    assert _grassland(url).legal_basis == ()  # 草原法 is not held: kept as written, nothing quoted
    wrong = tmp_path / "清单.csv"
    wrong.write_text(
        "序号,事项名称,权力类型,实施依据,实施主体\n1,草原防火检查,行政检查,《中华人民共和国草原法》第九百条,乡镇人民政府\n",
        encoding="utf-8",
    )
    import_list(wrong, knowledge_dir, url, unit_kind="town", progress=False)
    assert main(["laws", "add", str(LAW_TEXT)]) == 0
    out = capsys.readouterr().out
    assert "已加入《草原法》（2021-04-29，2 条）" in out
    assert "! imports/清单.csv 第3行：《草原法》没有第九百条" in out  # a comment line, the header, the row
    law_file = knowledge_dir / "laws" / "草原法(2021-04-29).md"
    assert "## 第六章 利 用" in law_file.read_text(encoding="utf-8")

    v = _grassland(url)
    assert [(r.law, r.article) for r in v.legal_basis] == [("草原法", "第五十二条")]
    assert "不得破坏草原植被" in (v.legal_basis[0].text or "")
    assert v.item.legal_basis_text == "《中华人民共和国草原法》第五十二条"  # still as the list wrote it


def test_a_text_without_articles_is_refused_and_nothing_is_written(env, tmp_path, capsys):
    knowledge_dir, _ = env
    before = sorted(p.name for p in (knowledge_dir / "laws").iterdir())
    text = tmp_path / "说明.txt"
    text.write_text("某某条例\n本条例自公布之日起施行。\n", encoding="utf-8")
    assert main(["laws", "add", str(text)]) == 2
    assert "找不到以“第X条”开头的条文" in capsys.readouterr().err
    assert sorted(p.name for p in (knowledge_dir / "laws").iterdir()) == before
