"""Knowledge-base versions: every build and import is a version with its sources kept;
an upload is previewed before it is applied; any earlier version comes back in one call."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import delete

from bot.config import KNOWLEDGE_DIR
from bot.errors import KnowledgeError
from bot.kb.build import build
from bot.kb.locking import kb_lock
from bot.kb.provider import KnowledgeProvider
from bot.kb.store import session_scope
from bot.kb.uploads import Options, apply, preview
from bot.kb.version_store import SourceBlob
from bot.kb.versions import history, rollback

SAMPLES = KNOWLEDGE_DIR / "samples"
TOWN_XLSX = SAMPLES / "下放事项目录_镇.xlsx"
BROKEN_CSV = SAMPLES / "下放事项目录_错误示例.csv"
NEW_ITEM = "440100-XF-XK-0101"  # 使用原有宅基地…建住宅的审批, only in the town sample


@pytest.fixture()
def kb(tmp_path: Path, knowledge_copy: Path, kb_url: str, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str]:
    database = tmp_path / "kb.sqlite3"
    shutil.copyfile(kb_url[len("sqlite:///") :], database)
    url = f"sqlite:///{database}"
    monkeypatch.setenv("KB_BUILD_DIR", str(tmp_path / "build"))
    build(knowledge_copy, url, force=True)  # a version of this copy, with its sources kept
    return knowledge_copy, url


def test_preview_apply_and_roll_back(kb: tuple[Path, str], tmp_path: Path) -> None:
    knowledge_dir, url = kb
    uploads = tmp_path / "uploads"
    assistant = KnowledgeProvider(url, check_every_s=0)  # as the running servers see it
    before = history(url)[0]
    shown = preview(TOWN_XLSX.read_bytes(), TOWN_XLSX.name, Options(unit_kind="town"), knowledge_dir, url, uploads)
    assert shown.problems == ()
    assert shown.counts == {"added": 10, "changed": 2, "unchanged": 3, "removed": 0}
    assert NEW_ITEM not in assistant.get().items, "a preview writes nothing"

    result = apply(shown.token, knowledge_dir, url, uploads, actor="张三")
    assert NEW_ITEM in assistant.get().items
    newest = history(url)[0]
    assert (newest.version, newest.actor, newest.action, newest.detail) == (
        result.version,
        "张三",
        "import",
        "下放事项目录_镇.xlsx",
    )
    assert newest.counts["added"] == 10 and newest.counts["items"] == before.counts["items"] + 10
    assert newest.changed == ("imports/下放事项目录_镇.csv",) and newest.restorable
    imported = (knowledge_dir / "imports" / "下放事项目录_镇.csv").read_bytes()

    back = rollback(before.version, knowledge_dir, url, actor="李四")
    assert NEW_ITEM not in assistant.get().items
    assert assistant.get().version == back.version != before.version
    assert not (knowledge_dir / "imports" / "下放事项目录_镇.csv").exists()
    assert history(url)[0].action == "rollback" and history(url)[0].detail == before.version

    rollback(result.version, knowledge_dir, url, actor="李四")  # and forward again, exactly
    assert NEW_ITEM in assistant.get().items
    assert (knowledge_dir / "imports" / "下放事项目录_镇.csv").read_bytes() == imported


def test_a_rejected_upload_shows_row_problems_and_changes_nothing(kb: tuple[Path, str], tmp_path: Path) -> None:
    knowledge_dir, url = kb
    versions = len(history(url))
    shown = preview(
        BROKEN_CSV.read_bytes(), BROKEN_CSV.name, Options(unit_kind="town"), knowledge_dir, url, tmp_path / "up"
    )
    assert shown.result is None
    assert {p.row for p in shown.problems} >= {3, 4, 5, 6, 7}
    assert any("未知的权力类型" in p.reason for p in shown.problems)
    assert len(history(url)) == versions and not (knowledge_dir / "imports").exists()
    with pytest.raises(KnowledgeError, match="只能上传"):
        preview(b"x", "清单.xls", Options(unit_kind="town"), knowledge_dir, url, tmp_path / "up")


def test_rollback_refuses_what_it_cannot_restore(kb: tuple[Path, str]) -> None:
    knowledge_dir, url = kb
    with pytest.raises(KnowledgeError, match="没有这个知识库版本"):
        rollback("19990101.000000-deadbeef", knowledge_dir, url)
    with pytest.raises(KnowledgeError, match="就是当前版本"):
        rollback(history(url)[0].version, knowledge_dir, url)
    (knowledge_dir / "aliases.csv").write_text("code,aliases\n", encoding="utf-8")
    build(knowledge_dir, url)
    with session_scope(url) as session:
        session.execute(delete(SourceBlob))  # as for versions built before history was kept
    items_csv = (knowledge_dir / "aliases.csv").read_bytes()
    with pytest.raises(KnowledgeError, match="没有保存来源文件"):
        rollback(history(url)[1].version, knowledge_dir, url)
    assert (knowledge_dir / "aliases.csv").read_bytes() == items_csv


def test_rollback_waits_for_a_running_build(kb: tuple[Path, str]) -> None:
    knowledge_dir, url = kb
    (knowledge_dir / "aliases.csv").write_text("code,aliases\n", encoding="utf-8")
    build(knowledge_dir, url)
    target = history(url)[1].version
    held = threading.Event()

    def hold() -> None:
        with kb_lock():
            held.set()
            time.sleep(1.5)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait()
    started = time.monotonic()
    rollback(target, knowledge_dir, url)
    holder.join()
    assert time.monotonic() - started >= 1.0
    assert "摆地摊" in (knowledge_dir / "aliases.csv").read_text(encoding="utf-8")
