"""Evaluate the assistant the way users meet it: free text in, a reply out, judged by facts.

A labelled question carries the facts a right answer must contain (each fact a list of variant
strings, any one of which counts), not an entry id, so a set survives re-curation. Questions go
through `Assistant.respond`, the same routing the chat uses, and the reply text is checked:

- *answered*: the reply commits to an answer (a curated or composed answer, a number verdict or a
  message scan); *right* when every fact is in it, else *wrong*;
- *suggest* / *no_match*: the reply does not answer;
- *top-3*: one of the three best-ranked entries (or the committed reply) has every fact.

Off-topic questions (no facts) are right when not answered. Used by the tests, the benchmark and
the calibration script; which sets may be used for what is documented in benchmarks/README.md.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Sequence

import yaml

from .text import to_simplified

if TYPE_CHECKING:
    from .scanner import ScanResult

ANSWERED_KINDS = {"answered", "check", "scan", "both"}


@dataclass(frozen=True)
class Labelled:
    id: str
    text: str
    facts: tuple[tuple[str, ...], ...]  # empty: off topic
    topic: str = ""
    style: tuple[str, ...] = ()
    type: str = ""

    @property
    def off_topic(self) -> bool:
        return not self.facts


def load_labelled(path: str | Path) -> list[Labelled]:
    """A blind question set (`questions: [{id, text, facts | off_topic, topic, style, type}]`)."""
    data = yaml.safe_load(Path(path).read_text("utf-8"))
    out = []
    for item in data["questions"]:
        facts = () if item.get("off_topic") else tuple(
            tuple(str(v) for v in fact) for fact in item.get("facts") or ())
        out.append(Labelled(str(item["id"]), str(item["text"]), facts, str(item.get("topic", "")),
                            tuple(item.get("style") or ()), str(item.get("type", ""))))
    return out


# A dash between digits is layout: 400-889-5580, 400-88-95580 and 4008895580 are one number.
_DIGIT_DASH = re.compile(r"(?<=\d)-(?=\d)")


def fold(text: str) -> str:
    """The form facts are compared in: NFKC, simplified, lower case, no whitespace, no dashes
    between digits, and links as written (replies show them defanged, a[.]b, which is display only)."""
    text = to_simplified(unicodedata.normalize("NFKC", text)).lower().replace("[.]", ".")  # links are shown defanged
    return _DIGIT_DASH.sub("", "".join(text.split()))


def has_facts(text: str, facts: Sequence[Sequence[str]]) -> bool:
    folded = fold(text)
    return all(any(fold(v) in folded for v in fact) for fact in facts)


@dataclass
class Outcome:
    item: Labelled
    kind: str          # answered, suggest, no_match, check, scan, empty
    right: bool        # answered with every fact (in scope) / not answered (off topic)
    top3: bool
    entry_id: str | None = None

    @property
    def answered(self) -> bool:
        return self.kind in ANSWERED_KINDS


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    def _of(self, in_scope: bool) -> list[Outcome]:
        return [o for o in self.outcomes if o.item.off_topic != in_scope]

    def figures(self) -> dict:
        ins, off = self._of(True), self._of(False)
        n_in, n_off = max(len(ins), 1), max(len(off), 1)
        answered = [o for o in ins if o.answered]
        return {
            "in_scope": len(ins), "off_topic": len(off),
            "answered_right": sum(o.right for o in ins) / n_in,
            "answered_wrong": sum(o.answered and not o.right for o in ins) / n_in,
            "suggest": sum(o.kind == "suggest" for o in ins) / n_in,
            "no_match": sum(o.kind in ("no_match", "empty") for o in ins) / n_in,
            "top3": sum(o.top3 for o in ins) / n_in,
            "wrong_among_answered": (sum(not o.right for o in answered) / len(answered)) if answered else 0.0,
            "off_topic_not_answered": sum(o.right for o in off) / n_off,
            "off_topic_no_match": sum(o.kind in ("no_match", "empty") for o in off) / n_off,
        }

    def by(self, key) -> dict[str, tuple[int, float]]:
        """In-scope share answered right per group (`key(item)` gives the group)."""
        groups: dict[str, list[Outcome]] = {}
        for o in self._of(True):
            groups.setdefault(key(o.item), []).append(o)
        return {k: (len(v), sum(o.right for o in v) / len(v)) for k, v in sorted(groups.items())}

    def misses(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.right]


def reply_text(reply) -> str:
    return "\n".join(line.text for line in reply.lines)


def evaluate(assistant, items: Iterable[Labelled]) -> Report:
    """Ask every question through `assistant.respond` and judge the replies."""
    report = Report()
    for item in items:
        response = assistant.respond(item.text)
        kind = response.reply.kind
        text = reply_text(response.reply)
        entry_id = response.match.entry.id if response.match is not None and response.match.entry else None
        if item.off_topic:
            right = kind not in ANSWERED_KINDS
            top3 = right
        else:
            right = kind in ANSWERED_KINDS and has_facts(text, item.facts)
            top3 = right
            if not top3 and response.match is not None:
                ranked = assistant.ranked_entries(item.text, 3)
                top3 = any(has_facts(f"{e.question}\n{assistant.matcher.answer_for(item.text, e)}", item.facts)
                           for e in ranked)
        report.outcomes.append(Outcome(item, kind, right, top3, entry_id))
    return report


# --- the message scanner ------------------------------------------------------------------

@dataclass(frozen=True)
class Message:
    id: str
    text: str
    scam: bool
    type: str = ""
    style: str = ""


def load_messages(path: str | Path) -> list[Message]:
    """A labelled message corpus: YAML `messages: [{id, label, type, style, text}]`, or JSON
    lines `{"text", "label", "type"}` (public sets converted for measuring)."""
    path = Path(path)
    if path.suffix == ".jsonl":
        import json

        out = []
        for n, line in enumerate(path.read_text("utf-8").splitlines()):
            if line.strip():
                row = json.loads(line)
                out.append(Message(f"{path.stem}-{n}", row["text"], row["label"] == "scam", str(row.get("type") or ""), ""))
        return out
    data = yaml.safe_load(path.read_text("utf-8"))
    return [Message(str(m["id"]), str(m["text"]), m["label"] == "scam", str(m.get("type", "")), str(m.get("style", "")))
            for m in data["messages"]]


def scan_figures(scan: Callable[[str], ScanResult], messages: Iterable[Message]) -> dict:
    """Share of scams rated medium-or-high and high, overall and per type and style; share of
    genuine messages rated medium-or-high (false alarms). `scan` rates one text (the benchmark
    gives `Assistant.scan_message`, what `scan`, a forwarded message and the API rate)."""
    per_type: dict[str, list[int]] = {}
    per_style: dict[str, list[int]] = {}
    scams = flagged = high = genuine = alarms = 0
    for m in messages:
        risk = scan(m.text).risk
        if m.scam:
            scams += 1
            flagged += risk != "low"
            high += risk == "high"
            for key, table in ((m.type, per_type), (m.style, per_style)):
                row = table.setdefault(key, [0, 0, 0])
                row[0] += 1
                row[1] += risk != "low"
                row[2] += risk == "high"
        else:
            genuine += 1
            alarms += risk != "low"
    return {"scams": scams, "flagged": flagged / max(scams, 1), "high": high / max(scams, 1),
            "genuine": genuine, "false_alarms": alarms / max(genuine, 1),
            "per_type": {k: (v[0], v[1] / v[0], v[2] / v[0]) for k, v in sorted(per_type.items())},
            "per_style": {k: (v[0], v[1] / v[0], v[2] / v[0]) for k, v in sorted(per_style.items())}}
