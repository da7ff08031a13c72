from pathlib import Path

import pytest

from bot.config import KNOWLEDGE_DIR
from bot.kb.legal import (
    LegalReferenceError,
    clause_text,
    cn_to_int,
    law_key,
    load_law,
    load_laws,
    parse_legal_basis,
    resolve_legal_basis,
)


def test_parses_several_articles_of_one_law():
    refs = parse_legal_basis("《城市道路管理条例》第二十七条、第四十二条")
    assert [(r.law, r.article, r.detail) for r in refs] == [
        ("城市道路管理条例", "第二十七条", ""),
        ("城市道路管理条例", "第四十二条", ""),
    ]


def test_parses_clause_items_and_a_second_law_without_article():
    refs = parse_legal_basis("《固体废物污染环境防治法》第一百一十一条第一款第（四）项；《广东省建筑垃圾管理条例》")
    assert refs[0].article == "第一百一十一条" and refs[0].detail == "第一款第（四）项"
    assert refs[1].law == "广东省建筑垃圾管理条例" and refs[1].article is None


def test_nested_title_is_kept_whole():
    refs = parse_legal_basis("《广东省实施《消防法》办法》第十条")
    assert refs[0].law == "广东省实施《消防法》办法"


@pytest.mark.parametrize(
    "bad", ["城市道路管理条例第二十七条", "《城市道路管理条例》第二十七", "《城市道路管理条例》第X条", ""]
)
def test_unparseable_references_are_rejected(bad):
    with pytest.raises(LegalReferenceError):
        parse_legal_basis(bad)


def test_article_text_and_paragraph_selection():
    law = load_law(next(Path(KNOWLEDGE_DIR / "laws").glob("大气污染防治法*.md")))
    article = law.articles["第一百一十八条"]
    third = clause_text(article, "第三款")
    assert "露天烧烤" in third and "油烟净化设施" not in third


def test_item_selection_keeps_the_lead_in():
    law = load_law(next(Path(KNOWLEDGE_DIR / "laws").glob("城市市容和环境卫生管理条例*.md")))
    quoted = clause_text(law.articles["第三十四条"], "第（二）项")
    assert quoted.startswith("第三十四条") and "张贴宣传品" in quoted and "随地吐痰" not in quoted


@pytest.mark.parametrize(
    "text,value", [("十", 10), ("十五", 15), ("四十二", 42), ("一百一十八", 118), ("一百零五", 105)]
)
def test_chinese_numerals(text, value):
    assert cn_to_int(text) == value


# ---- bases as published lists write them (resolve_legal_basis: lenient, never raises)

LIBRARY = load_laws(Path(KNOWLEDGE_DIR / "laws"))


@pytest.mark.parametrize(
    "written,expected",
    [
        ("《中华人民共和国城乡规划法》第四十一条", [("城乡规划法", "第四十一条", "")]),
        (
            "【法律】《中华人民共和国城乡规划法》（2019年修正）第41条第一款第三项",
            [("城乡规划法", "第四十一条", "第一款第（三）项")],
        ),
        (
            "《城乡规划法(2019年修正)》\n第四十一条 在乡、村庄规划区内进行乡镇企业……第六十五条",
            [("城乡规划法", "第四十一条", "")],
        ),
        (
            "1.《城市道路管理条例》第二十七条、第四十二条\n2.《土地管理法》第六十二条",
            [
                ("城市道路管理条例", "第二十七条", ""),
                ("城市道路管理条例", "第四十二条", ""),
                ("土地管理法", "第六十二条", ""),
            ],
        ),
        (
            "《城市市容和环境卫生管理条例》（国务院令第101号）第十一条；",
            [("城市市容和环境卫生管理条例", "第十一条", "")],
        ),
        ("村庄和集镇规划建设管理条例第三十九条", [("村庄和集镇规划建设管理条例", "第三十九条", "")]),
    ],
)
def test_published_bases_resolve_to_the_library(written, expected):
    resolved = resolve_legal_basis(written, LIBRARY)
    assert [(r.law, r.article, r.detail) for r in resolved.references] == expected
    assert resolved.not_held == [] and resolved.contradictions == []


def test_laws_the_library_lacks_are_listed_and_wrong_articles_are_contradictions():
    resolved = resolve_legal_basis("《安徽省人口与计划生育条例》第三十九条；《城乡规划法》第九百条", LIBRARY)
    assert resolved.references == []
    assert resolved.not_held == ["《安徽省人口与计划生育条例》"]
    assert resolved.contradictions == ["《城乡规划法》没有第九百条"]
    assert law_key("中华人民共和国土地管理法(2019年修正)") == "土地管理法"
