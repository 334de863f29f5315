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
from typing import TYPE_CHECKING, Callable, Mapping

from .checker import Checker, CheckResult, check_with_reports, clean_number
from .knowledge import Knowledge, load_knowledge
from .institutions import Institutions
from .links import LinkChecker, LinkResult
from .matcher import ANSWERED, SUGGEST, Matcher, MatchResult, ScriptIndex
from .replies import (Line, Reply, compose_check, compose_checks, compose_entry, compose_image_scan, compose_link,
                      compose_match, compose_no_match, compose_none_of_these, compose_notice, compose_scan)
from .routing import asked_about, pasted_part, voice
from .risk import HIGH, LOW, MEDIUM
from .text import normalize

QUESTION, CHECK, SCAN, BOTH, LINK, EMPTY = "question", "check", "scan", "both", "link", "empty"
IMAGE_ERROR = "image_error"  # a screenshot that could not be read (too large, nothing readable…)
# A link sent alone (a word of text around it makes it a message to scan).
# A host is Latin letters, digits, dots and dashes (Cyrillic and accented letters too: look-alike
# spellings); Chinese characters before it are the user's words ("链接是10086.cn.kf-jf.xyz"), so
# such a line is a question about a link, not a bare link.
BARE_LINK = re.compile(r"^(?:https?://)?[0-9a-z\u00c0-\u024f\u0400-\u04ff.@:-]+\.(?:[a-z]{2,24}|xn--[a-z0-9-]+)"
                       r"(?:[/?#:]\S*)?$", re.IGNORECASE)

# A question may mention one number ("95188是支付宝的吗"); this much other text at most.
NUMBER_QUESTION_CHARS = 30
# A short question that asks whose one number is ("95533是哪家的电话", "95110是哪个单位的号码"), or
# the number with hardly a word more ("0571-88888888 打来的"): the number is checked even when the
# matcher has an answer, which would explain numbers in general and not name this one's owner.
# (Whether a known number's call or text is real, "96110打来的是真的吗", is the entry's to answer.)
WHOSE_NUMBER = re.compile(r"哪家|哪个(?:单位|公司|机构|银行|部门|平台)|什么(?:单位|公司|机构|部门)|谁的|谁家|归属")
BARE_NUMBER_CHARS = 5
# At most this many numbers in one question are checked one by one (more: a list to scan).
MAX_ASKED_NUMBERS = 4

if TYPE_CHECKING:  # imported where used: a number check needs neither OCR, the encoder nor the scanner
    from .ocr import OcrError
    from .scanner import Scanner, ScanResult

ReportCounts = Mapping[str, int] | Callable[[str], int] | None

# (a scan verdict's order: the higher of two scans of one text is the one shown)
_RANK = {LOW: 0, MEDIUM: 1, HIGH: 2}


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
    link: "LinkResult | None" = None


# How much of a scanned message is searched for the institutions it claims to come from.
CLAIM_CHARS = 2000


class Assistant:
    """`encoder`: "auto" (the sentence encoder when installed), "use" or "none" (lexical only).
    The matcher and the scanner are built on first use (a number check pays for neither);
    `warm()` builds both and answers one question ahead of the first user."""

    def __init__(self, knowledge: Knowledge, *, encoder: str = "auto"):
        self.knowledge = knowledge
        self.encoder_mode = encoder
        self._matcher: Matcher | None = None
        self._scanner: Scanner | None = None
        self._institutions: Institutions | None = None
        self._lock = threading.Lock()
        self.checker = Checker(knowledge.numbers, knowledge.messages.verdict_reminder)
        # official domains and look-alikes, for link checks and the scanner (cheap to make)
        self.links = LinkChecker(knowledge.domains)

    @classmethod
    def load(cls, folder: str | os.PathLike | None = None, *, encoder: str = "auto",
             scanning: bool = True) -> "Assistant":
        """Load (and validate) a knowledge folder; raises KnowledgeError. `scanning=False`: for
        number and link checks only (see load_knowledge); such an assistant has no scanner."""
        return cls(load_knowledge(folder, scanning=scanning), encoder=encoder)

    @property
    def matcher(self) -> Matcher:
        if self._matcher is None:
            with self._lock:
                if self._matcher is None:
                    from .encoder import VectorCache, default_cache_dir, load_encoder

                    self._matcher = Matcher.from_knowledge(
                        self.knowledge, encoder=load_encoder(self.encoder_mode),
                        vector_cache=VectorCache(default_cache_dir()))
        return self._matcher

    @property
    def scanner(self) -> Scanner:
        if self._scanner is None:
            if not self.knowledge.scanning:
                raise RuntimeError("the knowledge was loaded for checks only (scanning=False): no scanner")
            with self._lock:
                if self._scanner is None:
                    from .scanner import Scanner

                    knowledge = self.knowledge
                    scripts = ScriptIndex(knowledge.fraud_types, knowledge.lexicon) if knowledge.fraud_types else None
                    self._scanner = Scanner(self.checker, knowledge.signals, knowledge.messages.verdict_reminder,
                                            {e.id for e in knowledge.entries}, scripts and scripts.resemble_clean,
                                            self.links, knowledge.scan_model, knowledge.wording)
        return self._scanner

    def warm(self) -> "Assistant":
        """Build the matcher and the scanner now and answer one real question, so that the
        first user pays for none of it (the encoder's first call, the pinyin table, rapidfuzz's
        and numpy's first-use costs). The bot and the console do this before the first question."""
        self.matcher  # noqa: B018 - builds it
        self.scanner  # noqa: B018 - builds it
        example = (self.knowledge.messages.examples or [""])[0] or (
            self.knowledge.entries[0].question if self.knowledge.entries else "")
        if example:
            self.respond(example)
        return self

    # -- the three things people do ------------------------------------------------------

    def ask(self, question: str) -> Answer:
        result = self.matcher.match(question)
        return Answer(result, compose_match(result, self.knowledge))

    def check(self, number: str, reports: ReportCounts = None) -> Response:
        """Check a phone number, or a link when that is what was given (`/check URL`)."""
        if BARE_LINK.match(number.strip()):
            return self.check_link(number.strip())
        result = check_with_reports(self.checker, number, reports)
        return Response(CHECK, compose_check(result, self.knowledge), check=result)

    def check_all(self, numbers: list[str], reports: ReportCounts = None) -> Response:
        """Several numbers at once: each checked (the same number written twice, once)."""
        results: dict[str, CheckResult] = {}
        for number in numbers:
            result = check_with_reports(self.checker, number, reports)
            results.setdefault(result.normalized or number, result)
        found = list(results.values())
        return Response(CHECK, compose_checks(found, self.knowledge), check=found[0])

    def check_link(self, url: str) -> Response:
        result = self.links.check(url)
        return Response(LINK, compose_link(result, self.knowledge), link=result)

    def scan(self, message: str, reports: ReportCounts = None) -> Response:
        return self._scan_response(self.scan_message(message, reports), message)

    def scan_message(self, message: str, reports: ReportCounts = None) -> ScanResult:
        """What an explicit scan rates (a message forwarded to the bot, `scan` and `scan --batch`,
        the web page and API): the whole text, and, when its first or last line is the user's own
        question about it ("这个是不是骗子"), the pasted part without that line too; the higher
        verdict is the scan's. (A question naming a scam makes the scanner read the whole text as
        talk about scams and set the scam's requests aside.) A screenshot's text is scanned as it
        was read (`scan_image_text`): the user's question is not in the picture."""
        message = message if isinstance(message, str) else str(message)
        return self._higher(self.scanner.scan(message, reports), asked_about(message), reports)

    def _higher(self, scanned: ScanResult, inner: str | None, reports: ReportCounts) -> ScanResult:
        """The higher of a whole text's verdict and that of its pasted part `inner` alone."""
        if inner is None:
            return scanned
        alone = self.scanner.scan(inner, reports)
        # (at the same risk, the one that shows more: the whole text's question may set the pasted
        # scam's requests aside, leaving only its wording; but not at the cost of a number or a link
        # the user's own line names: 他还打了电话 17088994455 给我)
        if _RANK[alone.risk] == _RANK[scanned.risk]:
            shows_more = (len(alone.signals) > len(scanned.signals) and len(alone.numbers) >= len(scanned.numbers)
                          and len(alone.urls) >= len(scanned.urls))
            return alone if shows_more else scanned
        return alone if _RANK[alone.risk] > _RANK[scanned.risk] else scanned

    def scan_image_text(self, text: str, reports: ReportCounts = None) -> Response:
        """The text read from a screenshot (ocr.read_text), scanned like a forwarded message; the
        reply also shows what was read. Nothing readable gets a reply saying so, never a verdict."""
        if not re.search(r"\w", text or ""):
            from .ocr import NOTHING_READ, OcrError

            return self.image_error(OcrError(NOTHING_READ))
        result = self.scanner.scan(text, reports)
        return Response(SCAN, compose_image_scan(text, result, self.knowledge, self.claimed_note(text, result)),
                        scan=result)

    def image_error(self, error: OcrError) -> Response:
        """Why a screenshot was not read (too large, not an image, OCR not installed…)."""
        return Response(IMAGE_ERROR, compose_notice(IMAGE_ERROR, error.message))

    def respond(self, text: str, *, forwarded: bool = False, reports: ReportCounts = None) -> Response:
        """Route free text: a number is checked, a pasted message scanned, the user's question
        answered, and a question about a pasted message gets both (see routing.py)."""
        text = text if isinstance(text, str) else str(text)
        stripped = text.strip()
        if not re.search(r"\w", stripped):
            return Response(EMPTY, self.hint_reply())
        if forwarded:
            return self.scan(text, reports)
        cleaned = clean_number(stripped)
        if cleaned is not None and 3 <= len(cleaned[1]) <= 20:
            return self.check(stripped, reports)
        if BARE_LINK.match(stripped):
            return self.check_link(stripped)
        # (compiled with the scanner, which a scan builds anyway)
        from .scanner import CARD, NUMBER, SECRET_BEFORE, URL

        speaking = voice(stripped, bool(URL.search(stripped)))
        # The user's own words name scams freely ("骗子让我下载…"): that is not a warning text.
        scanned = self.scanner.scan(text, reports, pasted=speaking.message or not speaking.users_words)
        if speaking.question_about_message:
            # "我是不是被骗了" around a pasted scam names the scam without warning of it: the pasted
            # part is rated on its own as well, and the higher verdict is the scan's
            inner = pasted_part(text)
            scanned = self._higher(scanned, inner if inner != text else None, reports)
        if speaking.message and not speaking.question_about_message:
            return self._scan_response(scanned, text)
        answer = self.ask(stripped)
        answered = answer.result.status == ANSWERED
        if speaking.message:  # a question about a pasted message: the scan, then the answer
            if not answered and speaking.own.strip() and speaking.own.strip() != stripped:
                answer = self.ask(speaking.own.strip())  # the user's own question, without the message
                answered = answer.result.status == ANSWERED
            if answered or answer.result.status == SUGGEST:
                return self._both(scanned, answer, text)
            return self._scan_response(scanned, text)
        if not speaking.users_words and scanned.risk == HIGH and any(s.name != "scam_wording" for s in scanned.signals):
            # "在吗 麻烦打500到我账户": a request in someone else's words, not a question. The verdict
            # comes first; when the matcher is sure which scam it is, its explanation follows. (Scam
            # wording alone does not make a text someone else's: "帮我翻译 good morning" is a question.)
            return self._both(scanned, answer, text) if answered else self._scan_response(scanned, text)
        if not answered and speaking.story and (scanned.risk != LOW or CARD.search(stripped)
                                                or any(s.weight >= 2 for s in scanned.signals)):
            # A story with scam signals: say what they are, and explain the scam it most resembles.
            # (A request the story tells of, hand weight 2 or 3, is enough: the risk model is fitted
            # on messages, where one request alone may stay low; a story is not the message.)
            entry = self._explaining_entry(stripped, scanned)
            if entry is not None:
                note = self.matcher.numbers_note(stripped, entry)
                return self._both(scanned, Answer(answer.result, compose_entry(entry, self.knowledge, note)), text)
            return self._scan_response(scanned, text)
        # (a password or code the user quotes is no number to check: 支付密码就用的123456)
        numbers = [m.group(0) for m in NUMBER.finditer(stripped) if len(re.sub(r"\D", "", m.group(0))) >= 5
                   and not SECRET_BEFORE.search(stripped, max(0, m.start() - 8), m.start())]
        # A number with a few words ("0571-88888888 打来的") is about that number.
        about_number = len(numbers) == 1 and len(stripped) - len(numbers[0]) <= NUMBER_QUESTION_CHARS
        if (not answered and not speaking.message and not scanned.signals
                and 2 <= len(set(numbers)) <= MAX_ASKED_NUMBERS
                and len(stripped) - sum(map(len, numbers)) <= NUMBER_QUESTION_CHARS):
            # "95516和95188分别是哪家的": the user's own short question about several numbers that
            # the matcher has no sure answer to (a scan would not read a bare short number as a
            # phone number): each one checked.
            return self.check_all(numbers, reports)
        requests = {s.name for s in scanned.signals if s.name != "scam_wording"}
        if not answered and scanned.risk != LOW and len(requests) >= 2 and not about_number:
            # The matcher has nothing sure to say and the scan rates the text a risk on two or more
            # of a scam's signs (a chat screenshot's text with the reader's own lines, a request in
            # the user's words): the verdict, with the closest questions when there are some, not
            # "outside what I know". (One sign is not enough: a user's own question trips one now
            # and then, "支付宝怎么把钱转到银行卡最快" a transfer request.)
            if answer.result.status == SUGGEST:
                return self._both(scanned, answer, text)
            return self._scan_response(scanned, text)
        if about_number and (not answered or (not scanned.signals and (
                WHOSE_NUMBER.search(stripped) or len(stripped) - len(numbers[0]) <= BARE_NUMBER_CHARS))):
            return self.check(numbers[0], reports)
        if numbers and not answered:
            if speaking.users_words and answer.result.status == SUGGEST:
                # The user's own story or question mentioning numbers (我马上打了95188冻结了 接下来还用
                # 干嘛): each number judged, and the closest questions, not a verdict alone.
                return self._both(scanned, answer, text)
            return self._scan_response(scanned, text)
        return Response(QUESTION, answer.reply, match=answer.result)

    def _explaining_entry(self, question: str, scanned: ScanResult):
        """For a story the matcher was unsure about: the scan's explaining entry that the matcher
        also ranks among its best three, else the scan's first (its fraud type's entry)."""
        ranked = {e.id for e in self.ranked_entries(question, 3)}
        for entry_id in scanned.related:
            if entry_id in ranked:
                return self.knowledge.get(entry_id)
        return self.knowledge.get(scanned.related[0]) if scanned.related else None

    def claimed_note(self, message: str, result: ScanResult, also: str = "") -> str | None:
        """The official numbers of the institutions a scanned message names ("【招商银行】…请致电
        400…" gets 招商银行's 95555), so the user can check by calling the real one; None when it
        names none, or it (or `also`, the answer shown beside it) gives their official numbers.
        Needs only the number book and the lexicon: a scan never builds the matcher for it, so
        the aliases are indexed here a second time when the matcher is built too (a few hundred)."""
        if self._institutions is None:
            lexicon = self.knowledge.lexicon
            self._institutions = Institutions(self.knowledge.numbers,
                                              lambda text: lexicon.canonicalize(normalize(text)), ())
        head = message[:CLAIM_CHARS]
        named = self._institutions.mentioned(self._institutions.canonical(head))
        if not named:
            return None
        shown = " ".join([head, also, *(n.normalized for n in result.numbers)])
        return self._institutions.numbers_note(named, shown)

    def _scan_response(self, result: ScanResult, message: str) -> Response:
        return Response(SCAN, compose_scan(result, self.knowledge, self.claimed_note(message, result)), scan=result)

    def _both(self, scanned: ScanResult, answer: Answer, message: str) -> Response:
        also = "\n".join(line.text for line in answer.reply.lines)
        scan_reply = compose_scan(scanned, self.knowledge, self.claimed_note(message, scanned, also))
        lines = (*scan_reply.lines, *answer.reply.lines)
        related = tuple(dict.fromkeys((*answer.reply.related, *scan_reply.related)))
        reply = Reply(BOTH, lines, answer.reply.choices, answer.reply.entry_id, related)
        return Response(BOTH, reply, match=answer.result, scan=scanned)

    def ranked_entries(self, question: str, limit: int = 3) -> list:
        """The entries the matcher ranks best for a question, best first (for evaluation)."""
        return [c.entry for c in self.matcher.rank(question, limit)[0]]

    # -- other replies -------------------------------------------------------------------

    def entry_reply(self, entry_id: str) -> Reply | None:
        entry = self.knowledge.get(entry_id)
        return compose_entry(entry, self.knowledge) if entry else None

    def none_of_these_reply(self) -> Reply:
        return compose_none_of_these(self.knowledge)

    def no_match_reply(self) -> Reply:
        return compose_no_match(self.knowledge)

    def hint_reply(self) -> Reply:
        examples = "；".join(self.knowledge.messages.examples[:2])
        text = "请发给我一个问题、一个电话号码，或者转发一整条可疑短信。"
        if examples:
            text += f"例如：{examples}"
        return Reply(EMPTY, (Line(text),))
