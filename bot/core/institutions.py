"""Questions about an institution: its official numbers, and which institution a question names.

"农业银行客服电话是多少", "招行的官方号码", "移动联通电信的客服电话分别是多少" are answered from
`numbers.yaml`, never from a curated text about another institution. For every institution with a
number, `number_entries` builds an entry (id `number-<institution>`) whose phrasings are made from
its aliases, so the matcher ranks it like any curated entry; `Institutions` then makes sure the
answer given is about the institution the question names:

- the top entry is a number entry but the question names another institution: that one's entry
  (several named: one answer listing each); names none we list: the "not on our list" entry;
- an entry whose steps only hold for some institutions (`applies_to`) is never given to a question
  that names a different institution or a bank card and none of those.

Aliases are matched in the matcher's canonical text (normalised, synonyms rewritten, one homophone
typo repaired). An alias that is also an everyday word (`context_aliases`: 移动, 电信, 平安…)
counts only right before a service word (移动客服, 电信打来的), so 电信诈骗 names no carrier.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

from .knowledge import Entry
from .numbers import Institution, NumberBook

NUMBER_PREFIX = "number-"
UNLISTED_ID = "number-unlisted"
NUMBER_TOPIC = "numbers"
# Institution categories whose products have their own steps (a question naming one of them must
# not get another's product-specific steps). Public bodies are named in every kind of question.
PRODUCT_CATEGORIES = {"payment", "bank", "carrier"}
# A card or a bank named generically: steps for a payment app alone do not fit.
GENERIC_BANK = re.compile(r"银行|信用卡|银行卡|储蓄卡|借记卡")
# What must follow a context alias (at most one character later) for it to name the institution.
LIST_GAP = re.compile(r"^[、,，和与及/]?$")
# A list of names may be summed up before the service word: 兴业、华夏这两家银行客服号.
SERVICE_WORDS = re.compile(r"^(?:[这那]?[两几三四]家(?:银行|公司)?)?.?(客服|电话|热线|号码|官方|营业厅|打来|打电话|来电|短信|发来|app|卡|号(?!称)|信用卡|"
                           r"储蓄卡|借记卡|公司|人工)")

# "X的客服电话是多少": asks for a number. Only short questions (a story mentioning a hotline is
# about something else) and only with an institution named count.
NUMBER_INTENT = re.compile(r"(电话|热线|号码|客服号|联系方式)[^，。？?！!]{0,3}(是)?(多少|几号|什么|是啥|啥)|客服电话|官方电话|官方号码|"
                           r"人工客服|客服热线|服务热线|热线电话|怎么联系|联系方式|客服号码|中心电话")
NUMBER_INTENT_MAX_CHARS = 30
# A number entry answers a question about reaching, finding or hearing from an institution, or
# one that is little more than its name ("光大银行", "那工行的呢"); "农行ETC怎么办理" or "电信号被盗了，
# 绑的建行卡有风险吗" name one without asking for its number or address.
CONTACT_WORDS = re.compile(r"电话|电化|热线|专线|号码|客服|人工|联系|打来|打给|来电|短信|致电|拨|官方|官网|网址|网站|域名|"
                           r"地址|找谁|找哪|自称|冒充|通话|call|phone|number|\d{5}")
BARE_NAME_CHARS = 4  # at most this many characters besides the names

# Asking for the number only: "{a}打电话给我…" is left to the scam entries, which explain the call.
TEMPLATES = ("{a}客服电话是多少", "{a}的官方号码", "{a}人工客服热线", "怎么联系{a}客服", "{a}官方电话多少")
UNLISTED_PHRASINGS = ("这家银行的客服电话是多少", "某某公司的官方客服电话", "这个平台的人工客服怎么联系",
                      "网上搜到的客服电话能打吗", "怎么查一家机构的官方电话", "小银行的客服电话多少",
                      "保险公司客服电话是多少", "航空公司的客服电话")


def _display(number: str) -> str:
    if len(number) == 10 and number[:3] in ("400", "800"):
        return f"{number[:3]}-{number[3:6]}-{number[6:]}"
    if number.startswith("010") and len(number) == 8:
        return f"010-{number[3:]}"
    return number


def number_answer(book: NumberBook, institutions: Sequence[Institution]) -> str:
    """The composed answer for one or several institutions."""
    lines: list[str] = []
    for inst in institutions:
        listed = [o for o in book.numbers.values() if o.institution.id == inst.id]
        numbers = "、".join(_display(o.number) for o in listed)
        lines.append(f"{inst.name_zh}：{numbers}")
        for o in listed:
            if o.note:
                lines.append(f"  · {o.note}")
            if o.verified == "V3":
                lines.append(f"  · {_display(o.number)} 只有第三方资料佐证（核实等级 V3），最好在官方App里再确认一次。")
    names = "、".join(i.name_zh for i in institutions)
    first = _display(next(o.number for o in book.numbers.values() if o.institution.id == institutions[0].id))
    # A warning line whose genuine calls show as "area code + number" (96110) must be answered:
    # telling people to hang up on it is exactly the harm the line exists to prevent.
    warning_line = any(o.institution.id == institutions[0].id and o.area_code == "genuine" and "calls" in o.uses
                       for o in book.numbers.values())
    if warning_line:
        lines += [
            "",
            f"接到{names}的来电时：",
            f"1. 真实来电显示为“区号 + {first}”：请接听，认真听民警的提醒，正在转账的马上停下。",
            f"2. 不放心，可以听完后自己回拨 {first} 或拨 110 核实；前面加“00”“+”等前缀的才是冒充。",
            "3. 民警不会让你转账，也不会要验证码、密码，不会让你共享屏幕。",
        ]
    else:
        lines += [
            "",
            f"有人自称{names}给你打电话或发短信时：",
            f"1. 来电显示就算是 {first} 也可能是改号软件伪造的，先挂断。",
            "2. 自己拨打上面的号码（或卡背面、官方App里的号码）核实，不要回拨对方给的号码。",
            "3. 不要把验证码、密码告诉任何人，不要共享屏幕，不要转账到对方给的账户：要你做这些的，就是诈骗。",
            "4. 已经转了钱或说出了验证码：立即拨打 110 报警；拿不准可拨 96110 反诈专线咨询。",
        ]
    return "\n".join(lines)


UNLISTED_ANSWER = """这家机构的号码不在我核实过的名单里，我不想给你一个没核实过的号码。这样找最稳妥：
1. 打开它的官方App（从手机自带的应用商店下载），在“客服”或“联系我们”里找电话。
2. 银行卡：看卡背面印的客服电话。
3. 官网：自己输入网址打开，认准官方域名，别点短信或陌生人发来的链接。
不要用搜索引擎搜“XX客服电话”再拨打：搜索结果里常有骗子投放的假号码。
拿到号码后，来电显示照样可以伪造：对方打来时先挂断，再自己拨打核实。"""


def number_entries(book: NumberBook, reviewed_fallback, source: str | None) -> list[Entry]:
    """One entry per institution with a listed number, plus the "not on our list" entry."""
    reviewed = book.reviewed or reviewed_fallback
    sources = (source,) if source else ()
    entries = []
    for inst in book.institutions.values():
        if not any(o.institution.id == inst.id for o in book.numbers.values()):
            continue
        names = list(dict.fromkeys([inst.name_zh, *inst.aliases]))
        phrasings = [t.format(a=a) for a in names for t in TEMPLATES]
        entries.append(Entry(NUMBER_PREFIX + inst.id, NUMBER_TOPIC, f"{inst.name_zh}的官方客服电话是多少？",
                             tuple(phrasings), number_answer(book, [inst]), book.related, sources, reviewed))
    if entries:
        entries.append(Entry(UNLISTED_ID, NUMBER_TOPIC, "名单上没有的机构，怎么找它的官方客服电话？",
                             UNLISTED_PHRASINGS, UNLISTED_ANSWER, book.related, sources, reviewed))
    return entries


class Institutions:
    """Which institutions a (canonical) question names, and the fixes that follow from it."""

    def __init__(self, book: NumberBook, canonical: Callable[[str], str], entries: Iterable[Entry]):
        self.book = book
        self.canonical = canonical
        self._by_id = {e.id: e for e in entries}
        self._aliases: list[tuple[str, Institution, bool]] = []
        for inst in book.institutions.values():
            context = set(inst.context_aliases)
            for alias in dict.fromkeys([inst.name_zh, *inst.aliases, *context]):
                form = canonical(alias).replace(" ", "")
                if form:
                    self._aliases.append((form, inst, alias in context))
        self._aliases.sort(key=lambda item: -len(item[0]))
        # Aliases by their first character, each with its place in that order: a question is
        # searched only for the aliases that can start in it, in the same order.
        self._by_first: dict[str, list[int]] = {}
        for k, (form, _, _) in enumerate(self._aliases):
            self._by_first.setdefault(form[0], []).append(k)

    def mentioned(self, canonical_query: str) -> list[Institution]:
        """Institutions the question names, in the order it names them (longest alias first
        where aliases overlap: 中国银行 is not also 银行…). A context alias counts before a service
        word, or as part of a list of names (移动联通电信的客服电话)."""
        text = canonical_query.replace(" ", "")
        taken = [False] * len(text)
        hits: list[tuple[int, int, Institution, bool]] = []
        by_first = self._by_first
        order = sorted(k for ch in set(text) & by_first.keys() for k in by_first[ch])
        for form, inst, needs_context in map(self._aliases.__getitem__, order):
            start = text.find(form)
            while start >= 0:
                end = start + len(form)
                if not any(taken[start:end]):
                    for i in range(start, end):
                        taken[i] = True
                    hits.append((start, end, inst, needs_context))
                start = text.find(form, start + 1)
        hits.sort()
        accepted: list[Institution] = []
        next_start: int | None = None  # where the next accepted name begins (right to left)
        for start, end, inst, needs_context in reversed(hits):
            listed = next_start is not None and next_start - end <= 1 and LIST_GAP.match(text[end:next_start])
            if not needs_context or SERVICE_WORDS.match(text[end:end + 8]) or listed:
                accepted.append(inst)
                next_start = start
        return list(dict.fromkeys(reversed(accepted)))

    def number_question(self, query: str, canonical_query: str) -> Entry | None:
        """The number entry to answer with when the question just asks for named institutions'
        numbers ("农行客服电话是多少", "移动联通电信的客服电话分别是多少"), else None."""
        if len(query.strip()) > NUMBER_INTENT_MAX_CHARS or not NUMBER_INTENT.search(canonical_query.replace(" ", "")):
            return None
        named = [i for i in self.mentioned(canonical_query) if NUMBER_PREFIX + i.id in self._by_id]
        if not named:
            return None
        return self.resolve(self._by_id[NUMBER_PREFIX + named[0].id], named)

    def numbers_note(self, named: Sequence[Institution], answer: str) -> str | None:
        """For a general answer to a question naming institutions: each one's official numbers
        that the answer does not already give ("建行卡被盗刷了" gets 95533 under the general steps)."""
        lines = []
        for inst in named:
            listed = [o.number for o in self.book.numbers.values()
                      if o.institution.id == inst.id and ("inbound" in o.uses or "calls" in o.uses)]
            if listed and not any(n in answer.replace("-", "") for n in listed):
                # (a public line is no "customer service": 紧急求助电话：119、120、122, 公安报警：110)
                label = inst.name_zh if inst.category == "public" else f"{inst.name_zh}的官方客服电话"
                lines.append(f"{label}：{'、'.join(_display(n) for n in listed)}")
        if not lines:
            return None
        return "\n".join(lines) + "\n（请自己拨打核实：来电显示可以伪造，别回拨对方给的号码。）"

    def fits(self, entry: Entry, named: Sequence[Institution], canonical_query: str) -> bool:
        """False when the entry's steps are for other institutions than the ones named, or when
        it is a number entry and the question asks nothing about reaching an institution."""
        if entry.id.startswith(NUMBER_PREFIX):
            return bool(CONTACT_WORDS.search(canonical_query)) or self._bare(canonical_query)
        if not entry.applies_to:
            return True
        products = [i for i in named if i.category in PRODUCT_CATEGORIES]
        if any(i.id in entry.applies_to for i in products):
            return True
        if products:
            return False
        return not GENERIC_BANK.search(canonical_query)

    def _bare(self, canonical_query: str) -> bool:
        """The question is little more than institution names ("光大银行", "那工行的呢")."""
        text = canonical_query.replace(" ", "")
        for form, _, _ in self._aliases:  # longest first
            text = text.replace(form, "")
        return len(text) <= BARE_NAME_CHARS and len(text) < len(canonical_query.replace(" ", ""))

    def resolve(self, entry: Entry, named: Sequence[Institution]) -> Entry:
        """The number entry for what the question names, when the matcher picked a number entry."""
        if not entry.id.startswith(NUMBER_PREFIX):
            return entry
        with_numbers = [i for i in named if NUMBER_PREFIX + i.id in self._by_id]
        if not with_numbers:
            return self._by_id.get(UNLISTED_ID, entry)
        if len(with_numbers) == 1:
            return self._by_id[NUMBER_PREFIX + with_numbers[0].id]
        first = self._by_id[NUMBER_PREFIX + with_numbers[0].id]
        names = "、".join(i.name_zh for i in with_numbers)
        return Entry("number-" + "+".join(i.id for i in with_numbers)[:40], NUMBER_TOPIC,
                     f"{names}的官方客服电话是多少？", (), number_answer(self.book, with_numbers), first.related,
                     first.sources, first.reviewed)
