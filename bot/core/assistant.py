"""The assistant: the one object adapters talk to. It owns the loaded knowledge and everything
built from it (matcher, checker, scanner), decides what a piece of user text is, and returns a
result plus a composed reply.

Adapters (console, Telegram) hold an `Assistant` and swap it whole on reload, so a request is
always served by one consistent version of the knowledge.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass
from typing import Callable, Mapping

from .encoder import VectorCache, default_cache_dir, load_encoder
from .checker import Checker, CheckResult, check_with_reports, clean_number
from .knowledge import Knowledge, load_knowledge
from .matcher import ANSWERED, Matcher, MatchResult, ScriptIndex
from .replies import (Line, Reply, compose_check, compose_entry, compose_match, compose_no_match,
                      compose_scan)
from .scanner import CARD, NUMBER, URL, Scanner, ScanResult

QUESTION, CHECK, SCAN, EMPTY = "question", "check", "scan", "empty"

# Text this long, or on several lines, is a message to scan rather than a question.
MESSAGE_CHARS = 60
# A question may mention one number ("95188是支付宝的吗"); this much other text at most.
NUMBER_QUESTION_CHARS = 30

ReportCounts = Mapping[str, int] | Callable[[str], int] | None


@dataclass(frozen=True)
class Answer:
    result: MatchResult
    reply: Reply


@dataclass(frozen=True)
class Response:
    """What the assistant made of one piece of text: its kind, the core result, the reply."""

    kind: str
    reply: Reply
    match: MatchResult | None = None
    check: CheckResult | None = None
    scan: ScanResult | None = None


class Assistant:
    """`encoder`: "auto" (the sentence encoder when installed), "use" or "none" (lexical only).
    The matcher is built on first use (a number check never pays for it); `warm()` builds it
    ahead of the first question."""

    def __init__(self, knowledge: Knowledge, *, encoder: str = "auto"):
        self.knowledge = knowledge
        self.encoder_mode = encoder
        self._matcher: Matcher | None = None
        self._lock = threading.Lock()
        self.checker = Checker(knowledge.numbers, knowledge.messages.verdict_reminder)
        self.scanner = Scanner(self.checker, knowledge.signals, knowledge.messages.verdict_reminder,
                               {e.id for e in knowledge.entries},
                               ScriptIndex(knowledge.fraud_types, knowledge.lexicon) if knowledge.fraud_types else None)

    @classmethod
    def load(cls, folder: str | os.PathLike | None = None, *, encoder: str = "auto") -> "Assistant":
        """Load (and validate) a knowledge folder; raises KnowledgeError."""
        return cls(load_knowledge(folder), encoder=encoder)

    @property
    def matcher(self) -> Matcher:
        if self._matcher is None:
            with self._lock:
                if self._matcher is None:
                    self._matcher = Matcher.from_knowledge(
                        self.knowledge, encoder=load_encoder(self.encoder_mode),
                        vector_cache=VectorCache(default_cache_dir()))
        return self._matcher

    def warm(self) -> "Assistant":
        """Build the matcher now (the bot and the console do, before the first question)."""
        self.matcher  # noqa: B018 - builds it
        return self

    # -- the three things people do ------------------------------------------------------

    def ask(self, question: str) -> Answer:
        result = self.matcher.match(question)
        return Answer(result, compose_match(result, self.knowledge))

    def check(self, number: str, reports: ReportCounts = None) -> Response:
        result = check_with_reports(self.checker, number, reports)
        return Response(CHECK, compose_check(result, self.knowledge), check=result)

    def scan(self, message: str, reports: ReportCounts = None) -> Response:
        result = self.scanner.scan(message, reports)
        return Response(SCAN, compose_scan(result, self.knowledge), scan=result)

    def respond(self, text: str, *, forwarded: bool = False, reports: ReportCounts = None) -> Response:
        """Route free text: a number is checked, a message is scanned, a question is answered."""
        text = text if isinstance(text, str) else str(text)
        stripped = text.strip()
        if not re.search(r"\w", stripped):
            return Response(EMPTY, self.hint_reply())
        if forwarded:
            return self.scan(text, reports)
        cleaned = clean_number(stripped)
        if cleaned is not None and 3 <= len(cleaned[1]) <= 20:
            return self.check(stripped, reports)
        if (len(stripped) >= MESSAGE_CHARS or "\n" in stripped or URL.search(stripped)
                or CARD.search(stripped)):
            return self.scan(text, reports)
        answer = self.ask(stripped)
        numbers = [m.group(0) for m in NUMBER.finditer(stripped) if len(re.sub(r"\D", "", m.group(0))) >= 5]
        if numbers and answer.result.status != ANSWERED:
            # A number with a few words ("0571-88888888 打来的") is about that number; with more
            # words it is a pasted message about a call or a text.
            if len(numbers) == 1 and len(stripped) - len(numbers[0]) <= NUMBER_QUESTION_CHARS:
                return self.check(numbers[0], reports)
            return self.scan(text, reports)
        return Response(QUESTION, answer.reply, match=answer.result)

    def ranked_entries(self, question: str, limit: int = 3) -> list:
        """The entries the matcher ranks best for a question, best first (for evaluation)."""
        return [c.entry for c in self.matcher.rank(question, limit)[0]]

    # -- other replies -------------------------------------------------------------------

    def entry_reply(self, entry_id: str) -> Reply | None:
        entry = self.knowledge.get(entry_id)
        return compose_entry(entry, self.knowledge) if entry else None

    def no_match_reply(self) -> Reply:
        return compose_no_match(self.knowledge)

    def hint_reply(self) -> Reply:
        examples = "；".join(self.knowledge.messages.examples[:2])
        text = "请发给我一个问题、一个电话号码，或者转发一整条可疑短信。"
        if examples:
            text += f"例如：{examples}"
        return Reply(EMPTY, (Line(text),))
