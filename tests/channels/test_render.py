"""Answer cards and clarify texts for chat platforms, from real answers of the verdict engine."""

from __future__ import annotations

import pytest

from bot.channels.render import Outgoing, answer_card, clarify_text, plain_text, render_messages, split_by_bytes
from bot.dialogue import State, Turn, handle_turn


def bot_messages(knowledge, text, intent="ask_can"):
    outcome = handle_turn(knowledge, Turn(intent, text, {}, None), State())
    return [m.to_dict() for m in outcome.reply.messages]


def test_answer_becomes_one_markdown_card_with_the_verdict_first(knowledge):
    out = render_messages(bot_messages(knowledge, "天河区石牌街道能不能处罚占道经营？"))
    assert len(out) == 1 and out[0].kind == "markdown"
    card = out[0].content
    lines = card.split("\n")
    assert lines[0] == "**结论：可以**"
    assert lines[1].startswith("天河区石牌街道可以行使")
    assert "**承办机构**：综合行政执法办公室" in lines
    assert "**法律依据**：《城市道路管理条例》第二十七条；《城市道路管理条例》第四十二条" in lines
    assert any(line.startswith("> 第二十七条") for line in lines)
    assert any(line.startswith("**下放/职责依据**：《关于镇街实施城市管理领域综合行政执法的决定") for line in lines)
    assert lines[-1].startswith("> ※ 演示数据")
    assert out[0].title.startswith("结论：可以")


def test_no_verdict_names_who_holds_the_power(knowledge):
    card = render_messages(bot_messages(knowledge, "天河区沙河街道能处罚饭店油烟超标吗"))[0].content
    assert card.startswith("**结论：不可以**") and "**实施主体**：区生态环境分局" in card
    assert "**说明**：中心城区街道不承接" in card


def test_unknown_matter_card_says_so_and_whom_to_ask(knowledge):
    card = render_messages(bot_messages(knowledge, "石牌街道能不能审批采矿许可证"))[0].content
    assert card.startswith("**结论：未找到**")
    assert "天河区委编办" in card and "演示数据" in card


def test_dingtalk_line_breaks():
    messages = [{"text": "可以。甲街道可以。\n※ 演示数据"}, {"custom": {"type": "power_answer", "verdict": "yes"}}]
    card = render_messages(messages, line_break="  \n")[0].content
    assert card == "**结论：可以**  \n甲街道可以。  \n> ※ 演示数据"


def test_clarify_lists_numbered_options_to_reply_with():
    messages = [
        {
            "text": "您说的石牌在两个区都有，是哪一个？\n1. 天河区石牌街道\n2. 番禺区石牌镇",
            "buttons": [
                {"title": "天河区石牌街道", "payload": "天河区石牌街道"},
                {"title": "番禺区石牌镇", "payload": "番禺区石牌镇"},
            ],
        },
        {"custom": {"type": "clarify", "need": "unit", "options": ["天河区石牌街道", "番禺区石牌镇"]}},
    ]
    out = render_messages(messages)
    assert out == [
        Outgoing("text", "您说的石牌在两个区都有，是哪一个？\n1. 天河区石牌街道\n2. 番禺区石牌镇\n（回复序号即可）")
    ]


def test_clarify_matter_uses_option_titles():
    payload = {
        "type": "clarify",
        "need": "matter",
        "options": [
            {"code": "a", "name": "对甲的处罚", "title": "甲"},
            {"code": "b", "name": "对乙的处罚", "title": "乙"},
        ],
    }
    assert (
        clarify_text(payload, {"text": "您问的是下面哪一项？"})
        == "您问的是下面哪一项？\n1. 甲\n2. 乙\n（回复序号即可）"
    )
    assert clarify_text({"type": "clarify", "need": "unit", "options": []}, {}) == "请问您是哪个镇街的？"


def test_plain_texts_stay_text_and_buttons_become_numbers():
    assert render_messages([{"text": "你好"}, {"text": "请问"}]) == [Outgoing("text", "你好"), Outgoing("text", "请问")]
    assert plain_text({"text": "选一个", "buttons": [{"title": "甲"}, {"title": "乙"}]}) == "选一个\n1. 甲\n2. 乙"


def test_user_text_cannot_inject_markup():
    payload = {"type": "power_answer", "verdict": "unknown", "item": None}
    card = answer_card(payload, "未找到。知识库里没有与“[点我](http://x) **粗** <font>”对应的事项")
    assert "[" not in card.split("\n", 1)[1] and "<font>" not in card and "**粗**" not in card


@pytest.mark.parametrize("limit", [8, 64, 2048])
def test_split_by_bytes_keeps_everything_within_the_limit(limit):
    text = "第一行\n" + "长" * 1000 + "\n\n最后一行 with ascii"
    pieces = split_by_bytes(text, limit)
    assert all(len(p.encode("utf-8")) <= limit for p in pieces)
    assert "".join(pieces).replace("\n", "") == text.replace("\n", "")
    assert split_by_bytes("短", 2048) == ["短"] and split_by_bytes("", 2048) == [""]
