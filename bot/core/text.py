"""Text normalisation for unspaced Chinese.

Everything the matcher, the checker and the scanner compare goes through `normalize` first, so
that full-width forms, traditional characters, case, punctuation, emoji and invisible characters
never decide a match.
"""

from __future__ import annotations

import importlib.util
import json
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import opencc

# Characters that render as nothing but break string comparison: every format (Cf) and control
# (Cc) character except newline and tab (zero-width space/joiners, BOM, bidi marks, soft hyphen,
# tags), plus variation selectors. NFKC keeps them, so they are deleted explicitly; the table is
# built once so that deleting them is one C-level `str.translate`.
def _invisible_table() -> dict[int, None]:
    table: dict[int, None] = {}
    for code in list(range(0x10000)) + list(range(0xE0000, 0xE0080)) + list(range(0xE0100, 0xE01F0)):
        ch = chr(code)
        if ch in "\n\t":
            continue
        if unicodedata.category(ch) in ("Cf", "Cc") or 0xFE00 <= code <= 0xFE0F or code >= 0xE0100:
            table[code] = None
    return table


_INVISIBLE = _invisible_table()


def _class_of(codes) -> str:
    """A regular-expression character class of the code points, as ranges (one or more)."""
    ranges: list[list[int]] = []
    for code in sorted(codes):
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return "[" + "".join(f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in ranges) + "]+"


# The same characters as a pattern: one C-level scan says whether a text holds any (almost no
# text does), far cheaper than str.translate's dictionary lookup per character.
_INVISIBLE_RUN = re.compile(_class_of(_INVISIBLE))


def separator_codes() -> list[int]:
    """After NFKC, everything in the Basic Multilingual Plane that is not a letter or a decimal
    digit (punctuation, symbols, spaces, circled numbers...) becomes a space; emoji and other
    symbols outside it are handled by _ASTRAL_SYMBOLS. Only ever used to build patterns: a
    translation dict of these 50,000 code points held 5 MB for the process's whole life."""
    return [code for code in range(0x10000)
            if not (unicodedata.category(chr(code))[0] == "L" or unicodedata.category(chr(code)) == "Nd")
            and code not in _INVISIBLE]


_ASTRAL_SYMBOLS = re.compile("[\U00010000-\U0001FFFF\U000E0000-\U000E0FFF\U000F0000-\U0010FFFF]")
_CJK = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002a6df]")

_T2S = opencc.OpenCC("t2s")

# NFKC without `unicodedata.normalize` for the usual message (Chinese, ASCII, full-width
# punctuation): its decomposition and composition cost a fifth of a scan's work. Characters of
# these ranges with combining class 0 are never reordered and never the second character of a
# composition (test_text checks both against unicodedata), so a text whose every character
# decomposes (NFKD) into such characters only is NFKC-normalised character by character.
_INERT_RANGES = ((0x00, 0x7F), (0xA0, 0xFF), (0x2000, 0x206F), (0x3000, 0x303F), (0x3400, 0x4DBF), (0x4E00, 0x9FFF))


def _nfkc_table() -> tuple[frozenset[str], dict[int, str]]:
    """(the characters NFKC maps one by one, the mapping of those it changes): the inert
    characters without a decomposition, and every character of the BMP whose NFKD is made of
    those (and equals its NFKC)."""
    inert = {chr(code) for lo, hi in _INERT_RANGES for code in range(lo, hi + 1)
             if not unicodedata.decomposition(chr(code)) and not unicodedata.combining(chr(code))}
    safe = set(inert)
    table: dict[int, str] = {}
    for code in range(0x10000):
        if 0xD800 <= code <= 0xDFFF or not unicodedata.decomposition(chr(code)):
            continue
        ch = chr(code)
        nfkd = unicodedata.normalize("NFKD", ch)
        if inert.issuperset(nfkd) and unicodedata.normalize("NFKC", ch) == nfkd:
            safe.add(ch)
            if nfkd != ch:
                table[code] = nfkd
    return frozenset(safe), table


@lru_cache(maxsize=1)
def _nfkc_shortcut() -> tuple[re.Pattern, list]:
    """(a pattern finding a character outside the safe set, the table as a list indexed by code
    point), built at the first text that needs them (about 0.1 s: an import, and a number check,
    never pay for it). The pattern is one C-level scan (no per-character string objects); the
    list holds each code point itself unless NFKC changes it, so str.translate never misses (a
    miss in a dict costs a KeyError per character)."""
    safe, table = _nfkc_table()
    unsafe = re.compile(_class_of([code for code in range(0x10000) if chr(code) not in safe])[:-2]
                        + "\U00010000-\U0010ffff]")
    as_list: list = list(range(0x10000))
    for code, to in table.items():
        as_list[code] = to
    return unsafe, as_list


def nfkc(text: str) -> str:
    """unicodedata.normalize("NFKC", text), by a table for the usual message (see _nfkc_table)."""
    if unicodedata.is_normalized("NFKC", text):
        return text
    unsafe, as_list = _nfkc_shortcut()
    if unsafe.search(text) is None:
        return text.translate(as_list)
    return unicodedata.normalize("NFKC", text)


def is_cjk(ch: str) -> bool:
    """True for a Chinese (CJK unified ideograph) character."""
    return len(ch) == 1 and _CJK.match(ch) is not None


def strip_invisible(text: str) -> str:
    """Drop zero-width, format and control characters (keeps newlines and tabs)."""
    return text.translate(_INVISIBLE) if _INVISIBLE_RUN.search(text) else text


_SURROGATE = re.compile("[\ud800-\udfff]")


def to_simplified(text: str) -> str:
    """Traditional -> Simplified Chinese (OpenCC t2s); other text passes through. A lone UTF-16
    surrogate (JSON's "\\ud800" decodes to one; OpenCC cannot encode it) becomes U+FFFD."""
    if _SURROGATE.search(text):
        text = _SURROGATE.sub("\ufffd", text)
    return _T2S.convert(text)


def clean(text: str) -> str:
    """The form a pasted message is read in (the scanner's): no invisible characters, NFKC
    (full-width -> half-width) and simplified Chinese, with case, punctuation and line breaks
    kept. `fold(clean(text))` finishes it into the matcher's comparable form."""
    return to_simplified(nfkc(strip_invisible(text)))


_CJK_SPACE = re.compile("(?<=[\u4e00-\u9fff]) +(?=[\u4e00-\u9fff])")
_CJK_NEXT = re.compile("[\u4e00-\u9fff](?=[\u4e00-\u9fff])")
_LETTER_SPACE = re.compile("(?<=\\S) +(?=\\S)")


def unsegment(text: str) -> str:
    """Chinese text split into words by spaces ("请 将 验证码 发送 给 我们", as word-segmented
    corpora and some OCR read it) joined again; other text unchanged. Segmented: at least a
    quarter of the places where two Chinese characters meet hold a space, and at least three do
    (a screenshot's OCR joins its lines with a space now and then: a few percent of them).
    Spaced letter by letter to slip past filters (at least four in five of at least six
    space-separated pieces are one character each: 首 充 送 5 0 % ， 网 址 7 7 1 2 . c c), every
    run of spaces between two characters goes, so the numbers and the address join up too."""
    if " " not in text:
        return text
    spaced = len(_CJK_SPACE.findall(text))
    if spaced < 3 or spaced * 3 < len(_CJK_NEXT.findall(text)):  # spaced / (spaced + joined) < 1/4
        return text
    tokens = text.split()
    if len(tokens) >= 6 and sum(len(t) == 1 for t in tokens) * 5 >= len(tokens) * 4:
        return _LETTER_SPACE.sub("", text)   # letter-spaced: 首 充 送 5 0 % ， 网 址 7 7 1 2 . c c
    return _CJK_SPACE.sub("", text)


def fold(cleaned: str) -> str:
    """Text already `clean`ed, made comparable: lower case, every run of punctuation, symbols,
    emoji or whitespace one space. Equal to `normalize` of the raw text except that simplifying
    comes before lower-casing (OpenCC maps Chinese characters only, so the two orders agree on
    real text)."""
    text = _separator_run().sub(" ", cleaned.lower())
    return " ".join(_ASTRAL_SYMBOLS.sub(" ", text).split())


@lru_cache(maxsize=1)
def _separator_run() -> re.Pattern:
    """The separators as a pattern (compiled on first use, some milliseconds): one C-level scan
    instead of str.translate's dictionary lookup per character."""
    return re.compile(_class_of(separator_codes()))


def normalize(text: str) -> str:
    """One comparable form: NFKC (full-width -> half-width), no invisible characters, lower case,
    simplified Chinese; every run of punctuation, symbols, emoji or whitespace becomes one space.
    """
    text = unicodedata.normalize("NFKC", text.translate(_INVISIBLE)).lower()
    text = _separator_run().sub(" ", to_simplified(text))
    return " ".join(_ASTRAL_SYMBOLS.sub(" ", text).split())


# --- pinyin ---------------------------------------------------------------------------------
# Homophone typos (借被 for 借呗, 冻洁 for 冻结) are common when people type pinyin in a hurry,
# so the matcher also compares toneless syllables. pypinyin's character table is read directly:
# its phrase dictionaries (and their memory) are not needed for single characters.

_TONE_MARKS = str.maketrans({"ü": "v", "ǖ": "v", "ǘ": "v", "ǚ": "v", "ǜ": "v"})


def _strip_tone(syllable: str) -> str:
    syllable = syllable.translate(_TONE_MARKS)
    decomposed = unicodedata.normalize("NFD", syllable)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=1)
def _pinyin_table() -> dict[str, str]:
    # find_spec locates the package without importing it: importing pypinyin would load its
    # own copy of this table plus the phrase dictionaries (tens of MB, a third of a second).
    spec = importlib.util.find_spec("pypinyin")
    if spec is None or spec.origin is None:  # pragma: no cover - a declared dependency
        raise RuntimeError("pypinyin is not installed")
    data = Path(spec.origin).with_name("pinyin_dict.json").read_text("utf-8")
    stripped: dict[str, str] = {}
    table: dict[str, str] = {}
    for code, readings in json.loads(data).items():
        first = readings.split(",", 1)[0]
        syllable = stripped.get(first)
        if syllable is None:
            syllable = stripped[first] = _strip_tone(first)
        table[chr(int(code))] = syllable
    return table


def pinyin_of(ch: str) -> str:
    """Toneless pinyin of one Chinese character (its most common reading); the character itself
    when it has none (digits, latin letters, rare characters)."""
    return _pinyin_table().get(ch, ch)


def pinyin_seq(text: str) -> list[str]:
    """Toneless pinyin for each character of `text`."""
    table = _pinyin_table()
    return [table.get(ch, ch) for ch in text]
