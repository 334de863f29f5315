"""Daily safety tips (`tips.yaml`): short texts, each linked to an entry for "learn more"."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .validation import Fields, Problems, mapping, read_yaml

MAX_TIP_CHARS = 300
TIP_FIELDS = {"id", "text", "learn_more"}


@dataclass(frozen=True)
class Tip:
    id: str
    text: str
    learn_more: str  # an entry id


def load_tips(path: Path, label: str, problems: Problems, entry_ids: set[str]) -> tuple[Tip, ...]:
    """Load tips.yaml; a missing file means no tips (subscriptions then have nothing to send)."""
    if not path.exists():
        return ()
    reported = len(problems.items)
    data = read_yaml(path, label, problems)
    if len(problems.items) > reported:
        return ()
    doc = mapping(data, label, problems)
    if doc is None:
        return ()
    Fields(doc, label, problems, {"tips"})
    raw_tips = doc.get("tips")
    if not isinstance(raw_tips, list) or not raw_tips:
        problems.add(label, "field 'tips' must be a non-empty list")
        return ()
    tips: list[Tip] = []
    seen: set[str] = set()
    for i, raw in enumerate(raw_tips):
        where = f"{label}: tip {i + 1}"
        data = mapping(raw, where, problems)
        if data is None:
            continue
        if isinstance(data.get("id"), str):
            where = f"{label}: tip '{data['id']}'"
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
