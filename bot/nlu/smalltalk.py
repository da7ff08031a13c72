"""Which reply a small-talk message ("你好", "谢谢", "再见", "怎么用", "你是谁", "讲个笑话") gets.

NLU recognises one ``smalltalk`` intent; the kind of small talk is in the words. Six intents of
a few dozen short texts each confused one another (在吗 / 再见, 你是干嘛的 / 你是谁, 辛苦了 /
好累, 怎么用 / 怎么减肥), while their words tell them apart plainly. action_smalltalk puts the
kind in the slot ``smalltalk``, which picks the variation of domain.yml's utter_smalltalk. The
first kind whose words occur wins, in this order: a farewell ("谢谢，再见" closes the
conversation), thanks ("谢谢，很有帮助" is not a request for help), a request for help, a
greeting; then talk about the assistant or the asker's day is chitchat, and anything else (the
weather, a recipe, a poem) is out of scope.
"""

from __future__ import annotations

import re

GOODBYE = "goodbye"
THANKS = "thanks"
HELP = "help"
GREET = "greet"
CHITCHAT = "chitchat"
OUT_OF_SCOPE = "out_of_scope"

_KINDS = (
    (
        GOODBYE,
        re.compile(
            r"再见|再会|拜拜|^拜(?!托)|拜$|bye|^88|88啦?$|晚安|明天见|下回见|回头见|回聊|再聊|下线|先撤|撤了|我走了|先走了"
            r"|先下了?$|先这样|就这样|回头.*再找|到这[里儿]?[吧了]?$|问到这|不问了|不聊了|结束对话|改天再|下次再|回头再|明天再问"
            r"|(先|去)忙了|要下班了|没事了|没有了|没别的|没有别的|就问这些|就这些了",
            re.IGNORECASE,
        ),
    ),
    (THANKS, re.compile(r"谢|感谢|拜托|感恩|唔该|thank|3q|辛苦[了啦]|麻烦[你您]?了", re.IGNORECASE)),
    (
        HELP,
        re.compile(
            r"帮助|help|功能|菜单|说明|指南|例子|示例|怎么用|如何用|怎么使用|使用方法|不会用|不太会|教[我一教]"
            r"|怎么问|怎么提问|如何提问|该怎么问|要怎么问|提问.*格式|问什么|问些什么|问些啥|可以问|能问|能查|可以查|怎么查询|查询方法"
            r"|能做什么|能干[啥嘛什]|会什么|能帮[我上]|能回答|回答些|回答哪些|支持哪些|干[嘛啥什么]+的|做什么用|干什么用|是做什么的",
            re.IGNORECASE,
        ),
    ),
    (
        GREET,
        re.compile(
            r"你好(?![笨傻聪可厉棒慢烦帅美])|您好|嗨|哈[喽啰罗]|^hello|^hi|^hey|^嘿|(早上|上午|中午|下午|晚上)好|^早[安啊晨]?$|新年好|在[吗么嘛不]|在的吗|在线吗"
            r"|有人[吗在]|有没有人|^喂|打扰|^(我)?想?(问|咨询)一?下|^请问",
            re.IGNORECASE,
        ),
    ),
)

# A greeting that goes on to ask what the assistant is ("你好，你是机器人吗") gets the introduction.
_ABOUT_ME = re.compile(r"你是|你叫|机器人|真人|人工智能|AI", re.IGNORECASE)
# Talk about the assistant or the asker's day gets the introduction; any other request
# ("今天天气怎么样", "帮我写首诗", "怎么减肥") is out of scope.
_CHITCHAT = re.compile(
    r"你|您|机器人|助手|真人|人工智能|AI|ChatGPT|小度|哈哈|无聊|好?累|好?困|好?忙|加班|上班|聊天|聊聊|陪我",
    re.IGNORECASE,
)
_REQUEST = re.compile(r"(帮|给|为)我|推荐|讲个|讲一个|翻译|算一?下|查一?下|订")


def kind_of(text: str | None) -> str:
    """The kind of small talk ``text`` is: goodbye, thanks, help, greet, chitchat or out_of_scope."""
    words = (text or "").strip()
    for kind, pattern in _KINDS:
        if pattern.search(words):
            return CHITCHAT if kind == GREET and _ABOUT_ME.search(words) else kind
    if not words or (_CHITCHAT.search(words) and not _REQUEST.search(words)):
        return CHITCHAT
    return OUT_OF_SCOPE
