"""Multi-turn flows, structural questions, voice-like input, memory and feedback over REST."""

from __future__ import annotations

import asyncio

import aiohttp

from bot import audit
from bot.client import payload_of, texts_of


def answer(messages):
    payload = payload_of(messages)
    assert payload is not None, messages
    return payload


def test_noisy_transcript_is_understood(chat):
    p = answer(chat.say("嗯那个我们石牌接到能不能处发占道经营啊"))
    assert p["verdict"] == "yes" and p["unit"]["name"] == "天河区石牌街道" and p["item"]["code"] == "zhandao_jingying"


def test_asr_nbest_is_used_when_the_first_hypothesis_does_not_parse(chat_factory):
    chat = chat_factory({"asr": {"nbest": ["江高镇能不能审批宅基地"], "confidence": 0.41}})
    p = answer(chat.say("将高整能不能审皮宅鸡地"))
    assert p["unit"]["name"] == "白云区江高镇" and p["item"]["code"] == "zhaijidi"


def test_choice_by_option_text(chat):
    clarify = answer(chat.say("新塘能不能批宅基地"))
    assert clarify["need"] == "unit"
    p = answer(chat.say("增城区新塘镇"))
    assert p["unit"]["name"] == "增城区新塘镇" and p["verdict"] == "yes"


def test_unit_change_then_we_question(chat):
    assert any("五山街道" in t for t in texts_of(chat.say("我是天河区五山街道的")))
    assert any("荔城街道" in t for t in texts_of(chat.say("我现在调到荔城街道了")))
    p = answer(chat.say("我们能处罚油烟超标吗"))
    assert p["unit"]["name"] == "增城区荔城街道" and p["verdict"] == "yes"


def test_structural_questions(chat):
    texts = texts_of(chat.say("派出所归谁管？"))
    assert any("区公安分局" in t and "指挥、调度" in t for t in texts)
    listing = answer(chat.say("石牌街道有哪些行政处罚权？"))
    assert listing["topic"] == "list_powers" and listing["total"] >= 10
    assert any("2148" in t for t in texts_of(chat.say("全市下达了多少行政执法专项编制")))
    push = answer(chat.say("区里要我们负责共享单车管理，必须接吗"))
    assert push["topic"] == "push_down" and push["in_list"] is False


def test_feedback_is_written_to_the_audit_log(chat):
    answer(chat.say("天河区沙河街道能处罚饭店油烟超标吗"))
    reply = texts_of(chat.say("答案不对"))
    assert any("已记录" in t for t in reply)
    rows = [r for r in audit.export_rows() if r["sender"] == chat.sender]
    assert any(r["rating"] == "down" and r["matter"] == "canyin_youyan" for r in rows)


def test_unit_remembered_after_the_conversation_is_lost(chat, running_servers):
    answer(chat.say("石牌街道能不能处罚占道经营"))
    chat.say("我是白云区江高镇的")

    async def reset() -> None:
        async with aiohttp.ClientSession() as session:
            url = f"{running_servers.rasa_url}/conversations/{chat.sender}/tracker/events"
            async with session.put(url, json=[], params={"token": running_servers.rasa_token}) as response:
                assert response.status == 200

    asyncio.run(reset())
    p = answer(chat.say("我们能审批宅基地吗"))
    assert p["unit"]["name"] == "白云区江高镇"
    texts = texts_of(chat.say("清除我的单位"))
    assert any("已清除" in t for t in texts)
