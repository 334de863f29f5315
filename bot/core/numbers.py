"""The official-number list (`numbers.yaml`): institutions, their verified numbers, and numbers
that web pages wrongly present as official. Only exact numbers are listed, never prefixes: the
95 ranges are shared by call-centre operators (see shared/reference/official-numbers.md 2.6)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from .validation import Fields, Problems, items, read_document

CATEGORIES = {"payment", "bank", "carrier", "public"}
# inbound: people call it; calls: it calls people; sms / sms_inbound: it sends / receives texts;
# inbound_only: a source states it never calls out (then a call "from" it is spoofed). Without
# inbound_only nothing is claimed about outgoing calls.
USES = {"inbound", "calls", "sms", "sms_inbound", "inbound_only"}
LEVELS = {"V1", "V2", "V3"}
AREA_CODE_RULES = {"ambiguous", "genuine"}
NUMBER_PATTERN = re.compile(r"^\d{3,20}$")


def check_level(verified: str | None, where: str, problems: Problems, note: str = "") -> bool:
    """Whether a source's verification level (numbers.yaml, domains.yaml) is one of LEVELS; a
    problem is recorded when it is not (a missing one is the field's own problem)."""
    if verified is not None and verified not in LEVELS:
        problems.add(where, f"verified '{verified}' must be one of V1, V2, V3{note}")
        return False
    return True


@dataclass(frozen=True)
class Institution:
    id: str
    name_zh: str
    name_en: str
    category: str
    products: tuple[str, ...]
    aliases: tuple[str, ...]
    # Aliases that are also everyday words (移动, 电信, 平安): they name the institution only
    # right before a service word (移动客服, 电信打来的), never in 移动支付 or 电信诈骗.
    context_aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class OfficialNumber:
    number: str
    institution: Institution
    uses: frozenset[str]
    verified: str
    source: str
    note: str | None = None
    # How to read "area code + this number" (95/96 short numbers only): "genuine" where the real
    # caller ID looks like that (96110), else "ambiguous" (bank call centres sometimes, spoofers too).
    area_code: str = "ambiguous"


@dataclass(frozen=True)
class Misinformation:
    number: str
    claimed_for: Institution
    source: str
    note: str


@dataclass(frozen=True)
class RiskyRange:
    """A mobile range official services do not call from (virtual operators)."""

    prefix: str
    label: str
    source: str


@dataclass(frozen=True)
class NumberBook:
    institutions: Mapping[str, Institution]
    numbers: Mapping[str, OfficialNumber]
    misinformation: Mapping[str, Misinformation]
    reviewed: dt.date | None = None
    risky_ranges: tuple[RiskyRange, ...] = ()
    # Entries shown as related questions under every generated number answer.
    related: tuple[str, ...] = ()

    @classmethod
    def empty(cls) -> "NumberBook":
        return cls({}, {}, {}, None, ())

    def __len__(self) -> int:
        return len(self.numbers)


INSTITUTION_FIELDS = {"id", "name_zh", "name_en", "category", "products", "aliases", "context_aliases", "numbers"}
NUMBER_FIELDS = {"number", "uses", "verified", "source", "note_zh", "area_code"}
MISINFO_FIELDS = {"number", "claimed_for", "source", "note_zh"}


def _number(f: Fields) -> str | None:
    value = f.data.get("number")
    if not isinstance(value, str):
        f.problems.add(f.where, "field 'number' must be a quoted string of digits (e.g. \"95188\")")
        return None
    if not NUMBER_PATTERN.match(value):
        f.problems.add(f.where, f"number {value!r} must be 3 to 20 digits with no spaces or dashes")
        return None
    return value


def load_numbers(path: Path, label: str, problems: Problems) -> NumberBook:
    """Load numbers.yaml; a missing file means no official list (every number is 'unknown')."""
    doc = read_document(path, label, problems, {"version", "reviewed", "institutions", "misinformation",
                                                "risky_ranges", "related"})
    if doc is None:
        return NumberBook.empty()
    top = Fields(doc, label, problems, None)
    reviewed = top.date("reviewed")
    related = top.text_list("related", required=False, max_len=48)
    institutions: dict[str, Institution] = {}
    numbers: dict[str, OfficialNumber] = {}
    seen_at: dict[str, str] = {}

    for data, where in items(doc, "institutions", label, problems, "institution"):
        f = Fields(data, where, problems, INSTITUTION_FIELDS)
        inst_id = f.identifier("id")
        name_zh, name_en = f.text("name_zh", max_len=60), f.text("name_en", max_len=80)
        category = f.text("category", max_len=20)
        if category is not None and category not in CATEGORIES:
            problems.add(where, f"category '{category}' must be one of {', '.join(sorted(CATEGORIES))}")
        products = f.text_list("products", max_len=40)
        aliases = f.text_list("aliases", min_items=1, max_len=40)
        context_aliases = f.text_list("context_aliases", required=False, max_len=40)
        for alias in set(aliases) & set(context_aliases):
            problems.add(where, f"'{alias}' is listed both as an alias and as a context alias")
        if inst_id in institutions:
            problems.add(where, "duplicate institution id")
            continue
        if None in (inst_id, name_zh, name_en, category):
            continue
        inst = Institution(inst_id, name_zh, name_en, category, products, aliases, context_aliases)
        institutions[inst_id] = inst
        for n_data, n_where in items(data, "numbers", where, problems, "number", name="number"):
            nf = Fields(n_data, n_where, problems, NUMBER_FIELDS)
            number = _number(nf)
            uses = nf.text_list("uses", min_items=1, max_len=20)
            for use in uses:
                if use not in USES:
                    problems.add(n_where, f"use '{use}' must be one of {', '.join(sorted(USES))}")
            verified = nf.text("verified", max_len=4)
            check_level(verified, n_where, problems, " (unverified numbers are not listed)")
            source = nf.text("source", max_len=1000)
            note = nf.text("note_zh", required=False, max_len=300)
            area_code = nf.text("area_code", required=False, max_len=20) or "ambiguous"
            if area_code not in AREA_CODE_RULES:
                problems.add(n_where, f"area_code '{area_code}' must be 'ambiguous' or 'genuine'")
            if "inbound_only" in uses and "calls" in uses:
                problems.add(n_where, "uses 'inbound_only' and 'calls' contradict each other")
            if number is None or None in (verified, source):
                continue
            if number in seen_at:
                problems.add(n_where, f"duplicate number (already listed under {seen_at[number]})")
                continue
            seen_at[number] = inst_id
            numbers[number] = OfficialNumber(number, inst, frozenset(uses), verified, source, note, area_code)

    misinformation: dict[str, Misinformation] = {}
    for data, where in items(doc, "misinformation", label, problems, "misinformation", name="number",
                             required=False):
        f = Fields(data, where, problems, MISINFO_FIELDS)
        number = _number(f)
        claimed = f.text("claimed_for", max_len=48)
        source = f.text("source", max_len=1000)
        note = f.text("note_zh", max_len=300)
        if claimed is not None and claimed not in institutions:
            problems.add(where, f"claimed_for '{claimed}' is not an institution id")
            continue
        if number is None or None in (claimed, source, note):
            continue
        if number in seen_at:
            problems.add(where, f"duplicate number {number} (already listed under {seen_at[number]})")
            continue
        seen_at[number] = "misinformation"
        misinformation[number] = Misinformation(number, institutions[claimed], source, note)

    ranges: list[RiskyRange] = []
    for data, where in items(doc, "risky_ranges", label, problems, "risky range", name="prefix", required=False):
        f = Fields(data, where, problems, {"prefix", "label_zh", "source"})
        prefix = data.get("prefix")
        if not isinstance(prefix, str) or not re.fullmatch(r"1\d{2,3}", prefix):
            problems.add(where, f"prefix {prefix!r} must be a quoted mobile prefix like \"170\"")
            prefix = None
        range_label, source = f.text("label_zh", max_len=60), f.text("source", max_len=1000)
        if prefix and range_label and source:
            ranges.append(RiskyRange(prefix, range_label, source))
    return NumberBook(institutions, numbers, misinformation, reviewed, tuple(ranges), related)
