"""One small-talk intent: the words choose the greeting, farewell, thanks, help, introduction or
"out of scope"."""

from __future__ import annotations

import pytest

from bot.nlu.smalltalk import kind_of


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("你好", "greet"),
        ("您好，请问在吗", "greet"),
        ("早上好小助手", "greet"),
        ("hi", "greet"),
        ("想问一下", "greet"),  # an opener, before the question
        ("再见", "goodbye"),
        ("好的，谢谢，再见", "goodbye"),  # the farewell closes the conversation
        ("没别的问题了", "goodbye"),
        ("88", "goodbye"),
        ("谢谢", "thanks"),
        ("谢谢，很有帮助的信息", "thanks"),  # not a request for help
        ("辛苦了", "thanks"),
        ("唔该晒", "thanks"),
        ("你能做什么", "help"),
        ("怎么用", "help"),
        ("你好，能给几个问题示例吗", "help"),
        ("你是干嘛的", "help"),
        ("你是谁", "chitchat"),
        ("你好，你是机器人吗", "chitchat"),  # a greeting that asks what the assistant is
        ("你好笨", "chitchat"),
        ("今天加班好累啊", "chitchat"),
        ("拜托了", "thanks"),
        ("明天天气怎么样", "out_of_scope"),
        ("给我讲个笑话", "out_of_scope"),
        ("怎么减肥", "out_of_scope"),  # not a request for help with the assistant
        ("帮我订张机票", "out_of_scope"),
        ("翻译一下hello", "out_of_scope"),
        ("你会唱歌吗", "chitchat"),
        ("", "chitchat"),
    ],
)
def test_the_words_choose_the_reply(text, kind):
    assert kind_of(text) == kind
