import csv
from pathlib import Path

import pytest

from bot.kb.lexicon import vocabulary_lines
from bot.matching import match_matter, matter_spans
from bot.normalize import Vocabulary, choose_hypothesis, collapse_repeats, convert_numerals, normalize, strip_fillers
from bot.units import resolve_unit

TRANSCRIPTS = Path(__file__).resolve().parents[1] / "data" / "asr_transcripts.csv"


@pytest.fixture(scope="module")
def vocabulary(knowledge):
    return Vocabulary.from_lines(vocabulary_lines(knowledge))


@pytest.mark.parametrize(
    "text,expected",
    [
        ("嗯那个我们石牌接到能不能处发占道经营啊", "我们石牌街道能不能处罚占道经营"),
        ("嗯嗯违法见设归谁管", "违法建设归谁管"),
        ("滴保申请是不是我们钟落潭镇审皮啊", "低保申请是不是我们钟落潭镇审批"),
        ("石排街道能不能罚", "石牌街道能不能罚"),
        ("江糕镇能批宅基地吗", "江高镇能批宅基地吗"),
        ("乡村建设规划许克证是镇里发吗", "乡村建设规划许可证是镇里发吗"),
        ("我接到通知了", "我接到通知了"),
        ("村民村民没报建", "村民没报建"),
    ],
)
def test_examples_from_the_issue(vocabulary, text, expected):
    assert normalize(text, vocabulary) == expected


@pytest.mark.parametrize(
    "word",
    ["一下", "一些", "一起", "一定", "一样", "一直", "一般", "统一", "万一", "第二个", "第四十二条", "第一百一十八条"],
)
def test_numerals_never_touch_words(word):
    assert convert_numerals(f"我们{word}看看") == f"我们{word}看看"


@pytest.mark.parametrize(
    "text,expected", [("一二三", "123"), ("两千一百四十八个编制", "2148个编制"), ("四百三十七名", "437名")]
)
def test_numbers_become_digits(text, expected):
    assert convert_numerals(text) == expected


def test_fillers_and_repeats():
    assert strip_fillers("嗯呃那个就是我们街道啊") == "我们街道"
    assert collapse_repeats("能不能能不能处罚") == "能不能处罚"


def test_idempotent(vocabulary):
    once = normalize("嗯那个石牌接到能不能处发占道经营啊", vocabulary)
    assert normalize(once, vocabulary) == once


def test_nbest_prefers_the_hypothesis_that_parses(vocabulary):
    chosen = choose_hypothesis(["是拍接到能不能处罚", "石牌街道能不能处罚"], vocabulary, lambda t: "石牌" in t)
    assert chosen == "石牌街道能不能处罚"


def _rows():
    with open(TRANSCRIPTS, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_transcript_set_is_large_enough():
    assert len(_rows()) >= 100


def test_transcripts_normalise_to_the_expected_text_unit_and_matter(knowledge, vocabulary):
    rows = _rows()
    clean = [r for r in rows if r["clean"]]
    clean_ok = sum(normalize(r["transcript"], vocabulary) == r["clean"] for r in clean)
    unit_rows = [r for r in rows if r["unit"]]
    matter_rows = [r for r in rows if r["matter"]]
    unit_ok = matter_ok = matter_wrong = matter_offered = 0
    for r in rows:
        text = normalize(r["transcript"], vocabulary)
        mention = resolve_unit(knowledge, text, matter_spans(knowledge, text))
        if r["unit"] and mention.unit is not None and mention.unit.full_name == r["unit"]:
            unit_ok += 1
        if r["matter"]:
            rest = text
            for start, end in sorted(mention.spans, reverse=True):
                rest = rest[:start] + " " + rest[end:]
            match = match_matter(knowledge, rest)
            matter_ok += match.item is not None and match.item.code == r["matter"]
            offered = [c.item.code for c in match.candidates]
            matter_wrong += match.item is not None and match.item.code != r["matter"]
            matter_offered += match.item is None and r["matter"] in offered
    # Measured when written: 182/182 text, 102/102 unit, 163/167 matter. Since the answer
    # thresholds were calibrated (never confidently wrong, issue 12): 154 answered, the
    # others offered among the options or unknown, none answered wrongly.
    assert clean_ok / len(clean) >= 0.95
    assert unit_ok / len(unit_rows) >= 0.98
    assert matter_wrong == 0
    assert matter_ok / len(matter_rows) >= 0.90
    assert (matter_ok + matter_offered) / len(matter_rows) >= 0.95


@pytest.mark.parametrize(
    "text",
    [
        "对驾驶排放检验不合格的机动车上道路行驶的处罚",  # 驶排 must not become 石牌
        "仓库与员工宿舍在同一座建筑内",  # 宿舍 is a word, not 素社
        "主动发现符合供养条件的人员并依法办理",  # 并依 is not 兵役
        "取土作业或者动用明火",  # 动用 is not 东涌
    ],
)
def test_ordinary_words_and_word_insides_are_not_taken_for_homophones(vocabulary, text):
    assert normalize(text, vocabulary) == text


def test_a_rare_dictionary_word_is_still_a_slip_for_the_domain_term(vocabulary):
    assert normalize("有人砍了路边的大树能不能发款", vocabulary) == "有人砍了路边的大树能不能罚款"
