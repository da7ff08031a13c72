"""The acceptance questions of the first issue, through REST against the real servers."""

from __future__ import annotations

from bot.client import texts_of
from tests.e2e.conftest import answer


def test_street_can_fine_street_vending(chat):
    messages = chat.say("天河区石牌街道能不能处罚占道经营？")
    p = answer(messages)
    assert p["type"] == "power_answer" and p["verdict"] == "yes"
    assert p["unit"] == {"name": "天河区石牌街道", "kind": "central_street", "district": "天河区"}
    assert p["handled_by"] == "综合行政执法办公室"
    assert any(b["law"] == "城市道路管理条例" and b["article"] == "第四十二条" for b in p["legal_basis"])
    assert p["delegation"]["document"] and p["delegation"]["effective"]
    assert p["kb_version"]
    text = texts_of(messages)[0]
    assert text.startswith("可以") and "城市道路管理条例" in text and "演示数据" in text


def test_central_street_cannot_fine_restaurant_fumes(chat):
    p = answer(chat.say("天河区沙河街道能处罚饭店油烟超标吗"))
    assert p["verdict"] == "no"
    assert p["held_by"] == "区生态环境分局"
    assert p["item"]["code"] == "canyin_youyan"


def test_noncentral_street_can_fine_fumes(chat):
    p = answer(chat.say("增城区荔城街道能处罚油烟超标吗"))
    assert p["verdict"] == "yes" and p["unit"]["kind"] == "noncentral_street"


def test_town_approves_homesteads_under_land_law_62(chat):
    p = answer(chat.say("白云区江高镇可以审批宅基地吗"))
    assert p["verdict"] == "yes"
    assert p["handled_by"] == "公共服务办公室"
    basis = p["legal_basis"][0]
    assert basis["law"] == "土地管理法" and basis["article"] == "第六十二条"
    assert "宅基地" in basis["text"]


def test_unit_told_first_then_we_question(chat):
    intro = chat.say("我是天河区五山街道的")
    assert any("五山街道" in t for t in texts_of(intro))
    p = answer(chat.say("我们能审批宅基地吗"))
    assert p["verdict"] == "no" and p["unit"]["name"] == "天河区五山街道"
    assert p["held_by"] == "区农业农村局"


def test_missing_unit_is_asked_then_pending_question_answered(chat):
    clarify = answer(chat.say("我们能不能处罚占道经营"))
    assert clarify["type"] == "clarify" and (clarify["need"], clarify["options"]) == ("unit", [])
    p = answer(chat.say("石牌街道"))
    assert p["verdict"] == "yes" and p["unit"]["name"] == "天河区石牌街道"
    assert p["item"]["code"] == "zhandao_jingying"


def test_matter_outside_the_knowledge_base_is_unknown(chat):
    messages = chat.say("石牌街道能不能审批采矿许可证")
    p = answer(messages)
    assert p["verdict"] == "unknown" and p["item"] is None
    assert p["unit"]["name"] == "天河区石牌街道"
    assert "未找到" in texts_of(messages)[0] and "天河区委编办" in texts_of(messages)[0]


def test_follow_ups_reuse_unit_and_matter(chat):
    answer(chat.say("江高镇能不能处罚露天烧烤"))
    basis = answer(chat.say("那法律依据呢？"))
    assert basis["question"] == "basis" and basis["item"]["code"] == "lutian_shaokao"
    assert basis["legal_basis"][0]["law"] == "大气污染防治法"
    other = answer(chat.say("那沙河街道呢？"))
    assert other["unit"]["name"] == "天河区沙河街道" and other["item"]["code"] == "lutian_shaokao"


def test_who_handles_names_the_office(chat):
    messages = chat.say("番禺区石楼镇的安全生产检查归哪个办公室负责")
    p = answer(messages)
    assert p["question"] == "who" and p["verdict"] == "yes"
    assert p["handled_by"] == "应急管理办公室"


def test_office_substitute_where_unit_has_no_emergency_office(chat):
    p = answer(chat.say("白云区江高镇的安全生产检查归哪个办公室负责"))
    assert p["handled_by"] == "综合治理办公室"


def test_unit_from_channel_metadata(chat_factory):
    chat = chat_factory({"unit": "增城区荔城街道"})
    p = answer(chat.say("我们能审批宅基地吗"))
    assert p["unit"]["name"] == "增城区荔城街道" and p["verdict"] == "yes"


def test_unit_named_in_message_beats_metadata(chat_factory):
    chat = chat_factory({"unit": "增城区荔城街道"})
    p = answer(chat.say("沙河街道能不能审批宅基地"))
    assert p["unit"]["name"] == "天河区沙河街道" and p["verdict"] == "no"


def test_assist_verdict_names_both_bodies(chat):
    messages = chat.say("石牌街道能审批低保吗")
    p = answer(messages)
    assert p["verdict"] == "assist" and p["held_by"] == "区民政局" and p["handled_by"] == "公共服务办公室"
    assert texts_of(messages)[0].startswith("协助办理")


def test_ambiguous_unit_name_offers_options(chat):
    clarify = answer(chat.say("新塘能不能批宅基地"))
    assert clarify["need"] == "unit"
    assert set(clarify["options"]) == {"天河区新塘街道", "增城区新塘镇"}
    p = answer(chat.say("2"))
    assert p["unit"]["name"] == "增城区新塘镇" and p["verdict"] == "yes"


def test_greeting_help_and_out_of_scope(chat):
    assert any("镇街权责助手" in t for t in texts_of(chat.say("你好")))
    assert any("您可以这样问我" in t for t in texts_of(chat.say("你能做什么")))
    assert any("超出了我的范围" in t for t in texts_of(chat.say("明天天气怎么样")))


def test_small_talk_gets_the_reply_its_words_ask_for(chat):
    assert texts_of(chat.say("谢谢")) == ["不客气！还有其他事项需要查询吗？"]
    assert any("不是真人" in t for t in texts_of(chat.say("你是机器人吗")))
    assert any("您可以这样问我" in t for t in texts_of(chat.say("怎么提问比较好")))
    assert texts_of(chat.say("好的，再见")) == ["再见，有问题随时来问。"]


def test_hostile_and_huge_input_gets_a_clear_reply(chat):
    for text in ["<script>alert(1)</script>", "'; DROP TABLE unit; --", "啊" * 5000, "\u0000\u202e???"]:
        messages = chat.say(text)
        assert texts_of(messages), text
    # The knowledge base still answers afterwards.
    assert answer(chat.say("石牌街道能不能处罚占道经营"))["verdict"] == "yes"
