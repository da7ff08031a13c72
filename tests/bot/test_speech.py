"""Speech text for TTS: verdict first, short sentences, nothing a voice cannot say."""

from __future__ import annotations

import json
import re

import pytest

from bot.answer import EXAMPLE_QUESTIONS, fallback_options
from bot.dialogue import State, Turn, handle_turn
from bot.speech import SENTENCE_LIMIT, SHORT_DISCLAIMER, chinese_number, speakable, speech_text

FORBIDDEN = re.compile(r"[《》【】〔〕*#_`>\[\]()（）“”※]")

QUESTIONS = [
    ("天河区石牌街道能不能处罚占道经营？", "ask_can", "可以"),
    ("天河区沙河街道能处罚饭店油烟超标吗", "ask_can", "不可以"),
    ("白云区江高镇依据哪条法律审批宅基地", "ask_basis", "可以"),
    ("沙河街道乱倒建筑垃圾归谁管", "ask_who", "可以"),
    ("石牌街道能不能审批采矿许可证", "ask_can", "未找到"),
]


def messages(knowledge, text, intent):
    return [m.to_dict() for m in handle_turn(knowledge, Turn(intent, text, {}, None), State()).reply.messages]


@pytest.mark.parametrize("text,intent,verdict", QUESTIONS)
def test_speech_starts_with_the_verdict_and_is_speakable(knowledge, text, intent, verdict):
    speech = speech_text(messages(knowledge, text, intent))
    assert speech.startswith(verdict + "。")
    assert not FORBIDDEN.search(speech), speech
    sentences = re.findall(r"[^。？！]+[。？！]", speech)
    assert "".join(sentences) == speech
    assert all(len(s) <= SENTENCE_LIMIT for s in sentences), speech
    assert speech.endswith(SHORT_DISCLAIMER) and "演示数据" not in speech[: -len(SHORT_DISCLAIMER)]


def test_answer_speech_names_office_law_and_article_as_words(knowledge):
    speech = speech_text(messages(knowledge, "天河区石牌街道能不能处罚占道经营？", "ask_can"))
    assert "综合行政执法办公室" in speech
    assert "城市道路管理条例第二十七条和第四十二条" in speech
    assert "2020年12月31日起施行" in speech


def test_sub_item_numbers_lose_their_brackets(knowledge):
    speech = speech_text(messages(knowledge, "沙河街道乱倒建筑垃圾归谁管", "ask_who"))
    assert "第一百一十一条第一款第四项" in speech


def test_speakable():
    assert speakable("《城市道路管理条例》第四十二条") == "城市道路管理条例第四十二条"
    assert speakable("第三十六条第（二）项") == "第三十六条第二项"
    assert speakable("依照第42条第(3)项") == "依照第四十二条第三项"
    assert speakable("**承办机构**：综合行政执法办公室（演示）") == "承办机构，综合行政执法办公室"
    assert speakable("【注意】见 https://example.org/x 。") == "注意见。"
    assert speakable("2020-12-31 起施行") == "2020年12月31日起施行"


def test_long_sentences_are_cut_at_a_comma():
    long = "，".join(["这是一个相当长的分句用来测试"] * 8) + "。"
    speech = speech_text([{"text": long}])
    assert all(len(s) <= SENTENCE_LIMIT for s in re.findall(r"[^。]+。", speech))
    assert speech.replace("。", "，").rstrip("，") == long.rstrip("。")


@pytest.mark.parametrize("text,intent,verdict", QUESTIONS)
def test_speech_comes_from_the_payload_not_the_text(knowledge, text, intent, verdict):
    msgs = messages(knowledge, text, intent)
    speech = speech_text(msgs)
    payload_only = [{"custom": m["custom"]} for m in msgs if m.get("custom")]
    assert speech_text(payload_only) == speech
    assert speech_text([{"text": "不可以。完全不同的一段话。"}, *payload_only]) == speech
    assert speech_text(json.loads(json.dumps(payload_only))) == speech


def test_unknown_matter_says_what_to_do_next(knowledge):
    speech = speech_text(messages(knowledge, "石牌街道能不能审批采矿许可证", "ask_can"))
    assert speech.startswith("未找到。知识库里没有与")
    assert "请换个说法" in speech and "天河区委编办" in speech


def test_garbled_payload_is_still_spoken():
    garbled = {"type": "power_answer", "verdict": 7, "headline": None, "legal_basis": "x", "delegation": "y"}
    assert speech_text([{"custom": garbled}]) == "未找到。" + SHORT_DISCLAIMER
    partial = {"type": "power_answer", "verdict": "yes", "item": {"name": "甲"}, "legal_basis": [{"law": "某法"}, 1]}
    assert speech_text([{"custom": partial}]) == "可以。依据是某法。" + SHORT_DISCLAIMER


def test_clarify_reads_options_as_ordinals():
    msgs = [
        {"text": "这段文字不会被读出来"},
        {
            "custom": {
                "type": "clarify",
                "need": "unit",
                "options": ["天河区石牌街道", "番禺区石牌镇"],
                "prompt": "您说的石牌在两个区都有，是哪一个？",
            }
        },
    ]
    speech = speech_text(msgs)
    assert speech.startswith("您说的石牌在两个区都有，是哪一个？")
    assert "第一个，天河区石牌街道。第二个，番禺区石牌镇。" in speech
    assert "不会被读出来" not in speech


def test_fallback_reads_the_example_questions():
    speech = speech_text([m.to_dict() for m in fallback_options([]).messages])
    assert speech == "我还是没能理解。您可以这样问。" + "".join(EXAMPLE_QUESTIONS)


def test_structural_answers_are_spoken_from_their_text():
    msgs = [{"text": "石牌街道共有《3》项"}, {"custom": {"type": "structural", "topic": "list_powers"}}]
    assert speech_text(msgs) == "石牌街道共有3项。"


def test_nothing_to_say_asks_to_repeat():
    assert speech_text([]) == "抱歉，我没有听懂，请再说一遍。"


def test_chinese_numbers():
    cases = {
        0: "零",
        7: "七",
        10: "十",
        12: "十二",
        42: "四十二",
        100: "一百",
        105: "一百零五",
        111: "一百一十一",
        118: "一百一十八",
        1001: "一千零一",
        2019: "二千零一十九",
    }
    assert {n: chinese_number(n) for n in cases} == cases
