"""Words that used to live in code — office short names, bare unit names that are everyday
words, the speech normaliser's domain terms — now come from knowledge/, are validated by the
build, and reach the assistant through the knowledge base and the generated lexicon."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.errors import BuildRejected
from bot.kb.build import build
from bot.kb.lexicon import LexiconFiles, write_lexicon
from bot.kb.names import office_base, split_list
from bot.kb.provider import KnowledgeProvider
from bot.normalize import Vocabulary, normalize


@pytest.mark.parametrize(
    "cell,expected",
    [
        ("占道经营;乱摆卖", ["占道经营", "乱摆卖"]),
        ("占道经营；乱摆卖", ["占道经营", "乱摆卖"]),
        ("占道经营、乱摆卖、 摆摊 ", ["占道经营", "乱摆卖", "摆摊"]),
        ("天河区石牌街道=yes；白云区江高镇=no", ["天河区石牌街道=yes", "白云区江高镇=no"]),
        ("对油烟、噪声的处罚，按规定", ["对油烟", "噪声的处罚，按规定"]),  # commas never split
        ("", []),
        (None, []),
    ],
)
def test_one_way_to_split_a_cell(cell, expected):
    assert split_list(cell) == expected


def test_office_base_drops_only_a_trailing_second_name():
    assert office_base("综合行政执法办公室（综合行政执法队）") == "综合行政执法办公室"
    assert office_base("党建工作办公室(组织人事办公室)") == "党建工作办公室"
    assert office_base("人大（工委）办公室") == "人大（工委）办公室"


def _url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'kb.sqlite3'}"


def _edit_yaml(path: Path, **changes) -> None:  # type: ignore[no-untyped-def]
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    spec.update(changes)
    path.write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_knowledge_carries_office_short_names_in_order(knowledge):
    aliases = list(knowledge.office_aliases.items())
    assert aliases[:3] == [
        ("综合执法", "综合行政执法办公室"),
        ("执法办", "综合行政执法办公室"),
        ("执法队", "综合行政执法办公室"),
    ]
    assert knowledge.office_aliases["综治办"] == "综合治理办公室"
    assert knowledge.office_aliases["人大"] == "人大（工委）办公室"
    assert knowledge.office_aliases["组织人事"] == "党建工作办公室"  # the base of 党建工作办公室（组织人事办公室）
    offices = {office_base(o) for u in knowledge.units for o in u.offices}
    assert set(knowledge.office_aliases.values()) <= offices


def test_knowledge_carries_speech_terms_in_priority_order(knowledge):
    assert knowledge.speech_terms[:3] == ("处罚", "罚款", "审批")
    assert "违法建设" in knowledge.speech_terms


def test_an_enumeration_comma_separates_aliases_in_the_build(tmp_path, knowledge_copy):
    with open(knowledge_copy / "aliases.csv", "a", encoding="utf-8") as handle:
        handle.write("zhandao_jingying,马路摆档、桥底摆档\n")
    build(knowledge_copy, _url(tmp_path))
    aliases = KnowledgeProvider(_url(tmp_path)).get().items["zhandao_jingying"].aliases
    assert "马路摆档" in aliases and "桥底摆档" in aliases
    assert "马路摆档、桥底摆档" not in aliases


def test_bad_vocabulary_and_short_names_are_rejected_with_reasons(tmp_path, knowledge_copy):
    _edit_yaml(
        knowledge_copy / "vocabulary.yaml", unit_common_words=["人民", "石排"], speech_terms=["处罚", "ok", "处罚"]
    )
    _edit_yaml(knowledge_copy / "offices.yaml", short_names={"综治办": "综合治理办公室", "规划办": "规划建设办公室"})
    with pytest.raises(BuildRejected) as rejected:
        build(knowledge_copy, _url(tmp_path))
    reasons = [(p.file, p.reason) for p in rejected.value.problems]
    assert len(reasons) == 4, reasons
    assert any(f == "vocabulary.yaml" and "'石排'" in r and "镇街" in r for f, r in reasons)
    assert any(f == "vocabulary.yaml" and "'ok'" in r and "汉字" in r for f, r in reasons)
    assert any(f == "vocabulary.yaml" and "'处罚'" in r and "重复" in r for f, r in reasons)
    assert any(f == "offices.yaml" and "规划建设办公室" in r for f, r in reasons)


def test_a_deployment_gets_its_own_words_in_the_knowledge_and_the_lexicon(tmp_path, knowledge_copy, knowledge):
    # A deployment adds 网格员 to its speech terms and treats 石牌 alone as a unit's everyday word.
    _edit_yaml(knowledge_copy / "vocabulary.yaml", unit_common_words=["人民", "石牌"], speech_terms=["网格员", "处罚"])
    _edit_yaml(knowledge_copy / "offices.yaml", short_names={"网格办": "综合治理办公室"})
    _edit_yaml(knowledge_copy / "thesaurus.yaml", groups=[])  # and no synonyms of its own
    build(knowledge_copy, _url(tmp_path))
    deployed = KnowledgeProvider(_url(tmp_path)).get()
    assert deployed.office_aliases == {"网格办": "综合治理办公室"}
    assert deployed.unit_common_words == frozenset({"人民", "石牌"})

    files = LexiconFiles(tmp_path / "jieba", tmp_path / "nlu" / "lookups.yml", tmp_path / "asr" / "vocabulary.txt")
    write_lexicon(deployed, files)
    lines = files.vocabulary_file.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# GENERATED")
    assert lines[2:4] == ["speech 网格员", "speech 处罚"]
    assert "speech 违法建设" not in lines  # the repository's terms are gone with its file
    # The normaliser, reading only that file, corrects towards the deployment's term.
    assert normalize("网格园归谁管", Vocabulary.from_file(files.vocabulary_file)) == "网格员归谁管"
    assert (
        normalize("网格园归谁管", Vocabulary.from_lines([("speech", t) for t in knowledge.speech_terms]))
        == "网格园归谁管"
    )
