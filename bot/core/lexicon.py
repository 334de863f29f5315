"""The matcher's vocabulary: synonyms rewritten to one canonical word, filler words dropped, and
one homophone typo tolerated in any known word (people type pinyin in a hurry: 借被 for 借呗)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from .text import is_cjk, normalize, pinyin_seq
from .validation import Fields, Problems, read_document


def _is_latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _allowed_mismatches(length: int) -> int:
    """How many characters of a known word may be homophone substitutes: one in short words,
    two in words of six or more. At least one character must always be the real one."""
    return 1 if length < 6 else 2


@dataclass(frozen=True)
class Lexicon:
    """Variant -> canonical rewrites (canonical words map to themselves; fillers map to "")."""

    rewrites: Mapping[str, str] = field(default_factory=dict)
    # Question words (怎么办, 什么...): canonical forms, matched at reduced weight.
    weak: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        by_length: dict[int, dict[str, str]] = {}
        for variant, canonical in self.rewrites.items():
            by_length.setdefault(len(variant), {})[variant] = canonical
        object.__setattr__(self, "_by_length", by_length)
        object.__setattr__(self, "_lengths", sorted(by_length, reverse=True))
        # Most positions in a text start no known word: these sets let `canonicalize` skip them
        # after one lookup (the first character, or the first syllable for sound-alikes).
        object.__setattr__(self, "_first_chars", {v[0] for v in self.rewrites})
        object.__setattr__(self, "_sound_tables", None)  # built on first use (needs the pinyin table)

    def _sounds(self) -> tuple[dict, set[str]]:
        """Sound-alike tables (length -> syllables -> [(variant, canonical)]) and the first
        syllables they start with. Built on first use: loading the pinyin table costs a fifth of
        a second that a number check or a message scan never needs."""
        tables = self._sound_tables  # type: ignore[attr-defined]
        if tables is None:
            by_sound: dict[int, dict[tuple[str, ...], list[tuple[str, str]]]] = {}
            for variant, canonical in self.rewrites.items():
                if len(variant) >= 2 and canonical and all(is_cjk(c) for c in variant):
                    key = tuple(pinyin_seq(variant))
                    by_sound.setdefault(len(variant), {}).setdefault(key, []).append((variant, canonical))
            tables = (by_sound, {key[0] for table in by_sound.values() for key in table})
            object.__setattr__(self, "_sound_tables", tables)
        return tables

    @classmethod
    def build(cls, synonyms: Mapping[str, list[str]] | None = None, terms: list[str] | tuple = (),
              fillers: list[str] | tuple = (), weak: list[str] | tuple = ()) -> "Lexicon":
        rewrites: dict[str, str] = {}
        for filler in fillers:
            rewrites[normalize(filler)] = ""
        for term in terms:
            rewrites[normalize(term)] = normalize(term)
        for canonical, variants in (synonyms or {}).items():
            canon = normalize(canonical)
            rewrites[canon] = canon
            for variant in variants:
                rewrites[normalize(variant)] = canon
        rewrites.pop("", None)
        lexicon = cls(rewrites)
        weak_forms = tuple(dict.fromkeys(w for w in (lexicon.canonicalize(normalize(x)) for x in weak) if w))
        return cls(rewrites, weak_forms)

    def canonicalize(self, text: str) -> str:
        """Rewrite normalised text: longest known word first, exact spelling before sound-alike."""
        by_length: dict[int, dict[str, str]] = self._by_length  # type: ignore[attr-defined]
        lengths: list[int] = self._lengths  # type: ignore[attr-defined]
        first_chars: set[str] = self._first_chars  # type: ignore[attr-defined]
        if not lengths:
            return text
        by_sound, first_sounds = self._sounds()
        sounds = pinyin_seq(text) if first_sounds else []
        out: list[str] = []
        i, n = 0, len(text)
        while i < n:
            ch = text[i]
            exact = ch in first_chars
            sound = bool(sounds) and sounds[i] in first_sounds and is_cjk(ch)
            replaced = False
            if exact or sound:
                for length in lengths:
                    if i + length > n:
                        continue
                    if exact:
                        canonical = by_length[length].get(text[i:i + length])
                        if canonical is not None and self._word_boundary(text, i, length):
                            out.append(canonical)
                            i += length
                            replaced = True
                            break
                    table = by_sound.get(length) if sound else None
                    if table:
                        candidates = table.get(tuple(sounds[i:i + length]))
                        best = self._sound_alike(text[i:i + length], candidates) if candidates else None
                        if best is not None:
                            out.append(best)
                            i += length
                            replaced = True
                            break
            if not replaced:
                out.append(ch)
                i += 1
        return " ".join("".join(out).split())

    @staticmethod
    def _word_boundary(text: str, start: int, length: int) -> bool:
        """Latin variants (zfb, vx) only match whole words, never inside a longer latin word."""
        if not _is_latin(text[start]) and not _is_latin(text[start + length - 1]):
            return True
        before = text[start - 1] if start > 0 else " "
        after = text[start + length] if start + length < len(text) else " "
        return not (_is_latin(before) and _is_latin(text[start])) and not (
            _is_latin(after) and _is_latin(text[start + length - 1]))

    @staticmethod
    def _sound_alike(span: str, candidates: list[tuple[str, str]]) -> str | None:
        if not all(is_cjk(c) for c in span):
            return None
        for variant, canonical in candidates:
            same = sum(1 for a, b in zip(span, variant) if a == b)
            if same >= 1 and len(span) - same <= _allowed_mismatches(len(span)):
                return canonical
        return None


LEXICON_FIELDS = {"synonyms", "terms", "fillers", "weak"}


def load_lexicon(path: Path, label: str, problems: Problems) -> Lexicon:
    """Load lexicon.yaml; a missing file means an empty lexicon (plain character matching)."""
    data = read_document(path, label, problems, LEXICON_FIELDS)
    if data is None:
        return Lexicon.build()
    fields = Fields(data, label, problems, None)
    synonyms_raw = data.get("synonyms") or {}
    synonyms: dict[str, list[str]] = {}
    if not isinstance(synonyms_raw, dict):
        problems.add(label, "field 'synonyms' must map each canonical word to a list of variants")
    else:
        seen: dict[str, str] = {}
        for canonical, variants in synonyms_raw.items():
            where = f"{label}: synonyms '{canonical}'"
            if not isinstance(variants, list) or not all(isinstance(v, str) and v.strip() for v in variants):
                problems.add(where, "must be a list of non-empty words")
                continue
            for word in [str(canonical), *variants]:
                key = normalize(word)
                if not key:
                    problems.add(where, f"'{word}' has no letters or digits")
                elif key in seen and seen[key] != str(canonical):
                    problems.add(where, f"'{word}' is already a variant of '{seen[key]}'")
                else:
                    seen[key] = str(canonical)
            synonyms[str(canonical)] = list(variants)
    terms = fields.text_list("terms", required=False)
    fillers = fields.text_list("fillers", required=False)
    weak = fields.text_list("weak", required=False)
    return Lexicon.build(synonyms, terms, fillers, weak)
