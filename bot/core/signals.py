"""Scam signals (`signals.yaml`).

A signal is described by *concepts* that occur near each other in any order, not by fixed
strings: "a transfer request" is a payment word and an account, card or amount within a short
window, however the sentence is built ("向我们指定的账户转账", "往这个账号里转账10000元", "打500元到
我账户"). Concepts are named lists of words (regular expressions) defined once in the file and
shared by signals.

Each signal has:
  near        combinations of concepts, e.g. [[pay, account], [pay, amount, ask]]: the signal fires
              when every concept of one combination occurs within `window` characters
  patterns    plain regular expressions (for phrases that need no company: 安全账户, 征信修复)
  unless      a sentence that also matches one of these does not count (genuine notices say
              "请勿告诉他人", "切勿转账")
  unless_message  a message that matches one of these anywhere does not fire the signal (a code
              asked for by someone beside the reader: "我就在你旁边", "我下午去你工位找你当面弄")
  weight      3: a request no genuine service makes (alone makes the risk high); 2: a typical
              pretext; 1: a weak hint
  related     entries that explain it
  requires_url  only counts when the message has a link
The file's `warnings` are sentences that warn against a scam ("凡是…都是诈骗", "谨防…", "切勿…"):
signals inside them never count, so police and bank warnings are not mistaken for scams.

Everything is compiled when the knowledge loads, so a broken pattern or an unknown concept stops
loading with the signal's name instead of failing on a user's message later.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .validation import Fields, Problems, items, read_document

SIGNAL_FIELDS = {"name", "label", "weight", "patterns", "near", "window", "unless", "unless_message", "related", "requires_url", "never_low", "despite_talk"}
MAX_PATTERN_CHARS = 1200
DEFAULT_WINDOW = 16
MAX_WINDOW = 400


@dataclass(frozen=True)
class Signal:
    name: str
    label: str
    weight: int
    patterns: tuple[re.Pattern, ...] = ()
    unless: tuple[re.Pattern, ...] = ()
    related: tuple[str, ...] = ()
    requires_url: bool = False
    near: tuple[tuple[str, ...], ...] = ()   # combinations of concept names
    window: int = DEFAULT_WINDOW
    never_low: bool = False   # a message showing it is at least medium risk, whatever else it says
    # a request only texts about scams make (a paid "recovery" of money lost to one, the police called
    # fake): it counts even in a text that talks about scams (Evidence.findings)
    despite_talk: bool = False
    unless_message: tuple[re.Pattern, ...] = ()


@dataclass(frozen=True)
class SignalBook:
    concepts: dict[str, re.Pattern]
    signals: tuple[Signal, ...]
    warnings: tuple[re.Pattern, ...] = ()
    # Per concept, the characters one of its words must start with (None: some word starts
    # with a pattern, so the concept is always searched). A message with none of them cannot
    # contain the concept, which spares most regular-expression passes.
    first_chars: dict[str, frozenset[str] | None] = field(default_factory=dict)
    # Each concept's plain words (no pattern syntax), lower case: found with str.find, which is
    # much faster than a long regular-expression alternation on long messages.
    literals: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # The rest of each concept: its words that use pattern syntax, as one regex (or None).
    patterns: dict[str, re.Pattern | None] = field(default_factory=dict)

    def __iter__(self):
        return iter(self.signals)

    def __len__(self) -> int:
        return len(self.signals)

    @classmethod
    def empty(cls) -> "SignalBook":
        return cls({}, ())


def _compile(texts: tuple[str, ...], where: str, field: str, problems: Problems) -> tuple[re.Pattern, ...]:
    compiled = []
    for text in texts:
        if len(text) > MAX_PATTERN_CHARS:
            problems.add(where, f"{field} pattern longer than {MAX_PATTERN_CHARS} characters")
            continue
        try:
            compiled.append(re.compile(text, re.IGNORECASE))
        except re.error as exc:
            problems.add(where, f"{field} pattern {text!r} is not a valid regular expression ({exc})")
    return tuple(compiled)


def _concepts(doc: dict, label: str, problems: Problems) -> dict[str, re.Pattern]:
    raw = doc.get("concepts") or {}
    if not isinstance(raw, dict):
        problems.add(label, "field 'concepts' must map names to lists of words")
        return {}
    concepts: dict[str, re.Pattern] = {}
    for name, words in raw.items():
        where = f"{label}: concept '{name}'"
        if not isinstance(words, list) or not words or not all(isinstance(w, str) and w.strip() for w in words):
            problems.add(where, "must be a non-empty list of words or patterns")
            continue
        if any(len(w) > MAX_PATTERN_CHARS for w in words):
            _compile(tuple(words), where, "concept", problems)  # names the word that is too long
            continue
        try:  # one compile when all is well; word by word only to name a broken one
            concepts[str(name)] = re.compile("|".join(f"(?:{w})" for w in words), re.IGNORECASE)
        except re.error:
            _compile(tuple(words), where, "concept", problems)
    return concepts


_SYNTAX = re.compile(r"[\\.^$*+?{}\[\]|()]")
_LITERAL_START = re.compile(r"^[\w\u3400-\u9fff]")


def first_chars(words: list[str]) -> frozenset[str] | None:
    """The possible first characters of a list of words, when every word starts with a plain
    character (lower and upper case both), else None."""
    chars: set[str] = set()
    for word in words:
        if not _LITERAL_START.match(word) or (len(word) > 1 and word[1] in "?*{"):
            return None
        chars.update((word[0].lower(), word[0].upper()))
    return frozenset(chars)


def load_signals(path: Path, label: str, problems: Problems, entry_ids: set[str]) -> SignalBook:
    """Load signals.yaml; a missing file means the scanner only reports numbers and links."""
    doc = read_document(path, label, problems, {"concepts", "signals", "warnings"})
    if doc is None:
        return SignalBook.empty()
    concepts = _concepts(doc, label, problems)
    warnings = _compile(Fields(doc, label, problems, None).text_list("warnings", required=False,
                                                                      max_len=MAX_PATTERN_CHARS),
                        label, "warnings", problems)
    signals: list[Signal] = []
    seen: set[str] = set()
    for item, where in items(doc, "signals", label, problems, "signal", name="name"):
        f = Fields(item, where, problems, SIGNAL_FIELDS)
        name = f.identifier("name")
        text_label = f.text("label", max_len=60)
        weight = item.get("weight")
        if not isinstance(weight, int) or isinstance(weight, bool) or not 1 <= weight <= 3:
            problems.add(where, "field 'weight' must be 1, 2 or 3")
            weight = None
        patterns = _compile(f.text_list("patterns", required=False, max_len=MAX_PATTERN_CHARS), where, "patterns", problems)
        near = _near(item.get("near"), concepts, where, problems)
        window = item.get("window", DEFAULT_WINDOW)
        if not isinstance(window, int) or isinstance(window, bool) or not 1 <= window <= MAX_WINDOW:
            problems.add(where, f"field 'window' must be a whole number of characters from 1 to {MAX_WINDOW}")
            window = DEFAULT_WINDOW
        if not patterns and not near:
            problems.add(where, "needs 'patterns' or 'near'")
        unless = _compile(f.text_list("unless", required=False, max_len=MAX_PATTERN_CHARS), where, "unless", problems)
        unless_message = _compile(f.text_list("unless_message", required=False, max_len=MAX_PATTERN_CHARS), where,
                                  "unless_message", problems)
        related = f.text_list("related", required=False)
        for rel in related:
            if entry_ids and rel not in entry_ids:
                problems.add(where, f"related id '{rel}' does not exist")
        requires_url, never_low, despite_talk = f.flag("requires_url"), f.flag("never_low"), f.flag("despite_talk")
        if name in seen:
            problems.add(where, "duplicate signal name")
            continue
        if None in (name, text_label, weight) or not (patterns or near):
            continue
        seen.add(name)
        signals.append(Signal(name, text_label, weight, patterns, unless, related, requires_url, near, window,
                              never_low, despite_talk, unless_message))
    raw = doc.get("concepts") if isinstance(doc.get("concepts"), dict) else {}
    starts = {name: first_chars(raw[name]) for name in concepts}
    # Each concept's plain words are found with str.find; only its pattern words stay a regex.
    literals = {name: tuple(w.lower() for w in raw[name] if not _SYNTAX.search(w)) for name in concepts}
    patterns = {}
    for name in concepts:
        regex_words = [w for w in raw[name] if _SYNTAX.search(w)]
        patterns[name] = (re.compile("|".join(f"(?:{w})" for w in regex_words), re.IGNORECASE)
                          if regex_words else None)
    return SignalBook(concepts, tuple(signals), warnings, starts, literals, patterns)


def _near(raw, concepts: dict[str, re.Pattern], where: str, problems: Problems) -> tuple[tuple[str, ...], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(c, list) and c for c in raw):
        problems.add(where, "field 'near' must be a list of concept lists, e.g. [[pay, account]]")
        return ()
    out = []
    for combination in raw:
        missing = [c for c in combination if c not in concepts]
        if missing:
            problems.add(where, f"'near' names unknown concept(s): {', '.join(map(str, missing))}")
            continue
        out.append(tuple(combination))
    return tuple(out)
