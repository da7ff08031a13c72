"""Whether a feedback message ("答案不对", "回答很准确", "👍") rates the last answer up or down.

NLU recognises one ``feedback`` intent; the polarity is in the words, which a classifier trained
on a few dozen examples of each side confused (the two sides share 回答, 答案, 对, 准确). Praise
that is written with a negation word (没错, 没问题, 不错, 无误) is removed before the negative
words are looked for; anything else is praise.
"""

from __future__ import annotations

import re

_PRAISE_WITH_NEGATION = re.compile(r"没错|没有错|没问题|没有问题|没毛病|不错|无误|没什么问题")
_NEGATIVE = re.compile(
    r"不[太大很怎么够]{0,2}(对|准|正确|一样|一致|符|是|好|行|满意|靠谱|清楚)|错|误|差|偏差|反了|问题|对不上"
    r"|没用|没有?帮助|(帮助|用|用处)都没有|没(什么|啥)(用|帮助)|帮不上|答非所问|没回答|没答到|瞎说|乱说|胡说|离谱|有毛病|牛头不对马嘴|👎"
)


def rating_of(text: str | None) -> str:
    """'down' when the words find fault with the answer, else 'up'."""
    rest = _PRAISE_WITH_NEGATION.sub("", text or "")
    return "down" if _NEGATIVE.search(rest) else "up"
