"""Understanding questions, apart from answering them."""

from __future__ import annotations

import pytest

from bot.dialogue import parse


def unit(knowledge, full_name):
    return next(u for u in knowledge.units if u.full_name == full_name)


@pytest.mark.parametrize(
    "text, power_type",
    [
        ("石牌街道有哪些行政处罚权？", "行政处罚"),
        ("我们有哪些处罚权", "行政处罚"),
        ("能审批什么", "行政许可"),
        ("行政检查事项", "行政检查"),
        ("公共服务有哪些", "公共服务"),
        ("我们有哪些权力", None),
    ],
)
def test_power_type_in(text, power_type):
    assert parse.power_type_in(text) == power_type


@pytest.mark.parametrize(
    "text, office",
    [
        ("综合行政执法办公室负责哪些事项？", "综合行政执法办公室"),
        ("执法办管什么", "综合行政执法办公室"),
        ("综治办的职责", "综合治理办公室"),
        ("党群服务中心做什么", "公共服务办公室"),
        ("食堂归谁管", None),
    ],
)
def test_find_office_by_full_or_short_name(knowledge, text, office):
    assert parse.find_office(knowledge, text) == office


def test_stage_and_posts_named(knowledge):
    assert parse.stage_in("谁负责占道经营的立案？") == "立案"
    assert parse.stage_in("取证归谁") == "调查"
    assert parse.stage_in("执法队员的职责是什么") is None
    assert [(p.office, p.name) for p in parse.posts_named(knowledge, "执法队员的职责是什么")] == [
        ("综合行政执法办公室", "执法队员")
    ]
    # A bare 主任 exists in every office; the office named narrows it down.
    assert {p.office for p in parse.posts_named(knowledge, "综治办主任做什么")} == {"综合治理办公室"}
    assert parse.posts_named(knowledge, "厨师做什么") == []


def test_find_agency_by_name_or_alias(knowledge):
    assert parse.find_agency(knowledge, "派出所归谁管？").name == "公安派出所"
    merged = parse.find_agency(knowledge, "城管中队还在吗")
    assert merged.name == "城管执法队" and merged.merged_into.startswith("综合行政执法办公室")
    assert parse.find_agency(knowledge, "图书馆归谁管") is None


def test_match_fact(knowledge):
    assert "2148" in parse.match_fact(knowledge, "全市下达了多少行政执法专项编制").answer
    assert "7-12" in parse.match_fact(knowledge, "镇一般设几个机构").answer
    assert parse.match_fact(knowledge, "今天天气怎么样") is None


def test_delegated_kind_from_the_words_else_the_askers_kind(knowledge):
    street = unit(knowledge, "天河区石牌街道")
    outer = next(u for u in knowledge.units if u.kind == "noncentral_street")
    town = unit(knowledge, "白云区江高镇")
    assert parse.delegated_kind("下放给镇的事项有哪些", None) == "town"
    assert parse.delegated_kind("非中心城区街道承接了什么", street) == "noncentral_street"
    assert parse.delegated_kind("中心城区街道承接了什么", outer) == "central_street"
    assert parse.delegated_kind("下放给街道的", outer) == "noncentral_street"
    assert parse.delegated_kind("下放给街道的", town) == "central_street"
    assert parse.delegated_kind("下放了哪些", street) == "central_street"
    assert parse.delegated_kind("下放了哪些", None) == "town"


def test_units_in_parts_keeps_the_order_named(knowledge):
    names = [u.full_name for u in parse.units_in_parts(knowledge, "江高镇和石牌街道的权责有什么不同？")]
    assert names == ["白云区江高镇", "天河区石牌街道"]
    assert len(parse.units_in_parts(knowledge, "石牌街道跟石牌街道比")) == 1
    assert parse.units_in_parts(knowledge, "两个镇有什么不同") == []


def test_unit_mention_prefers_a_button_payload(knowledge):
    assert parse.unit_mention(knowledge, "江高镇", {"unit": "天河区石牌街道"}).unit.full_name == "天河区石牌街道"
    assert parse.unit_mention(knowledge, "江高镇", {"unit": "不存在街道"}).unit.full_name == "白云区江高镇"
    assert parse.unit_mention(knowledge, "新塘能不能批宅基地", {}).ambiguous


def test_item_and_matter_words(knowledge):
    mention = parse.unit_mention(knowledge, "石牌街道能不能处罚占道经营", {})
    assert parse.item_in(knowledge, "石牌街道能不能处罚占道经营", mention).code == "zhandao_jingying"
    assert parse.has_matter_words("采矿许可证")
    assert not parse.has_matter_words("那么，由谁负责呢？")


def test_self_introduction():
    assert parse.is_self_introduction("我现在调到沙河街道了")
    assert not parse.is_self_introduction("那沙河街道呢")


@pytest.mark.parametrize("text", ["第二个", "2", "选3", "就第一个吧", "第 二 项"])
def test_looks_like_choice(text):
    assert parse.looks_like_choice(text)


@pytest.mark.parametrize("text", ["二手车", "第二个办公室管什么", "石牌街道", ""])
def test_does_not_look_like_choice(text):
    assert not parse.looks_like_choice(text)


@pytest.mark.parametrize(
    "text, number", [("第二个", 2), ("选3", 3), ("最后一个", 3), ("最后那个", 3), ("第9个", None), ("都不是", None)]
)
def test_option_number(text, number):
    assert parse.option_number(text, 3) == number


def test_pushed_work_is_what_is_left_of_the_request(knowledge):
    text = "区里要我们负责河道保洁，必须接吗"
    assert parse.pushed_work(text, parse.unit_mention(knowledge, text, {})) == "河道保洁"
