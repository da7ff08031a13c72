"""责任事项, 追责情形, 责任岗位 and 监管电话 from imported lists, asked through handle_turn:
"占道经营的责任事项有哪些？", then "不履行会被怎么追责？" and "这项由哪个岗位负责？" about it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.dialogue import State, Turn, handle_turn
from bot.kb.importer import import_list
from bot.kb.provider import KnowledgeProvider
from bot.kb.types import Knowledge

REAL = Path(__file__).resolve().parents[1] / "data" / "real_lists"
MINGGUANG = REAL / "mingguang_mingnan_jiedao_quanli_zeren_qingdan_anhui.csv"
XIAN = REAL / "xian_shiji_quanzeqingdan.csv"
POSTS_LIST = (
    "序号,事项名称,权力类型,实施依据,实施主体,责任事项,追责情形,责任岗位,监管电话\n"
    "1,对在村道上擅自晾晒农作物的处罚,行政处罚,《城市道路管理条例》第二十七条,乡镇人民政府,"
    '"1.立案责任：发现违法行为后及时立案。2.调查责任：调查取证。",'
    "因不履行或不正确履行职责导致后果的，依法追究相应责任。,执法队员岗,020-12345678\n"
)


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory, kb_url: str) -> Knowledge:
    from bot.config import KNOWLEDGE_DIR

    work = tmp_path_factory.mktemp("accountability")
    knowledge = work / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, knowledge, ignore=shutil.ignore_patterns("imports"))
    database = work / "kb.sqlite3"
    shutil.copyfile(kb_url[len("sqlite:///") :], database)
    url = f"sqlite:///{database}"
    import_list(MINGGUANG, knowledge, url, unit_kind="central_street", progress=False)
    import_list(XIAN, knowledge, url, unit_kind="noncentral_street", progress=False)
    posts = work / "岗位清单.csv"
    posts.write_text(POSTS_LIST, encoding="utf-8")
    import_list(posts, knowledge, url, unit_kind="town", progress=False)
    return KnowledgeProvider(url, check_every_s=0).get()


def _say(k: Knowledge, text: str, state: State | None = None, intent: str = "ask_post_duties"):  # type: ignore[no-untyped-def]
    out = handle_turn(k, Turn(intent, text, {}), state or State())
    custom = next((m.custom for m in out.reply.messages if m.custom), {})
    return out, custom, out.reply.messages[0].text or ""


@pytest.mark.parametrize("intent", ["ask_post_duties", "ask_can", "ask_who"])
def test_duties_of_an_item_are_the_lists_text_numbered_line_by_line(imported, intent):
    out, p, text = _say(imported, "独生子女父母光荣证核发与注销的责任事项有哪些？", intent=intent)
    assert (p["type"], p["topic"], p["aspect"]) == ("structural", "accountability", "duties")
    assert text.startswith("“独生子女父母光荣证核发与注销”的责任事项（清单原文）：")
    lines = text.split("\n")
    assert lines[1].startswith("1、受理阶段责任:公示依法应当提交的材料") and lines[2].startswith(
        "2、审查和决定阶段责任"
    )
    assert "清单还列有：追责情形" in text
    assert out.state.matter == p["item"]


def test_follow_up_asks_how_failing_is_held_to_account_for_the_same_item(imported):
    first, p, _ = _say(imported, "独生子女父母光荣证核发与注销的责任事项有哪些？")
    _, again, text = _say(imported, "不履行会被怎么追责？", first.state, intent="ask_can")
    assert again["aspect"] == "consequences" and again["item"] == p["item"]
    assert (
        "追责情形（清单原文）" in text
        and again["consequences"] in text.replace("\n", "")
        or again["consequences"][:20] in text
    )


def test_a_post_and_a_phone_number_the_list_names_are_answered(imported):
    first, p, text = _say(imported, "对在村道上擅自晾晒农作物的处罚的责任事项有哪些")
    assert p["post"] == "执法队员岗"
    _, post, text = _say(imported, "这项由哪个岗位负责？", first.state, intent="ask_who")
    assert post["aspect"] == "post" and "执法队员岗" in text
    _, phone, text = _say(imported, "这个事项的监管电话是多少", first.state)
    assert phone["aspect"] == "phone" and "020-12345678" in text


def test_what_a_list_does_not_say_is_said_to_be_missing_and_plain_questions_are_untouched(imported):
    _, p, text = _say(imported, "对擅自停用、拆除消防设施、器材的处罚的追责情形")
    assert p["aspect"] == "consequences" and "清单没有列明追责情形" in text and "清单还列有：责任事项、监管电话" in text
    # Without any matter, the question is which one.
    out, _, text = _say(imported, "不履行会被怎么追责？")
    assert "请问是哪项事项" in text
    # An item of the demonstration list with no 责任岗位: "which post" stays a post-duty question.
    _, p, _ = _say(imported, "谁负责占道经营的立案？")
    assert p["topic"] == "post_duties"


def test_a_matter_whose_own_name_has_the_words_is_a_power_question(imported):
    name = (
        "对特种设备安全管理人员、检测人员和作业人员不履行岗位职责，违反操作规程和有关安全规章制度，造成事故的行政处罚"
    )
    _, p, _ = _say(imported, f"从化区街口街道能不能行使“{name}”这项权力？", intent="ask_can")
    assert p["type"] == "power_answer" and p["item"]["name"] == name
