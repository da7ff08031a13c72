"""The domain thesaurus is data (knowledge/thesaurus.yaml): a deployment's own synonym changes
the answers, reaches the NLU dictionary and the speech vocabulary, and bad groups are rejected."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.errors import BuildRejected
from bot.kb.build import build
from bot.kb.lexicon import LexiconFiles, write_lexicon
from bot.kb.provider import KnowledgeProvider
from bot.matching import MatterIndex


def _url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'kb.sqlite3'}"


def _add_group(knowledge_dir: Path, group: list[str]) -> None:
    path = knowledge_dir / "thesaurus.yaml"
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    spec["groups"].append(group)
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")


def test_shipped_thesaurus_maps_staff_words_to_the_lists_words(knowledge, monkeypatch):
    monkeypatch.setenv("MATCHER_EMBEDDINGS", "0")
    index = MatterIndex(knowledge)
    assert index.canonical("有人随便扔垃圾") == index.canonical("有人乱倒垃圾")
    assert "餐饮" in index.canonical("大排档油烟")
    assert index.canonical("露天烧烤") == "露天烧烤"  # 烧 inside 烧烤 is not 焚烧
    assert index.canonical("商店倒闭") == "商店倒闭"


def test_a_deployments_new_synonym_changes_the_answer(tmp_path, knowledge_copy, monkeypatch):
    monkeypatch.setenv("MATCHER_EMBEDDINGS", "0")  # the lexical matcher alone: the thesaurus's own effect
    question = "街道能不能处罚霸街卖货"
    build(knowledge_copy, _url(tmp_path))
    before = MatterIndex(KnowledgeProvider(_url(tmp_path)).get()).match(question)
    assert before.item is None or before.item.code != "zhandao_jingying"

    _add_group(knowledge_copy, ["占道经营", "霸街卖货"])
    build(knowledge_copy, _url(tmp_path))
    knowledge = KnowledgeProvider(_url(tmp_path)).get()
    after = MatterIndex(knowledge).match(question)
    assert after.item is not None and after.item.code == "zhandao_jingying"

    files = LexiconFiles(tmp_path / "jieba", tmp_path / "nlu" / "lookups.yml", tmp_path / "asr" / "vocabulary.txt")
    write_lexicon(knowledge, files)
    assert "霸街卖货 2000 n" in (tmp_path / "jieba" / "userdict.txt").read_text(encoding="utf-8")
    assert "speech 霸街卖货" in (tmp_path / "asr" / "vocabulary.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "group,reason",
    [(["倾倒"], "至少两个词"), (["餐饮", "KTV"], "汉字"), (["乱", "随便"], "重复")],
)
def test_bad_groups_are_rejected_with_reasons(tmp_path, knowledge_copy, group, reason):
    _add_group(knowledge_copy, group)
    with pytest.raises(BuildRejected) as caught:
        build(knowledge_copy, _url(tmp_path))
    assert any(p.file == "thesaurus.yaml" and reason in p.reason for p in caught.value.problems)
