"""The common fraud types (`fraud_types.yaml`): each names the entry that explains it, the short
official rule, and example scripts written by the curators. The scanner compares a message with
these scripts (through the matcher's index) to say which type it most resembles."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .validation import Fields, Problems, items, read_document

FRAUD_TYPE_FIELDS = {"id", "name", "entry", "rule", "scripts"}
MAX_SCRIPT_CHARS = 600
MIN_SCRIPTS = 3


@dataclass(frozen=True)
class FraudType:
    id: str
    name: str
    entry: str      # the entry that explains this type
    rule: str       # the official rule in one sentence
    scripts: tuple[str, ...]


def load_fraud_types(path: Path, label: str, problems: Problems, entry_ids: set[str]) -> tuple[FraudType, ...]:
    """Load fraud_types.yaml; a missing file means the scanner names no fraud type."""
    doc = read_document(path, label, problems, {"types"})
    if doc is None:
        return ()
    types: list[FraudType] = []
    seen: set[str] = set()
    for data, where in items(doc, "types", label, problems, "type"):
        f = Fields(data, where, problems, FRAUD_TYPE_FIELDS)
        type_id = f.identifier("id")
        name = f.text("name", max_len=30)
        entry = f.text("entry", max_len=48)
        rule = f.text("rule", max_len=200)
        scripts = f.text_list("scripts", min_items=MIN_SCRIPTS, max_len=MAX_SCRIPT_CHARS)
        if entry is not None and entry_ids and entry not in entry_ids:
            problems.add(where, f"entry '{entry}' does not exist")
            continue
        if type_id in seen:
            problems.add(where, "duplicate fraud type id")
            continue
        if None in (type_id, name, entry, rule) or len(scripts) < MIN_SCRIPTS:
            continue
        seen.add(type_id)
        types.append(FraudType(type_id, name, entry, rule, scripts))
    return tuple(types)
