"""The curated knowledge: question-and-answer entries loaded from `knowledge/` and validated.

Layout of a knowledge folder (only `faq/` is required, so another team can reuse the bot):

    faq/*.yaml      entries (`entries: [...]`), any number of files
    topics.yaml     topic id -> label, in display order (else topics are free text)
    sources.yaml    the documents answers may cite (else any source name is accepted)
    lexicon.yaml    synonyms, domain terms and fillers for the matcher
    messages.yaml   the fixed texts around answers (welcome, "I don't know", emergency lines)
    numbers.yaml    official numbers for the checker
    signals.yaml    scam signals for the message scanner
    fraud_types.yaml  the common fraud types: explaining entry, official rule, example scripts
    calibration.yaml  the matcher's fitted models (written by benchmarks/calibrate.py)
    scanner_model.yaml  the scanner's fitted risk decision (written by benchmarks/fit_scanner.py)
    scan_wording.json  the scanner's wording model (written by benchmarks/fit_wording.py)
    domains.yaml    official web domains, government suffixes and link shorteners
    tips.yaml       safety tips for subscribers
    out_of_scope.yaml  questions deliberately not answered (so the matcher can say so)

Loading is all or nothing: every problem is collected and reported together, naming the file,
the entry and the field, and nothing is returned unless everything is valid. (A one-off number or
link check loads with `scanning=False`: the scanner's four files are then neither read nor
checked; the bot, the console, the web service and every scan load and check them all.)
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Mapping

from .calibration import Calibration, load_calibrations
from .fraud_types import FraudType, load_fraud_types
from .lexicon import Lexicon, load_lexicon
from .links import DomainBook, load_domains
from .messages import Messages, load_messages
from .numbers import NumberBook, load_numbers
from .signals import SignalBook, load_signals
from .tips import Tip, load_tips
from .validation import Fields, KnowledgeError, Problems, items, read_document
from .wording import WordingModel, load_wording

if TYPE_CHECKING:
    from .scan_model import ScanModel

# An answer plus its footer must fit one Telegram message (4,096 characters) with room to spare.
MAX_ANSWER_CHARS = 1500
MAX_PHRASING_CHARS = 200

ENTRY_FIELDS = {"id", "topic", "question", "alternatives", "answer", "related", "sources", "reviewed",
                "applies_to", "time_sensitive"}
# How reliable a cited source is: an institution's or government's own page, a reputable repost
# (national media, a police bureau reposting the Ministry), or anything else (SEO articles, seeds).
RELIABILITY = ("official", "reputable", "other")
SOURCE_FIELDS = {"title", "address", "reliability", "note"}
# Kinds of fact that go stale, so a curator can find every answer to re-check when one changes.
TIME_SENSITIVE = {
    "legal": "legal figures and rules (thresholds, articles)",
    "insurance": "insurance and compensation terms",
    "menu": "in-app menu paths",
    "carrier": "carrier service codes and switches",
    "numbers": "phone numbers and where they are published",
    "figures": "statistics and other figures",
    "policy": "platform policies and official procedures",
}

DEFAULT_KNOWLEDGE_DIR = Path(__file__).resolve().parents[2] / "knowledge"


@dataclass(frozen=True)
class Entry:
    id: str
    topic: str
    question: str
    alternatives: tuple[str, ...]
    answer: str
    related: tuple[str, ...]
    sources: tuple[str, ...]
    reviewed: dt.date
    file: str = ""
    # Institutions (numbers.yaml ids) whose products these steps are specific to; empty: general.
    applies_to: tuple[str, ...] = ()
    # Kinds of time-sensitive fact the answer states (keys of TIME_SENSITIVE).
    time_sensitive: tuple[str, ...] = ()

    @property
    def phrasings(self) -> tuple[str, ...]:
        """The canonical question first, then the alternatives."""
        return (self.question, *self.alternatives)


@dataclass(frozen=True)
class Source:
    """A document answers may cite: the title users see, where it is, and how far to trust it."""

    key: str
    title: str
    address: str
    reliability: str
    note: str | None = None


@dataclass(frozen=True)
class OutOfScope:
    """A kind of question the knowledge deliberately does not answer, with example phrasings."""

    id: str
    examples: tuple[str, ...]


@dataclass(frozen=True)
class Knowledge:
    entries: tuple[Entry, ...]
    lexicon: Lexicon = field(default_factory=Lexicon.build)
    topics: Mapping[str, str] = field(default_factory=dict)
    sources: Mapping[str, Source] = field(default_factory=dict)
    numbers: NumberBook = field(default_factory=NumberBook.empty)
    tips: tuple[Tip, ...] = ()
    messages: Messages = field(default_factory=Messages)
    out_of_scope: tuple[OutOfScope, ...] = ()
    signals: SignalBook = field(default_factory=SignalBook.empty)
    root: Path | None = None
    fraud_types: tuple[FraudType, ...] = ()
    calibrations: Mapping[str, Calibration] = field(default_factory=dict)
    domains: DomainBook = field(default_factory=DomainBook.empty)
    scan_model: ScanModel | None = None  # None: the scanner's hand-weighted rule
    wording: WordingModel | None = None  # None: the scanner weighs no wording
    # False: loaded for number and link checks only (load_knowledge(scanning=False)): the scanner's
    # files (signals, fraud types, scanner model, wording) were neither read nor checked.
    scanning: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {e.id: e for e in self.entries})

    def get(self, entry_id: str) -> Entry | None:
        return self._by_id.get(entry_id)  # type: ignore[attr-defined]

    def __contains__(self, entry_id: object) -> bool:
        return entry_id in self._by_id  # type: ignore[attr-defined]

    def source_title(self, key: str) -> str:
        source = self.sources.get(key)
        return source.title if source else key

    def topic_label(self, topic: str) -> str:
        return self.topics.get(topic, topic)

    def in_topic(self, topic: str) -> list[Entry]:
        return [e for e in self.entries if e.topic == topic]


def knowledge_dir(explicit: str | os.PathLike | None = None) -> Path:
    """The folder to load: an explicit path, else BOT_KNOWLEDGE_DIR, else the bundled knowledge."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("BOT_KNOWLEDGE_DIR", "").strip()
    return Path(env) if env else DEFAULT_KNOWLEDGE_DIR


def _load_simple_map(path: Path, key: str, label: str, problems: Problems) -> dict[str, str]:
    doc = read_document(path, label, problems, {key})
    if doc is None:
        return {}
    raw = doc.get(key)
    if not isinstance(raw, dict) or not raw:
        problems.add(label, f"field '{key}' must map names to labels")
        return {}
    result = {}
    for name, text in raw.items():
        if not isinstance(text, str) or not text.strip():
            problems.add(f"{label}: '{name}'", "label must be non-empty text")
        else:
            result[str(name)] = text.strip()
    return result


def _load_sources(path: Path, label: str, problems: Problems) -> dict[str, Source]:
    """sources.yaml: key -> {title, address, reliability[, note]}. Missing: any name is accepted."""
    doc = read_document(path, label, problems, {"sources"})
    if doc is None:
        return {}
    raw = doc.get("sources")
    if not isinstance(raw, dict) or not raw:
        problems.add(label, "field 'sources' must map source names to {title, address, reliability}")
        return {}
    result: dict[str, Source] = {}
    for key, data in raw.items():
        where = f"{label}: source '{key}'"
        if not isinstance(data, dict):
            problems.add(where, "must be a mapping with title, address and reliability")
            continue
        f = Fields(data, where, problems, SOURCE_FIELDS)
        title = f.text("title", max_len=120)
        address = f.text("address", max_len=1000)
        reliability = f.text("reliability", max_len=20)
        note = f.text("note", required=False, max_len=500)
        if reliability is not None and reliability not in RELIABILITY:
            problems.add(where, f"reliability '{reliability}' must be one of {', '.join(RELIABILITY)}")
            continue
        if None not in (title, address, reliability):
            result[str(key)] = Source(str(key), title, address, reliability, note)
    return result


def _load_out_of_scope(path: Path, label: str, problems: Problems) -> tuple[OutOfScope, ...]:
    doc = read_document(path, label, problems, {"topics"})
    if doc is None:
        return ()
    topics: list[OutOfScope] = []
    for data, where in items(doc, "topics", label, problems, "topic"):
        f = Fields(data, where, problems, {"id", "examples"})
        topic_id = f.identifier("id")
        examples = f.text_list("examples", min_items=1, max_len=MAX_PHRASING_CHARS)
        if topic_id is not None and examples:
            topics.append(OutOfScope(topic_id, examples))
    return tuple(topics)


def _load_entry(data: dict, where: str, problems: Problems, label: str,
                topics: Mapping[str, str], sources: Mapping[str, Source]) -> Entry | None:
    f = Fields(data, where, problems, ENTRY_FIELDS)
    entry_id = f.identifier("id")
    topic = f.text("topic", max_len=48)
    question = f.text("question", max_len=MAX_PHRASING_CHARS)
    alternatives = f.text_list("alternatives", max_len=MAX_PHRASING_CHARS)
    answer = f.text("answer", max_len=MAX_ANSWER_CHARS)
    related = f.text_list("related", required=False)
    cited = f.text_list("sources", min_items=1)
    reviewed = f.date("reviewed")
    applies_to = f.text_list("applies_to", required=False, max_len=48)
    time_sensitive = f.text_list("time_sensitive", required=False, max_len=20)
    for kind in time_sensitive:
        if kind not in TIME_SENSITIVE:
            problems.add(where, f"time_sensitive '{kind}' must be one of {', '.join(TIME_SENSITIVE)}")
    if topic is not None and topics and topic not in topics:
        problems.add(where, f"topic '{topic}' is not in topics.yaml ({', '.join(topics)})")
    for source in cited:
        if sources and source not in sources:
            problems.add(where, f"source '{source}' is not listed in sources.yaml")
    if None in (entry_id, topic, question, answer, reviewed):
        return None
    return Entry(entry_id, topic, question, alternatives, answer, related, cited, reviewed, label,
                 applies_to, time_sensitive)


def load_knowledge(folder: str | os.PathLike | None = None, *, scanning: bool = True) -> Knowledge:
    """Load and validate a knowledge folder; raises KnowledgeError listing every problem.
    `scanning=False` leaves out the scanner's files (signals.yaml, fraud_types.yaml,
    scanner_model.yaml, scan_wording.json): half the start-up of a one-off number check, which
    uses none of them (the bot and the console load and check everything)."""
    root = knowledge_dir(folder)
    problems = Problems()
    if not root.is_dir():
        raise KnowledgeError([f"{root}: knowledge folder not found"])
    topics = _load_simple_map(root / "topics.yaml", "topics", "topics.yaml", problems)
    sources = _load_sources(root / "sources.yaml", "sources.yaml", problems)
    lexicon = load_lexicon(root / "lexicon.yaml", "lexicon.yaml", problems)

    files = sorted((root / "faq").glob("*.yaml")) + sorted((root / "faq").glob("*.yml"))
    if not files:
        problems.add(f"{root / 'faq'}", "no entry files (*.yaml) found")
    entries: list[Entry] = []
    first_seen: dict[str, str] = {}
    for path in files:
        label = f"faq/{path.name}"
        doc = read_document(path, label, problems, {"entries"}, optional=False)
        if doc is None:
            continue
        for data, where in items(doc, "entries", label, problems, "entry"):
            entry = _load_entry(data, where, problems, label, topics, sources)
            if entry is None:
                continue
            if entry.id in first_seen:
                problems.add(where, f"duplicate id (first defined in {first_seen[entry.id]})")
                continue
            first_seen[entry.id] = label
            entries.append(entry)

    for entry in entries:
        for rel in entry.related:
            if rel == entry.id:
                problems.add(f"{entry.file}: entry '{entry.id}'", "lists itself in 'related'")
            elif rel not in first_seen:
                problems.add(f"{entry.file}: entry '{entry.id}'", f"related id '{rel}' does not exist")

    numbers = load_numbers(root / "numbers.yaml", "numbers.yaml", problems)
    for entry in entries:
        for inst in entry.applies_to:
            if inst not in numbers.institutions:
                problems.add(f"{entry.file}: entry '{entry.id}'",
                             f"applies_to '{inst}' is not an institution id in numbers.yaml")
    # Number questions ("工行客服电话是多少") are answered from numbers.yaml: one generated entry per
    # institution with a number (see institutions.py), citing the number fact base when listed.
    from .institutions import number_entries  # here: institutions imports this module

    generated = number_entries(numbers, max((e.reviewed for e in entries), default=dt.date.today()),
                               "official-numbers.md" if "official-numbers.md" in sources else None)
    for entry in generated:
        if entry.id in first_seen:
            problems.add(f"{first_seen[entry.id]}: entry '{entry.id}'",
                         "this id is reserved for the generated number entries (numbers.yaml)")
        first_seen.setdefault(entry.id, "numbers.yaml")
    entries.extend(generated)
    for rel in numbers.related:
        if rel not in first_seen:
            problems.add("numbers.yaml", f"related id '{rel}' does not exist")
    tips = load_tips(root / "tips.yaml", "tips.yaml", problems, set(first_seen))
    messages = load_messages(root / "messages.yaml", "messages.yaml", problems)
    out_of_scope = _load_out_of_scope(root / "out_of_scope.yaml", "out_of_scope.yaml", problems)
    calibrations = load_calibrations(root / "calibration.yaml", "calibration.yaml", problems)
    domains = load_domains(root / "domains.yaml", "domains.yaml", problems, numbers)
    signals, fraud_types, scan_model, wording = SignalBook.empty(), (), None, None
    if scanning:
        from .scan_model import load_scan_model  # (its patterns compile only when it is read)

        signals = load_signals(root / "signals.yaml", "signals.yaml", problems, set(first_seen))
        fraud_types = load_fraud_types(root / "fraud_types.yaml", "fraud_types.yaml", problems, set(first_seen))
        scan_model = load_scan_model(root / "scanner_model.yaml", "scanner_model.yaml", problems,
                                     {s.name for s in signals.signals})
        wording = load_wording(root / "scan_wording.json", "scan_wording.json", problems)
    problems.raise_if_any()
    return Knowledge(tuple(entries), lexicon, topics, sources, numbers, tips, messages, out_of_scope,
                     signals, root, fraud_types, calibrations, domains, scan_model, wording, scanning)
