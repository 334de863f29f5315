"""Compose replies once, render them for each adapter.

A `Reply` is a short list of styled lines plus the choices a user can pick (buttons on Telegram,
numbers in the console). Composition decides *what* to say; `render_text` and `render_html`
decide how it looks, and HTML escaping happens in exactly one place.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from .knowledge import Entry, Knowledge
from .matcher import ANSWERED, SUGGEST, MatchResult

# Line styles.
TITLE, TEXT, NOTE, FOOTER = "title", "text", "note", "footer"

# Choice actions (adapters map them to callback data or console numbers).
SHOW_ENTRY, NONE_OF_THESE = "entry", "none"


@dataclass(frozen=True)
class Line:
    text: str
    style: str = TEXT


@dataclass(frozen=True)
class Choice:
    action: str
    value: str
    label: str


@dataclass(frozen=True)
class Reply:
    kind: str
    lines: tuple[Line, ...]
    choices: tuple[Choice, ...] = ()
    # Entries this reply is about (for feedback buttons and statistics).
    entry_id: str | None = None
    related: tuple[Choice, ...] = field(default=())


def footer_for(entry: Entry, knowledge: Knowledge) -> str:
    titles = [knowledge.sources.get(s, s) for s in entry.sources]
    return f"来源：{'、'.join(titles)} · 审核于 {entry.reviewed.isoformat()}"


def compose_entry(entry: Entry, knowledge: Knowledge) -> Reply:
    """A curated answer: the question as a title, the steps, then sources and review date."""
    related = tuple(
        Choice(SHOW_ENTRY, rel.id, rel.question)
        for rel in (knowledge.get(r) for r in entry.related) if rel is not None
    )
    lines = (Line(entry.question, TITLE), Line(entry.answer), Line(footer_for(entry, knowledge), FOOTER))
    return Reply(ANSWERED, lines, entry_id=entry.id, related=related)


def compose_no_match(knowledge: Knowledge) -> Reply:
    msgs = knowledge.messages
    lines = [Line(msgs.no_match), Line(msgs.emergency, NOTE)]
    if msgs.examples:
        lines.append(Line("你可以这样问：" + "；".join(msgs.examples[:3])))
    return Reply("no_match", tuple(lines))


def compose_suggest(result: MatchResult) -> Reply:
    choices = tuple(Choice(SHOW_ENTRY, c.entry.id, c.entry.question) for c in result.alternatives)
    lines = (Line("我不太确定你问的是哪一个，是下面这些问题吗？"),)
    return Reply(SUGGEST, lines, choices + (Choice(NONE_OF_THESE, "", "都不是"),))


def compose_match(result: MatchResult, knowledge: Knowledge) -> Reply:
    """The reply for a matcher result of any status."""
    if result.status == ANSWERED and result.entry is not None:
        return compose_entry(result.entry, knowledge)
    if result.status == SUGGEST and result.alternatives:
        return compose_suggest(result)
    return compose_no_match(knowledge)


# --- rendering ----------------------------------------------------------------------------

def render_text(reply: Reply, *, numbered: bool = True) -> str:
    """Plain text for the console: choices numbered 1..n (the last, 0, is "none of these")."""
    out: list[str] = []
    for line in reply.lines:
        if line.style == TITLE:
            out.append(f"【{line.text}】")
        elif line.style == FOOTER:
            out.append(f"—— {line.text}")
        else:
            out.append(line.text)
    if reply.choices and numbered:
        n = 0
        for choice in reply.choices:
            if choice.action == NONE_OF_THESE:
                out.append(f"  0. {choice.label}")
            else:
                n += 1
                out.append(f"  {n}. {choice.label}")
    if reply.related:
        out.append("相关问题：" + "；".join(c.label for c in reply.related))
    return "\n".join(out)


def _html_line(line: Line) -> str:
    text = html.escape(line.text, quote=False)
    if line.style == TITLE:
        return f"<b>{text}</b>"
    if line.style == NOTE:
        return f"<i>{text}</i>"
    if line.style == FOOTER:
        return f"<i>📚 {text}</i>"
    return text


def render_html(reply: Reply) -> str:
    """Telegram-style HTML (only <b> and <i>); every piece of text is escaped here."""
    return "\n\n".join(_html_line(line) for line in reply.lines)


def render_html_chunks(reply: Reply, limit: int = 4096) -> list[str]:
    """The HTML split into messages of at most `limit` characters, cut only between lines (or,
    for one huge line, between characters before escaping), so no tag or entity is ever cut."""
    pieces: list[str] = []
    for line in reply.lines:
        rendered = _html_line(line)
        if len(rendered) <= limit:
            pieces.append(rendered)
            continue
        # Wrap overhead (<b></b>, 📚) is under 20 characters; escaping at most quintuples one char.
        budget = max(1, (limit - 20) // 5)
        text = line.text
        while text:
            head, text = text[:budget], text[budget:]
            pieces.append(_html_line(Line(head, line.style)))
    chunks: list[str] = []
    current = ""
    for piece in pieces:
        candidate = f"{current}\n\n{piece}" if current else piece
        if len(candidate) <= limit:
            current = candidate
        else:
            chunks.append(current)
            current = piece
    if current:
        chunks.append(current)
    return chunks
