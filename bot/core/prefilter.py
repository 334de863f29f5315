"""Which characters a regular expression's match must contain, so that a pattern is only run
on text that holds them.

Most of the scanner's patterns can only match where certain characters are: '(谨防|警惕…).{0,20}
(诈骗|骗局…)' needs one of 谨警小当严防识提 and one of 诈骗陷套受上. A message is a few dozen
distinct characters, so one set intersection per pattern says that most patterns cannot match
it, which is far cheaper than letting the regular-expression engine try every position.

`needs(pattern)` reads the pattern's parsed form (the standard library's own parser) and returns
sets of characters, each of which must meet the text for a match to exist (a case-insensitive
letter: any of the characters the engine matches with it). It is conservative: whatever it does
not understand (classes like \\w or [^…], back references) adds no condition, so `possible`
never says no to a text the pattern matches.
"""

from __future__ import annotations

import re
from functools import lru_cache, reduce
from operator import or_
from typing import AbstractSet, Iterable, Iterator

import _sre

try:
    from re._casefix import _EXTRA_CASES  # Python 3.11+: characters with more than one case pair
except ImportError:  # pragma: no cover
    _EXTRA_CASES = {}

try:  # Python 3.11+: the parser lives in the re package
    from re import _constants as _c, _parser
except ImportError:  # pragma: no cover - older Pythons
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _parser  # type: ignore[no-redef]

# Conditions taken from one alternation (see _item).
MAX_BRANCH_CONDITIONS = 8
# A character range wider than this ([一-龥]) gives no useful condition.
MAX_RANGE = 256
_DIGIT_CATEGORIES = (_c.CATEGORY_DIGIT, _c.CATEGORY_UNI_DIGIT)
_REPEATS = (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", _c.MAX_REPEAT))


@lru_cache(maxsize=1)
def _all_chars() -> str:
    """Every character up to plane 1 (none above has a case or is a digit)."""
    return "".join(map(chr, range(0x20000)))


@lru_cache(maxsize=1)
def _digits() -> frozenset[str]:
    """Every character \\d matches (Unicode decimal digits, a few hundred)."""
    return frozenset(re.findall(r"\d", _all_chars()))


@lru_cache(maxsize=1)
def _by_lower() -> dict[int, list[int]]:
    """Every cased character by its simple lower case (the engine's case-insensitive key)."""
    out: dict[int, list[int]] = {}
    tolower, iscased = _sre.unicode_tolower, _sre.unicode_iscased
    for code in range(0x20000):
        if iscased(code):
            out.setdefault(tolower(code), []).append(code)
    return out


@lru_cache(maxsize=None)
def _case_variants(ch: str) -> frozenset[str]:
    """Every character IGNORECASE matches with `ch` ('k': k, K and the Kelvin sign): as the
    engine compares, those whose lower case is ch's or one of its extra cases (ſ for s…)."""
    code = ord(ch)
    if not _sre.unicode_iscased(code):
        return frozenset(ch)
    lower = _sre.unicode_tolower(code)
    keys = (lower, *_EXTRA_CASES.get(lower, ()))
    by_lower = _by_lower()
    return frozenset(chr(c) for key in keys for c in (key, *by_lower.get(key, ())))


def _set(chars: Iterable[str], ignorecase: bool) -> frozenset[str]:
    if not ignorecase:
        return frozenset(chars)
    out: set[str] = set()
    for ch in chars:
        out |= _case_variants(ch)
    return frozenset(out)


def _sequence(items, ignorecase: bool) -> list[frozenset[str]]:
    out: list[frozenset[str]] = []
    for op, av in items:
        out.extend(_item(op, av, ignorecase))
    return out


def _item(op, av, ignorecase: bool) -> list[frozenset[str]]:
    if op is _c.LITERAL:
        return [_set(chr(av), ignorecase)]
    if op is _c.IN:
        chars: set[str] = set()
        digits = False
        for sub_op, sub_av in av:
            if sub_op is _c.LITERAL:
                chars.add(chr(sub_av))
            elif sub_op is _c.RANGE and sub_av[1] - sub_av[0] <= MAX_RANGE:
                chars.update(map(chr, range(sub_av[0], sub_av[1] + 1)))
            elif sub_op is _c.CATEGORY and sub_av in _DIGIT_CATEGORIES:
                digits = True  # no digit has a case
            else:  # NEGATE, CATEGORY (\w, \s), a wide range…
                return []
        found = _set(chars, ignorecase) | (_digits() if digits else frozenset())
        return [found] if found else []
    if op is _c.SUBPATTERN:
        return _sequence(*_group(av, ignorecase))
    if op is getattr(_c, "ATOMIC_GROUP", None):
        return _sequence(av, ignorecase)
    if op in _REPEATS:
        low, _, pattern = av
        return _sequence(pattern, ignorecase) if low >= 1 else []
    if op is _c.BRANCH:
        # Whichever alternative matches, each of its conditions is met: so taking any one
        # condition of every alternative, their union is met. The k-th conditions of all the
        # alternatives make one such union, for k up to the longest alternative's count
        # (支付密码|银行卡密码: 支 or 银, 付 or 行, 密 or 卡…).
        alternatives = []
        for alternative in av[1]:
            conditions = _sequence(alternative, ignorecase)
            if not conditions:
                return []  # an alternative that needs nothing: the whole branch needs nothing
            alternatives.append(conditions)
        longest = min(max(map(len, alternatives)), MAX_BRANCH_CONDITIONS)
        return [frozenset().union(*(c[k % len(c)] for c in alternatives)) for k in range(longest)]
    if op is _c.ASSERT:  # a positive look-ahead or look-behind: its text is in the string too
        return _sequence(av[1], ignorecase)
    return []  # AT, ASSERT_NOT, ANY, NOT_LITERAL, GROUPREF, GROUPREF_EXISTS…


@lru_cache(maxsize=1024)
def _parse(pattern: str, flags: int):
    """The parsed form of a pattern (None if this Python's parser reads it differently); read
    by `needs`, `first_chars` and `Finder`, parsed once."""
    try:
        return _parser.parse(pattern, flags)
    except Exception:  # noqa: BLE001
        return None


def release() -> None:
    """Forget the parsed patterns: they serve while a book's patterns are indexed (`needs`, the
    masks and each Finder read a pattern's parse two or three times) and are dead weight after,
    about 5 MiB of parse trees for the scanner's book. Parsing again costs time, never a result."""
    _parse.cache_clear()


def needs(pattern: re.Pattern | str, flags: int = 0) -> tuple[frozenset[str], ...]:
    """Sets of characters a match must each meet (an empty tuple: no condition known), the most
    selective first."""
    if isinstance(pattern, re.Pattern):
        pattern, flags = pattern.pattern, pattern.flags
    parsed = _parse(pattern, flags)
    if parsed is None:
        return ()
    ignorecase = bool(parsed.state.flags & re.IGNORECASE)
    conditions = set(_sequence(parsed, ignorecase))
    return tuple(sorted(conditions, key=lambda s: (len(s), sorted(s))))


def possible(conditions: tuple[frozenset[str], ...], chars: AbstractSet[str]) -> bool:
    """Whether a text with these distinct characters can hold a match."""
    for need in conditions:
        if chars.isdisjoint(need):
            return False
    return True


class Conditions:
    """Many patterns' conditions as bits of one integer: `mask(pattern)` once per pattern when
    indexing, `unmet(chars)` once per text, and then a pattern can match the text only when
    `not mask & unmet` (one integer operation a pattern instead of a set test per condition;
    conditions registered first get the low bits, so their masks are the smallest integers)."""

    def __init__(self) -> None:
        self._bit: dict[frozenset[str], int] = {}
        self._by_char: dict[str, int] = {}

    def mask(self, pattern: re.Pattern) -> int:
        return self.mask_of(needs(pattern))

    def mask_of(self, conditions: Iterable[frozenset[str]]) -> int:
        """The mask of sets of characters, each of which a text must meet."""
        mask = 0
        for need in conditions:
            bit = self._bit.get(need)
            if bit is None:
                bit = self._bit[need] = 1 << len(self._bit)
                for ch in need:
                    self._by_char[ch] = self._by_char.get(ch, 0) | bit
            mask |= bit
        return mask

    def unmet(self, chars: AbstractSet[str]) -> int:
        """The conditions a text with these distinct characters does not meet."""
        # the OR of the met conditions' bits in C (a Python loop over some forty characters cost
        # more than the OR of their big integers); characters of no condition get None, dropped
        # (cheaper than building the intersection of the text's characters with the index's)
        return ((1 << len(self._bit)) - 1) ^ reduce(or_, filter(None, map(self._by_char.get, chars)), 0)


# --- where a match can start ---------------------------------------------------------------
# Python's engine skips quickly to the positions a pattern can start at only when the pattern
# begins with plain characters; one that begins with a look-behind ('(?<!拨)打给'), an optional
# part or an alternation of such is tried at every position of the text. `Finder` gives such a
# pattern the fast start: the same pattern behind a class of its possible first characters.

_ZERO_WIDTH = (_c.AT, _c.ASSERT, _c.ASSERT_NOT)


def _first_of_sequence(items, ignorecase: bool) -> tuple[set[str] | None, bool]:
    """(characters a match of the sequence can start with, whether it can be empty); None when
    that cannot be told (a class like \\w or [^…], a case-insensitive letter, a back reference)."""
    first: set[str] = set()
    for op, av in items:
        if op in _ZERO_WIDTH:
            continue  # consumes nothing: the first character comes from what follows
        chars, empty = _first_of_item(op, av, ignorecase)
        if chars is None:
            return None, False
        first |= chars
        if not empty:
            return first, False
    return first, True


def _group(av, ignorecase: bool):
    """A group's pattern and whether it ignores case: its own flags ((?i:…), (?-i:…)) override."""
    _, add_flags, del_flags, pattern = av
    if add_flags & re.IGNORECASE:
        ignorecase = True
    if del_flags & re.IGNORECASE:
        ignorecase = False
    return pattern, ignorecase


def _first_of_item(op, av, ignorecase: bool) -> tuple[set[str] | None, bool]:
    if op is _c.LITERAL or op is _c.IN:
        conditions = _item(op, av, ignorecase)
        return (set(conditions[0]), False) if conditions else (None, False)
    if op is _c.SUBPATTERN:
        return _first_of_sequence(*_group(av, ignorecase))
    if op is getattr(_c, "ATOMIC_GROUP", None):
        return _first_of_sequence(av, ignorecase)
    if op in _REPEATS:
        low, high, pattern = av
        if high == 0:
            return set(), True
        chars, empty = _first_of_sequence(pattern, ignorecase)
        return chars, empty or low == 0
    if op is _c.BRANCH:
        first: set[str] = set()
        empty = False
        for alternative in av[1]:
            chars, can_be_empty = _first_of_sequence(alternative, ignorecase)
            if chars is None:
                return None, False
            first |= chars
            empty = empty or can_be_empty
        return first, empty
    return None, False  # ANY, NOT_LITERAL, GROUPREF, GROUPREF_EXISTS…


def first_chars(pattern: re.Pattern) -> frozenset[str] | None:
    """The characters every match of the pattern starts with, or None when unknown (or when the
    pattern can match the empty string)."""
    parsed = _parse(pattern.pattern, pattern.flags)
    if parsed is None:
        return None
    chars, empty = _first_of_sequence(parsed, bool(parsed.state.flags & re.IGNORECASE))
    return frozenset(chars) if chars and not empty else None


def _class(chars: frozenset[str]) -> str:
    """A character class of the characters; all the digits as \\d (the engine tests that
    category directly, where a list of hundreds of digits outside the BMP is tried one by one)."""
    digits = _digits()
    category = "\\d" if digits <= chars else ""
    rest = chars - digits if category else chars
    return "[" + category + "".join(re.escape(ch) for ch in sorted(rest)) + "]"


def _is_digit(body) -> bool:
    """Whether a parsed item list is \\d alone."""
    return (len(body) == 1 and body[0][0] is _c.IN and len(body[0][1]) == 1
            and body[0][1][0] == (_c.CATEGORY, _c.CATEGORY_DIGIT))


def _starts_digit_runs(items, ignorecase: bool) -> bool:
    """Whether every match of the sequence that starts with a digit starts with a run of them
    (\\d+, \\d{2,}: at least once and without bound), so that it can start one digit earlier as
    well (the run taking that digit too, the rest unchanged); every other match starts with a
    character that is no digit. Conservative: anything else (a look-behind at the start, an
    optional first part, a class holding digits) says no."""
    if not items:
        return False
    op, av = items[0]
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT):
        low, high, body = av
        if low >= 1 and high == _c.MAXREPEAT and _is_digit(body):
            return True
    if op is _c.SUBPATTERN:
        _, add_flags, del_flags, body = av
        return not add_flags and not del_flags and _starts_digit_runs(body, ignorecase)
    if op is _c.BRANCH:
        return all(_starts_digit_runs(alternative, ignorecase) for alternative in av[1])
    chars, empty = _first_of_item(op, av, ignorecase)
    return chars is not None and not empty and chars.isdisjoint(_digits())


def _skips_digit_runs(pattern: re.Pattern) -> bool:
    """Whether a match of the pattern starting inside a run of digits (after a digit) implies
    one starting a digit earlier (see `_starts_digit_runs`): the search then only needs to
    try the first digit of a run. '\\d+(?:\\.\\d+)?\\s*(?:元|块|万)' tried at every digit of a long
    number reads the rest of the run from each: quadratic in the run's length."""
    parsed = _parse(pattern.pattern, pattern.flags)
    return parsed is not None and _starts_digit_runs(parsed, bool(parsed.state.flags & re.IGNORECASE))


class Finder:
    """A pattern's matches, as `finditer` and `search` give them, found faster when the pattern
    does not begin with plain characters: the pattern is wrapped as `[F](?<=(?=(P)).)`, where F
    is every character a match can start with. The engine then jumps from one of those
    characters to the next (a class at the start is what it knows how to skip to), and at each
    it runs P in a look-ahead from that character, which captures P's match as group 1.

    Leftmost matches are the same (P can only match where a character of F is), and `spans`
    continues from the end of each match as finditer does, so the spans are exactly finditer's.
    Look-behinds inside P see the whole string in both. Patterns with back references, which
    the extra group would renumber, and patterns whose first characters are unknown are used
    as they are.

    A pattern whose matches starting with a digit start with a run of digits (`_skips_digit_runs`)
    is wrapped as `[F](?<!\\d\\d)(?<=(?=(P)).)`: a digit right after a digit is not tried, as P
    cannot match there without matching a digit earlier, where the search has already failed.
    Only the search's start position can follow a digit that was not tried (a match may end
    inside a run: '1,0005元'); `resume`, P right after a digit, is tried there first."""

    __slots__ = ("pattern", "wrapped", "resume")

    def __init__(self, pattern: re.Pattern):
        self.pattern = pattern
        self.wrapped: re.Pattern | None = None
        self.resume: re.Pattern | None = None
        chars = first_chars(pattern)
        if chars is None or _starts_plainly(pattern) or "(?P=" in pattern.pattern or re.search(r"\\\d", pattern.pattern):
            return
        runs = not chars.isdisjoint(_digits()) and _skips_digit_runs(pattern)
        not_after_digit = r"(?<!\d\d)" if runs else ""
        try:
            self.wrapped = re.compile(f"{_class(chars)}{not_after_digit}(?<=(?=({pattern.pattern}))(?s:.))",
                                      pattern.flags)
            if runs:
                self.resume = re.compile(rf"(?<=\d)(?=({pattern.pattern}))", pattern.flags)
        except re.error:
            self.wrapped = self.resume = None

    def _next(self, text: str, pos: int, endpos: int | None = None) -> tuple[int, int] | None:
        """The span of the first match at or after pos (a Finder with `resume`): P right after
        a digit at pos itself, else the wrapped pattern's search."""
        if pos:
            m = self.resume.match(text, pos) if endpos is None else self.resume.match(text, pos, endpos)
            if m is not None:
                return m.span(1)
        m = self.wrapped.search(text, pos) if endpos is None else self.wrapped.search(text, pos, endpos)
        return None if m is None else m.span(1)

    def finditer(self, text: str) -> Iterator[tuple[int, int]]:
        """(start, end) of each match in turn, as `pattern.finditer` (lazily: a caller may stop)."""
        wrapped = self.wrapped
        if wrapped is None:
            for m in self.pattern.finditer(text):
                yield m.span()
            return
        if self.resume is not None:
            span = self._next(text, 0)
            while span is not None:
                yield span
                span = self._next(text, span[1])
            return
        search, pos = wrapped.search, 0
        while True:
            m = search(text, pos)
            if m is None:
                return
            span = m.span(1)
            yield span
            pos = span[1]

    def spans(self, text: str) -> list[tuple[int, int]]:
        """(start, end) of every match, as `[m.span() for m in pattern.finditer(text)]`."""
        wrapped = self.wrapped
        if wrapped is None:
            return [m.span() for m in self.pattern.finditer(text)]
        if self.resume is not None:
            return list(self.finditer(text))
        out = []
        search, pos = wrapped.search, 0
        while True:
            m = search(text, pos)
            if m is None:
                return out
            span = m.span(1)
            out.append(span)
            pos = span[1]  # a match is never empty (it starts with a character of F)

    def search(self, text: str, pos: int = 0, endpos: int | None = None) -> bool:
        """Whether the pattern matches in text[pos:endpos] (as `pattern.search`)."""
        if self.resume is not None:
            return self._next(text, pos, endpos) is not None
        rx = self.wrapped or self.pattern
        return (rx.search(text, pos) if endpos is None else rx.search(text, pos, endpos)) is not None


def _starts_plainly(pattern: re.Pattern) -> bool:
    """Whether the engine already skips to the pattern's first characters: it starts with a
    literal character, a class, or an alternation of alternatives each starting with a literal
    (what the compiler turns into a prefix or a set of first characters)."""
    try:
        from re import _compiler as compiler  # Python 3.11+

        parsed = _parse(pattern.pattern, pattern.flags)
        flags = parsed.state.flags
        prefix = compiler._get_literal_prefix(parsed, flags)[0]
        return bool(prefix) or compiler._get_charset_prefix(parsed, flags) is not None
    except Exception:  # noqa: BLE001 - internals of another Python: wrap anyway
        return False
