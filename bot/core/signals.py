"""Scam signals (`signals.yaml`): named regular-expression patterns with a weight and the
entries that explain them. Patterns are compiled when the knowledge loads, so a broken one stops
loading with the signal's name instead of failing on a user's message later."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .validation import Fields, Problems, items, read_document

SIGNAL_FIELDS = {"name", "label", "weight", "patterns", "unless", "related", "requires_url"}
MAX_PATTERN_CHARS = 400


@dataclass(frozen=True)
class Signal:
    name: str
    label: str
    weight: int
    patterns: tuple[re.Pattern, ...]
    unless: tuple[re.Pattern, ...] = ()
    related: tuple[str, ...] = ()
    requires_url: bool = False


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


def load_signals(path: Path, label: str, problems: Problems, entry_ids: set[str]) -> tuple[Signal, ...]:
    """Load signals.yaml; a missing file means the scanner only reports numbers and links."""
    doc = read_document(path, label, problems, {"signals"})
    if doc is None:
        return ()
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
        patterns = _compile(f.text_list("patterns", min_items=1, max_len=MAX_PATTERN_CHARS), where, "patterns", problems)
        unless = _compile(f.text_list("unless", required=False, max_len=MAX_PATTERN_CHARS), where, "unless", problems)
        related = f.text_list("related", required=False)
        for rel in related:
            if entry_ids and rel not in entry_ids:
                problems.add(where, f"related id '{rel}' does not exist")
        requires_url = item.get("requires_url", False)
        if not isinstance(requires_url, bool):
            problems.add(where, "field 'requires_url' must be true or false")
            requires_url = False
        if name in seen:
            problems.add(where, "duplicate signal name")
            continue
        if None in (name, text_label, weight) or not patterns:
            continue
        seen.add(name)
        signals.append(Signal(name, text_label, weight, patterns, unless, related, requires_url))
    return tuple(signals)
