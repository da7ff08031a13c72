"""One feedback intent: whether the words rate the last answer up or down."""

from __future__ import annotations

import pytest

from bot.nlu.polarity import rating_of


@pytest.mark.parametrize(
    "text",
    [
        "答案不对",
        "你这个回答好像不太对",
        "这条法律引错了",
        "答非所问",
        "结论反了，我们是有这个权的",
        "没帮助",
        "一点帮助都没有",
        "没啥用",
        "👎",
    ],
)
def test_fault_finding_rates_down(text):
    assert rating_of(text) == "down"


@pytest.mark.parametrize(
    "text",
    ["回答很准确", "嗯这个回答挺准的", "没错就是这样", "答案没问题", "回答得不错", "答案准确无误", "👍", ""],
)
def test_praise_rates_up_even_when_written_with_a_negation(text):
    assert rating_of(text) == "up"
