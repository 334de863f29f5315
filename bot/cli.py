"""Command line: the same core the Telegram bot uses, offline.

    python -m bot                 the bot if TELEGRAM_BOT_TOKEN is set, else the offline console
    python -m bot chat            interactive console conversation
    python -m bot ask [--json] [QUESTION]
    python -m bot check [--json] [NUMBER | LINK]
    python -m bot scan [--json] < message.txt
    python -m bot scan --json --batch < messages.jsonl
    python -m bot scan --image FILE [--json]   a screenshot, read offline (OCR)
    python -m bot run [--webhook URL --listen HOST --port N]
    python -m bot gaps [--json]
    python -m bot web [--host 127.0.0.1] [--port 8080]

Every command takes --knowledge DIR (or BOT_KNOWLEDGE_DIR) to run on another knowledge folder.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import select
import sys
from pathlib import Path
from typing import Iterable, TextIO

from .core.assistant import Assistant
from .core.replies import NONE_OF_THESE, SHOW_ENTRY, Reply, render_text
from .core.validation import KnowledgeError

EXIT_OK, EXIT_USAGE, EXIT_KNOWLEDGE = 0, 2, 3
MAX_STDIN_CHARS = 1_000_000  # scan reads at most this much; the scanner itself reads the first 20,000


def _utf8_streams() -> None:
    """Read bytes that are not UTF-8 as replacement characters instead of crashing, and always
    write UTF-8 (a console set to another encoding would otherwise fail on Chinese text)."""
    for stream, errors in ((sys.stdin, "replace"), (sys.stdout, "replace"), (sys.stderr, "replace")):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8", errors=errors)


def _load(args: argparse.Namespace, *, scanning: bool = True) -> Assistant:
    from .config import ConfigError, Settings

    try:
        encoder = Settings.from_env(require_token=False).encoder
    except ConfigError:
        encoder = "auto"  # a bad setting of the bot's is reported by `run`, not by the console
    return Assistant.load(args.knowledge, encoder=encoder, scanning=scanning)


def _lines(stream: TextIO) -> Iterable[str]:
    for line in stream:
        yield line.rstrip("\r\n")


# --- ask ----------------------------------------------------------------------------------

def cmd_ask(args: argparse.Namespace) -> int:
    assistant = _load(args)
    single = " ".join(args.question) if args.question else None
    questions = [single] if single is not None else _lines(sys.stdin)
    for question in questions:
        answer = assistant.ask(question)
        if args.json:
            print(json.dumps(answer.result.to_dict(), ensure_ascii=False), flush=True)
        elif single is not None:
            print(render_text(answer.reply))
        else:
            result = answer.result
            entry_id = result.entry.id if result.entry else "-"
            print(f"{result.status}\t{entry_id}\t{result.score:.3f}\t{question}", flush=True)
    return EXIT_OK


# --- check and scan -------------------------------------------------------------------------

def cmd_check(args: argparse.Namespace) -> int:
    # numbers and links only: the scanner's files are not read (half the start-up of a check)
    assistant = _load(args, scanning=False)
    single = " ".join(args.number) if args.number else None
    for raw in [single] if single is not None else _lines(sys.stdin):
        response = assistant.check(raw)
        result = response.check if response.check is not None else response.link  # a number, or a link
        if args.json:
            print(json.dumps(result.to_dict(), ensure_ascii=False), flush=True)
        elif single is not None:
            print(render_text(response.reply, numbered=False))
        elif response.check is not None:
            name = result.institution.name_zh if result.institution else "-"
            print(f"{result.verdict}\t{result.normalized or '-'}\t{name}\t{raw}", flush=True)
        else:  # a link: its registrable domain and whom it belongs to or imitates
            print(f"{result.verdict}\t{result.domain or '-'}\t{result.institution or '-'}\t{raw}", flush=True)
    return EXIT_OK


EMPTY_SCAN_HINT = "没有读到消息内容：请把整条短信或聊天记录粘贴进来（例如 python -m bot scan < message.txt）。"


def cmd_scan(args: argparse.Namespace) -> int:
    assistant = _load(args)
    if getattr(args, "image", None):
        return _scan_image(assistant, args)
    if args.batch:
        return _scan_batch(assistant)
    text = sys.stdin.read(MAX_STDIN_CHARS)
    if not re.search(r"\w", text):  # empty input gets a hint, never a "low risk" verdict
        if args.json:
            print(json.dumps({"error": "empty", "message": EMPTY_SCAN_HINT}, ensure_ascii=False))
        else:
            print(EMPTY_SCAN_HINT, file=sys.stderr)
        return EXIT_USAGE
    response = assistant.scan(text)
    if args.json:
        print(json.dumps(response.scan.to_dict(), ensure_ascii=False))
    else:
        print(render_text(response.reply, numbered=False))
    return EXIT_OK


def _scan_image(assistant: Assistant, args: argparse.Namespace) -> int:
    """scan --image FILE: the screenshot's text read offline (bot/core/ocr.py), then scanned; the
    JSON adds "ocr_text". An image that cannot be read (too large, not an image, nothing readable,
    OCR not installed) gets its reason and exit code 2, never a verdict."""
    from .core.ocr import MAX_BYTES, NOTHING_READ, OcrError, read_text

    try:
        with open(args.image, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)  # one byte more than allowed is enough to refuse
        text = read_text(data)
        if not re.search(r"\w", text):
            raise OcrError(NOTHING_READ)
    except OSError as exc:
        print(f"error: cannot read {args.image}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    except OcrError as exc:
        if args.json:
            print(json.dumps({"error": exc.reason, "message": exc.message}, ensure_ascii=False))
        else:
            print(exc.message, file=sys.stderr)
        return EXIT_USAGE
    response = assistant.scan_image_text(text)
    if args.json:
        print(json.dumps({**response.scan.to_dict(), "ocr_text": text}, ensure_ascii=False))
    else:
        print(render_text(response.reply, numbered=False))
    return EXIT_OK


def _scan_batch(assistant: Assistant) -> int:
    """One JSON object {"text": ...} per input line, one result per output line, in order. A line
    that is not such an object gets {"error": ...} in its place, so lines always align."""
    for line in _lines(sys.stdin):
        try:
            item = json.loads(line)
            text = item["text"] if isinstance(item, dict) else None
            if not isinstance(text, str):
                raise ValueError('each line must be a JSON object with a string "text"')
        except (ValueError, KeyError, TypeError) as exc:
            print(json.dumps({"error": "bad_line", "message": str(exc)[:200]}, ensure_ascii=False), flush=True)
            continue
        print(json.dumps(assistant.scan_message(text).to_dict(), ensure_ascii=False), flush=True)
    return EXIT_OK


# --- chat ---------------------------------------------------------------------------------

CHAT_HELP = """命令：
  直接输入问题            例如：借呗被盗了怎么办
  输入一个号码            例如：95188、021-95588、+86 95588（查是不是官方号码）
  粘贴一条短信            检查里面的号码、链接和诈骗迹象
  数字 1-3                选择上一条回复里列出的问题（0 = 都不是）
  /topics                 按分类浏览全部问题
  /help                   显示本帮助
  /quit                   退出"""


class ChatSession:
    """One console conversation: remembers the last numbered choices so "2" picks the second."""

    def __init__(self, assistant: Assistant, out: TextIO):
        self.assistant = assistant
        self.out = out
        self.choices: list = []

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def show(self, reply: Reply) -> None:
        self.choices = [c for c in reply.choices if c.action == SHOW_ENTRY]
        self.none_choice = any(c.action == NONE_OF_THESE for c in reply.choices)
        self.say(render_text(reply))

    def banner(self) -> None:
        k = self.assistant.knowledge
        self.say(k.messages.welcome.strip())
        self.say(f"（离线控制台 · 知识库 {len(k.entries)} 条 · /help 查看帮助 · /quit 退出）")

    def handle(self, text: str) -> bool:
        """Handle one input line; False when the user wants to leave."""
        text = text.strip()
        if not text:
            return True
        if text in ("/quit", "/exit", "退出"):
            return False
        if text in ("/help", "帮助", "?", "？"):
            self.say(CHAT_HELP)
            return True
        if text == "/topics":
            self.say(self.topics_text())
            return True
        if text.isdigit() and (self.choices or getattr(self, "none_choice", False)):
            index = int(text)
            if index == 0:
                self.show(self.assistant.none_of_these_reply())
                return True
            if 1 <= index <= len(self.choices):
                reply = self.assistant.entry_reply(self.choices[index - 1].value)
                if reply is not None:
                    self.show(reply)
                    return True
        self.show(self.assistant.respond(text).reply)
        return True

    def topics_text(self) -> str:
        k = self.assistant.knowledge
        topics = list(k.topics) or sorted({e.topic for e in k.entries})
        lines = []
        for topic in topics:
            entries = k.in_topic(topic)
            if entries:
                lines.append(k.topic_label(topic))
                lines.extend(f"  · {e.question}" for e in entries)
        return "\n".join(lines)


PASTE_GAP_SECONDS = 0.05  # lines arriving closer together than this came from one paste


def _rest_of_paste() -> str:
    """A multi-line paste reaches a terminal as several lines at once: gather the lines already
    waiting, so the paste is one message, not one message per line (only the last was scanned)."""
    lines = []
    while select.select([sys.stdin], [], [], PASTE_GAP_SECONDS)[0]:
        line = sys.stdin.readline()
        if not line:
            break
        lines.append(line.rstrip("\r\n"))
    return "".join("\n" + line for line in lines)


def cmd_chat(args: argparse.Namespace) -> int:
    session = ChatSession(_load(args), sys.stdout)
    session.banner()
    interactive = sys.stdin.isatty()
    while True:
        try:
            line = input("你> ") if interactive else sys.stdin.readline()
            if interactive:
                line += _rest_of_paste()
        except (EOFError, KeyboardInterrupt):
            break
        if not interactive and line == "":
            break
        if not session.handle(line.rstrip("\r\n")):
            break
    session.say("再见，注意防骗！")
    return EXIT_OK


def cmd_run(args: argparse.Namespace) -> int:
    from .tg.runner import cmd_run as run_bot  # imported lazily: the console needs no Telegram stack

    return run_bot(args)


def cmd_web(args: argparse.Namespace) -> int:
    from .web.server import cmd_web as serve  # imported lazily: the console needs no web stack

    return serve(args)


def cmd_gaps(args: argparse.Namespace) -> int:
    """Questions that got no answer or a 👎, grouped by similarity, most frequent first."""
    from .config import Settings
    from .core.gaps import group_questions
    from .storage import Storage

    settings = Settings.from_env(require_token=False)
    path = args.db or settings.db_path
    if not os.path.exists(path):
        print(f"error: no database at {path} (set BOT_DB_PATH or pass --db)", file=sys.stderr)
        return EXIT_USAGE
    storage = Storage(path)
    try:
        rows = storage.gaps()
    finally:
        storage.close()
    groups = group_questions([(text, reason) for text, reason, _ in rows], _load(args).matcher)
    if args.json:
        for group in groups:
            print(json.dumps(group.to_dict(), ensure_ascii=False))
    elif not groups:
        print("没有记录到未能回答的问题。")
    else:
        for group in groups:
            reasons = "、".join(f"{k} {v}" for k, v in sorted(group.reasons.items()))
            print(f"{group.count:>4}  {group.representative}    [{reasons}]")
            for variant in group.variants[1:4]:
                print(f"        · {variant}")
    return EXIT_OK


def cmd_default(args: argparse.Namespace) -> int:
    """No command (`make run`): read ./.env if there is one (the README says to create it), then
    run the bot when a token is configured, else the offline console, saying which and why."""
    from .config import read_env_file

    env_file = Path(".env")
    added = read_env_file(env_file) if env_file.is_file() else []
    if os.environ.get("TELEGRAM_BOT_TOKEN", "").strip():
        source = "从 .env 读取" if "TELEGRAM_BOT_TOKEN" in added else "来自环境变量"
        print(f"TELEGRAM_BOT_TOKEN 已设置（{source}）：启动 Telegram 机器人。", file=sys.stderr)
        return cmd_run(args)
    where = "（当前目录的 .env 里也没有）" if env_file.is_file() else "（当前目录没有 .env 文件）"
    print(f"没有设置 TELEGRAM_BOT_TOKEN{where}：打开离线控制台。要运行机器人，把令牌写进 .env 或环境变量。",
          file=sys.stderr)
    return cmd_chat(args)


# --- parser -------------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    # --knowledge is accepted before or after the command name. The subcommands' copy defaults to
    # SUPPRESS: otherwise its None would overwrite a value given before the command.
    top = argparse.ArgumentParser(add_help=False)
    top.add_argument("--knowledge", metavar="DIR",
                     help="knowledge folder to use (default: $BOT_KNOWLEDGE_DIR or the bundled one)")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--knowledge", metavar="DIR", default=argparse.SUPPRESS,
                        help="knowledge folder to use (default: $BOT_KNOWLEDGE_DIR or the bundled one)")
    parser = argparse.ArgumentParser(prog="python -m bot", parents=[top],
                                     description="反诈助手: anti-fraud assistant (Telegram bot and offline console)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    chat = sub.add_parser("chat", parents=[common], help="interactive console conversation")
    chat.set_defaults(func=cmd_chat)

    ask = sub.add_parser("ask", parents=[common], help="answer one question (or one per stdin line)")
    ask.add_argument("--json", action="store_true", help="one JSON object per line (stable format)")
    ask.add_argument("question", nargs="*", help="the question; omitted: read one per line from stdin")
    ask.set_defaults(func=cmd_ask)

    check = sub.add_parser("check", parents=[common], help="check a phone number or a link (or one per stdin line)")
    check.add_argument("--json", action="store_true", help="one JSON object per line (stable format)")
    check.add_argument("number", nargs="*", help="the number, in any format, or a link; omitted: one per line from stdin")
    check.set_defaults(func=cmd_check)

    scan = sub.add_parser("scan", parents=[common], help="scan a message read from stdin")
    scan.add_argument("--json", action="store_true", help="one JSON object (stable format)")
    scan.add_argument("--batch", action="store_true",
                      help='with --json: one {"text": ...} object per input line, one result per output line')
    scan.add_argument("--image", metavar="FILE", help="scan a screenshot (PNG, JPEG, WebP) read offline with OCR")
    scan.set_defaults(func=cmd_scan)

    run = sub.add_parser("run", parents=[common], help="run the Telegram bot (needs TELEGRAM_BOT_TOKEN)")
    run.add_argument("--webhook", metavar="URL", help="public HTTPS URL Telegram should call (default: long polling)")
    run.add_argument("--listen", default="0.0.0.0", metavar="HOST", help="webhook server address (default 0.0.0.0)")
    run.add_argument("--port", type=int, default=8443, metavar="N", help="webhook server port (default 8443)")
    run.set_defaults(func=cmd_run)

    gaps = sub.add_parser("gaps", parents=[common], help="questions the bot could not answer, grouped")
    gaps.add_argument("--json", action="store_true", help="one JSON object per group")
    gaps.add_argument("--db", metavar="PATH", help="database file (default: $BOT_DB_PATH or data/bot.sqlite)")
    gaps.set_defaults(func=cmd_gaps)

    web = sub.add_parser("web", parents=[common], help="serve the web page and HTTP API (no Telegram needed)")
    web.add_argument("--host", default="127.0.0.1", metavar="HOST", help="address to listen on (default 127.0.0.1)")
    web.add_argument("--port", type=int, default=8080, metavar="N", help="port to listen on (default 8080)")
    web.set_defaults(func=cmd_web)
    return parser


def main(argv: list[str] | None = None) -> int:
    _utf8_streams()
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", cmd_default)
    try:
        return func(args)
    except KnowledgeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_KNOWLEDGE
    except BrokenPipeError:  # e.g. piped into `head`
        return EXIT_OK
