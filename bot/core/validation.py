"""Shared helpers for loading curated YAML: read safely, collect every problem, fail as a whole.

Curators edit these files by hand, so a loader reports *all* problems at once, each naming the
file, the entry and the field, and raises before anything is put into service.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import yaml


class KnowledgeError(Exception):
    """The knowledge folder cannot be loaded; `problems` lists every reason, one line each."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        shown = self.problems[:20]
        more = len(self.problems) - len(shown)
        text = "\n".join(f"  - {p}" for p in shown)
        if more > 0:
            text += f"\n  - ... and {more} more"
        super().__init__(f"knowledge not loaded ({len(self.problems)} problem(s)):\n{text}")


@dataclass
class Problems:
    """Collects validation problems; `raise_if_any` raises one KnowledgeError with all of them."""

    items: list[str] = field(default_factory=list)

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{where}: {message}")

    def raise_if_any(self) -> None:
        if self.items:
            raise KnowledgeError(self.items)


# libyaml's C loader when the wheel has it (about ten times faster); both are the *safe* loader.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_FILE_BYTES = 2_000_000  # far beyond any curated file; stops a wrong path from eating memory


def read_yaml(path: Path, label: str, problems: Problems) -> Any | None:
    """Parse one YAML file with `safe_load`; on failure record a problem and return None."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        problems.add(label, f"cannot be read ({exc.strerror or exc})")
        return None
    if len(raw) > MAX_FILE_BYTES:
        problems.add(label, f"is {len(raw)} bytes, larger than the {MAX_FILE_BYTES}-byte limit")
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.add(label, f"is not UTF-8 text (byte {exc.start})")
        return None
    try:
        return yaml.load(text, Loader=_SAFE_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        problems.add(label, f"is not valid YAML{where}: {reason}")
        return None


ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,47}$")


class Fields:
    """Typed access to one mapping from a YAML file, recording a problem for each bad field."""

    def __init__(self, data: dict, where: str, problems: Problems, allowed: set[str] | None):
        """`allowed`: the field names this mapping may have (None: already checked)."""
        self.data = data
        self.where = where
        self.problems = problems
        for key in data if allowed is not None else ():
            if key not in allowed:
                problems.add(where, f"unknown field '{key}' (allowed: {', '.join(sorted(allowed))})")

    def _missing(self, key: str) -> None:
        self.problems.add(self.where, f"field '{key}' is missing")

    def text(self, key: str, *, required: bool = True, max_len: int = 4000) -> str | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self._missing(key)
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            self.problems.add(self.where, f"field '{key}' must be non-empty text")
            return None
        if len(value) > max_len:
            self.problems.add(self.where, f"field '{key}' is {len(value)} characters (limit {max_len})")
            return None
        return value.strip()

    def text_list(self, key: str, *, required: bool = True, min_items: int = 0,
                  max_len: int = 500) -> tuple[str, ...]:
        value = self.data.get(key)
        if value is None:
            if required:
                self._missing(key)
            return ()
        if not isinstance(value, list):
            self.problems.add(self.where, f"field '{key}' must be a list")
            return ()
        items: list[str] = []
        for i, item in enumerate(value):
            if isinstance(item, (int, float)) and not isinstance(item, bool):
                item = str(item)
            if not isinstance(item, str) or not item.strip():
                self.problems.add(self.where, f"field '{key}' item {i + 1} must be non-empty text")
                continue
            if len(item) > max_len:
                self.problems.add(self.where, f"field '{key}' item {i + 1} is too long ({len(item)} > {max_len})")
                continue
            items.append(item.strip())
        if len(items) < min_items:
            self.problems.add(self.where, f"field '{key}' needs at least {min_items} item(s)")
        return tuple(items)

    def flag(self, key: str) -> bool:
        """An optional true/false field: False when absent, or (with a problem) when not a boolean."""
        value = self.data.get(key, False)
        if not isinstance(value, bool):
            self.problems.add(self.where, f"field '{key}' must be true or false")
            return False
        return value

    def identifier(self, key: str = "id") -> str | None:
        value = self.text(key, max_len=48)
        if value is not None and not ID_PATTERN.match(value):
            self.problems.add(self.where, f"field '{key}' must be lowercase letters, digits, '-' or '_' (got {value!r})")
            return None
        return value

    def date(self, key: str) -> dt.date | None:
        value = self.data.get(key)
        if value is None:
            self._missing(key)
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.problems.add(self.where, f"field '{key}' must be a date like 2026-11-21 (got {value!r})")
        return None


def mapping(value: Any, where: str, problems: Problems, what: str = "a mapping") -> dict | None:
    if not isinstance(value, dict):
        problems.add(where, f"must be {what} (got {type(value).__name__})")
        return None
    return value


def read_document(path: Path, label: str, problems: Problems, fields: set[str], *,
                  optional: bool = True) -> dict | None:
    """The top-level mapping of one YAML file, its unknown fields reported. None when an
    optional file is missing, or when the file cannot be used (the problem is recorded)."""
    if optional and not path.exists():
        return None
    reported = len(problems.items)
    data = read_yaml(path, label, problems)
    if len(problems.items) > reported:
        return None
    if data is None:
        problems.add(label, "is empty")
        return None
    doc = mapping(data, label, problems)
    if doc is not None:
        Fields(doc, label, problems, fields)
    return doc


def items(doc: dict, key: str, label: str, problems: Problems, noun: str, *, name: str = "id",
          required: bool = True) -> Iterator[tuple[dict, str]]:
    """Each mapping in the list `doc[key]`, with where it is for messages: "tips.yaml: tip
    'tip-003'" (or "tip 3" until it has a name). A required list must be present and non-empty."""
    raw = doc.get(key)
    if raw is None and not required:
        return
    if not isinstance(raw, list) or (required and not raw):
        problems.add(label, f"field '{key}' must be a {'non-empty ' if required else ''}list")
        return
    for index, item in enumerate(raw):
        where = f"{label}: {noun} {index + 1}"
        data = mapping(item, where, problems)
        if data is None:
            continue
        if isinstance(data.get(name), str):
            where = f"{label}: {noun} '{data[name]}'"
        yield data, where
