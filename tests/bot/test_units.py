import pytest

from bot.units import resolve_unit


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
