"""The matcher's vocabulary: synonyms rewritten to one canonical word, filler words dropped, and
one homophone typo tolerated in any known word (people type pinyin in a hurry: 借被 for 借呗)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from .text import _pinyin_table, is_cjk, normalize, pinyin_seq
from .validation import Fields, Problems, read_document


def _is_latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


# From this length on, `canonicalize` finds where words may start with numpy first.
LONG_TEXT = 5000


def _member(values, sorted_keys):
    """values (int64 array) that are among sorted_keys, as a boolean array."""
    import numpy

    if not len(sorted_keys):
        return numpy.zeros(len(values), dtype=bool)
    at = numpy.minimum(numpy.searchsorted(sorted_keys, values), len(sorted_keys) - 1)
    return sorted_keys[at] == values


def _allowed_mismatches(length: int) -> int:
    """How many characters of a known word may be homophone substitutes: one in short words,
    two in words of six or more. At least one character must always be the real one."""
    return 1 if length < 6 else 2


class Syllables:
    """Numbers for the toneless syllables of the pinyin table, and a code point -> syllable
    number array (-1: no reading), built once per process."""

    _shared: "Syllables | None" = None

    def __init__(self) -> None:
        import numpy  # imported here: a number check never needs it

        table = _pinyin_table()
        self.ids: dict[str, int] = {}
        self.by_char: dict[str, int] = {}
        for ch, syllable in table.items():
            self.by_char[ch] = self.ids.setdefault(syllable, len(self.ids))
        self.of_point = numpy.full(0x2A6E0, -1, dtype=numpy.int64)
        points = numpy.fromiter((ord(c) for c in self.by_char), dtype=numpy.int64, count=len(self.by_char))
        keep = points < len(self.of_point)
        self.of_point[points[keep]] = numpy.fromiter(self.by_char.values(), dtype=numpy.int64,
                                                     count=len(self.by_char))[keep]

    @classmethod
    def get(cls) -> "Syllables":
        if cls._shared is None:
            cls._shared = cls()
        return cls._shared


@dataclass(frozen=True)
class Lexicon:
    """Variant -> canonical rewrites (canonical words map to themselves; fillers map to "")."""

    rewrites: Mapping[str, str] = field(default_factory=dict)
    # Question words (怎么办, 什么...): canonical forms, matched at reduced weight.
    weak: tuple[str, ...] = ()
    # Question words as written (normalised); their canonical forms join `weak_forms()` on first
    # use: rewriting them needs the pinyin table, which a number check or a scan never loads.
    weak_words: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        by_length: dict[int, dict[str, str]] = {}
        starts: dict[str, set[int]] = {}
        for variant, canonical in self.rewrites.items():
            by_length.setdefault(len(variant), {})[variant] = canonical
            starts.setdefault(variant[0], set()).add(len(variant))
        object.__setattr__(self, "_by_length", by_length)
        object.__setattr__(self, "_lengths", sorted(by_length, reverse=True))
        # Most positions in a text start no known word: per character, the lengths of the known
        # words starting with it (by spelling or by sound), so `canonicalize` tries only those
        # and skips every other position after one lookup.
        object.__setattr__(self, "_exact_lengths", starts)
        object.__setattr__(self, "_plans", {})
        object.__setattr__(self, "_sound_tables", None)  # built on first use (needs the pinyin table)
        object.__setattr__(self, "_prefilter", None)
        object.__setattr__(self, "_weak_forms", None)

    def _sounds(self) -> tuple[dict, dict[str, set[int]]]:
        """Sound-alike tables (length -> syllables -> [(variant, canonical)]) and, per first
        syllable, the lengths of the keys starting with it. Built on first use: loading the pinyin
        table costs a fifth of a second that a number check or a message scan never needs."""
        tables = self._sound_tables  # type: ignore[attr-defined]
        if tables is None:
            by_sound: dict[int, dict[tuple[str, ...], list[tuple[str, str]]]] = {}
            for variant, canonical in self.rewrites.items():
                if len(variant) >= 2 and canonical and all(is_cjk(c) for c in variant):
                    key = tuple(pinyin_seq(variant))
                    by_sound.setdefault(len(variant), {}).setdefault(key, []).append((variant, canonical))
            first_sounds: dict[str, set[int]] = {}
            for length, table in by_sound.items():
                for key in table:
                    first_sounds.setdefault(key[0], set()).add(length)
            tables = (by_sound, first_sounds)
            object.__setattr__(self, "_sound_tables", tables)
        return tables

    def _plan(self, ch: str) -> tuple[tuple[int, bool, bool], ...]:
        """What to try at a position starting with `ch`: (length, by spelling, by sound), longest
        first, by spelling before by sound at one length (empty: nothing can start here)."""
        exact = self._exact_lengths.get(ch, ())  # type: ignore[attr-defined]
        sound: set[int] | tuple = ()
        _, first_sounds = self._sounds()
        if first_sounds and is_cjk(ch):
            sound = first_sounds.get(pinyin_seq(ch)[0], ())
        plan = tuple((length, length in exact, length in sound)
                     for length in sorted({*exact, *sound}, reverse=True))
        self._plans[ch] = plan  # type: ignore[attr-defined]
        return plan

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
        return cls(rewrites, weak_words=tuple(normalize(x) for x in weak))

    def weak_forms(self) -> tuple[str, ...]:
        """The canonical forms of the question words (`weak`, then `weak_words` rewritten)."""
        forms = self._weak_forms  # type: ignore[attr-defined]
        if forms is None:
            forms = tuple(dict.fromkeys(w for w in (*self.weak, *map(self.canonicalize, self.weak_words)) if w))
            object.__setattr__(self, "_weak_forms", forms)
        return forms

    def canonicalize(self, text: str) -> str:
        """Rewrite normalised text: longest known word first, exact spelling before sound-alike."""
        if not self._lengths:  # type: ignore[attr-defined]
            return text
        return " ".join(self._rewrite(text).split())

    def canonicalize_many(self, texts: list[str]) -> list[str]:
        """`canonicalize` of each normalised text, in one pass over them all (indexing rewrites
        tens of thousands of phrasings: one call instead of one per phrasing). No known word holds
        a newline, so texts joined by newlines are rewritten exactly as each alone."""
        if not self._lengths or not texts:  # type: ignore[attr-defined]
            return list(texts)
        if any("\n" in t for t in texts):
            return [self.canonicalize(t) for t in texts]
        return [" ".join(part.split()) for part in self._rewrite("\n".join(texts)).split("\n")]

    def _starts(self, text: str) -> list[int]:
        """Positions of a long text where a known word may start, found with numpy: its first
        two characters (or its only one) begin some variant, or its first two syllables begin
        some sound-alike key (every key has two or more). Every other position starts nothing."""
        import numpy

        prefilter = self._prefilter  # type: ignore[attr-defined]
        if prefilter is None:
            syllables = Syllables.get()
            by_sound, _ = self._sounds()
            pairs = {(ord(v[0]) << 21) | ord(v[1]) for v in self.rewrites if len(v) >= 2}
            singles = {ord(v) for v in self.rewrites if len(v) == 1}
            sound_pairs = {syllables.ids[k[0]] << 12 | syllables.ids[k[1]]
                           for table in by_sound.values() for k in table}
            prefilter = tuple(numpy.array(sorted(x), dtype=numpy.int64) for x in (pairs, singles, sound_pairs))
            object.__setattr__(self, "_prefilter", prefilter)
        pairs, singles, sound_pairs = prefilter
        points = numpy.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=numpy.uint32).astype(numpy.int64)
        hit = _member(points, singles)
        hit[:-1] |= _member((points[:-1] << 21) | points[1:], pairs)
        of_point = Syllables.get().of_point
        sound = numpy.where(points < len(of_point), of_point[numpy.minimum(points, len(of_point) - 1)], -1)
        both = (sound[:-1] >= 0) & (sound[1:] >= 0)
        hit[:-1] |= both & _member((sound[:-1] << 12) | numpy.maximum(sound[1:], 0), sound_pairs)
        return numpy.flatnonzero(hit).tolist()

    def _rewrite(self, text: str) -> str:
        by_length: dict[int, dict[str, str]] = self._by_length  # type: ignore[attr-defined]
        plans: dict[str, tuple] = self._plans  # type: ignore[attr-defined]
        by_sound, _ = self._sounds()
        sounds: list[str] | None = None
        out: list[str] = []
        last = i = 0
        n = len(text)
        # A long text (all phrasings at once) visits only the positions where a word may start.
        starts = iter(self._starts(text)) if n >= LONG_TEXT else None
        while i < n:
            if starts is not None:
                i = next(starts, n)
                while i < last:
                    i = next(starts, n)
                if i >= n:
                    break
            plan = plans.get(text[i])
            if plan is None:
                plan = self._plan(text[i])
            if plan:
                found = None
                for length, exact, sound in plan:
                    if i + length > n:
                        continue
                    if exact:
                        canonical = by_length[length].get(text[i:i + length])
                        if canonical is not None and (  # Chinese at both ends: always a boundary
                                (text[i] > "\x7f" and text[i + length - 1] > "\x7f")
                                or self._word_boundary(text, i, length)):
                            found = canonical
                            break
                    if sound:
                        if sounds is None:
                            syllable = _pinyin_table().get
                            sounds = list(map(syllable, text, text))  # pinyin_seq, in C
                        candidates = by_sound[length].get(tuple(sounds[i:i + length]))
                        best = self._sound_alike(text[i:i + length], candidates) if candidates else None
                        if best is not None:
                            found = best
                            break
                if found is not None:
                    out.append(text[last:i])
                    out.append(found)
                    i += length
                    last = i
                    continue
            i += 1
        if not out:
            return text
        out.append(text[last:])
        return "".join(out)

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
