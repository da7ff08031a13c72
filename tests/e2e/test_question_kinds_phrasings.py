"""The question kinds of issue 12 point 4 asked the way staff also phrase them, over REST against the
real stack: the trained model routes them (often to another intent), the words settle the kind.

None of these sentences is in the evaluation set or in test_question_kinds.py.
"""

from __future__ import annotations

from bot.client import texts_of
from tests.e2e.conftest import answer


def test_a_units_offices_asked_as_which_offices_it_has(chat):
    messages = chat.say("白云区江高镇的办公室都有哪些")
    p = answer(messages)
    assert p["topic"] == "unit_offices" and p["unit"] == "白云区江高镇"
    assert len(p["offices"]) == 8 and "应急管理办公室" not in p["offices"]
    assert "生态环境保护办公室" in p["offices"] and "设 8 个办公室" in texts_of(messages)[0]


def test_whether_a_town_set_up_an_office_names_the_substitute(chat):
    messages = chat.say("派潭镇设置了应急办没有")
    p = answer(messages)
    assert p["topic"] == "office_exists" and (p["office"], p["exists"]) == ("应急管理办公室", False)
    assert p["substitute"] == "综合治理办公室"
    assert "在派潭镇由综合治理办公室承办" in texts_of(messages)[0]


def test_the_posts_under_an_office(chat):
    messages = chat.say("应急管理办公室下面设了哪些岗位")
    p = answer(messages)
    assert p["topic"] == "office_posts" and p["office"] == "应急管理办公室"
    assert "安全生产监管岗" in p["posts"] and "安全生产监管岗" in texts_of(messages)[0]


def test_can_we_fine_with_the_channels_unit_is_a_summary_and_a_button_answers(chat_factory):
    chat = chat_factory({"unit": "白云区江高镇"})
    messages = chat.say("咱们镇能罚款不")
    p = answer(messages)
    assert p["type"] == "clarify" and p["need"] == "matter" and len(p["options"]) == 5
    assert p["prompt"].startswith("白云区江高镇（镇）可以行使或协助办理的行政处罚事项共")
    buttons = next(m["buttons"] for m in messages if m.get("buttons"))
    picked = answer(chat.say(buttons[1]["payload"]))
    assert picked["type"] == "power_answer" and picked["unit"]["name"] == "白云区江高镇"
    assert picked["item"]["code"] == p["options"][1]["code"] and picked["verdict"] in ("yes", "assist")


def test_a_12345_order_with_two_matters_says_which_is_ours(chat_factory):
    chat = chat_factory({"unit": "天河区石牌街道"})
    messages = chat.say("12345转来一单：居民投诉楼下大排档油烟熏人，门口还摆摊占道，请问归不归我们处理？")
    p = answer(messages)
    assert p["topic"] == "work_order" and p["unit"] == "天河区石牌街道"
    verdicts = {m["code"]: (m["verdict"], m["handled_by"], m["held_by"]) for m in p["matters"]}
    assert verdicts == {
        "canyin_youyan": ("no", None, "区生态环境分局"),
        "zhandao_jingying": ("yes", "综合行政执法办公室", None),
    }
    text = texts_of(messages)[0]
    assert "不归石牌街道管：由区生态环境分局负责" in text and "归石牌街道管：由综合行政执法办公室承办" in text


def test_the_law_behind_a_penalty_before_the_unit_then_for_it(chat):
    messages = chat.say("处罚乱倒污泥依据的是哪部法规")
    p = answer(messages)
    assert p["topic"] == "legal_basis_overview" and p["item"]["code"] == "wuni_qingdao"
    assert p["legal_basis"][0]["law"] == "城镇排水与污水处理条例"
    assert texts_of(messages)[0].startswith("“倾倒污泥”的法律依据")
    done = answer(chat.say("白云区江高镇"))
    assert (done["type"], done["question"], done["verdict"]) == ("power_answer", "basis", "no")


def test_who_holds_a_licence_without_a_unit_leads_with_each_kind_of_unit(chat):
    messages = chat.say("野外用火审批是哪个部门负责的")
    p = answer(messages)
    assert p["topic"] == "legal_basis_overview" and p["question"] == "who" and p["item"]["code"] == "yewai_yonghuo"
    assert {k: v["verdict"] for k, v in p["levels"].items()} == {
        "town": "yes",
        "central_street": "no",
        "noncentral_street": "yes",
    }
    lines = texts_of(messages)[0].splitlines()
    assert lines[0] == "“野外用火”由哪一级行使（按镇街类别）：" and "由区林业主管部门行使" in lines[2]
    done = answer(chat.say("天河区石牌街道"))
    assert (done["question"], done["verdict"], done["held_by"]) == ("who", "no", "区林业主管部门")


def test_two_units_named_with_a_matter_answer_for_each(chat):
    messages = chat.say("江高镇跟石牌街道批宅基地的权限一样吗")
    p = answer(messages)
    assert p["topic"] == "compare_units" and p["item"]["code"] == "zhaijidi"
    assert [(v["unit"], v["verdict"]) for v in p["verdicts"]] == [("白云区江高镇", "yes"), ("天河区石牌街道", "no")]
    text = texts_of(messages)[0]
    assert "白云区江高镇（镇）：自行行使，由公共服务办公室承办" in text and "由区农业农村局行使" in text
