"""User directory and audit log through the service, against a real SQLite database."""

import pytest

from bot import audit, service, users
from bot.dialogue import State, Turn
from bot.kb.provider import KnowledgeProvider


@pytest.fixture()
def db(monkeypatch, kb_url, fresh_ops):
    monkeypatch.setenv("KB_DATABASE_URL", kb_url)
    provider = KnowledgeProvider(kb_url)
    monkeypatch.setattr(service, "default_provider", lambda: provider)
    return fresh_ops


def ctx(sender):
    return service.Context(sender=sender, channel="rest", confidence=0.9)


def test_unit_told_in_chat_is_remembered_for_the_next_session(db):
    service.answer_turn(Turn("inform_unit", "我是白云区江高镇的", {}), State(), ctx("alice"))
    assert users.unit_of("alice") == "白云区江高镇"
    # A new session starts with empty slots; the directory still knows the unit.
    out = service.answer_turn(Turn("ask_can", "我们能审批宅基地吗", {}), State(), ctx("alice"))
    payload = next(m.custom for m in out.reply.messages if m.custom)
    assert payload["unit"]["name"] == "白云区江高镇" and payload["verdict"] == "yes"


def test_metadata_unit_is_stored_and_can_be_cleared(db):
    service.answer_turn(Turn("ask_can", "我们能审批宅基地吗", {}, metadata_unit="天河区五山街道"), State(), ctx("bob"))
    assert users.unit_of("bob") == "天河区五山街道"
    reply = service.forget_unit("bob")
    assert "已清除" in reply.messages[0].text and users.unit_of("bob") is None
    out = service.answer_turn(Turn("ask_can", "我们能审批宅基地吗", {}), State(), ctx("bob"))
    assert next(m.custom for m in out.reply.messages if m.custom)["need"] == "unit"


def test_admin_unit_survives_metadata_and_chat(db):
    users.remember("wecom:fang", "天河区石牌街道", "admin")
    service.answer_turn(
        Turn("ask_can", "我们能审批宅基地吗", {}, metadata_unit="天河区五山街道"), State(), ctx("wecom:fang")
    )
    service.answer_turn(Turn("inform_unit", "我是白云区江高镇的", {}), State(), ctx("wecom:fang"))
    assert users.all_users()[0][:3] == ("wecom:fang", "天河区石牌街道", "admin")


def test_every_question_is_audited_and_can_be_rated(db):
    service.answer_turn(Turn("ask_can", "石牌街道能不能审批采矿许可证", {}), State(), ctx("carol"))
    service.answer_turn(Turn("ask_can", "天河区沙河街道能处罚饭店油烟超标吗", {}), State(), ctx("carol"))
    reply = service.feedback("carol", "down", "不对，应该归区生态环境分局")
    assert "已记录" in reply.messages[0].text
    report = audit.report()
    assert ("石牌街道能不能审批采矿许可证", 1) in report.unanswered
    negative = [n for n in report.negative if n[0] == "天河区沙河街道能处罚饭店油烟超标吗"]
    assert negative and negative[0][1] == "no" and negative[0][3] == "不对，应该归区生态环境分局"
    rows = [r for r in audit.export_rows() if r["sender"] == "carol"]
    assert [r["verdict"] for r in rows] == ["unknown", "no"] and rows[0]["kb_version"]


def test_rating_without_any_answer_says_so(db):
    assert "还没有" in service.feedback("nobody", "up", None).messages[0].text


def test_widget_feedback_rates_the_audit_record(db):
    from bot.feedback import FeedbackEntry, record_feedback

    service.answer_turn(Turn("ask_can", "江高镇能不能审批宅基地", {}), State(), ctx("erin"))
    [audited] = [r for r in audit.export_rows() if r["sender"] == "erin"]
    rated = record_feedback(
        FeedbackEntry(sender="erin", question="江高镇能不能审批宅基地", rating="down", reason="清单已调整")
    )
    assert rated == audited["id"]  # one home for ratings: the audit record of the answer
    negative = [n for n in audit.report().negative if n[0] == "江高镇能不能审批宅基地"]
    assert negative and negative[0][3] == "清单已调整"


def test_forgetting_in_chat_keeps_a_unit_the_admin_set(db):
    users.remember("erin", "天河区石牌街道", "admin")
    reply = service.forget_unit("erin")
    assert reply.messages[0].text == service.ADMIN_UNIT_KEPT
    assert users.unit_of("erin") == "天河区石牌街道"


def test_a_question_asked_while_the_knowledge_base_is_down_is_still_audited(monkeypatch, tmp_path, fresh_ops):
    from bot.errors import KnowledgeError

    broken = KnowledgeProvider(f"sqlite:///{tmp_path / 'missing' / 'nothing-here.sqlite3'}")
    monkeypatch.setattr(service, "default_provider", lambda: broken)
    with pytest.raises(KnowledgeError):
        service.answer_turn(Turn("ask_can", "石牌街道能不能处罚占道经营", {}), State(), ctx("frank"))
    [row] = [r for r in audit.export_rows() if r["sender"] == "frank"]
    assert (row["text"], row["verdict"]) == ("石牌街道能不能处罚占道经营", "unavailable")


def test_the_answer_time_from_rasa_receiving_the_message_is_recorded(db):
    import time

    received = service.Context(sender="dave", channel="rest", confidence=0.9, received_at=time.time() - 0.25)
    service.answer_turn(Turn("ask_can", "石牌街道能不能处罚占道经营", {}), State(), received)
    service.answer_turn(Turn("ask_can", "石牌街道能不能处罚占道经营", {}), State(), ctx("dave"))
    latencies = [r["latency_ms"] for r in audit.export_rows() if r["sender"] == "dave"]
    assert latencies[0] >= 250 and latencies[0] < 60_000 and latencies[1] is None
