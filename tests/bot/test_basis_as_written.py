"""An imported item whose law the library does not hold still shows its legal basis, as the list wrote it."""

from __future__ import annotations

from dataclasses import replace

from bot.answer import BASIS_AS_WRITTEN, chat_text, power_answer_of
from bot.verdict import decide

WRITTEN = "【法律】《中华人民共和国测绘法》（2017年修订）第四十条"


def test_a_basis_the_library_does_not_hold_is_shown_as_written_and_marked(knowledge):
    item = replace(knowledge.items["zhandao_jingying"], references=(), legal_basis_text=WRITTEN, note=None)
    unit = next(u for u in knowledge.units if u.full_name == "天河区石牌街道")
    answer = power_answer_of("basis", decide(knowledge, unit, item), knowledge)
    assert answer.legal_basis == ()
    assert answer.note == BASIS_AS_WRITTEN + WRITTEN
    assert "条文未收录" in answer.headline
    assert WRITTEN in chat_text(answer)


def test_a_held_basis_is_cited_not_repeated_in_the_note(knowledge):
    item = knowledge.items["zhandao_jingying"]
    unit = next(u for u in knowledge.units if u.full_name == "天河区石牌街道")
    answer = power_answer_of("basis", decide(knowledge, unit, item), knowledge)
    assert answer.legal_basis and BASIS_AS_WRITTEN not in (answer.note or "")


def test_an_assisted_power_whose_list_names_no_office_says_so_plainly(knowledge):
    unit = next(u for u in knowledge.units if u.full_name == "天河区石牌街道")
    item = next(i for i in knowledge.items.values() if decide(knowledge, unit, i).verdict == "assist")
    verdict = replace(decide(knowledge, unit, item), handled_by=None)
    headline = power_answer_of("who", verdict, knowledge).headline
    assert headline.startswith("天河区石牌街道负责受理、调查和初审（承办机构未在清单中明确），由")
    assert "的（" not in headline
