"""Imports and builds are serialised by one lock and atomic with their files.

Crashes are real: the import runs in a child process that dies (``os._exit``) at the
chosen step, so no ``finally`` block runs; the next build must then leave the database
and ``knowledge/imports/`` agreeing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import KNOWLEDGE_DIR, PROJECT_ROOT
from bot.kb import importer
from bot.kb.build import build, built_sources
from bot.kb.importer import import_list
from bot.kb.pending import staged_files
from bot.kb.provider import KnowledgeProvider
from bot.kb.sources import import_files_in, source_hashes

SAMPLES = KNOWLEDGE_DIR / "samples"
STREET_CSV = SAMPLES / "下放事项目录_非中心城区街道.csv"
CRASHED = 70

CHILD = f"""
import os, sys
from pathlib import Path
import bot.kb.build as build_module
import bot.kb.importer as importer

crash, listing, knowledge_dir, url, unit_kind = sys.argv[1:]
if crash == "before_commit":
    def _fill(session, sources):
        os._exit({CRASHED})
    build_module._fill = _fill
elif crash == "after_commit":
    write_knowledge = importer.write_knowledge
    def _write(*args, **kwargs):
        write_knowledge(*args, **kwargs)
        os._exit({CRASHED})
    importer.write_knowledge = _write
elif crash == "after_move":
    promote = importer.promote
    def _promote(*args):
        promote(*args)
        os._exit({CRASHED})
    importer.promote = _promote
importer.import_list(Path(listing), Path(knowledge_dir), url, unit_kind=unit_kind, progress=False)
"""


@pytest.fixture()
def kb(tmp_path: Path, knowledge_copy: Path, kb_url: str, monkeypatch) -> tuple[Path, str]:  # type: ignore[no-untyped-def]
    """(knowledge dir, database url), copies; the lock lives in this test's own build dir."""
    database = tmp_path / "kb.sqlite3"
    shutil.copyfile(kb_url[len("sqlite:///") :], database)
    url = f"sqlite:///{database}"
    monkeypatch.setenv("KB_BUILD_DIR", str(tmp_path / "build"))
    build(knowledge_copy, url)
    return knowledge_copy, url


def _child(
    tmp_path: Path, crash: str, listing: Path, knowledge_dir: Path, url: str, unit_kind: str
) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "KB_BUILD_DIR": str(tmp_path / "build")}
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, crash, str(listing), str(knowledge_dir), url, unit_kind],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _agree(knowledge_dir: Path, url: str) -> bool:
    """The version in force was built from exactly the files on disk."""
    return built_sources(url) == source_hashes(knowledge_dir, import_files_in(knowledge_dir))


def _street_list_in_force(url: str) -> bool:
    # The street list makes paishui a power of non-central streets; without it they do not hold it.
    return KnowledgeProvider(url, check_every_s=0).get().items["paishui"].rules["noncentral_street"] == "yes"


@pytest.mark.parametrize("crash,lands", [("before_commit", False), ("after_commit", True), ("after_move", True)])
def test_a_crash_at_each_step_leaves_database_and_files_agreeing(kb, tmp_path, crash, lands):
    knowledge_dir, url = kb
    assert not _street_list_in_force(url)
    child = _child(tmp_path, crash, STREET_CSV, knowledge_dir, url, "noncentral_street")
    _, err = child.communicate(timeout=120)
    assert child.returncode == CRASHED, err
    # Until something settles it, the database serves what was committed; a list committed but
    # not yet moved is still staged, so files and database disagree for that moment only.
    committed = crash != "before_commit"
    assert _street_list_in_force(url) == committed
    assert bool(staged_files(knowledge_dir / "imports")) == (crash != "after_move")
    assert _agree(knowledge_dir, url) == (crash != "after_commit")

    build(knowledge_dir, url)  # the next build (make kb) or import settles what the crash left

    target = knowledge_dir / "imports" / f"{STREET_CSV.stem}.csv"
    assert _agree(knowledge_dir, url)
    assert staged_files(knowledge_dir / "imports") == {}
    assert target.exists() == lands
    assert _street_list_in_force(url) == lands


def test_a_failed_move_after_the_commit_still_lands_the_list(kb, monkeypatch):
    knowledge_dir, url = kb

    def refuse(staged, target):  # type: ignore[no-untyped-def]
        raise PermissionError("read-only knowledge/imports")

    monkeypatch.setattr(importer, "promote", refuse)
    with pytest.raises(PermissionError):
        import_list(STREET_CSV, knowledge_dir, url, unit_kind="noncentral_street", progress=False)
    # The commit happened, so the same import moved the staged file into place on its way out.
    assert (knowledge_dir / "imports" / f"{STREET_CSV.stem}.csv").exists()
    assert _agree(knowledge_dir, url) and _street_list_in_force(url)


def test_two_imports_at_once_both_land(kb, tmp_path):
    knowledge_dir, url = kb
    # A second list that does not depend on the first, so either may take the lock first.
    town_list = tmp_path / "业委会备案.csv"
    town_list.write_text(
        "序号,事项编码,事项名称,权力类型,实施依据,承办机构\n"
        "1,440100-TEST-9901,业主委员会备案,其他行政权力,《物业管理条例》第十六条第一款,公共服务办公室\n",
        encoding="utf-8",
    )
    children = [
        _child(tmp_path, "none", STREET_CSV, knowledge_dir, url, "noncentral_street"),
        _child(tmp_path, "none", town_list, knowledge_dir, url, "town"),
    ]
    for child in children:
        _, err = child.communicate(timeout=180)
        assert child.returncode == 0, err
    assert sorted(import_files_in(knowledge_dir)) == sorted([STREET_CSV.stem, town_list.stem])
    assert _agree(knowledge_dir, url)
    knowledge = KnowledgeProvider(url, check_every_s=0).get()
    assert knowledge.items["paishui"].rules["noncentral_street"] == "yes"  # the street list
    assert knowledge.items["440100-TEST-9901"].rules["town"] == "yes"  # the other list


def test_a_build_waits_for_the_lock_and_says_so(kb, tmp_path, caplog):
    from filelock import FileLock

    from bot.errors import KnowledgeError
    from bot.kb.locking import LOCK_FILE, kb_lock

    knowledge_dir, url = kb
    # Another process holds the lock (a separate FileLock object: a separate open file).
    other = FileLock(tmp_path / "build" / LOCK_FILE)
    with other:
        with pytest.raises(KnowledgeError) as busy:
            with kb_lock(wait_s=0.2):
                pass
    assert "另一个知识库导入或构建" in str(busy.value)
    assert "等待其完成" in caplog.text
