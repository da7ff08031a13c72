from bot.dialogue import State, Turn, handle_turn


def ask(knowledge, text, intent="ask_can", state=None, metadata_unit=None, entities=None):
    return handle_turn(knowledge, Turn(intent, text, entities or {}, metadata_unit), state or State())


def payload(outcome):
    return payload_of_reply(outcome.reply)


def payload_of_reply(reply):
    return next(m.custom for m in reply.messages if m.custom)


def test_answer_sets_context(knowledge):
    out = ask(knowledge, "天河区石牌街道能不能处罚占道经营？")
    assert payload(out)["verdict"] == "yes"
    assert out.state == State(unit="天河区石牌街道", matter="zhandao_jingying", question="can")


def test_follow_up_question_reuses_matter(knowledge):
    first = ask(knowledge, "江高镇能不能处罚露天烧烤")
    out = ask(knowledge, "由谁负责", intent="ask_who", state=first.state)
    p = payload(out)
    assert p["question"] == "who" and p["item"]["code"] == "lutian_shaokao" and p["unit"]["name"] == "白云区江高镇"


def test_other_unit_follow_up(knowledge):
    first = ask(knowledge, "荔城街道能处罚油烟超标吗")
    out = ask(knowledge, "那沙河街道呢", intent="inform_unit", state=first.state)
    p = payload(out)
    assert p["unit"]["name"] == "天河区沙河街道" and p["verdict"] == "no"


def test_self_introduction_is_acknowledged_not_answered(knowledge):
    first = ask(knowledge, "荔城街道能处罚油烟超标吗")
    out = ask(knowledge, "我现在调到沙河街道了", intent="inform_unit", state=first.state)
    assert all(m.custom is None for m in out.reply.messages)
    assert out.state.unit == "天河区沙河街道"
    assert "沙河街道" in out.reply.messages[0].text


def test_pending_question_waits_for_the_unit(knowledge):
    first = ask(knowledge, "我们能不能处罚占道经营")
    assert payload(first)["type"] == "clarify" and (payload(first)["need"], payload(first)["options"]) == ("unit", [])
    out = ask(knowledge, "江高镇", intent="inform_unit", state=first.state)
    assert payload(out)["verdict"] == "yes" and payload(out)["unit"]["name"] == "白云区江高镇"


def test_metadata_unit_is_the_last_resort(knowledge):
    out = ask(knowledge, "我们能审批宅基地吗", metadata_unit="增城区荔城街道")
    assert payload(out)["unit"]["name"] == "增城区荔城街道"
    named = ask(knowledge, "我们能审批宅基地吗", state=State(unit="天河区五山街道"), metadata_unit="增城区荔城街道")
    assert payload(named)["unit"]["name"] == "天河区五山街道"


def test_unknown_matter_is_never_guessed(knowledge):
    out = ask(knowledge, "石牌街道能不能审批采矿许可证")
    p = payload(out)
    assert p["verdict"] == "unknown" and p["item"] is None and p["legal_basis"] == []


def test_button_payload_picks_the_matter(knowledge):
    out = ask(
        knowledge,
        '/ask_who{"matter": "dibao"}',
        intent="ask_who",
        state=State(unit="天河区石牌街道"),
        entities={"matter": "dibao"},
    )
    assert payload(out)["item"]["code"] == "dibao" and payload(out)["verdict"] == "assist"


def test_choice_by_number_answers_the_pending_question(knowledge):
    first = ask(knowledge, "新塘能不能批宅基地")
    assert payload(first)["need"] == "unit"
    out = ask(knowledge, "第一个", intent="choose_option", state=first.state)
    assert payload(out)["unit"]["name"] == payload(first)["options"][0]


def test_fallback_with_no_matter_suggests_rephrasing(knowledge):
    out = ask(knowledge, "asdfgh qwer", intent="nlu_fallback")
    assert "换个说法" in out.reply.messages[0].text


def test_missing_matter_is_asked_for(knowledge):
    out = ask(knowledge, "石牌街道能不能处罚", state=State())
    p = payload(out)
    assert p["type"] == "clarify" and p["need"] == "matter"


def test_last_option_is_the_last_not_the_first(knowledge):
    first = ask(knowledge, "新塘能不能批宅基地")
    out = ask(knowledge, "最后一个", intent="choose_option", state=first.state)
    assert payload(out)["unit"]["name"] == payload(first)["options"][-1] != payload(first)["options"][0]


def test_a_misspelt_pending_slot_costs_the_waiting_question_not_the_turn(knowledge):
    state = State.from_slots({"pending": '{"need": "unit", "qustion": "can", "matter": "zhandao_jingying"}'})
    out = ask(knowledge, "江高镇", intent="inform_unit", state=state)
    assert "已记下：白云区江高镇" in out.reply.messages[0].text and out.state.unit == "白云区江高镇"


def test_structural_question_waits_for_the_unit_across_slots(knowledge):
    first = ask(knowledge, "我们有哪些行政处罚权", intent="ask_list_powers")
    state = State.from_slots(first.state.to_slots())
    out = ask(knowledge, "江高镇", intent="inform_unit", state=state)
    p = payload(out)
    assert p["topic"] == "list_powers" and p["unit"] == "白云区江高镇" and p["power_type"] == "行政处罚"
    page = ask(knowledge, "下一页", intent="page_next", state=State.from_slots(out.state.to_slots()))
    assert payload(page)["page"] == 2 and payload(page)["unit"] == "白云区江高镇"


def test_a_unit_beside_a_matter_we_do_not_hold_is_unknown_not_a_unit_statement(knowledge):
    out = handle_turn(knowledge, Turn("inform_unit", "海珠区琶洲街道能发出租车营运证吗？", {}), State())
    payload = next(m.custom for m in out.reply.messages if m.custom)
    assert payload["verdict"] == "unknown" and payload["unit"]["name"] == "海珠区琶洲街道"


def test_a_self_introduction_naming_an_office_is_still_a_unit_statement(knowledge):
    out = handle_turn(knowledge, Turn("inform_unit", "我是天河区石牌街道综合执法办的", {}), State())
    assert "已记下：天河区石牌街道" in (out.reply.messages[0].text or "")
    assert out.remember_unit == "天河区石牌街道"


def test_a_unit_written_with_its_district_is_still_a_unit_statement(knowledge):
    out = handle_turn(knowledge, Turn("inform_unit", "天河区的新塘街道", {}), State())
    assert "已记下：天河区新塘街道" in (out.reply.messages[0].text or "")


def test_a_question_that_also_asks_the_basis_gets_the_basis_answer(knowledge):
    """能处罚吗，依据是啥: two asks in one message; the basis answer also gives the verdict."""
    p = payload(ask(knowledge, "江高镇能处罚露天烧烤吗？依据是啥"))
    assert (p["question"], p["verdict"], p["item"]["code"]) == ("basis", "yes", "lutian_shaokao")
    assert p["legal_basis"]
    assert payload(ask(knowledge, "江高镇能处罚露天烧烤吗"))["question"] == "can"


def test_one_likely_item_is_offered_as_a_yes_or_no_not_as_a_list(knowledge):
    """A single option asks "is it this one?"; two or more ask "which one?"."""
    from bot.answer import clarify_matter

    one = payload_of_reply(clarify_matter("can", [knowledge.items["guanggao_xuke"]]))
    assert one["prompt"].startswith("您问的是“大型户外广告设置审批”吗？") and len(one["options"]) == 1
    two = payload_of_reply(clarify_matter("can", [knowledge.items["guanggao_xuke"], knowledge.items["guanggao_chufa"]]))
    assert two["prompt"].startswith("您问的是下面哪一项") and len(two["options"]) == 2


def test_a_comparison_or_agency_intent_without_its_subject_is_a_power_question(knowledge):
    """The classifier's ask_compare / ask_agency on a plain power question: one unit, no comparison,
    no agency. The power answer follows, "未找到" when the lists hold no such matter."""
    p = payload(ask(knowledge, "石井街道的商户想在楼顶装个大灯箱广告，审批手续街道能办吗", intent="ask_compare"))
    assert p["question"] == "can" and p["unit"]["name"] == "白云区石井街道"
    p = payload(ask(knowledge, "江高镇有人想开个游戏厅，游戏厅许可是镇里批吗", intent="ask_agency"))
    assert p["question"] == "can" and p["verdict"] == "unknown"
    compared = payload(ask(knowledge, "石牌街道和江高镇的权责有什么不同", intent="ask_compare"))
    assert compared.get("type") != "power_answer"
    # 好多 is no comparison of one unit with another.
    p = payload(ask(knowledge, "石楼镇流浪狗好多咬了两个人镇里管不管", intent="ask_compare"))
    assert p["question"] == "can" and p["item"]["code"] == "liulang_quanmao"
    more = payload(ask(knowledge, "江高镇的处罚权比石牌街道多吗", intent="ask_compare"))
    assert more.get("type") != "power_answer"


def test_who_manages_a_matter_asked_under_another_intent_is_answered_as_who(knowledge):
    """ "那归谁管？" after a power question, classified as an agency question: who holds the matter."""
    first = ask(knowledge, "天河区棠下街道能处罚夜间施工吗")
    p = payload(ask(knowledge, "那归谁管？", intent="ask_agency", state=first.state))
    assert p["question"] == "who" and p["held_by"] == "区生态环境分局"


def test_who_manages_a_stationed_agency_is_the_agency_answer(knowledge):
    """派出所归街道管还是归分局管 asks about the agency, whatever intent the classifier gave it."""
    reply = ask(knowledge, "派出所归街道管还是归公安分局管？", intent="ask_who")
    assert any("指挥、调度" in (m.text or "") for m in reply.reply.messages)


def test_a_neighbourhood_is_not_the_district_handing_work_down(knowledge):
    """小区里 is not 区里: nobody pushes work onto the unit here."""
    p = payload(ask(knowledge, "天河区石牌街道有个小区里流浪狗越来越多，街道能组织处置吗", intent="ask_push_down"))
    assert p["type"] == "power_answer" and p["question"] == "can"


def test_a_follow_up_naming_a_licence_keeps_the_last_question(knowledge):
    """审批 inside the matter's name is no cue: "那…审批呢" asks the last question again."""
    first = ask(knowledge, "天河区石牌街道能处罚占道经营吗")
    p = payload(ask(knowledge, "那临时占用城市道路审批呢", intent="ask_basis", state=first.state))
    assert p["question"] == "can" and p["item"]["code"] == "linshi_zhandao_xuke"


def test_a_follow_up_asking_who_finally_approves_keeps_the_matter(knowledge):
    """ "最后由谁审批？" names no matter: the last one is meant."""
    first = ask(knowledge, "花都区狮岭镇能受理特困人员供养申请吗？")
    p = payload(ask(knowledge, "最后由谁审批？", intent="ask_who", state=first.state))
    assert p["question"] == "who" and p["item"]["code"] == "tekun" and p["held_by"] == "区民政局"


def test_who_asked_without_whether_is_a_who_question_whatever_the_intent(knowledge):
    """ "这个归谁罚？" asks nothing of whether the unit may: the classifier's ask_can is overruled,
    and the reply says who holds the power."""
    first = ask(knowledge, "白云区江高镇能处罚露天烧烤吗")
    p = payload(ask(knowledge, "那这个归谁罚？", intent="ask_can", state=first.state))
    assert p["question"] == "who" and p["item"]["code"] == "lutian_shaokao"
    p = payload(ask(knowledge, "江高镇露天烧烤的事由哪个办公室负责？", intent="ask_can"))
    assert p["question"] == "who" and p["handled_by"] == "综合行政执法办公室"


def test_whether_asked_without_who_is_a_can_question_whatever_the_intent(knowledge):
    """ "…管得了吗？" asks whether, not who: an ask_who from the classifier gives the yes-or-no reply."""
    p = payload(ask(knowledge, "天河区石牌街道管得了占道经营吗", intent="ask_who"))
    assert p["question"] == "can" and p["verdict"] == "yes"
    # 是找镇里处理吗 asks who handles it; both asked: the classifier's choice stands.
    p = payload(ask(knowledge, "楼下有人露天烧烤，烟熏得没法开窗，是找江高镇处理吗？", intent="ask_who"))
    assert p["question"] == "who"
    p = payload(ask(knowledge, "天河区石牌街道能管占道经营吗，还是归谁管", intent="ask_who"))
    assert p["question"] == "who"


def test_an_unclassified_message_asking_who_gets_the_who_answer(knowledge):
    """A long message the classifier is unsure of (nlu_fallback) but whose matter is clear and which
    asks only who: the reply says who holds it, not whether the unit may."""
    p = payload(ask(knowledge, "江高镇夜市好多露天烧烤摊，烟熏得楼上没法开窗，这个归谁罚？", intent="nlu_fallback"))
    assert p["question"] == "who" and p["item"]["code"] == "lutian_shaokao"
