"""The questions staff actually ask besides "can we do X" (issue 12, point 4), through handle_turn.

The intents given are the ones the classifier may plausibly pick; the kind of question is settled
by its words, so several tests ask the same thing under different intents.
"""

from __future__ import annotations

import pytest

from bot.dialogue import State, Turn, handle_turn


def ask(knowledge, text, intent="ask_can", state=None):
    return handle_turn(knowledge, Turn(intent, text, {}), state or State())


def payload(outcome):
    return next(m.custom for m in outcome.reply.messages if m.custom)


def text(outcome):
    return outcome.reply.messages[0].text


# --- legal basis / who holds it, before the unit is known ----------------------------------------


@pytest.mark.parametrize("intent", ["ask_basis", "ask_who"])
def test_legal_basis_without_a_unit_is_answered_for_every_kind_of_unit(knowledge, intent):
    out = ask(knowledge, "宅基地审批依据哪条法律" if intent == "ask_basis" else "宅基地审批归谁管", intent)
    p = payload(out)
    assert p["topic"] == "legal_basis_overview" and p["item"]["code"] == "zhaijidi"
    assert p["legal_basis"][0]["law"] == "土地管理法" and p["legal_basis"][0]["article"] == "第六十二条"
    assert {k: v["verdict"] for k, v in p["levels"].items()} == {
        "town": "yes",
        "central_street": "no",
        "noncentral_street": "yes",
    }
    shown = text(out)
    assert "《土地管理法》第六十二条" in shown and "由乡（镇）人民政府审核批准" in shown
    assert "中心城区街道：镇街不行使，由区农业农村局行使" in shown and "告诉我您是哪个镇街" in shown
    # The offer stands: naming the unit next answers the question for it.
    done = ask(knowledge, "天河区石牌街道", "inform_unit", out.state)
    answer = payload(done)
    assert answer["type"] == "power_answer" and answer["unit"]["name"] == "天河区石牌街道"
    assert answer["verdict"] == "no" and answer["held_by"] == "区农业农村局"


@pytest.mark.parametrize(
    ("question", "intent"),
    [("我们能不能处罚占道经营", "ask_can"), ("我们镇有人占用耕地建房，这个归谁处理？", "ask_who")],
)
def test_a_question_about_our_own_unit_asks_which_it_is(knowledge, question, intent):
    p = payload(ask(knowledge, question, intent))
    assert p["type"] == "clarify" and p["need"] == "unit"


# --- offices and posts ---------------------------------------------------------------------------


@pytest.mark.parametrize("intent", ["ask_office_duties", "ask_list_powers", "nlu_fallback"])
def test_a_units_offices_are_listed(knowledge, intent):
    out = ask(knowledge, "天河区石牌街道设有哪些办公室", intent)
    p = payload(out)
    assert p["topic"] == "unit_offices" and p["unit"] == "天河区石牌街道"
    # A central street of 天河区: the seven common offices, 应急管理 and 城市管理.
    assert len(p["offices"]) == 9 and {"应急管理办公室", "城市管理办公室"} <= set(p["offices"])
    assert "设 9 个办公室" in text(out) and "综合行政执法办公室" in text(out)


def test_offices_of_the_askers_unit_wait_for_the_unit(knowledge):
    first = ask(knowledge, "我们设有哪些办公室", "ask_office_duties")
    assert payload(first)["need"] == "unit"
    out = ask(knowledge, "增城区派潭镇", "inform_unit", first.state)
    assert payload(out)["topic"] == "unit_offices" and "应急管理办公室" not in payload(out)["offices"]


@pytest.mark.parametrize("intent", ["inform_unit", "ask_office_duties", "ask_can"])
def test_a_unit_without_the_office_says_no_and_names_the_substitute(knowledge, intent):
    out = ask(knowledge, "增城区派潭镇有应急管理办公室吗", intent)
    p = payload(out)
    assert p["topic"] == "office_exists" and (p["exists"], p["substitute"]) == (False, "综合治理办公室")
    assert text(out).startswith("没有。增城区派潭镇未设应急管理办公室") and "由综合治理办公室承办" in text(out)


def test_a_unit_with_the_office_says_yes(knowledge):
    out = ask(knowledge, "石牌街道有没有城管办？", "ask_office_duties")
    p = payload(out)
    assert (p["office"], p["exists"], p["substitute"]) == ("城市管理办公室", True, None)
    assert text(out).startswith("有。天河区石牌街道设有城市管理办公室")


def test_the_posts_of_an_office(knowledge):
    out = ask(knowledge, "综合行政执法办公室有哪些岗位", "ask_post_duties")
    p = payload(out)
    assert p["topic"] == "office_posts" and p["office"] == "综合行政执法办公室"
    assert {"法制审核岗", "案件管理岗", "执法队员"} <= set(p["posts"]) and "综合岗" not in p["posts"]
    assert "法制审核岗：对拟作出的行政处罚决定" in text(out)


def test_a_named_post_is_still_a_post_question(knowledge):
    p = payload(ask(knowledge, "综合行政执法办公室案件管理岗位的职责是什么", "ask_post_duties"))
    assert p["topic"] == "post_duties" and p["posts"] == ["综合行政执法办公室/案件管理岗"]


def test_what_an_office_does_is_not_taken_for_whether_it_exists(knowledge):
    p = payload(ask(knowledge, "应急管理办公室负责哪些事项", "ask_office_duties"))
    assert p["topic"] == "office_duties"


# --- vague questions -----------------------------------------------------------------------------


def test_can_we_fine_gives_a_summary_with_the_common_matters_to_pick(knowledge):
    out = ask(knowledge, "石牌街道能不能罚款")
    p = payload(out)
    assert p["type"] == "clarify" and p["need"] == "matter"
    assert "天河区石牌街道（中心城区街道）可以行使或协助办理的行政处罚事项共" in p["prompt"]
    codes = [o["code"] for o in p["options"]]
    assert len(codes) == 5 and "zhandao_jingying" in codes and "canyin_youyan" not in codes
    assert len(out.reply.messages[0].buttons) == 5
    picked = ask(knowledge, "第一个", "choose_option", out.state)
    assert payload(picked)["item"]["code"] == codes[0] and payload(picked)["verdict"] in ("yes", "assist")


def test_can_we_fine_after_a_matter_is_a_follow_up_about_it(knowledge):
    first = ask(knowledge, "白云区江高镇能审批宅基地吗")
    out = ask(knowledge, "那能罚款吗", state=first.state)
    assert payload(out)["type"] == "power_answer" and payload(out)["item"]["code"] == "zhaijidi"
    overview = ask(knowledge, "那我们镇有什么处罚权", state=first.state)
    assert "白云区江高镇（镇）可以行使或协助办理的行政处罚事项共" in payload(overview)["prompt"]


def test_the_summary_counts_the_units_powers_of_that_type(knowledge):
    listed = payload(ask(knowledge, "增城区荔城街道有哪些行政许可", "ask_list_powers"))
    out = ask(knowledge, "增城区荔城街道有什么审批权", "ask_list_powers")
    assert f"行政许可事项共 {listed['total']} 项" in payload(out)["prompt"]


def test_a_vague_question_without_a_unit_counts_by_kind_then_waits(knowledge):
    out = ask(knowledge, "街道有什么审批权", "ask_list_powers")
    p = payload(out)
    assert p["topic"] == "kind_counts" and set(p["counts"]) == {"central_street", "noncentral_street"}
    assert p["counts"]["central_street"] < p["counts"]["noncentral_street"]
    done = ask(knowledge, "增城区荔城街道", "inform_unit", out.state)
    assert payload(done)["need"] == "matter" and "行政许可事项共" in payload(done)["prompt"]


@pytest.mark.parametrize("intent", ["ask_list_powers", "ask_can"])
def test_an_explicit_list_question_still_lists(knowledge, intent):
    p = payload(ask(knowledge, "石牌街道有哪些行政处罚权？", intent))
    assert p["topic"] == "list_powers" and p["power_type"] == "行政处罚"


def test_which_units_have_an_office_is_not_a_yes_no_question(knowledge):
    out = ask(knowledge, "哪些区的镇街设了应急管理办公室？", "ask_fact")
    assert payload(out)["topic"] == "reform_fact" and "六区的镇街设置应急管理办公室" in text(out)


# --- forwarded complaints and 12345 work orders --------------------------------------------------

WORK_ORDER = "群众反映：石牌街道某小区门口有人占道经营，旁边饭店油烟很大，这个归我们管吗？"


@pytest.mark.parametrize("intent", ["ask_can", "ask_push_down", "ask_who", "nlu_fallback"])
def test_a_work_order_with_two_matters_one_held_one_not(knowledge, intent):
    out = ask(knowledge, WORK_ORDER, intent)
    p = payload(out)
    assert p["topic"] == "work_order" and p["unit"] == "天河区石牌街道" and p["in_list"] is True
    by_code = {m["code"]: m for m in p["matters"]}
    assert list(by_code) == ["zhandao_jingying", "canyin_youyan"]
    assert (by_code["zhandao_jingying"]["verdict"], by_code["zhandao_jingying"]["handled_by"]) == (
        "yes",
        "综合行政执法办公室",
    )
    assert (by_code["canyin_youyan"]["verdict"], by_code["canyin_youyan"]["held_by"]) == ("no", "区生态环境分局")
    shown = text(out)
    assert "占道经营（行政处罚）：归石牌街道管：由综合行政执法办公室承办" in shown
    assert "不归石牌街道管：由区生态环境分局负责" in shown


def test_the_same_work_order_for_a_noncentral_street_holds_both(knowledge):
    out = ask(knowledge, WORK_ORDER.replace("石牌街道", "增城区荔城街道"))
    assert [m["verdict"] for m in payload(out)["matters"]] == ["yes", "yes"]


def test_a_work_order_without_a_unit_waits_for_it(knowledge):
    first = ask(knowledge, "12345工单：有人在路边乱摆卖，还有人违规燃放烟花爆竹，归我们管吗")
    assert payload(first)["need"] == "unit"
    out = ask(knowledge, "白云区江高镇", "inform_unit", first.state)
    p = payload(out)
    assert p["topic"] == "work_order" and [m["code"] for m in p["matters"]] == ["zhandao_jingying", "yanhua"]


def test_a_work_order_nothing_in_the_list_fits_cites_the_outside_list_rule(knowledge):
    out = ask(
        knowledge, "12345工单：小区里有人在楼道里卖保健品骗老人，这个归我们管吗", state=State(unit="天河区石牌街道")
    )
    p = payload(out)
    assert p["topic"] == "work_order" and p["matters"] == [] and p["in_list"] is False
    shown = text(out)
    assert "没有找到与天河区石牌街道权责清单事项对应的内容" in shown
    assert "清单之外的事项，上级职能部门不得随意下放或转嫁镇街承担" in shown and "出处：" in shown


def test_that_x_then_keeps_the_last_questions_kind_whatever_the_intent(knowledge):
    first = ask(knowledge, "石牌街道占道经营归哪个办公室管", "ask_who")
    assert payload(first)["question"] == "who"
    for intent in ("ask_can", "ask_basis"):
        out = ask(knowledge, "那乱倒垃圾呢", intent, first.state)
        assert payload(out)["question"] == "who" and payload(out)["item"]["code"] != "zhandao_jingying"
    # A follow-up with a cue of its own asks what it says.
    out = ask(knowledge, "那乱倒垃圾依据哪条法律呢", "ask_basis", first.state)
    assert payload(out)["question"] == "basis"


def test_which_law_after_a_matter_is_its_basis_not_a_matter_named_law(knowledge):
    first = ask(knowledge, "白云区太和镇能审批宅基地吗")
    out = ask(knowledge, "依据是哪条法律？", "ask_basis", first.state)
    assert payload(out)["item"]["code"] == "zhaijidi" and payload(out)["question"] == "basis"
    assert payload(ask(knowledge, "太和镇公共法律服务归谁管", "ask_who"))["item"]["code"] == "gonggong_falv_fuwu"


# --- phrasings of the same kinds (none from the evaluation set) ------------------------------------


@pytest.mark.parametrize(
    "question",
    ["江高镇设置了哪些办公室", "江高镇的办公室都有哪些", "白云区江高镇下设几个科室", "江高镇内设了哪几个机构"],
)
def test_a_units_offices_however_asked(knowledge, question):
    p = payload(ask(knowledge, question, "ask_office_duties"))
    assert p["topic"] == "unit_offices" and p["unit"] == "白云区江高镇" and "应急管理办公室" not in p["offices"]


def test_one_offices_duties_are_not_the_units_offices(knowledge):
    p = payload(ask(knowledge, "江高镇综合治理办公室都有哪些职责", "ask_office_duties"))
    assert p["topic"] == "office_duties"


@pytest.mark.parametrize(
    "question", ["派潭镇设置了应急管理办公室没有", "派潭镇有没有设应急办", "增城区派潭镇是否设立了应急管理办公室？"]
)
def test_whether_a_unit_has_an_office_however_asked(knowledge, question):
    p = payload(ask(knowledge, question, "ask_fact"))
    assert p["topic"] == "office_exists" and (p["exists"], p["substitute"]) == (False, "综合治理办公室")


@pytest.mark.parametrize("question", ["江高镇能罚款不", "江高镇是否有处罚权", "江高镇能不能罚点东西"])
def test_a_bare_power_type_is_a_summary_not_two_arbitrary_items(knowledge, question):
    p = payload(ask(knowledge, question))
    assert p["need"] == "matter" and "行政处罚事项共" in p["prompt"] and len(p["options"]) == 5


@pytest.mark.parametrize("question", ["列一下江高镇能做的行政检查", "江高镇可以罚哪些", "给我列出江高镇能办的审批"])
def test_a_power_type_list_however_asked(knowledge, question):
    p = payload(ask(knowledge, question, "ask_can"))
    assert p["topic"] == "list_powers" and p["power_type"] in ("行政检查", "行政处罚", "行政许可")


# --- two units named: a comparison ---------------------------------------------------------------


@pytest.mark.parametrize("intent", ["ask_compare", "ask_can", "ask_who"])
def test_two_units_on_one_matter_answers_for_each(knowledge, intent):
    out = ask(knowledge, "江高镇跟石牌街道批宅基地的权限一样吗", intent)
    p = payload(out)
    assert p["topic"] == "compare_units" and p["item"]["code"] == "zhaijidi"
    assert [(v["unit"], v["verdict"]) for v in p["verdicts"]] == [("白云区江高镇", "yes"), ("天河区石牌街道", "no")]
    assert "区农业农村局" in text(out) and "公共服务办公室" in text(out)


def test_a_unit_whose_name_has_he_is_not_split(knowledge):
    p = payload(ask(knowledge, "江高镇和人和镇都能处罚占道经营吗", "ask_can"))
    assert p["units"] == ["白云区江高镇", "白云区人和镇"] and p["item"]["code"] == "zhandao_jingying"


def test_we_and_another_unit_compares_against_the_askers_unit(knowledge):
    state = ask(knowledge, "我是天河区石牌街道的", "inform_unit").state
    p = payload(ask(knowledge, "我们和江高镇在野外用火审批上有啥不一样", "ask_compare", state))
    assert p["units"] == ["天河区石牌街道", "白云区江高镇"] and p["item"]["code"] == "yewai_yonghuo"


def test_pushed_work_is_quoted_in_the_askers_words(knowledge):
    out = ask(knowledge, "上级安排我们搞共享单车管理，这个要不要接", "ask_push_down", State(unit="天河区石牌街道"))
    assert "“共享单车管理”不在" in text(out)


@pytest.mark.parametrize(
    "question",
    ["江高镇能行使这项权力吗：农村村民宅基地审核批准", "我们江高镇要不要负责宅基地审批", "江高镇该不该管宅基地审批"],
)
def test_a_power_asked_without_anyone_handing_it_down_is_a_power_question(knowledge, question):
    p = payload(ask(knowledge, question, "ask_push_down"))
    assert (p["type"], p["item"]["code"], p["verdict"]) == ("power_answer", "zhaijidi", "yes")


def test_work_handed_down_by_a_bureau_stays_a_push_down_question(knowledge):
    out = ask(knowledge, "区农业农村局要江高镇来做宅基地审批，必须接吗", "ask_push_down")
    assert payload(out)["topic"] == "push_down" and payload(out)["in_list"] is True


def test_who_holds_it_before_the_unit_names_the_substitute_office_of_units_without_it(knowledge):
    out = ask(knowledge, "森林防火区野外用火由哪个部门审批", "ask_who")
    lines = text(out).splitlines()
    assert lines[0] == "“野外用火”由哪一级行使（按镇街类别）："
    assert lines[1] == "· 镇：镇街自行行使，由应急管理办公室承办（未设应急管理办公室的，由综合治理办公室承办）"


def test_powers_asked_of_a_units_offices_are_not_its_list_of_offices(knowledge):
    p = payload(ask(knowledge, "江高镇的办公室有哪些行政处罚权", "ask_office_duties"))
    assert p["topic"] == "list_powers" and p["power_type"] == "行政处罚"


@pytest.mark.parametrize("question", ["我是石牌街道的，江高镇能批宅基地吗", "江高镇能批宅基地吗？我是天河区石牌街道的"])
def test_a_unit_asked_beside_the_askers_own_is_the_one_answered(knowledge, question):
    out = ask(knowledge, question)
    p = payload(out)
    assert (p["unit"]["name"], p["item"]["code"], p["verdict"]) == ("白云区江高镇", "zhaijidi", "yes")
    assert out.remember_unit == "天河区石牌街道"


def test_the_askers_own_unit_compared_with_another(knowledge):
    p = payload(ask(knowledge, "我是石牌街道的，我们和江高镇处罚油烟一样吗", "inform_unit"))
    assert p["units"] == ["天河区石牌街道", "白云区江高镇"] and p["item"]["code"] == "canyin_youyan"


def test_an_office_named_like_a_power_type_is_still_the_office(knowledge):
    p = payload(ask(knowledge, "荔城街道的公共服务办公室有哪些职权", "ask_office_duties"))
    assert p["topic"] == "office_duties"


# --- a matter question the classifier took for a document or version question --------------------


@pytest.mark.parametrize(
    "intent,question,code",
    [
        (
            "ask_document",
            "城郊街道有家物流公司在仓库院子里又起了一栋三层办公楼，规划手续一个没办，街道可以立案查处吗？",
            "weifa_jianshe",
        ),
        ("ask_kb_version", "同和街道今年满十八岁的男孩子兵役登记，我们街道要组织吗", "bingyi_dengji"),
    ],
)
def test_a_matter_without_document_or_version_words_is_answered_as_a_power_question(knowledge, intent, question, code):
    p = payload(ask(knowledge, question, intent))
    assert p["type"] == "power_answer" and p["item"]["code"] == code and p["verdict"] == "yes"


def test_a_document_question_about_a_matter_still_names_its_delegation_document(knowledge):
    p = payload(ask(knowledge, "占道经营是依据哪个文件下放的？", "ask_document"))
    assert p["topic"] == "delegation_document" and p["item"] == "zhandao_jingying"


def test_the_documents_behind_a_units_whole_list_are_listed_with_their_counts(knowledge):
    out = ask(knowledge, "天河区石牌街道的权力清单是依据什么文件定的？", "ask_document")
    p = payload(out)
    assert p["topic"] == "delegation_documents" and p["unit"] == "天河区石牌街道"
    shown = text(out)
    assert shown.startswith("天河区石牌街道的权责清单依据以下文件确定")
    assert "《关于镇街实施城市管理领域综合行政执法的决定（演示）》" in shown
    # A central street holds none of the powers delegated only to towns and non-central streets.
    assert "下放区级经济社会管理权限" not in shown
    assert "法律直接规定的镇街职责" in shown


def test_a_matter_taken_for_a_reform_fact_is_answered_as_a_power_question(knowledge):
    p = payload(ask(knowledge, "石牌街道有人在人行道上摆摊卖水果能罚吗", "ask_fact"))
    assert p["type"] == "power_answer" and p["item"]["code"] == "zhandao_jingying"


def test_an_item_name_taken_for_a_list_question_is_answered_as_a_power_question(knowledge):
    name = knowledge.items["zhandao_jingying"].name
    p = payload(ask(knowledge, f"越秀区洪桥街道能不能行使“{name}”这项权力？", "ask_list_powers"))
    assert p["type"] == "power_answer" and p["item"]["code"] == "zhandao_jingying"


def test_a_question_without_anyone_handing_work_down_is_a_power_question_even_outside_the_list(knowledge):
    p = payload(ask(knowledge, "石滩镇有人想开彩票店，彩票代销许可是镇里批吗？", "ask_push_down"))
    assert p["type"] == "power_answer" and p["verdict"] == "unknown"
