"""Group the questions the bot could not answer, so curators see what to add first."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable

from rapidfuzz import fuzz

from .matcher import Matcher

# Two questions are one group when their canonical forms are this similar overall (rapidfuzz
# ratio, 0-100), or when most of the shorter one appears in the longer (partial_ratio).
SAME_QUESTION = 70
CONTAINED = 80


def similarity(a: str, b: str) -> float:
    score = fuzz.ratio(a, b)
    if min(len(a), len(b)) >= 4:
        score = max(score, fuzz.partial_ratio(a, b) * SAME_QUESTION / CONTAINED)
    return score


@dataclass
class GapGroup:
    key: str                                   # canonical form of the first question
    texts: Counter = field(default_factory=Counter)
    reasons: Counter = field(default_factory=Counter)

    @property
    def count(self) -> int:
        return sum(self.texts.values())

    @property
    def variants(self) -> list[str]:
        return [text for text, _ in self.texts.most_common()]

    @property
    def representative(self) -> str:
        return self.variants[0]

    def to_dict(self) -> dict:
        return {"count": self.count, "question": self.representative, "variants": self.variants,
                "reasons": dict(self.reasons)}


def group_questions(items: Iterable[tuple[str, str]], matcher: Matcher) -> list[GapGroup]:
    """(text, reason) pairs grouped by similarity of their normalised, synonym-rewritten form;
    the biggest groups first."""
    groups: list[GapGroup] = []
    for text, reason in items:
        key = matcher.canonical(text).replace(" ", "")
        if not key:
            continue
        best = max(groups, key=lambda g: similarity(key, g.key), default=None)
        if best is None or similarity(key, best.key) < SAME_QUESTION:
            best = GapGroup(key)
            groups.append(best)
        best.texts[text] += 1
        best.reasons[reason] += 1
    return sorted(groups, key=lambda g: -g.count)
