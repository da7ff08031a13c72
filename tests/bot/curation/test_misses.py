"""Learning from the misses: grouped, settled into an alias the assistant uses at once, exported."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot import audit
from bot.curation import misses
from bot.curation.tryit import try_question
from bot.errors import KnowledgeError
from bot.kb.build import build
from bot.kb.provider import KnowledgeProvider
from bot.kb.versions import history, rollback

UNIT = "天河区石牌街道"


@pytest.fixture()
def kb(tmp_path: Path, knowledge_copy: Path, kb_url: str, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str]:
    database = tmp_path / "kb.sqlite3"
    shutil.copyfile(kb_url[len("sqlite:///") :], database)
    url = f"sqlite:///{database}"
    monkeypatch.setenv("KB_BUILD_DIR", str(tmp_path / "build"))
    build(knowledge_copy, url, force=True)
    return knowledge_copy, url


@pytest.fixture()
def ops(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ops.sqlite3'}"


def _ask(ops: str, text: str, verdict: str, rating: str | None = None, matter: str | None = None) -> None:
    record_id = audit.record(audit.Entry(sender="u1", text=text, unit=UNIT, verdict=verdict, matter=matter), ops)
    if rating:
        audit.rate("u1", rating, record_id=record_id, url=ops)
    assert record_id is not None


def test_misses_are_grouped_most_frequent_first(kb: tuple[Path, str], ops: str) -> None:
    _, url = kb
    knowledge = KnowledgeProvider(url).get()
    for text in ("石牌街道能不能处罚在小区里养鸡的？", "能不能处罚在小区里养鸡的", "我们街道能不能处罚在小区里养鸡的"):
        _ask(ops, text, "unknown")
    _ask(ops, "街道能处理狗咬人的事吗", "unknown")
    _ask(ops, "石牌街道能不能处罚占道经营", "yes", rating="down", matter="zhandao_jingying")
    _ask(ops, "街道能不能罚那种乱倒东西的", "clarify")
    _ask(ops, "我们街道能审批宅基地吗", "clarify", matter="zhaijidi")  # asked which unit: not a miss of the list
    groups = misses.queue(knowledge, url, ops)
    assert [g.count for g in groups][:1] == [3]
    assert groups[0].wording == "处罚在小区里养鸡" and groups[0].reasons == {"unknown": 3}
    assert groups[0].suggestions[0][0] == "siyang_jiaqin"
    wordings = {g.wording for g in groups}
    assert {"狗咬人事", "处罚占道经营", "罚那种乱倒东西"} <= wordings, wordings
    assert not any("宅基地" in w for w in wordings)
    assert misses.search_items(knowledge, "家禽")[0]["code"] == "siyang_jiaqin"


def test_an_alias_answers_the_same_wording_right_after_and_rolls_back(kb: tuple[Path, str], ops: str) -> None:
    knowledge_dir, url = kb
    assistant = KnowledgeProvider(url, check_every_s=0)
    question = "能不能处罚在小区里养鸡的"
    _ask(ops, question, "unknown")
    assert try_question(assistant.get(), question, UNIT).understood["verdict"] == "unknown"
    group = misses.queue(assistant.get(), url, ops)[0]

    added = misses.resolve(group, "siyang_jiaqin", group.wording, knowledge_dir, url, actor="王五")
    trial = try_question(assistant.get(), question, UNIT)
    assert trial.understood["matter"] == "siyang_jiaqin" and trial.understood["verdict"] == "yes"
    assert trial.candidates[0].signal == "alias" and trial.candidates[0].chosen
    assert any("规则：siyang_jiaqin" in step for step in trial.trace)
    assert misses.queue(assistant.get(), url, ops) == [], "a settled group leaves the queue"
    assert history(url)[0].action == "alias" and history(url)[0].actor == "王五"
    assert "处罚在小区里养鸡" in (knowledge_dir / "aliases.csv").read_text(encoding="utf-8")

    cases = misses.eval_cases(url)
    assert cases == [
        {
            "id": "miss-001",
            "group": "misses",
            "turns": [{"text": question, "metadata": {"unit": UNIT}}],
            "expect": {"type": "power_answer", "unit": UNIT, "item": "siyang_jiaqin"},
        }
    ]
    with pytest.raises(KnowledgeError, match="已是事项"):
        misses.resolve(group, "zhaijidi", group.wording, knowledge_dir, url, actor="王五")

    rollback(history(url)[1].version, knowledge_dir, url)
    assert try_question(assistant.get(), question, UNIT).understood["verdict"] == "unknown"
    assert added.version != assistant.get().version


def test_not_in_the_list_is_remembered_until_missed_again(kb: tuple[Path, str], ops: str) -> None:
    _, url = kb
    knowledge = KnowledgeProvider(url).get()
    _ask(ops, "街道能处理狗咬人的事吗", "unknown")
    misses.dismiss(misses.queue(knowledge, url, ops)[0], url, actor="王五")
    assert misses.queue(knowledge, url, ops) == []
    assert misses.eval_cases(url)[0]["expect"] == {
        "type": "power_answer",
        "unit": UNIT,
        "verdict": "unknown",
        "item": None,
    }
    _ask(ops, "石牌街道能处理狗咬人的事吗？", "unknown")
    assert [g.count for g in misses.queue(knowledge, url, ops)] == [1]


def test_the_export_command_writes_eval_cases(
    kb: tuple[Path, str], ops: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.curation.__main__ import main
    from bot.evaluation.cases import load_cases

    _, url = kb
    _ask(ops, "街道能处理狗咬人的事吗", "unknown")
    misses.dismiss(misses.queue(KnowledgeProvider(url).get(), url, ops)[0], url, actor="王五")
    monkeypatch.setenv("KB_DATABASE_URL", url)
    out = tmp_path / "misses.jsonl"
    assert main(["misses", "export", "--out", str(out)]) == 0
    cases = load_cases(out)
    assert [(c.question, c.group, c.expect["verdict"]) for c in cases] == [
        ("街道能处理狗咬人的事吗", "misses", "unknown")
    ]
