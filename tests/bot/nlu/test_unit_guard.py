"""Small talk never names a unit: such a message is a power question or the asker's unit."""

from __future__ import annotations

from rasa.shared.nlu.training_data.message import Message

from bot.nlu.unit_guard import SmalltalkNamingAUnit


def _classified(text: str, intent: str, units: tuple[str, ...] = ()) -> Message:
    entities = [{"entity": "unit", "value": u, "start": text.index(u), "end": text.index(u) + len(u)} for u in units]
    ranking = [{"name": intent, "confidence": 0.6}, {"name": "ask_can", "confidence": 0.3}]
    return Message(
        data={
            "text": text,
            "intent": {"name": intent, "confidence": 0.6},
            "intent_ranking": ranking,
            "entities": entities,
        }
    )


def _intent_after(message: Message) -> str:
    return SmalltalkNamingAUnit().process([message])[0].get("intent")["name"]


def test_small_talk_naming_a_unit_and_asking_is_a_power_question():
    message = _classified("北京街道能办理护照吗", "smalltalk", ("北京街道",))
    assert _intent_after(message) == "ask_can"
    assert [r["name"] for r in message.get("intent_ranking")] == ["ask_can"]  # one entry per intent


def test_small_talk_naming_a_unit_without_a_question_tells_the_unit():
    assert _intent_after(_classified("龙归街道，谢谢", "smalltalk", ("龙归街道",))) == "inform_unit"


def test_small_talk_without_a_unit_and_other_intents_are_left_alone():
    assert _intent_after(_classified("今天天气怎么样", "smalltalk")) == "smalltalk"
    assert _intent_after(_classified("石牌街道有哪些权力", "ask_list_powers", ("石牌街道",))) == "ask_list_powers"
