import ast
from pathlib import Path

import pytest

from bot.kb.types import UnitInfo
from bot.kb.unit_index import UnitIndex
from bot.units import resolve_unit

KB_DIR = Path(__file__).resolve().parents[2] / "bot" / "kb"


@pytest.mark.parametrize(
    "text,expected",
    [
        ("石牌街道能不能处罚占道经营", "天河区石牌街道"),
        ("石牌街可以罚吗", "天河区石牌街道"),
        ("石牌那边", "天河区石牌街道"),
        ("天河石牌", "天河区石牌街道"),
        ("天河区石牌街道", "天河区石牌街道"),
        ("江高镇", "白云区江高镇"),
        ("江高能批宅基地吗", "白云区江高镇"),
        ("我是增城区荔城街道的", "增城区荔城街道"),
        ("增城新塘镇", "增城区新塘镇"),
        ("天河区新塘街道", "天河区新塘街道"),
        ("人民街道能不能指导人民调解", "越秀区人民街道"),
    ],
)
def test_loose_names_resolve(knowledge, text, expected):
    mention = resolve_unit(knowledge, text)
    assert mention.unit is not None and mention.unit.full_name == expected


def test_same_short_name_in_two_districts_is_ambiguous(knowledge):
    mention = resolve_unit(knowledge, "新塘能批宅基地吗")
    assert mention.ambiguous
    assert {u.full_name for u in mention.units} == {"天河区新塘街道", "增城区新塘镇"}


def test_district_narrows_an_ambiguous_name(knowledge):
    assert resolve_unit(knowledge, "增城新塘能批宅基地吗").unit.full_name == "增城区新塘镇"


@pytest.mark.parametrize("text", ["人民调解归谁管", "我们街道能不能罚", "北京来的游客", "珠江边上烧烤"])
def test_everyday_words_are_not_units(knowledge, text):
    assert resolve_unit(knowledge, text).units == ()


def test_district_without_unit_is_remembered(knowledge):
    mention = resolve_unit(knowledge, "天河区能不能处罚占道经营")
    assert mention.unit is None and mention.district == "天河区"


def test_common_words_come_from_the_knowledge_data(knowledge):
    # knowledge/vocabulary.yaml lists 人民 and 北京: alone they are words, with a suffix units.
    assert {"人民", "北京"} <= knowledge.unit_common_words
    assert resolve_unit(knowledge, "北京街道能罚吗").unit.full_name == "越秀区北京街道"


def test_a_deployment_without_a_common_word_finds_the_bare_name(knowledge):
    # The same units indexed with a deployment's own (empty) list: 人民 alone now names the unit.
    index = UnitIndex(knowledge.units, knowledge.districts, common_words=())
    assert index.find("人民那边能罚吗").unit.full_name == "越秀区人民街道"
    assert resolve_unit(knowledge, "人民那边能罚吗").units == ()


def test_the_index_needs_only_units_and_districts():
    units = (
        UnitInfo("石牌街道", "天河区", "central_street", ()),
        UnitInfo("新塘街道", "天河区", "central_street", ()),
        UnitInfo("新塘镇", "增城区", "town", ("新塘镇府",)),
    )
    index = UnitIndex(units, ["天河区", "增城区"])
    assert index.find("石牌街可以罚吗").unit is units[0]
    assert index.find("新塘能批吗").ambiguous
    assert index.find("增城新塘能批吗").unit is units[2]
    assert index.find("新塘镇府").unit is units[2]
    assert UnitIndex((), []).find("石牌街道").units == ()


def test_knowledge_package_imports_nothing_above_it():
    """bot/kb is the lowest layer: it may use bot.errors, bot.config and bot.db (engines), nothing else of bot."""
    allowed = ("bot.kb", "bot.errors", "bot.config", "bot.db")
    offending = []
    for path in sorted(KB_DIR.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else ([node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            )
            offending += [
                f"{path.name}: {n}" for n in names if (n == "bot" or n.startswith("bot.")) and not n.startswith(allowed)
            ]
    assert offending == []
