"""Masking of personal numbers in text we keep: phone numbers, ID-card numbers and bank-card
numbers become `138****00`, so a stored question, a report note or a log line never holds one
in full. The one implementation: storage masks what it writes with it, and the log filter
(bot/tg/logs.py) masks every log line with it.

What is masked: any run of 7 or more digits, possibly split by single spaces, dashes or dots
(`138 0013 8000`, `+86 138-0013-8000`, `0571-88888888`, `6222 0212 3456 7890 123`), including
an ID-card number's final `X`. Short numbers stay readable (95188, 110, 12345 元), and so do dates
written with separators (`2026-11-30`, `2026.11.30`): they are not personal and a question about
"the text I got on 2026-11-30" keeps its meaning.
"""

from __future__ import annotations

import re

# 7 or more digits, possibly split by single spaces, dashes or dots; an ID card's final X.
_NUMBER = re.compile(r"(?<![\d])\+?\d(?:[ \-.]?\d){6,}(?:[Xx](?![A-Za-z]))?(?![\d])")
# A calendar date with separators: left as it is.
_DATE = re.compile(r"(?:19|20)\d{2}([\-./])(?:1[0-2]|0?[1-9])\1(?:3[01]|[12]\d|0?[1-9])(?!\d)")


def _mask(match: re.Match) -> str:
    found = match.group(0)
    date = _DATE.match(found)
    if date:  # a date, perhaps followed by a time or a short number ("2026-11-30 03:23"): kept
        return found[:date.end()] + _NUMBER.sub(_mask, found[date.end():])
    digits = re.sub(r"[^\dXx]", "", found)
    return f"{digits[:3]}****{digits[-2:]}"


def mask_numbers(text: str) -> str:
    """`text` with every phone, ID-card and bank-card number masked (first three and last two
    characters kept: `138****00`)."""
    return _NUMBER.sub(_mask, text)
