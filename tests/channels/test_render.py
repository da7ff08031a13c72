"""Answer cards and clarify texts for chat platforms, from real answers of the verdict engine.

A card is drawn from the payload's fields alone: several tests drop or replace the chat text
that travels with the payload and expect the same card, so parsing the text again would fail them.
"""

from __future__ import annotations

import json

import pytest

from bot.answer import fallback_options, reply_of
from bot.channels.render import Outgoing, answer_card, clarify_text, plain_text, render_messages, split_by_bytes
from bot.contract import DISCLAIMER, Clarification, ItemRef, Option, PowerAnswer, Understood, UnitRef, parse_payload
from bot.dialogue import State, Turn, handle_turn

QUESTIONS = [
    ("天河区石牌街道能不能处罚占道经营？", "ask_can"),
    ("天河区沙河街道能处罚饭店油烟超标吗", "ask_can"),
    ("白云区江高镇依据哪条法律审批宅基地", "ask_basis"),
    ("沙河街道乱倒建筑垃圾归谁管", "ask_who"),
    ("石牌街道能不能审批采矿许可证", "ask_can"),
    ("我们能不能处罚占道经营", "ask_can"),
]


def bot_messages(knowledge, text, intent="ask_can"):
    outcome = handle_turn(knowledge, Turn(intent, text, {}, None), State())
    return [m.to_dict() for m in outcome.reply.messages]


def payload_only(messages):
    return [{"custom": m["custom"]} for m in messages if m.get("custom")]


def test_answer_becomes_one_markdown_card_with_the_verdict_first(knowledge):
    out = render_messages(bot_messages(knowledge, "天河区石牌街道能不能处罚占道经营？"))
    assert len(out) == 1 and out[0].kind == "markdown"
    card = out[0].content
    lines = card.split("\n")
    assert lines[0] == "**结论：可以**"
    assert lines[1] == "天河区石牌街道可以行使“占道经营”这项权力，由综合行政执法办公室承办。"
    assert "**承办机构**：综合行政执法办公室" in lines
    assert "**法律依据**：《城市道路管理条例》第二十七条；《城市道路管理条例》第四十二条" in lines
    assert any(line.startswith("> 第二十七条") for line in lines)
    assert any(line.startswith("**下放/职责依据**：《关于镇街实施城市管理领域综合行政执法的决定") for line in lines)
    assert "（我的理解：天河区石牌街道 · 占道经营 · 能否行使）" in lines
    assert lines[-1] == "> " + DISCLAIMER
    assert out[0].title.startswith("结论：可以")


def test_no_verdict_names_who_holds_the_power(knowledge):
    card = render_messages(bot_messages(knowledge, "天河区沙河街道能处罚饭店油烟超标吗"))[0].content
    assert card.startswith("**结论：不可以**") and "**实施主体**：区生态环境分局" in card
    assert "**说明**：中心城区街道不承接" in card


def test_unknown_matter_card_says_so_and_whom_to_ask(knowledge):
    card = render_messages(bot_messages(knowledge, "石牌街道能不能审批采矿许可证"))[0].content
    lines = card.split("\n")
    assert lines[0] == "**结论：未找到**"
    assert lines[1].startswith("知识库里没有与“")
    assert lines[2].startswith("请换个说法") and "天河区委编办" in lines[2]
    assert "（我的理解：天河区石牌街道 · 未识别的事项 · 能否行使）" in lines
    assert "演示数据" in lines[-1]


@pytest.mark.parametrize("text,intent", QUESTIONS)
def test_card_comes_from_the_payload_not_the_text(knowledge, text, intent):
    messages = bot_messages(knowledge, text, intent)
    full = render_messages(messages)
    assert len(full) == 1
    # no chat text at all, or one that says something else: the same card or question
    assert render_messages(payload_only(messages)) == full
    other = [{"text": "可以。这段文字与答案无关\n（我的理解：别的单位）\n※ 别的声明"}, *payload_only(messages)]
    assert render_messages(other) == full
    # and the payload survives JSON, as it does between Rasa and a channel
    assert render_messages(json.loads(json.dumps(payload_only(messages)))) == full


@pytest.mark.parametrize("text,intent", QUESTIONS)
def test_payload_round_trips_through_the_typed_answer(knowledge, text, intent):
    payload = next(m["custom"] for m in bot_messages(knowledge, text, intent) if m.get("custom"))
    answer = parse_payload(payload)
    assert answer is not None and answer.to_payload() == payload
    assert type(answer).from_payload(json.loads(json.dumps(payload))) == answer


def test_payload_carries_headline_understood_and_disclaimer(knowledge):
    payload = payload_only(bot_messages(knowledge, "天河区石牌街道能不能处罚占道经营？"))[0]["custom"]
    assert payload["headline"] == "天河区石牌街道可以行使“占道经营”这项权力，由综合行政执法办公室承办。"
    assert payload["understood"] == {
        "unit": "天河区石牌街道",
        "matter": "占道经营",
        "question": "can",
        "text": "我的理解：天河区石牌街道 · 占道经营 · 能否行使",
    }
    assert payload["disclaimer"] == DISCLAIMER and payload["next_step"] is None
    unknown = payload_only(bot_messages(knowledge, "石牌街道能不能审批采矿许可证"))[0]["custom"]
    assert unknown["next_step"].startswith("请换个说法") and unknown["understood"]["matter"] is None


def test_dingtalk_line_breaks():
    payload = {"type": "power_answer", "verdict": "yes", "headline": "甲街道可以。", "disclaimer": "※ 演示数据"}
    card = render_messages([{"text": "不相干的文字"}, {"custom": payload}], line_break="  \n")[0].content
    assert card == "**结论：可以**  \n甲街道可以。  \n> ※ 演示数据"


@pytest.mark.parametrize(
    "payload",
    [
        {"type": "power_answer"},
        {"type": "power_answer", "verdict": "maybe", "item": "x", "legal_basis": "oops", "delegation": [1]},
        {"type": "power_answer", "headline": ["x"], "understood": 5, "trace": None, "disclaimer": {}, "unit": 3},
        {
            "type": "power_answer",
            "verdict": "yes",
            "item": {"name": "对甲的处罚"},
            "legal_basis": [{"law": "某法", "article": 3}, "junk", {"article": "第一条"}, None],
            "delegation": {"document": None, "effective": "2020-01-01"},
            "understood": {"unit": ["x"], "matter": "甲"},
        },
    ],
)
def test_garbled_payload_still_gives_a_card(payload):
    out = render_messages([{"custom": payload}])
    assert len(out) == 1 and out[0].kind == "markdown"
    lines = out[0].content.split("\n")
    assert lines[0] in ("**结论：未找到**", "**结论：可以**")
    assert lines[-1] == "> " + DISCLAIMER
    assert "None" not in out[0].content and "{" not in out[0].content


def test_partly_garbled_payload_keeps_what_is_sound():
    payload = {
        "type": "power_answer",
        "verdict": "yes",
        "item": {"name": "对甲的处罚"},
        "legal_basis": [{"law": "某法", "article": 3}, "junk", {"article": "第一条"}],
        "delegation": {"document": None},
        "understood": {"unit": ["x"], "matter": "甲"},
    }
    card = render_messages([{"custom": payload}])[0].content
    assert "**事项**：对甲的处罚（）" in card
    assert "**法律依据**：《某法》3" in card and "下放" not in card
    assert "（我的理解：镇街 · 甲 · 能否行使）" in card


def test_clarify_lists_numbered_options_to_reply_with():
    messages = [
        {
            "text": "这段文字不会被读取\n1. 别的选项",
            "buttons": [
                {"title": "天河区石牌街道", "payload": "天河区石牌街道"},
                {"title": "番禺区石牌镇", "payload": "番禺区石牌镇"},
            ],
        },
        {
            "custom": {
                "type": "clarify",
                "need": "unit",
                "options": ["天河区石牌街道", "番禺区石牌镇"],
                "prompt": "您说的石牌在两个区都有，是哪一个？",
            }
        },
    ]
    out = render_messages(messages)
    assert out == [
        Outgoing("text", "您说的石牌在两个区都有，是哪一个？\n1. 天河区石牌街道\n2. 番禺区石牌镇\n（回复序号即可）")
    ]


def test_clarify_matter_uses_option_titles():
    payload = {
        "type": "clarify",
        "need": "matter",
        "prompt": "您问的是下面哪一项？",
        "options": [
            {"code": "a", "name": "对甲的处罚", "title": "甲"},
            {"code": "b", "name": "对乙的处罚", "title": "乙"},
        ],
    }
    clarification = Clarification.from_payload(payload)
    assert clarify_text(clarification) == "您问的是下面哪一项？\n1. 甲\n2. 乙\n（回复序号即可）"
    assert clarification.to_payload() == {**payload, "examples": []}
    assert clarify_text(Clarification.from_payload({"type": "clarify", "need": "unit"})) == "请问您是哪个镇街的？"
    garbled = {"type": "clarify", "need": None, "options": [None, 3, {"name": "对丙的处罚"}, {}], "examples": "x"}
    assert render_messages([{"custom": garbled}]) == [
        Outgoing("text", "您问的是哪一项？\n1. 3\n2. 对丙的处罚\n（回复序号即可）")
    ]


def test_fallback_examples_are_numbered_from_the_payload():
    messages = [m.to_dict() for m in fallback_options([]).messages]
    assert render_messages(payload_only(messages)) == render_messages(messages)
    text = render_messages(payload_only(messages))[0].content
    assert text.startswith("我还是没能理解。您可以这样问：\n1. ")
    assert text.endswith("（回复序号即可）")


def test_structural_answers_stay_text():
    messages = [{"text": "石牌街道的行政处罚事项共 3 项"}, {"custom": {"type": "structural", "topic": "list_powers"}}]
    assert render_messages(messages) == [Outgoing("text", "石牌街道的行政处罚事项共 3 项")]


def test_plain_texts_stay_text_and_buttons_become_numbers():
    assert render_messages([{"text": "你好"}, {"text": "请问"}]) == [Outgoing("text", "你好"), Outgoing("text", "请问")]
    assert plain_text({"text": "选一个", "buttons": [{"title": "甲"}, {"title": "乙"}]}) == "选一个\n1. 甲\n2. 乙"


def test_chat_text_and_card_come_from_one_answer():
    answer = PowerAnswer(
        question="who",
        verdict="assist",
        headline="甲街道的综合办负责受理，由区局决定。",
        unit=UnitRef("某区甲街道", "town", "某区"),
        item=ItemRef("x", "对甲的处罚", "行政处罚"),
        handled_by="综合办",
        held_by="区局",
        understood=Understood("某区甲街道", "甲", "who"),
    )
    text, payload = (m.to_dict() for m in reply_of(answer).messages)
    assert text["text"].split("\n")[:4] == [
        "协助办理。甲街道的综合办负责受理，由区局决定。",
        "事项：对甲的处罚（行政处罚）",
        "承办机构：甲街道综合办",
        "决定机关：区局",
    ]
    card = render_messages([text, payload])[0].content.split("\n")
    assert card[:5] == [
        "**结论：协助办理**",
        "甲街道的综合办负责受理，由区局决定。",
        "**事项**：对甲的处罚（行政处罚）",
        "**承办机构**：综合办",
        "**决定机关**：区局",
    ]
    assert "（我的理解：某区甲街道 · 甲 · 由谁负责）" in card


def test_user_text_cannot_inject_markup():
    answer = PowerAnswer(
        question="can",
        verdict="unknown",
        headline="知识库里没有与“[点我](http://x) **粗** <font>”对应的事项",
        next_step="# 标题 `代码`",
    )
    card = answer_card(answer)
    assert "[" not in card.split("\n", 1)[1] and "<font>" not in card and "**粗**" not in card
    assert "# 标题" not in card and "`" not in card


def test_clarify_buttons_come_from_the_same_options():
    clarification = Clarification("matter", "选哪个？", (Option("甲", "对甲的处罚", "a", reply="/ask_can"),))
    text, payload = (m.to_dict() for m in reply_of(clarification).messages)
    assert text == {"text": "选哪个？\n1. 对甲的处罚", "buttons": [{"title": "甲", "payload": "/ask_can"}]}
    assert payload["custom"]["options"] == [{"code": "a", "name": "对甲的处罚", "title": "甲"}]


@pytest.mark.parametrize("limit", [8, 64, 2048])
def test_split_by_bytes_keeps_everything_within_the_limit(limit):
    text = "第一行\n" + "长" * 1000 + "\n\n最后一行 with ascii"
    pieces = split_by_bytes(text, limit)
    assert all(len(p.encode("utf-8")) <= limit for p in pieces)
    assert "".join(pieces).replace("\n", "") == text.replace("\n", "")
    assert split_by_bytes("短", 2048) == ["短"] and split_by_bytes("", 2048) == [""]
