"""The questions staff actually ask (issue 12, point 4), over REST against the real servers: the
trained model routes them, the action server answers them."""

from __future__ import annotations

from bot.client import texts_of
from tests.e2e.conftest import answer


def test_legal_basis_before_the_unit_then_for_the_unit(chat):
    messages = chat.say("宅基地审批依据哪条法律")
    p = answer(messages)
    assert p["topic"] == "legal_basis_overview" and p["item"]["code"] == "zhaijidi"
    assert p["legal_basis"][0]["law"] == "土地管理法" and p["legal_basis"][0]["article"] == "第六十二条"
    assert {k: v["verdict"] for k, v in p["levels"].items()} == {
        "town": "yes",
        "central_street": "no",
        "noncentral_street": "yes",
    }
    text = texts_of(messages)[0]
    assert "由乡（镇）人民政府审核批准" in text and "告诉我您是哪个镇街" in text
    done = answer(chat.say("白云区江高镇"))
    assert done["type"] == "power_answer" and done["question"] == "basis"
    assert (done["unit"]["name"], done["verdict"], done["handled_by"]) == ("白云区江高镇", "yes", "公共服务办公室")


def test_a_units_offices(chat):
    messages = chat.say("天河区石牌街道设有哪些办公室")
    p = answer(messages)
    assert p["topic"] == "unit_offices" and p["unit"] == "天河区石牌街道" and len(p["offices"]) == 9
    assert "应急管理办公室" in p["offices"] and "设 9 个办公室" in texts_of(messages)[0]


def test_a_unit_without_the_office_names_the_substitute(chat):
    messages = chat.say("增城区派潭镇有应急管理办公室吗")
    p = answer(messages)
    assert p["topic"] == "office_exists" and (p["exists"], p["substitute"]) == (False, "综合治理办公室")
    assert texts_of(messages)[0].startswith("没有。增城区派潭镇未设应急管理办公室")


def test_the_posts_of_an_office(chat):
    p = answer(chat.say("综合行政执法办公室有哪些岗位"))
    assert p["topic"] == "office_posts" and {"法制审核岗", "案件管理岗"} <= set(p["posts"])


def test_can_we_fine_is_a_summary_with_buttons(chat):
    messages = chat.say("石牌街道能不能罚款")
    p = answer(messages)
    assert p["type"] == "clarify" and p["need"] == "matter" and len(p["options"]) == 5
    assert "行政处罚事项共" in p["prompt"] and "canyin_youyan" not in [o["code"] for o in p["options"]]
    buttons = next(m["buttons"] for m in messages if m.get("buttons"))
    assert len(buttons) == 5
    picked = answer(chat.say(buttons[0]["payload"]))
    assert picked["type"] == "power_answer" and picked["unit"]["name"] == "天河区石牌街道"
    assert picked["item"]["code"] == p["options"][0]["code"]


def test_what_licences_a_street_has_counts_by_kind_then_summarises_for_the_unit(chat):
    p = answer(chat.say("街道有什么审批权"))
    assert p["topic"] == "kind_counts" and set(p["counts"]) == {"central_street", "noncentral_street"}
    done = answer(chat.say("增城区荔城街道"))
    assert (
        done["need"] == "matter"
        and "增城区荔城街道（非中心城区街道）可以行使或协助办理的行政许可事项共" in done["prompt"]
    )


def test_a_work_order_naming_two_matters_one_held_one_not(chat):
    messages = chat.say("群众反映：石牌街道某小区门口有人占道经营，旁边饭店油烟很大，这个归我们管吗？")
    p = answer(messages)
    assert p["topic"] == "work_order" and p["unit"] == "天河区石牌街道"
    assert [(m["code"], m["verdict"]) for m in p["matters"]] == [("zhandao_jingying", "yes"), ("canyin_youyan", "no")]
    assert p["matters"][0]["handled_by"] == "综合行政执法办公室" and p["matters"][1]["held_by"] == "区生态环境分局"
    text = texts_of(messages)[0]
    assert "归石牌街道管：由综合行政执法办公室承办" in text and "不归石牌街道管：由区生态环境分局负责" in text


def test_a_work_order_that_fits_nothing_cites_the_outside_list_rule(chat):
    chat.say("我是天河区石牌街道的")
    messages = chat.say("12345工单：群众反映出租车司机拒载还绕路，这个归我们管吗")
    p = answer(messages)
    assert p["topic"] == "work_order" and p["matters"] == [] and p["in_list"] is False
    assert "清单之外的事项，上级职能部门不得随意下放或转嫁镇街承担" in texts_of(messages)[0]
