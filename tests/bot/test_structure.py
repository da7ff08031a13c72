"""Structural questions through the dialogue layer."""

from bot.dialogue import State, Turn, handle_turn


def ask(knowledge, text, intent, state=None, metadata_unit=None):
    return handle_turn(knowledge, Turn(intent, text, {}, metadata_unit), state or State())


def payload(outcome):
    return next(m.custom for m in outcome.reply.messages if m.custom)


def text(outcome):
    return outcome.reply.messages[0].text


def test_list_a_units_penalties_grouped_with_counts_and_pages(knowledge):
    out = ask(knowledge, "石牌街道有哪些行政处罚权？", "ask_list_powers")
    p = payload(out)
    assert p["topic"] == "list_powers" and p["power_type"] == "行政处罚"
    assert p["total"] == p["counts"]["行政处罚"] and p["total"] >= 10
    assert "占道经营" in text(out) and "油烟" not in text(out)  # central streets do not fine fumes
    if p["pages"] > 1:
        nxt = ask(knowledge, "下一页", "page_next", state=out.state)
        assert payload(nxt)["page"] == 2


def test_list_needs_a_unit_and_answers_once_given(knowledge):
    out = ask(knowledge, "我们有哪些行政许可", "ask_list_powers")
    assert payload(out)["need"] == "unit"
    done = handle_turn(knowledge, Turn("inform_unit", "江高镇", {}), out.state)
    assert payload(done)["topic"] == "list_powers" and payload(done)["unit"] == "白云区江高镇"


def test_delegated_to_towns(knowledge):
    p = payload(ask(knowledge, "下放给镇的事项有哪些？", "ask_delegated_list"))
    assert p["kind"] == "town" and p["total"] > 0


def test_compare_two_units(knowledge):
    out = ask(knowledge, "石牌街道和江高镇的权责有什么不同？", "ask_compare")
    p = payload(out)
    assert p["units"] == ["天河区石牌街道", "白云区江高镇"]
    assert "zhaijidi" in p["only_second"] and "宅基地" in text(out)


def test_office_duties(knowledge):
    p = payload(ask(knowledge, "综合行政执法办公室负责哪些事项？", "ask_office_duties", metadata_unit="天河区石牌街道"))
    assert "zhandao_jingying" in p["items"] and "执法队员" in p["posts"]


def test_post_duties_and_the_post_for_a_step(knowledge):
    out = ask(knowledge, "执法队员的职责是什么", "ask_post_duties")
    assert "执法队员" in text(out) and "巡查" in text(out)
    step = ask(knowledge, "谁负责占道经营的立案？", "ask_post_duties")
    assert payload(step)["stage"] == "立案" and payload(step)["posts"]


def test_police_station_relationship(knowledge):
    out = ask(knowledge, "派出所归谁管？", "ask_agency")
    assert "区公安分局" in text(out) and "指挥、调度、日常管理权" in text(out) and "请休假" in text(out)
    merged = ask(knowledge, "城管执法队还在吗", "ask_agency")
    assert "综合行政执法办公室" in text(merged) and "2350" in text(merged)


def test_document_follow_up(knowledge):
    first = ask(knowledge, "石牌街道能不能处罚占道经营", "ask_can")
    out = ask(knowledge, "这项权力什么时候下放的、依据什么文件？", "ask_document", state=first.state)
    p = payload(out)
    assert p["item"] == "zhandao_jingying" and p["effective"] == "2020-12-31" and "（演示）" in p["document"]


def test_kb_version_and_facts(knowledge):
    assert knowledge.version in text(ask(knowledge, "知识库是什么版本、什么时候更新的？", "ask_kb_version"))
    assert "2148" in text(ask(knowledge, "全市下达了多少行政执法专项编制", "ask_fact"))
    assert "7-12" in text(ask(knowledge, "镇一般设几个机构", "ask_fact"))
    assert "出处" in text(ask(knowledge, "什么是权随事走", "ask_fact"))


def test_push_down_outside_the_list(knowledge):
    out = ask(knowledge, "区里要我们负责共享单车管理，必须接吗", "ask_push_down", metadata_unit="天河区石牌街道")
    assert payload(out)["in_list"] is False
    assert "不得随意下放" in text(out) and "权随事走、费随事走" in text(out)
    inside = ask(knowledge, "区里要我们街道处罚占道经营，清单里有吗", "ask_push_down", metadata_unit="天河区石牌街道")
    assert payload(inside)["in_list"] is True and "综合行政执法办公室" in text(inside)
