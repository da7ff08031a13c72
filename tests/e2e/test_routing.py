"""Routing by the trained model over REST (issue 12, point 5): phrasings not in the training data
reach the right kind of reply; words shared with structural questions (管得了, 文件, 决定, 要不要)
do not pull a power question away from its answer."""

from __future__ import annotations

import pytest

from bot.client import texts_of
from tests.e2e.conftest import answer


@pytest.mark.parametrize(
    ("question", "item"),
    [
        ("天河区石牌街道，占道经营这种事街道管得了吗？", "zhandao_jingying"),
        (
            "白云区江高镇能行使这项权力吗：重大行政决策、行政执法决定、规范性文件和行政合同的合法性审核",
            "hefaxing_shenhe",
        ),
    ],
)
def test_power_questions_sharing_structural_words_get_a_power_answer(chat, question, item):
    p = answer(chat.say(question))
    assert p["type"] == "power_answer" and p["item"]["code"] == item, p


def test_a_task_pushed_down_by_a_district_bureau_is_still_a_push_down_question(chat):
    messages = chat.say("区城管局发通知要天河区石牌街道负责共享单车停放管理，我们必须接吗")
    assert answer(messages).get("topic") == "push_down", messages


def test_feedback_and_forgetting_in_words_of_ones_own(chat):
    answer(chat.say("白云区江高镇能不能审批宅基地"))
    assert "已记录这条回答有误" in texts_of(chat.say("你这个回答好像不太对"))[0]
    assert "谢谢您的肯定" in texts_of(chat.say("嗯这个回答挺准的"))[0]
    assert "清除" in texts_of(chat.say("麻烦把我的单位信息清掉"))[0]
