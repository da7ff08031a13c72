import pytest

from bot.matching import match_matter


@pytest.mark.parametrize(
    "text,code",
    [
        ("能不能处罚占道经营", "zhandao_jingying"),
        ("有人在人行道上摆摊卖水果", "zhandao_jingying"),
        ("饭店油烟超标", "canyin_youyan"),
        ("可以审批宅基地吗", "zhaijidi"),
        ("楼顶加建了一层", "weifa_jianshe"),
        ("乱贴小广告", "luan_zhangtie"),
        ("低保谁批", "dibao"),
        ("居委会的工作谁指导", "juweihui"),
        ("放鞭炮", "yanhua"),
    ],
)
def test_names_aliases_and_descriptions(knowledge, text, code):
    match = match_matter(knowledge, text)
    assert match.item is not None and match.item.code == code, match.candidates


@pytest.mark.parametrize(
    "text",
    ["能不能审批采矿许可证", "出租车营运证在哪办", "结婚登记", "护照怎么办", "", "？？？", "那法律依据呢"],
)
def test_matters_not_in_the_knowledge_base_are_unknown(knowledge, text):
    assert match_matter(knowledge, text).unknown


def test_longer_alias_wins_over_the_one_it_contains(knowledge):
    match = match_matter(knowledge, "乱搭建房屋")
    assert match.item is not None and match.item.code == "weifa_jianshe"
