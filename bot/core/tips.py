"""Daily safety tips (`tips.yaml`): short texts, each linked to an entry for "learn more"."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .validation import Fields, Problems, items, read_document

MAX_TIP_CHARS = 300
TIP_FIELDS = {"id", "text", "learn_more"}


@dataclass(frozen=True)
class Tip:
    id: str
    text: str
    learn_more: str  # an entry id


def load_tips(path: Path, label: str, problems: Problems, entry_ids: set[str]) -> tuple[Tip, ...]:
    """Load tips.yaml; a missing file means no tips (subscriptions then have nothing to send)."""
    doc = read_document(path, label, problems, {"tips"})
    if doc is None:
        return ()
    tips: list[Tip] = []
    seen: set[str] = set()
    for data, where in items(doc, "tips", label, problems, "tip"):
        f = Fields(data, where, problems, TIP_FIELDS)
        tip_id = f.identifier("id")
        text = f.text("text", max_len=MAX_TIP_CHARS)
        learn_more = f.text("learn_more", max_len=48)
        if learn_more is not None and entry_ids and learn_more not in entry_ids:
            problems.add(where, f"learn_more '{learn_more}' is not an entry id")
            continue
        if tip_id in seen:
            problems.add(where, "duplicate tip id")
            continue
        if None in (tip_id, text, learn_more):
            continue
        seen.add(tip_id)
        tips.append(Tip(tip_id, text, learn_more))
    return tuple(tips)
