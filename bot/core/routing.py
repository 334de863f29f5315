"""Who is speaking in a piece of free text: the user asking in their own words, or a message
they pasted (an SMS, a chat), or both ("这条短信是真的吗 【工行】您的积分…").

Length alone says little: a frightened user writes 300 characters about a call, a scammer's
request fits in 20 ("在吗 麻烦打500到我账户"). So the router looks at how the text speaks:

- a *message* shows a sender tag (【工商银行】), a link, an unsubscribe line, formal address to
  the reader (您, 尊敬的), or chat lines pasted with speaker prefixes ("对方: …");
- the *user* speaks in the first person about what happened (我妈接到…, 有人让我…, 对方说…) or
  asks (怎么办, 是真的吗, 是不是骗子, ？).

`Assistant.respond` combines this with the scanner's verdict: a text that is neither clearly a
question nor a user's story, but that asks the reader for money, a code, an app, a link or a
contact, is scanned.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .text import to_simplified

QUESTION_WORDS = re.compile(
    r"怎么办|咋办|怎么弄|咋整|怎么回事|怎么处理|怎么做|怎么样|怎么|咋|如何|是不是|是否|要不要|能不能|可不可以|有没有|"
    r"该不该|该怎么|真的假的|真假|是真的|是假的|靠谱吗|可信吗|骗子吗|诈骗吗|骗局吗|被骗了|求助|救命|请问|帮帮|"
    r"什么意思|为什么|为啥|多少|哪里|哪个|哪些|吗\s*[?？!！。~～]*\s*$|吗[，,。？?！!\s]|呢\s*[?？]*\s*$|[?？]")
USER_STORY = re.compile(
    r"我(妈|爸|家|老公|老婆|儿子|女儿|朋友|同事|奶奶|爷爷|姥姥|姥爷|外婆|外公|姐|哥|弟|妹|们)|"
    r"我.{0,6}(收到|接到|遇到|碰到|发现|看到|被|刚|昨天|今天|前天|上周|之前|差点|已经|转了|给了|点了|下载了|加了)|"
    r"(有人|对方|他们|他|她|骗子|客服|那个人|一个人)(说|让|叫|要|打电话|发短信|加我|问我|找我|给我)|"
    r"(说我|让我|叫我|要我|问我|给我打|打给我|加了我|找我)|"
    r"(对方|他|她|骗子|那人)[^，。？！\n]{0,8}(看到|知道|拿到|转走|骗走|盗|刷|拉黑|删了|不回)|"
    r"(接了?|接到)(个|一个|通)?电话|收到(一条|条|个)?(短信|信息|消息)|^[^，。？！\n]{1,12}了[，,\s]")
# "在吗" opens a request, it does not ask anything (the classic first line of a money request).
GREETING = re.compile(r"^\s*(在吗|在不在|在么|在嘛|你好|您好|hello|hi)[?？，,。！!~～\s]*", re.IGNORECASE)
SENDER_TAG = re.compile(r"^\s*[【\[][^】\]\n]{2,20}[】\]]")
_TAG_INSIDE = re.compile(r"【[^】\n]{2,20}】")  # (a sender tag after a few words of the user's)
# At most this many characters of the user's own words before a one-line message's sender tag.
WORDS_BEFORE_TAG = 40
UNSUBSCRIBE = re.compile(r"退订|回T|回复T|拒收请回复|回TD", re.IGNORECASE)
FORMAL = re.compile(r"您|尊敬的|亲爱的(用户|客户|会员)|温馨提示")
SPEAKER_LINE = re.compile(r"^\s*[^\s:：]{1,12}\s*[:：]", re.MULTILINE)
URL_LIKE = re.compile(r"(?:https?://)?(?:[a-z0-9\-]+\.)+(?:com|cn|cc|top|xyz|vip|net|icu|link|site|org|info)\b\S*?(?=[\s\u4e00-\u9fff]|$)",
                      re.IGNORECASE)


@dataclass(frozen=True)
class Voice:
    question: bool   # the user's own words ask something (question words, a question mark)
    story: bool      # the user tells what happened, in the first person or reported speech
    message: bool    # shows the marks of a pasted message
    own: str = ""    # the user's own words (outside a pasted message)

    @property
    def users_words(self) -> bool:
        return (self.story or self.question) and not self.message

    @property
    def question_about_message(self) -> bool:
        """A pasted message with the user's question around it ("这条短信是真的吗 【…】…")."""
        return self.message and (self.question or self.story)


def _users_line(line: str) -> bool:
    """Whether a first or last line can be the user's own words: no sender tag, speaker prefix or
    link (those belong to the pasted message)."""
    return not SENDER_TAG.search(line) and not SPEAKER_LINE.match(line) and not URL_LIKE.search(line)


def _tag_after_words(text: str) -> int | None:
    """Where a one-line text's 【sender tag】 starts when at most WORDS_BEFORE_TAG characters of the
    user's words come before it (这是骗子吗【顺丰速运】…) and the message follows it; None without
    such a tag (a signature at the very end, …请加客服QQ【顺丰】, follows the message)."""
    match = _TAG_INSIDE.search(text)
    if match is None or len(text[:match.start()].strip()) > WORDS_BEFORE_TAG or not re.search(r"\w", text[match.end():]):
        return None
    return match.start()


# The user's doubt about what they pasted, asked (是不是骗子？, 这是真的吗, 靠谱吗) or asked for
# (帮我看看): a question about whether it is real, a scam, to be trusted.
DOUBT = re.compile(r"骗子|骗局|诈骗|被骗|真|假|官方|正规|靠谱|可信|可靠|能信|冒充")
LOOK_AT_IT = re.compile(r"帮我看看|帮忙看看|帮看看|帮我看下|看看这个|看一下这个")
# a doubt asked with 吧 and no question mark, the whole line (这是骗子吧, 是假的吧; not a warning's
# "肯定是诈骗吧", which is sure of it)
DOUBT_TAIL = re.compile(r"^(?:这|那|这个|这条|他|她|对方)?(?:是|应该是|不会是)?(?:骗子|骗局|诈骗|骗人的|假的|真的)吧\s*[。.!！~～]*$")
# A line of the user's own longer than this is a story or a note, not a doubt about the paste.
DOUBT_CHARS = 60


def _asks(words: str) -> bool:
    """Whether the user's own words ask something (a greeting first, 在吗？, asks nothing)."""
    asked = GREETING.sub("", words) if words else ""
    return bool(asked and QUESTION_WORDS.search(asked))


def _outside(text: str) -> str:
    """The part of the text that is not the pasted message: lines without a sender tag, a link
    or speaker prefix, where the user's own question usually sits (first or last line)."""
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) <= 1:
        match = SENDER_TAG.search(text)
        start = match.start() if match else _tag_after_words(text)
        if start is not None:
            return text[:start]
        # One line with a link and no sender tag: the user's words around the link
        # ("10086.cn.kf-jf.xyz 这个网址是不是移动官网").
        return URL_LIKE.sub(" ", text) if not FORMAL.search(text) else ""
    own = [line for line in (lines[0], lines[-1]) if _users_line(line)]
    return "\n".join(own)


def _doubts(words: str) -> bool:
    """Whether a short line of the user's doubts what they pasted (LOOK_AT_IT, DOUBT_TAIL, or a
    question with a DOUBT word)."""
    words = to_simplified(unicodedata.normalize("NFKC", words)).strip()
    return len(words) <= DOUBT_CHARS and (LOOK_AT_IT.search(words) is not None or DOUBT_TAIL.search(words) is not None
                                          or (_asks(words) and DOUBT.search(words) is not None))


def _set_apart(text: str) -> tuple[str, str]:
    """(the user's own words, the pasted message): the first or last line that `_outside` reads
    as the user's, or on one line what comes before a sender tag, set apart from the rest, each in
    the text's own characters; ("", text) when nothing can be set apart."""
    lines = text.splitlines()
    kept = [k for k, line in enumerate(lines) if line.strip()]
    if len(kept) <= 1:
        start = _tag_after_words(text)
        return (text[:start], text[start:]) if start is not None and text[:start].strip() else ("", text)
    drop = set()
    for k in (kept[0], kept[-1]):
        if _users_line(to_simplified(unicodedata.normalize("NFKC", lines[k]))):
            drop.add(k)
    rest = "\n".join(line for k, line in enumerate(lines) if k not in drop).strip("\n")
    if not drop or not re.search(r"\w", rest):
        return "", text
    return "\n".join(lines[k] for k in sorted(drop)), rest


def pasted_part(text: str) -> str:
    """The pasted message without the user's own words around it (see `_set_apart`); the whole
    text when nothing can be set apart. The scanner calls a text that names a scam talk about
    scams, so "我是不是被骗了" around a pasted scam would set the scam's requests aside: the
    pasted part is scanned on its own too (see Assistant.respond)."""
    return _set_apart(text)[1]


def asked_about(text: str) -> str | None:
    """The pasted part (see `pasted_part`) of a text whose user's own first or last line (on one
    line: the words before a sender tag) doubts it ("这个是不是骗子", "帮我看看是真的吗"), or the
    message quoted in the user's story when the words after it doubt it (see `_quoted_doubted`);
    None when nothing set apart doubts it: a warning's heading or closing question (警惕冒充领导诈骗,
    遇到这种情况怎么办？) keeps the text a warning, a retelling's sentence (我问他是哪个平台)
    keeps it a story (see Assistant.scan_message)."""
    own, rest = _set_apart(text)
    if any(_doubts(line) for line in own.splitlines() if line.strip()):
        return rest
    return _quoted_doubted(text)


# A message quoted whole inside the user's own words: in corner brackets, or in double quotes right
# after a colon that follows a word for a message or for its coming (他又发短信过来：『…』,
# 收到一条短信说：“…”, 他发过来：“…”).
_QUOTED = re.compile(r"[『「]([^『』「」]{15,})[』」]"
                     r"|(?:短信|消息|信息|通知|内容|写着|写的|说|过来|发来)[:：]\s*[“\"]([^“”\"]{15,})[”\"]")


def _quoted_doubted(text: str) -> str | None:
    """The last message quoted in the user's story (`_QUOTED`) when the words after it are a short
    doubt of it ("…』 这是骗子吧"); None otherwise (a story quoting a scam to tell how it ended)."""
    quotes = list(_QUOTED.finditer(text))
    if not quotes:
        return None
    last = quotes[-1]
    after = text[last.end():].strip()
    return (last.group(1) or last.group(2)) if after and _doubts(after) else None


def voice(text: str, has_link: bool) -> Voice:
    """How `text` speaks. For a pasted message, question and story are read only outside it
    (the first or last line the user added), never in the message's own words. Traditional
    characters are read as simplified (the patterns are written once)."""
    stripped = to_simplified(unicodedata.normalize("NFKC", text)).strip()
    speaker_lines = len(SPEAKER_LINE.findall(stripped))
    message = bool(SENDER_TAG.search(stripped) or has_link or UNSUBSCRIBE.search(stripped) or speaker_lines >= 2
                   or (FORMAL.search(stripped) and not USER_STORY.search(stripped)))
    lines = [line for line in stripped.splitlines() if line.strip()]
    if not message and len(lines) >= 2 and not USER_STORY.search(stripped) and not QUESTION_WORDS.search(stripped):
        message = True  # several lines in no one's voice: a paste
    own = _outside(stripped) if message else stripped
    return Voice(_asks(own), bool(own and USER_STORY.search(own)), message, own)
