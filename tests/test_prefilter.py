"""The pattern prefilter (bot/core/prefilter.py): what it says a match needs is never wrong, and
a Finder finds exactly the matches its pattern finds."""

from __future__ import annotations

import random
import re

import pytest
import yaml

from bot.core import scanner as scanner_module
from bot.core.prefilter import Conditions, Finder, first_chars, needs, possible
from bot.core.text import clean

from .conftest import DATA

MESSAGES = [m["text"] for m in yaml.safe_load((DATA / "scan_messages.yaml").read_text("utf-8"))["messages"]]
EXTRA = ["ABC转账Zoom会议共享屏幕转账户", "加QQ 123456 领取返利，VX：abc_12345", "妈我换号了 新微信 先转5000给我",
         "验证码：８８２１，请勿告诉他人。", "打给我 拨打95588 转2万 ￥300 五千块 3,000.50元", "", "  ", "\n\n",
         "６２２２０２００１２３４５６７８９０１", "www.ICBC.com.cn HTTP://A.B.CC/X", "凡是要求转账的都是诈骗"]


def _texts() -> list[str]:
    texts = [clean(t) for t in MESSAGES + EXTRA]
    texts += [scanner_module._ascii_lower(t) for t in texts]
    texts.append("\n".join(texts))
    return texts


def _patterns(scanner) -> list[re.Pattern]:
    book = scanner.book
    out = [p for p in book.concepts.values()] + [p for p in book.patterns.values() if p is not None]
    out += list(book.warnings)
    for signal in book.signals:
        out += list(signal.patterns) + list(signal.unless) + list(signal.unless_message)
        out += [re.compile(p.pattern, p.flags & ~re.IGNORECASE) for p in signal.patterns]
    out += [v for v in vars(scanner_module).values() if isinstance(v, re.Pattern)]
    return out


@pytest.fixture(scope="module")
def scanner(assistant):
    return assistant.scanner


def test_what_a_pattern_needs():
    assert needs(re.compile("依法惩戒")) and all(len(s) == 1 for s in needs(re.compile("依法惩戒")))
    # one character of each alternative, position by position: 谨 or 警, 防 or 惕, 诈 or 骗, 骗 or 局
    assert set(needs(re.compile("(谨防|警惕).{0,20}(诈骗|骗局)"))) == {
        frozenset("谨警"), frozenset("防惕"), frozenset("诈骗"), frozenset("骗局")}
    assert needs(re.compile("(验证码)?")) == ()              # can match nothing: needs nothing
    assert needs(re.compile("[^。]+")) == ()                 # a negated class: unknown
    assert "7" in needs(re.compile(r"\d{4}"))[0] and "٧" in needs(re.compile(r"\d{4}"))[0]
    assert "Q" in needs(re.compile("qq", re.IGNORECASE))[0]  # case-insensitive letters, both cases
    assert not possible(needs(re.compile("依法惩戒")), set("依法办事"))


def test_first_characters():
    assert first_chars(re.compile("(?<!拨)打给|汇款")) == frozenset("打汇")
    assert first_chars(re.compile("(先|再)?转账")) == frozenset("先再转")
    assert first_chars(re.compile("a*")) is None             # can be empty
    assert first_chars(re.compile(".x")) is None


def test_needs_are_never_wrong_on_the_scanners_patterns(scanner):
    """Soundness: a pattern that matches a text always finds what it needs in it."""
    texts = _texts()
    for pattern in _patterns(scanner):
        conditions = needs(pattern)
        for text in texts:
            if pattern.search(text):
                assert possible(conditions, set(text)), (pattern.pattern[:80], text[:40])


def test_conditions_as_bits_agree_with_sets(scanner):
    conditions, patterns = Conditions(), _patterns(scanner)
    masks = [conditions.mask(p) for p in patterns]
    for text in _texts():
        unmet = conditions.unmet(set(text))
        for pattern, mask in zip(patterns, masks):
            assert (not mask & unmet) == possible(needs(pattern), set(text)), pattern.pattern[:80]


def test_a_finder_finds_exactly_what_its_pattern_finds(scanner):
    texts = _texts()
    wrapped = 0
    for pattern in _patterns(scanner):
        finder = Finder(pattern)
        wrapped += finder.wrapped is not None
        for text in texts:
            assert finder.spans(text) == [m.span() for m in pattern.finditer(text)], (pattern.pattern[:80], text[:40])
            assert list(finder.finditer(text)) == finder.spans(text)
            for lo, hi in ((0, len(text)), (2, max(2, len(text) - 3))):
                assert finder.search(text, lo, hi) == (pattern.search(text, lo, hi) is not None)
    assert wrapped >= 20  # most of the book's patterns get the fast start


def test_a_finder_skipping_digit_runs_finds_exactly_what_its_pattern_finds():
    """A pattern whose digit-led matches start with \\d+ (or \\d{2,}) is not tried after a digit
    (Finder.resume covers a search starting inside a run); the others are tried everywhere."""
    skipping = [r"\d+(?:\.\d+)?\s*(?:元|块|万|w\b)|[¥￥]\s*\d", r"(?:\d+(?:,\d{3})+(?:\.\d+)?)|(?:\d{2,}\s*每瓶)",
                r"(?:(\d+)[,.]\d+块)|买\d{2,}个", r"\d+?x|(?:y|\d+z)"]
    not_skipping = [r"x?\d{4}元", r"(?<!1)\d+元|x", r"\d?\d+元|y", r"(?i:\d+)k|y", r"(?:\d+)?元|y"]
    for source in skipping + not_skipping:
        assert (Finder(re.compile(source)).resume is not None) == (source in skipping), source
    alphabet = list("0123456789" * 3) + list(".,  元万块每瓶¥wxyzk买个") + ["1,000", "2.5"]
    rng = random.Random(10)
    for source in skipping:
        pattern, finder = re.compile(source), Finder(re.compile(source))
        for _ in range(3000):
            text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 24)))
            assert finder.spans(text) == [m.span() for m in pattern.finditer(text)], (source, text)
            assert list(finder.finditer(text)) == finder.spans(text)
            lo = rng.randint(0, len(text))
            hi = rng.randint(lo, len(text))
            assert finder.search(text, lo) == (pattern.search(text, lo) is not None), (source, text, lo)
            assert finder.search(text, lo, hi) == (pattern.search(text, lo, hi) is not None), (source, text, lo, hi)


def test_a_built_scanner_keeps_no_parse_trees_and_finds_the_same(assistant):
    """The parsed patterns serve while the book is indexed (prefilter.release, called when a
    Scanner is built, drops them: some 5 MiB); parsing again gives the same conditions."""
    from bot.core import prefilter
    from bot.core.scanner import Scanner

    old = assistant.scanner
    rx = next(iter(old.book.patterns.values()))
    before = needs(rx)
    built = Scanner(old.checker, old.book, old.reminder, old.entry_ids, old.resemblance, old.links, old.model, old.wording)
    assert prefilter._parse.cache_info().currsize == 0
    text = "您好，我是京东客服，您的白条需要注销，请下载会议App共享屏幕，把验证码报给我"
    assert built.scan(text) == old.scan(text)
    assert [(name, finder.pattern.pattern, mask) for name, finder, _, mask in built._pattern_concepts] == \
           [(name, finder.pattern.pattern, mask) for name, finder, _, mask in old._pattern_concepts]
    assert needs(rx) == before  # parsed afresh after the release, the same
