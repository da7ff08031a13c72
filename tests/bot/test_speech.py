"""Speech text for TTS: verdict first, short sentences, nothing a voice cannot say."""

from __future__ import annotations

import re

import pytest

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


def test_clarify_reads_options_as_ordinals():
    msgs = [
        {"text": "您说的石牌在两个区都有，是哪一个？\n1. 天河区石牌街道\n2. 番禺区石牌镇"},
        {"custom": {"type": "clarify", "need": "unit", "options": ["天河区石牌街道", "番禺区石牌镇"]}},
    ]
    speech = speech_text(msgs)
    assert speech.startswith("您说的石牌在两个区都有，是哪一个？")
    assert "第一个，天河区石牌街道。第二个，番禺区石牌镇。" in speech


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
