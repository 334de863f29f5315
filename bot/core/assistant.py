"""The assistant: the one object adapters talk to. It owns the loaded knowledge and the indexes
built from it, and turns user input into a result plus a composed reply.

Adapters (console, Telegram) hold an `Assistant` and swap it whole on reload, so a request is
always served by one consistent version of the knowledge.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from .knowledge import Knowledge, load_knowledge
from .matcher import Matcher, MatchResult
from .replies import Reply, compose_entry, compose_match, compose_no_match


@dataclass(frozen=True)
class Answer:
    result: MatchResult
    reply: Reply


class Assistant:
    def __init__(self, knowledge: Knowledge):
        self.knowledge = knowledge
        self.matcher = Matcher.from_knowledge(knowledge)

    @classmethod
    def load(cls, folder: str | os.PathLike | None = None) -> "Assistant":
        """Load (and validate) a knowledge folder; raises KnowledgeError."""
        return cls(load_knowledge(folder))

    def ask(self, question: str) -> Answer:
        result = self.matcher.match(question)
        return Answer(result, compose_match(result, self.knowledge))

    def entry_reply(self, entry_id: str) -> Reply | None:
        entry = self.knowledge.get(entry_id)
        return compose_entry(entry, self.knowledge) if entry else None

    def no_match_reply(self) -> Reply:
        return compose_no_match(self.knowledge)
