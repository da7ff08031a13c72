"""The Rasa component in front of the pipeline: real Rasa messages, the generated vocabulary file."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.core.channels.channel import UserMessage
from rasa.graph_components.converters.nlu_message_converter import NLUMessageConverter
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.kb.lexicon import LexiconFiles, write_lexicon
from bot.nlu.asr_normalizer import ORIGINAL_TEXT, ASRNormalizer


@pytest.fixture(scope="module")
def vocabulary_file(knowledge, tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    build = tmp_path_factory.mktemp("build")
    files = LexiconFiles(build / "jieba", build / "nlu" / "lookups.yml", build / "asr" / "vocabulary.txt")
    write_lexicon(knowledge, files)
    return files.vocabulary_file


@pytest.fixture(scope="module")
def component(vocabulary_file: Path) -> ASRNormalizer:
    return ASRNormalizer({**ASRNormalizer.get_default_config(), "vocabulary_path": str(vocabulary_file)})


def _process(component: ASRNormalizer, text: str, metadata: dict | None = None) -> Message:
    # As Rasa hands a user message to the NLU graph.
    messages = NLUMessageConverter().convert_user_message([UserMessage(text, metadata=metadata)])
    return component.process(messages)[0]


def test_a_spoken_question_is_cleaned_and_the_original_kept(component):
    message = _process(component, "嗯那个我们石牌接到能不能处发占道经营啊")
    assert message.get(TEXT) == "我们石牌街道能不能处罚占道经营"
    assert message.get(ORIGINAL_TEXT) == "嗯那个我们石牌接到能不能处发占道经营啊"
    assert message.as_dict_nlu()[ORIGINAL_TEXT] == "嗯那个我们石牌接到能不能处发占道经营啊"  # reaches the parse output


def test_clean_text_is_left_alone(component):
    message = _process(component, "石牌街道能不能处罚占道经营")
    assert message.get(TEXT) == "石牌街道能不能处罚占道经营"
    assert message.get(ORIGINAL_TEXT) is None


def test_button_payloads_pass_untouched(component):
    payload = '/ask_can{"matter": "嗯占道经营"}'
    assert _process(component, payload).get(TEXT) == payload


def test_the_nbest_hypothesis_naming_a_known_term_is_chosen(component):
    metadata = {"asr": {"nbest": ["嗯这个归谁管呢", "嗯占道经营归谁管呢"], "confidence": 0.41}}
    message = _process(component, "嗯这个归谁管呢", metadata)
    assert message.get(TEXT) == "占道经营归谁管呢"
    assert message.get(ORIGINAL_TEXT) == "嗯这个归谁管呢"


def test_an_nbest_hypothesis_is_corrected_before_it_is_judged(component):
    metadata = {"asr": {"nbest": ["这个归谁管", "石排接到能不能管"]}}
    assert _process(component, "这个归谁管", metadata).get(TEXT) == "石牌街道能不能管"


def test_the_first_hypothesis_wins_when_none_names_anything(component):
    metadata = {"asr": {"nbest": ["嗯今天天气不错", "今天天气不错啊"]}}
    assert _process(component, "嗯今天天气不错", metadata).get(TEXT) == "今天天气不错"


def test_malformed_nbest_metadata_is_ignored(component):
    for metadata in ({"asr": {"nbest": "not a list"}}, {"asr": "x"}, {"asr": {"nbest": [None, 3]}}, ["x"]):
        assert _process(component, "嗯石排街道能不能罚", metadata).get(TEXT) == "石牌街道能不能罚"


def test_without_the_vocabulary_file_only_homophones_are_skipped(tmp_path):
    component = ASRNormalizer({"vocabulary_path": str(tmp_path / "missing.txt")})
    message = _process(component, "嗯那个石排街道能不能处发两千一百四十八个")
    assert message.get(TEXT) == "石排街道能不能处发2148个"


def test_training_examples_are_normalised_with_their_entities_moved(component):
    kept = Message(
        data={
            TEXT: "嗯那个石牌街道能不能罚",
            "entities": [{"start": 3, "end": 7, "value": "石牌街道", "entity": "unit"}],
        }
    )
    lost = Message(
        data={TEXT: "石排街道能不能罚", "entities": [{"start": 0, "end": 4, "value": "石排街道", "entity": "unit"}]}
    )
    component.process_training_data(TrainingData([kept, lost]))
    assert kept.get(TEXT) == "石牌街道能不能罚"
    assert kept.get("entities") == [{"start": 0, "end": 4, "value": "石牌街道", "entity": "unit"}]
    # Correcting 石排 would cut the annotated span: the example stays as written.
    assert lost.get(TEXT) == "石排街道能不能罚"
