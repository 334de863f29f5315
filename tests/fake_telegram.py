"""A small fake Telegram Bot API server on loopback, for driving the real Application end to end.

It serves the methods the bot uses, records every call (method and decoded parameters), long-polls
`getUpdates` from a queue the test pushes updates into, and can answer like Telegram does when
things go wrong: 429 with `retry_after`, 403 for chats that blocked the bot, 400 with
`migrate_to_chat_id` for groups that became supergroups.

For crash, stop and surge tests it can also be slow (`delay` seconds before each call is
accepted), be down (`outage`: every method but getUpdates answers an error status), hold calls
unanswered and unrecorded until `release()` (or drop them with `discard_held()`, as if they never
reached Telegram), accept a call then drop the connection without answering (`drop_next`:
the message was delivered, the bot cannot know), and lose every connection made so far
(`cut_off`, after a kill -9: what the killed process had sent and was not yet accepted never
reaches Telegram; the next process is given the new `base_url`).
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qs, unquote

TOKEN = "123456789:AAHfake-token-for-tests_abcdefghijklm"
BOT_USER = {"id": 123456789, "is_bot": True, "first_name": "反诈助手", "username": "fanzha_test_bot",
            "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": True}

# Parameters PTB sends JSON-encoded; everything else arrives as plain strings.
JSON_FIELDS = {"reply_markup", "results", "commands", "link_preview_options", "allowed_updates", "entities",
               "reply_parameters", "button", "scope"}
INT_FIELDS = {"chat_id", "message_id", "offset", "limit", "timeout", "cache_time", "from_chat_id",
              "reply_to_message_id"}
BOOL_FIELDS = {"show_alert", "is_personal", "disable_notification", "drop_pending_updates", "protect_content"}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    ok: bool = True   # False when the fake answered with an error
    at: float = field(default_factory=time.monotonic)   # when the fake accepted it


@dataclass
class Failure:
    status: int
    description: str
    parameters: dict | None = None


@dataclass
class FakeTelegram:
    calls: list[Call] = field(default_factory=list)
    blocked: set[int] = field(default_factory=set)                # chats answering 403
    migrated: dict[int, int] = field(default_factory=dict)        # old chat id -> new chat id
    scripted: dict[str, list[Failure]] = field(default_factory=dict)  # method -> next failures
    files: dict[str, bytes] = field(default_factory=dict)         # file_id -> content (getFile, downloads)
    members: dict[tuple[int, int], str] = field(default_factory=dict)  # (chat, user) -> status; default member
    delay: float = 0.0                                            # seconds before each call (not getUpdates)
    outage: Failure | None = None                                 # every method but getUpdates fails so

    def __post_init__(self) -> None:
        self.polls = 0  # getUpdates calls so far
        self.offsets: list[int | None] = []   # the offset of each getUpdates call
        self.held = 0   # calls waiting in a hold right now
        self.arrived = 0   # calls received so far (getUpdates aside), counted before `delay`
        self._holds: list[tuple[str, int | None]] = []
        self._discards = 0
        self._drops: dict[str, int] = {}
        self._lock = threading.Condition()
        self._updates: list[dict] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> "FakeTelegram":
        self._server, self._thread = self._listen()
        return self

    def _listen(self) -> tuple[ThreadingHTTPServer, threading.Thread]:
        """A server on a new loopback port, serving in a thread of its own."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server naming
                fake._handle(self)

            do_GET = do_POST

            def log_message(self, *args) -> None:  # keep test output clean
                pass

        class Server(ThreadingHTTPServer):
            request_queue_size = 512   # the bot opens many connections at once under a surge

        server = Server(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        return server, thread

    def stop(self) -> None:
        with self._lock:   # calls still held never reach Telegram
            self._discards += 1
            self._holds.clear()
            self._lock.notify_all()
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/bot"

    # -- test API ----------------------------------------------------------------------------

    def push(self, update: dict) -> int:
        with self._lock:
            update = {"update_id": next(self._update_ids), **update}
            self._updates.append(update)
            self._lock.notify_all()
            return update["update_id"]

    def fail_next(self, method: str, status: int, description: str, parameters: dict | None = None) -> None:
        with self._lock:
            self.scripted.setdefault(method, []).append(Failure(status, description, parameters))

    def hold(self, method: str, chat_id: int | None = None) -> None:
        """Calls of `method` (to `chat_id`, or to any chat) wait, unrecorded and unanswered,
        until release() or discard_held()."""
        with self._lock:
            self._holds.append((method, chat_id))

    def release(self) -> None:
        """End every hold: waiting calls go on as if they had just arrived."""
        with self._lock:
            self._holds.clear()
            self._lock.notify_all()

    def discard_held(self) -> None:
        """Calls waiting in a hold are dropped unrecorded, their connections closed without an
        answer (they never reached Telegram). Later calls are still held until release().
        (Calls still on their way, in `delay` or not yet accepted, are not held yet: after a
        kill, `cut_off` drops those too.)"""
        with self._lock:
            self._discards += 1
            self._lock.notify_all()

    def cut_off(self) -> None:
        """Every connection made so far is lost, as after a kill -9 of the bot: calls held and calls
        still on their way (in `delay`, or not yet accepted) are dropped unrecorded (they never
        reached Telegram), holds end, and the fake listens on a new port: the next process must be
        given the new `base_url`. Lifting a hold with release() instead would let the killed
        process's calls still on their way through, recorded as delivered."""
        old = self._server
        server, thread = self._listen()
        with self._lock:
            self._server, self._thread = server, thread
            self._discards += 1
            self._holds.clear()
            self._lock.notify_all()
        old.shutdown()
        old.server_close()   # connections it had not accepted yet are refused

    def drop_next(self, method: str, count: int = 1) -> None:
        """The next `count` calls of `method` are accepted (recorded, ok) and then their connection
        is closed without an answer: delivered, but the bot cannot know."""
        with self._lock:
            self._drops[method] = self._drops.get(method, 0) + count

    def _is_held(self, method: str, params: dict) -> bool:
        return any(m == method and (c is None or c == params.get("chat_id")) for m, c in self._holds)

    def sent(self, method: str = "sendMessage", chat_id: int | None = None) -> list[dict]:
        """Parameters of successful calls (failed attempts are in `calls` with ok=False)."""
        with self._lock:
            return [c.params for c in self.calls if c.method == method and c.ok
                    and (chat_id is None or c.params.get("chat_id") == chat_id)]

    def wait_for(self, predicate: Callable[["FakeTelegram"], bool], timeout: float = 10.0) -> bool:
        """Block until predicate(self) holds (re-checked on every recorded call)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while not predicate(self):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._lock.wait(remaining)
            return True

    def clear(self) -> None:
        with self._lock:
            self.calls.clear()

    # -- serving -----------------------------------------------------------------------------

    def _params(self, request: BaseHTTPRequestHandler) -> dict[str, Any]:
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length) if length else b""
        kind = request.headers.get("Content-Type", "")
        if "json" in kind:
            return json.loads(body or b"{}")
        raw = {k: v[0] for k, v in parse_qs(body.decode("utf-8"), keep_blank_values=True).items()}
        params: dict[str, Any] = {}
        for key, value in raw.items():
            if key in JSON_FIELDS or key in BOOL_FIELDS:
                params[key] = json.loads(value)
            elif key in INT_FIELDS and value.lstrip("-").isdigit():
                params[key] = int(value)
            else:
                params[key] = value
        return params

    def _reply(self, request: BaseHTTPRequestHandler, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode("utf-8")
        try:
            request.send_response(status)
            request.send_header("Content-Type", "application/json")
            request.send_header("Content-Length", str(len(data)))
            request.end_headers()
            request.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            request.close_connection = True   # the bot went away (killed, stopped) mid-request

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        prefix = f"/bot{TOKEN}/"
        path = unquote(request.path)  # PTB quotes file paths (the token's ":" arrives as %3A)
        if path.startswith(f"/file/bot{TOKEN}/"):
            self._download(request, path[len(f"/file/bot{TOKEN}/"):])
            return
        if not request.path.startswith(prefix):
            self._reply(request, 401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
            return
        method = request.path[len(prefix):]
        params = self._params(request)
        if method == "getUpdates":
            with self._lock:
                self.polls += 1
                self.offsets.append(params.get("offset"))
                self._lock.notify_all()
            self._reply(request, 200, {"ok": True, "result": self._get_updates(params)})
            return
        with self._lock:
            self.arrived += 1
            self._lock.notify_all()
        if self.delay:
            time.sleep(self.delay)
        with self._lock:
            if request.server is not self._server:
                request.close_connection = True
                return   # on its way when the fake was cut off: never reached Telegram
            if self._is_held(method, params):
                self.held += 1
                self._lock.notify_all()
                epoch = self._discards
                while self._is_held(method, params) and self._discards == epoch:
                    self._lock.wait()
                self.held -= 1
                self._lock.notify_all()
                if self._discards != epoch:
                    request.close_connection = True
                    return   # never reached Telegram: no record, no answer
            call = Call(method, params)
            self.calls.append(call)
            if self._drops.get(method):
                self._drops[method] -= 1
                self._lock.notify_all()
                request.close_connection = True
                return   # delivered; the answer is lost with the connection
            failure = self.scripted.get(method, []).pop(0) if self.scripted.get(method) else None
            if failure is None and self.outage is not None:
                failure = self.outage
            chat_id = params.get("chat_id")
            if failure is None and method.startswith("send") and chat_id in self.blocked:
                failure = Failure(403, "Forbidden: bot was blocked by the user")
            if failure is None and method == "getFile" and params.get("file_id") not in self.files:
                failure = Failure(400, "Bad Request: invalid file_id")
            if failure is None and method.startswith("send") and chat_id in self.migrated:
                failure = Failure(400, "Bad Request: group chat was upgraded to a supergroup chat",
                                  {"migrate_to_chat_id": self.migrated[chat_id]})
            call.ok = failure is None
            self._lock.notify_all()
        if failure is not None:
            payload = {"ok": False, "error_code": failure.status, "description": failure.description}
            if failure.parameters:
                payload["parameters"] = failure.parameters
            self._reply(request, failure.status, payload)
            return
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            self._reply(request, 404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"})
            return
        self._reply(request, 200, {"ok": True, "result": handler(params)})

    def _download(self, request: BaseHTTPRequestHandler, path: str) -> None:
        """A file download (`File.download_*`), recorded as a "download" call."""
        file_id = path.rsplit("/", 1)[-1]
        with self._lock:
            self.calls.append(Call("download", {"file_path": path}, ok=file_id in self.files))
            self._lock.notify_all()
        data = self.files.get(file_id)
        if data is None:
            self._reply(request, 404, {"ok": False, "error_code": 404, "description": "Not Found"})
            return
        request.send_response(200)
        request.send_header("Content-Type", "application/octet-stream")
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        request.wfile.write(data)

    def _get_updates(self, params: dict) -> list[dict]:
        offset = params.get("offset") or 0
        timeout = min(float(params.get("timeout") or 0), 2.0)
        deadline = time.monotonic() + timeout
        with self._lock:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            while not self._updates and time.monotonic() < deadline:
                self._lock.wait(deadline - time.monotonic())
            return list(self._updates)

    # -- methods -----------------------------------------------------------------------------

    def _message(self, params: dict) -> dict:
        chat_id = params["chat_id"]
        message = {"message_id": next(self._message_ids), "date": int(time.time()),
                   "chat": {"id": chat_id, "type": "private" if int(chat_id) > 0 else "supergroup"},
                   "from": BOT_USER, "text": params.get("text", "")}
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        return message

    def _m_getMe(self, params):
        return BOT_USER

    def _m_deleteWebhook(self, params):
        return True

    def _m_setWebhook(self, params):
        return True

    def _m_setMyCommands(self, params):
        return True

    def _m_sendChatAction(self, params):
        return True

    def _m_answerCallbackQuery(self, params):
        return True

    def _m_answerInlineQuery(self, params):
        return True

    def _m_sendMessage(self, params):
        return self._message(params)

    def _m_editMessageText(self, params):
        return self._message(params)

    def _m_editMessageReplyMarkup(self, params):
        return self._message(params)

    def _m_deleteMessage(self, params):
        return True

    def _m_getFile(self, params):
        file_id = params["file_id"]
        return {"file_id": file_id, "file_unique_id": f"u-{file_id}", "file_size": len(self.files[file_id]),
                "file_path": f"photos/{file_id}"}

    def _m_getChatMember(self, params):
        chat_id, user_id = int(params["chat_id"]), int(params["user_id"])
        status = self.members.get((chat_id, user_id), "member")
        member = {"status": status, "user": BOT_USER if user_id == BOT_USER["id"] else user(user_id)}
        if status == "creator":
            member["is_anonymous"] = False
        elif status == "administrator":
            member.update({key: False for key in (
                "can_be_edited", "is_anonymous", "can_manage_chat", "can_delete_messages", "can_manage_video_chats",
                "can_restrict_members", "can_promote_members", "can_change_info", "can_invite_users",
                "can_post_stories", "can_edit_stories", "can_delete_stories")})
        return member


# --- update builders -----------------------------------------------------------------------------

_ids = itertools.count(1)


def user(user_id: int = 1001) -> dict:
    return {"id": user_id, "is_bot": False, "first_name": "用户", "language_code": "zh-hans"}


def message_update(text: str | None = None, *, chat_id: int = 1001, user_id: int | None = None,
                   chat_type: str = "private", **extra) -> dict:
    message = {"message_id": next(_ids), "date": int(time.time()),
               "chat": {"id": chat_id, "type": chat_type, **({"title": "家人群"} if chat_type != "private" else {})},
               "from": user(user_id or (chat_id if chat_id > 0 else 1001))}
    if text is not None:
        message["text"] = text
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    message.update(extra)
    return {"message": message}


def forwarded_update(text: str, *, chat_id: int = 1001) -> dict:
    origin = {"type": "hidden_user", "date": int(time.time()), "sender_user_name": "陌生人"}
    return message_update(text, chat_id=chat_id, forward_origin=origin)


def contact_update(phone: str, *, chat_id: int = 1001) -> dict:
    return message_update(None, chat_id=chat_id, contact={"phone_number": phone, "first_name": "来电"})


def sticker_update(*, chat_id: int = 1001) -> dict:
    sticker = {"file_id": "s1", "file_unique_id": "u1", "type": "regular", "width": 512, "height": 512,
               "is_animated": False, "is_video": False}
    return message_update(None, chat_id=chat_id, sticker=sticker)


def photo_update(caption: str | None = None, *, chat_id: int = 1001, file_id: str = "p1", width: int = 90,
                 height: int = 90, file_size: int | None = None, **extra) -> dict:
    """A photo message: one size (Telegram sends several; the bot picks the largest that fits)."""
    size = {"file_id": file_id, "file_unique_id": f"u-{file_id}", "width": width, "height": height,
            **({"file_size": file_size} if file_size is not None else {})}
    extra = {"photo": [size], **({"caption": caption} if caption else {}), **extra}
    return message_update(None, chat_id=chat_id, **extra)


def document_update(file_id: str, *, mime_type: str = "image/png", file_size: int | None = None,
                    chat_id: int = 1001, **extra) -> dict:
    """A file sent as a document (an image sent "as a file" keeps its full size)."""
    document = {"file_id": file_id, "file_unique_id": f"u-{file_id}", "file_name": "screenshot.png",
                "mime_type": mime_type, **({"file_size": file_size} if file_size is not None else {})}
    return message_update(None, chat_id=chat_id, document=document, **extra)


def callback_update(data: str, message: dict, *, user_id: int | None = None) -> dict:
    chat_id = message["chat"]["id"]
    return {"callback_query": {"id": str(next(_ids)), "from": user(user_id or chat_id), "chat_instance": "ci",
                               "data": data, "message": message}}


def inline_update(query: str, *, user_id: int = 1001) -> dict:
    return {"inline_query": {"id": str(next(_ids)), "from": user(user_id), "query": query, "offset": ""}}


def bot_message(sent: dict) -> dict:
    """The message dict of something the bot sent (to tap its buttons in a callback)."""
    message = {"message_id": 5000 + next(_ids), "date": int(time.time()),
               "chat": {"id": sent["chat_id"], "type": "private" if int(sent["chat_id"]) > 0 else "supergroup"},
               "from": BOT_USER, "text": sent.get("text", "")}
    if sent.get("reply_markup"):
        message["reply_markup"] = sent["reply_markup"]
    return message
