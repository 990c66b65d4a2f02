"""A fake Telegram Bot API server for tests and benchmarks.

The real python-telegram-bot ``Application`` talks HTTP to this server on 127.0.0.1 (via ``base_url``),
so tests exercise PTB's own request encoding, error mapping, polling loop and rate limiter instead of
mocks. The server keeps the chats as a user would see them, records every call, injects faults
(429, 5xx, blocked users, hangs, dropped connections) and simulates users who type, press buttons,
forward messages and send media.

No pytest imports here: the benchmarks in bench/ import this module too.

    async with FakeBotApi() as api:
        app = app_builder(api).build()          # base_url/base_file_url + short timeouts
        app.add_handler(CommandHandler("start", start))
        async with running_app(app):            # long polling; clean shutdown on exit
            replies = await api.user(1001).send("/start")
            await api.user(1001).press(replies[0], "Sport")
        api.faults.add("sendMessage", status=429, retry_after=1)   # next sendMessage only
        api.block(1001)                                             # 403 until api.unblock(1001)

Set ``PTB_TIMEDELTA=true`` in the environment (tests/conftest.py does): otherwise PTB 22 emits a
deprecation warning for every 429 it receives.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import functools
import html
import itertools
import json
import re
import ssl
import time
import weakref
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from aiohttp import web

if TYPE_CHECKING:
    from telegram.ext import Application, ApplicationBuilder

__all__ = [
    "ApiCall",
    "ApiError",
    "Button",
    "ChatMessage",
    "FakeBotApi",
    "FakeGroup",
    "FakeUser",
    "Fault",
    "Faults",
    "RateObserver",
    "Replies",
    "UploadedFile",
    "app_builder",
    "html_to_text",
    "running_app",
]

JSON = dict[str, Any]
ChatId = int | str

# Telegram limits that catch real bugs in our bot.
MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64

# Parameters that are plain strings even if they look like JSON ("123", "true"): PTB sends every str
# parameter as-is and everything else JSON-encoded, so decoding these would change their meaning.
_TEXT_PARAMS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "inline_message_id",
        "url",
        "title",
        "description",
        "short_description",
        "action",
        "language_code",
        "emoji",
        "secret_token",
        "ip_address",
        "business_connection_id",
        "message_effect_id",
        "photo",
        "document",
        "audio",
        "video",
        "voice",
        "animation",
        "sticker",
        "video_note",
        "file_id",
        "thumbnail",
        "query",
        "name",
        "first_name",
        "last_name",
        "username",
        "custom_title",
        "question",
        "payload",
    }
)

# Methods whose success puts a new message in a chat: what the rate observer counts.
_SENDING_METHODS = frozenset(
    {
        "sendmessage",
        "sendphoto",
        "senddocument",
        "sendaudio",
        "sendvideo",
        "sendvoice",
        "sendanimation",
        "sendsticker",
        "sendlocation",
        "sendmediagroup",
        "copymessage",
        "forwardmessage",
    }
)

_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)

_BUTTON_ACTIONS = (
    "callback_data",
    "url",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)

# ChatFullInfo.accepted_gift_types is required by PTB 22 when parsing getChat.
_GIFT_TYPES = (
    "unlimited_gifts",
    "limited_gifts",
    "unique_gifts",
    "premium_subscription",
    "gifts_from_channels",
)

_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)

_BAD_GATEWAY_HTML = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n"
    "</body>\r\n</html>\r\n"
)


def _now() -> float:
    """Clock for ``ApiCall.at`` and the rate observer: monotonic, so rates survive clock changes."""
    return time.monotonic()


def _utf16_len(text: str) -> int:
    """Telegram measures text lengths and entity offsets in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _normalize_chat_id(value: Any) -> ChatId | None:
    """Chat ids arrive as int or as str ("123", "@channel"); compare them as int where possible."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip()
    try:
        return int(text)
    except ValueError:
        return text


# --------------------------------------------------------------------------------------------------
# Small value types
# --------------------------------------------------------------------------------------------------


class ApiError(Exception):
    """A Telegram error answer: ``{"ok": false, "error_code", "description", "parameters"}``."""

    def __init__(self, code: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(f"{code} {description}")
        self.code = code
        self.description = description
        self.parameters = parameters

    def body(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def _bad_request(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: {detail}")


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request, kept so tests can check what the bot uploaded."""

    field: str
    filename: str | None
    content_type: str | None
    data: bytes


@dataclass
class ApiCall:
    """One HTTP request to the Bot API as the server saw it.

    ``params`` holds JSON-decoded values (uploads as :class:`UploadedFile`); ``at`` is
    ``time.monotonic()`` at arrival; ``status`` is the HTTP status answered (``None`` while in
    flight, 499 if the client went away first, 0 for a dropped connection).
    """

    method: str
    params: JSON
    at: float
    chat_id: ChatId | None
    status: int | None = None
    result: Any = None
    error: str | None = None
    fault: Fault | None = None
    done_at: float | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200


class Button(NamedTuple):
    """An inline button as the user sees it: its text and its callback_data (or url)."""

    text: str
    data: str | None


@dataclass(frozen=True)
class ChatMessage:
    """A snapshot of one message as the user sees it (text after HTML rendering, buttons)."""

    chat_id: ChatId
    message_id: int
    from_bot: bool
    kind: str
    text: str | None
    buttons: list[list[Button]]
    raw: JSON
    edited: bool = False
    deleted: bool = False
    source_text: str | None = None
    parse_mode: str | None = None
    file: UploadedFile | None = None

    def button(self, text: str) -> Button:
        """The button with exactly this text; AssertionError listing the buttons otherwise."""
        for row in self.buttons:
            for button in row:
                if button.text == text:
                    return button
        raise AssertionError(
            f"No button {text!r} on message {self.message_id} ({self.text!r}); "
            f"buttons are: {self.button_texts or 'none'}"
        )

    @property
    def button_texts(self) -> list[list[str]]:
        return [[button.text for button in row] for row in self.buttons]


class Replies(list[ChatMessage]):
    """The bot's messages that arrived or changed during one user action, in chat order.

    A plain list of :class:`ChatMessage` snapshots, plus what else happened meanwhile: which
    messages are new, which were deleted, which calls in the chat failed, and for a button press
    the bot's answerCallbackQuery parameters.
    """

    def __init__(
        self,
        messages: Iterable[ChatMessage] = (),
        *,
        new_ids: Iterable[int] = (),
        deleted: Iterable[int] = (),
        errors: Iterable[ApiCall] = (),
        callback_answer: JSON | None = None,
    ) -> None:
        super().__init__(messages)
        self.new_ids = set(new_ids)
        self.deleted = list(deleted)
        self.errors = list(errors)
        self.callback_answer = callback_answer

    @property
    def new(self) -> list[ChatMessage]:
        return [m for m in self if m.message_id in self.new_ids]

    @property
    def edited(self) -> list[ChatMessage]:
        return [m for m in self if m.message_id not in self.new_ids]

    @property
    def texts(self) -> list[str | None]:
        return [m.text for m in self]


# --------------------------------------------------------------------------------------------------
# Telegram's HTML parse mode, strictly: our bugs should fail here, not in production.
# --------------------------------------------------------------------------------------------------

_HTML_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "a",
        "code",
        "pre",
        "tg-spoiler",
        "span",
        "blockquote",
        "tg-emoji",
    }
)
_TAG_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)((?:\s+[^<>]*)?)>")
_ATTR_RE = re.compile(r"""\s*([A-Za-z-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?\s*""")
_ENTITY_RE = re.compile(r"&(?:#([0-9]+)|#[xX]([0-9A-Fa-f]+)|([A-Za-z]+));")
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


def _parse_attributes(tag: str, raw: str, offset: int) -> dict[str, str]:
    attributes: dict[str, str] = {}
    position = 0
    while position < len(raw):
        match = _ATTR_RE.match(raw, position)
        if not match or match.end() == position:
            raise _entities_error(f'Can\'t parse attributes of tag "{tag}" at byte offset {offset}')
        name, *values = match.groups()
        attributes[name.lower()] = html.unescape(next((v for v in values if v is not None), ""))
        position = match.end()
    return attributes


def _entities_error(detail: str) -> ApiError:
    return _bad_request(f"can't parse entities: {detail}")


def html_to_text(source: str) -> str:
    """Render Telegram-HTML to the plain text the user sees; ApiError 400 where Telegram refuses it."""
    visible: list[str] = []
    open_tags: list[str] = []
    position = 0
    while position < len(source):
        char = source[position]
        offset = len(source[:position].encode())
        if char == "<":
            match = _TAG_RE.match(source, position)
            if not match:
                raise _entities_error(f"Unsupported start tag or stray '<' at byte offset {offset} (write &lt;)")
            closing, name, raw_attributes = match.group(1) == "/", match.group(2).lower(), match.group(3)
            if closing:
                if raw_attributes.strip():
                    raise _entities_error(f'End tag "{name}" has attributes at byte offset {offset}')
                if not open_tags:
                    raise _entities_error(f'Unexpected end tag "{name}" at byte offset {offset}')
                if open_tags[-1] != name:
                    raise _entities_error(
                        f'Unmatched end tag at byte offset {offset}, expected "</{open_tags[-1]}>", found "</{name}>"'
                    )
                open_tags.pop()
            else:
                if name not in _HTML_TAGS:
                    raise _entities_error(f'Unsupported start tag "{name}" at byte offset {offset}')
                attributes = _parse_attributes(name, raw_attributes, offset)
                if name == "span" and attributes.get("class") != "tg-spoiler":
                    raise _entities_error(f'Tag "span" must have class "tg-spoiler" at byte offset {offset}')
                if name == "tg-emoji" and "emoji-id" not in attributes:
                    raise _entities_error(f'Tag "tg-emoji" must have attribute "emoji-id" at {offset}')
                open_tags.append(name)
            position = match.end()
        elif char == "&":
            match = _ENTITY_RE.match(source, position)
            if not match or (match.group(3) and match.group(3) not in _NAMED_ENTITIES):
                raise _entities_error(f"Unsupported HTML entity or stray '&' at byte offset {offset} (write &amp;)")
            decimal, hexadecimal, name = match.groups()
            if name:
                visible.append(_NAMED_ENTITIES[name])
            else:
                visible.append(chr(int(decimal) if decimal else int(hexadecimal, 16)))
            position = match.end()
        else:
            visible.append(char)
            position += 1
    if open_tags:
        raise _entities_error(f'Can\'t find end tag corresponding to start tag "{open_tags[-1]}"')
    return "".join(visible)


def _render_text(text: str, parse_mode: str | None) -> str:
    """The text the user sees. Only HTML is rendered (and validated); Markdown is kept as sent."""
    if parse_mode and parse_mode.upper() == "HTML":
        return html_to_text(text)
    return text


def _check_text(visible: str, *, caption: bool = False) -> None:
    if caption:
        if _utf16_len(visible) > MAX_CAPTION_LENGTH:
            raise _bad_request("message caption is too long")
        return
    if not visible.strip():
        raise _bad_request("message text is empty")
    if _utf16_len(visible) > MAX_TEXT_LENGTH:
        raise _bad_request("message is too long")


def _check_inline_keyboard(markup: JSON) -> None:
    rows = markup.get("inline_keyboard")
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise _bad_request("can't parse inline keyboard markup JSON object")
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not button.get("text"):
                raise _bad_request("BUTTON_TEXT_INVALID")
            if not any(key in button for key in _BUTTON_ACTIONS):
                raise _bad_request(
                    "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
                )
            if "callback_data" in button:
                data = button["callback_data"]
                if not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA_BYTES:
                    raise _bad_request("BUTTON_DATA_INVALID")
            if "url" in button and (not button["url"] or any(c.isspace() for c in button["url"])):
                raise _bad_request("BUTTON_URL_INVALID")


def _buttons_of(raw: JSON) -> list[list[Button]]:
    rows = (raw.get("reply_markup") or {}).get("inline_keyboard") or []
    return [
        [Button(b["text"], b.get("callback_data", b.get("url"))) for b in row if isinstance(b, dict)] for row in rows
    ]


# --------------------------------------------------------------------------------------------------
# Fault injection and rate observation
# --------------------------------------------------------------------------------------------------


@dataclass(eq=False)
class Fault:
    """One injected failure. ``times=None`` means until cleared; ``served`` counts its uses."""

    method: str | None = None
    chat_id: ChatId | None = None
    status: int | None = None
    retry_after: float | None = None
    description: str | None = None
    hang: float | None = None
    drop: bool = False
    times: int | None = 1
    served: int = 0

    def matches(self, method: str, chat_id: ChatId | None) -> bool:
        if self.times is not None and self.served >= self.times:
            return False
        if self.method is None:
            # Polling is never hit by a wildcard: name getUpdates explicitly to fault it.
            if method.lower() == "getupdates":
                return False
        elif self.method.lower() != method.lower():
            return False
        return self.chat_id is None or _normalize_chat_id(self.chat_id) == chat_id

    def error(self) -> ApiError | None:
        """The Telegram-shaped error this fault answers with (None: answer normally after a hang)."""
        if self.status is None:
            return None
        if self.status == 429:
            retry_after = self.retry_after if self.retry_after is not None else 1
            shown = int(retry_after) if float(retry_after).is_integer() else retry_after
            return ApiError(
                429,
                self.description or f"Too Many Requests: retry after {shown}",
                {"retry_after": shown},
            )
        defaults = {
            400: "Bad Request: injected fault",
            403: "Forbidden: bot was blocked by the user",
            500: "Internal Server Error",
            502: "Bad Gateway",
        }
        return ApiError(self.status, self.description or defaults.get(self.status, "Injected fault"))


class Faults:
    """The fault table of a :class:`FakeBotApi`; the first matching active fault is served."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self.served: Counter[str] = Counter()  # "429", "403", "hang", "drop", ... -> times served

    def add(
        self,
        method: str | None = None,
        chat_id: ChatId | None = None,
        status: int | None = None,
        *,
        retry_after: float | None = None,
        description: str | None = None,
        hang: float | None = None,
        drop: bool = False,
        times: int | None = 1,
    ) -> Fault:
        """Add a fault. 429 answers with ``parameters.retry_after`` (a float is fine for fast tests);
        ``hang`` delays the answer (a normal answer unless a status is given); ``drop`` closes the
        connection without an answer."""
        if status is None and hang is None and not drop:
            raise ValueError("a fault needs a status, hang=seconds or drop=True")
        if status == 429 and retry_after is None:
            retry_after = 1
        fault = Fault(method, chat_id, status, retry_after, description, hang, drop, times)
        self._faults.append(fault)
        return fault

    def remove(self, fault: Fault) -> None:
        with contextlib.suppress(ValueError):
            self._faults.remove(fault)

    def clear(self) -> None:
        self._faults.clear()

    @property
    def active(self) -> list[Fault]:
        return [f for f in self._faults if f.times is None or f.served < f.times]

    @property
    def total_served(self) -> int:
        return sum(self.served.values())

    def take(self, method: str, chat_id: ChatId | None) -> Fault | None:
        for fault in self._faults:
            if fault.matches(method, chat_id):
                fault.served += 1
                kind = "drop" if fault.drop else str(fault.status) if fault.status else "hang"
                self.served[kind] += 1
                return fault
        return None


class RateObserver:
    """Timestamps (``time.monotonic()``) of every successful message send, per chat.

    Counts the methods that put a new message in a chat (sendMessage, sendPhoto, ...), not edits
    or chat actions. Telegram's limits to compare with: about 30 messages/s overall, 1 message/s
    per private chat, 20 messages/minute per group.
    """

    def __init__(self) -> None:
        self._sends: list[tuple[float, ChatId | None]] = []

    def record(self, chat_id: ChatId | None, at: float) -> None:
        self._sends.append((at, chat_id))

    def reset(self) -> None:
        self._sends.clear()

    def timestamps(self, chat_id: ChatId | None = None) -> list[float]:
        """All send times, or those for one chat."""
        return [at for at, chat in self._sends if chat_id is None or chat == chat_id]

    @property
    def total(self) -> int:
        return len(self._sends)

    @property
    def chats(self) -> set[ChatId | None]:
        return {chat for _, chat in self._sends}

    def rate(self, chat_id: ChatId | None = None) -> float:
        """Achieved messages/second between the first and the last send (0.0 for fewer than 2)."""
        stamps = self.timestamps(chat_id)
        if len(stamps) < 2 or stamps[-1] == stamps[0]:
            return 0.0
        return (len(stamps) - 1) / (stamps[-1] - stamps[0])

    def peak(self, window: float = 1.0, chat_id: ChatId | None = None) -> int:
        """The most sends that fell within any ``window`` seconds (compare with Telegram's limits)."""
        stamps = sorted(self.timestamps(chat_id))
        best, start = 0, 0
        for end, at in enumerate(stamps):
            while at - stamps[start] >= window:
                start += 1
            best = max(best, end - start + 1)
        return best

    def per_chat(self) -> dict[ChatId | None, float]:
        """Achieved messages/second for every chat that received messages."""
        return {chat: self.rate(chat) for chat in self.chats}


# --------------------------------------------------------------------------------------------------
# Chats, messages, files, updates
# --------------------------------------------------------------------------------------------------


@dataclass
class _StoredMessage:
    """The live state of a message; the public API hands out :class:`ChatMessage` snapshots."""

    chat_id: ChatId
    raw: JSON
    from_bot: bool
    seq: int  # bumped on every change, so a user action can tell what changed since it began
    created: int
    source_text: str | None = None
    parse_mode: str | None = None
    file: UploadedFile | None = None
    edited: bool = False
    deleted: bool = False

    @property
    def message_id(self) -> int:
        return int(self.raw["message_id"])

    def snapshot(self) -> ChatMessage:
        raw = copy.deepcopy(self.raw)
        kinds = ("text", "photo", "document", "sticker", "voice", "location", "video", "audio")
        kind = next((k for k in kinds if k in raw), "other")
        return ChatMessage(
            chat_id=self.chat_id,
            message_id=self.message_id,
            from_bot=self.from_bot,
            kind=kind,
            text=raw.get("text", raw.get("caption")),
            buttons=_buttons_of(raw),
            raw=raw,
            edited=self.edited,
            deleted=self.deleted,
            source_text=self.source_text,
            parse_mode=self.parse_mode,
            file=self.file,
        )


@dataclass
class _StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    filename: str | None = None
    mime_type: str | None = None


class _UpdateQueue:
    """Pending updates with Telegram's getUpdates semantics: kept until confirmed by ``offset``."""

    def __init__(self) -> None:
        self._pending: list[JSON] = []
        self._ids = itertools.count(10_001)
        self._pushed = asyncio.Event()

    def push(self, update: JSON) -> JSON:
        update = dict(update)
        update.setdefault("update_id", next(self._ids))
        self._pending.append(update)
        self._pushed.set()
        self._pushed = asyncio.Event()
        return update

    def confirm(self, offset: int | None) -> None:
        if not offset:
            return
        if offset < 0:
            self._pending = self._pending[offset:]
        else:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]

    def take(self, limit: int, allowed: list[str] | None) -> list[JSON]:
        updates = self._pending
        if allowed:
            updates = [u for u in updates if any(kind in u for kind in allowed)]
        return copy.deepcopy(updates[:limit])

    def clear(self) -> None:
        self._pending.clear()

    @property
    def pending_count(self) -> int:
        return len(self._pending)

    @property
    def next_push(self) -> asyncio.Event:
        return self._pushed


# --------------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------------


_SERVERS: weakref.WeakSet[FakeBotApi] = weakref.WeakSet()  # started servers, for running_app's hook


class FakeBotApi:
    """A Telegram Bot API server on 127.0.0.1 with an ephemeral port, for PTB's ``base_url``.

    Use as ``async with FakeBotApi() as api:`` (or ``await start()`` / ``await stop()``) in the
    event loop of the test, then build the Application with ``api.base_url`` and
    ``api.base_file_url`` (see :func:`app_builder`).
    """

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        bot_username: str = "BilzenTestBot",
        bot_name: str = "Bilzen Testbot",
    ) -> None:
        self.token = token
        self.bot_user: JSON = {
            "id": int(token.split(":", 1)[0]),
            "is_bot": True,
            "first_name": bot_name,
            "username": bot_username,
        }
        self.calls: list[ApiCall] = []
        self.faults = Faults()
        self.rate = RateObserver()
        self.updates = _UpdateQueue()
        self.callback_answers: dict[str, JSON] = {}  # callback_query_id -> answerCallbackQuery params
        self.unknown_methods: list[str] = []
        self.webhook: JSON = {"url": ""}
        self.commands: dict[str, list[JSON]] = {}  # scope+language -> commands
        self._chats: dict[ChatId, JSON] = {}
        self._messages: dict[ChatId, dict[int, _StoredMessage]] = {}
        self._message_ids: dict[ChatId, itertools.count[int]] = {}
        self._reply_keyboards: dict[ChatId, list[list[str]]] = {}
        self._files: dict[str, _StoredFile] = {}
        self._file_paths: dict[str, _StoredFile] = {}
        self._file_numbers = itertools.count(1)
        self._callback_queries: dict[str, JSON] = {}
        self._blocks: dict[ChatId, Fault] = {}
        self._users: dict[int, FakeUser] = {}
        self._seq = itertools.count(1)
        self._query_ids = itertools.count(7_000_001)
        self._activity = asyncio.Event()
        # Updates the bot finished handling, as reported by running_app's hook (in-process bots only):
        # a simulated person then waits for exactly that, not for a moment of silence.
        self._processed: set[int] = set()
        self._reporting = 0  # how many running Applications report processed updates to this server
        self._poll_generation = 0
        self._poll_superseded = asyncio.Event()
        self._stopping: asyncio.Event | None = None
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._methods: dict[str, Callable[[JSON], Awaitable[Any]]] = {
            name.lower(): getattr(self, f"_m_{name}")
            for name in (
                "getMe",
                "getUpdates",
                "deleteWebhook",
                "setWebhook",
                "getWebhookInfo",
                "setMyCommands",
                "getMyCommands",
                "deleteMyCommands",
                "sendMessage",
                "editMessageText",
                "editMessageReplyMarkup",
                "deleteMessage",
                "answerCallbackQuery",
                "sendPhoto",
                "sendDocument",
                "sendChatAction",
                "getChat",
                "getFile",
                "close",
                "logOut",
            )
        }

    # ---- lifecycle ---------------------------------------------------------------------------

    def _update_processed(self, update_id: int) -> None:
        self._processed.add(update_id)
        self._notify_activity()

    async def start(self) -> FakeBotApi:
        _SERVERS.add(self)
        app = web.Application(client_max_size=60 * 1024 * 1024)  # Telegram takes uploads up to 50 MB
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        # handler_cancellation: a client that gave up (timeout, shutdown) ends its long poll or hang.
        self._runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=1.0, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = self._runner.addresses[0][1]
        self._stopping = asyncio.Event()
        return self

    async def stop(self) -> None:
        _SERVERS.discard(self)
        if self._runner is None:
            return
        if self._stopping:
            self._stopping.set()  # wakes long polls and hangs so shutdown does not wait for them
        await self._runner.cleanup()
        self._runner = None

    async def __aenter__(self) -> FakeBotApi:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeBotApi is not started")
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    # ---- what tests look at ------------------------------------------------------------------

    def calls_to(self, method: str) -> list[ApiCall]:
        return [c for c in self.calls if c.method.lower() == method.lower()]

    def sent_to(self, chat_id: ChatId) -> list[ChatMessage]:
        """The bot's messages in that chat that still exist, in their current (edited) state."""
        return [m.snapshot() for m in self._chat_messages(chat_id) if m.from_bot and not m.deleted]

    def messages(self, chat_id: ChatId) -> list[ChatMessage]:
        """The chat as the user sees it: both sides, current state, deleted messages gone."""
        return [m.snapshot() for m in self._chat_messages(chat_id) if not m.deleted]

    def reply_keyboard(self, chat_id: ChatId) -> list[list[str]] | None:
        """The reply keyboard the bot last set in that chat (None if none or removed)."""
        return self._reply_keyboards.get(_normalize_chat_id(chat_id))  # type: ignore[arg-type]

    def file_data(self, file_id: str) -> bytes:
        """The bytes behind a file_id (uploaded by the bot or sent by a simulated user)."""
        return self._files[file_id].data

    def block(self, chat_id: ChatId) -> None:
        """The user blocked the bot: every call for that chat answers 403 until :meth:`unblock`."""
        key = _normalize_chat_id(chat_id)
        if key is not None and key not in self._blocks:
            self._blocks[key] = self.faults.add(chat_id=key, status=403, times=None)

    def unblock(self, chat_id: ChatId) -> None:
        fault = self._blocks.pop(_normalize_chat_id(chat_id), None)  # type: ignore[arg-type]
        if fault:
            self.faults.remove(fault)

    # ---- simulated people ----------------------------------------------------------------------

    def user(
        self,
        user_id: int,
        first_name: str = "Anna",
        language_code: str | None = "nl",
        *,
        last_name: str | None = None,
        username: str | None = None,
    ) -> FakeUser:
        """A user in a private chat with the bot (chat.id == user_id); the same object per id."""
        if user_id not in self._users:
            self._users[user_id] = FakeUser(self, user_id, first_name, language_code, last_name, username)
        return self._users[user_id]

    def group(self, chat_id: int, title: str = "Vrijwilligers Bilzen", type: str = "supergroup") -> FakeGroup:
        return FakeGroup(self, chat_id, title, type)

    def push_update(self, update: JSON) -> JSON:
        """Queue a raw update for getUpdates; ``update_id`` is filled in if missing."""
        return self.updates.push(update)

    # ---- internals shared with the simulated people --------------------------------------------

    def _register_chat(self, chat: JSON) -> None:
        self._chats[chat["id"]] = chat

    def _chat(self, chat_id: ChatId) -> JSON:
        """The Chat object for an id; unknown ids are fine, like users Telegram knows and we do not."""
        if chat_id not in self._chats:
            if isinstance(chat_id, str):
                chat = {
                    "id": -1_000_000_000_000 - len(self._chats),
                    "type": "channel",
                    "title": chat_id.lstrip("@"),
                    "username": chat_id.lstrip("@"),
                }
            elif chat_id > 0:
                chat = {"id": chat_id, "type": "private", "first_name": f"User {chat_id}"}
            else:
                kind = "supergroup" if chat_id < -1_000_000_000_000 else "group"
                chat = {"id": chat_id, "type": kind, "title": f"Group {chat_id}"}
            self._chats[chat_id] = chat
        return self._chats[chat_id]

    def _chat_messages(self, chat_id: ChatId) -> list[_StoredMessage]:
        key = _normalize_chat_id(chat_id)
        return sorted(self._messages.get(key, {}).values(), key=lambda m: m.message_id)  # type: ignore[arg-type]

    def _store(self, chat_id: ChatId, content: JSON, *, sender: JSON, from_bot: bool, **extra: Any) -> _StoredMessage:
        counter = self._message_ids.setdefault(chat_id, itertools.count(1))
        raw = {
            "message_id": next(counter),
            "from": sender,
            "chat": self._chat(chat_id),
            "date": int(time.time()),
            **content,
        }
        seq = next(self._seq)
        message = _StoredMessage(chat_id, raw, from_bot, seq, seq, **extra)
        self._messages.setdefault(chat_id, {})[message.message_id] = message
        return message

    def _find_message(self, params: JSON, *, action: str) -> _StoredMessage:
        chat_id = _normalize_chat_id(params.get("chat_id"))
        if params.get("inline_message_id"):
            raise _bad_request(f"message to {action} not found")  # inline messages are not simulated
        message = self._messages.get(chat_id, {}).get(params.get("message_id"))  # type: ignore[arg-type]
        if message is None or message.deleted:
            raise _bad_request(f"message to {action} not found")
        return message

    def _add_file(self, data: bytes, kind: str, filename: str | None = None, mime: str | None = None) -> _StoredFile:
        number = next(self._file_numbers)
        suffix = (filename or "").rpartition(".")[2] if filename and "." in filename else "bin"
        stored = _StoredFile(
            file_id=f"FAKE-{kind.upper()}-{number:05d}",
            file_unique_id=f"uniq{number:05d}",
            file_path=f"{kind}s/file_{number}.{suffix}",
            data=data,
            filename=filename,
            mime_type=mime,
        )
        self._files[stored.file_id] = stored
        self._file_paths[stored.file_path] = stored
        return stored

    def _notify_activity(self) -> None:
        self._activity.set()
        self._activity = asyncio.Event()

    async def _wait_activity(self, seconds: float) -> None:
        """Sleep until the next API call arrives or ``seconds`` pass, whichever is first."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._activity.wait(), max(seconds, 0))

    @property
    def _stopping_event(self) -> asyncio.Event:
        if self._stopping is None:
            raise RuntimeError("FakeBotApi is not started")
        return self._stopping

    @property
    def _stopped(self) -> bool:
        return self._stopping is not None and self._stopping.is_set()

    async def _sleep(self, seconds: float) -> bool:
        """Sleep, but wake at server stop; True if the full time passed."""
        try:
            await asyncio.wait_for(self._stopping_event.wait(), seconds)
        except TimeoutError:
            return True
        return False

    # ---- HTTP ----------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return self._unauthorized()
        method = request.match_info["method"]
        params = await self._read_params(request)
        call = ApiCall(method, params, _now(), self._chat_of(method, params))
        self.calls.append(call)
        self._notify_activity()
        try:
            return await self._answer(request, call)
        finally:
            if call.status is None:
                call.status = 499  # the client gave up (timeout or shutdown) before we answered
            call.done_at = _now()
            self._notify_activity()

    async def _answer(self, request: web.Request, call: ApiCall) -> web.StreamResponse:
        fault = self.faults.take(call.method, call.chat_id)
        call.fault = fault
        if fault and fault.hang and not await self._sleep(fault.hang):
            return self._error(call, ApiError(500, "Internal Server Error: server stopping"))
        if fault and fault.drop:
            call.status, call.error = 0, "connection dropped"
            if request.transport is not None:
                request.transport.close()
            return web.Response(status=500)  # never reaches the client: the socket is closed
        if fault and fault.status == 502:
            call.status, call.error = 502, "Bad Gateway (HTML)"
            return web.Response(status=502, text=_BAD_GATEWAY_HTML, content_type="text/html")
        error = fault.error() if fault else None
        if error:
            return self._error(call, error)
        handler = self._methods.get(call.method.lower())
        if handler is None:
            self.unknown_methods.append(call.method)
            return self._error(call, ApiError(404, "Not Found: method not found"))
        try:
            result = await handler(call.params)
        except ApiError as exc:
            return self._error(call, exc)
        call.status, call.result = 200, result
        if call.method.lower() in _SENDING_METHODS:
            self.rate.record(call.chat_id, _now())
        return web.json_response({"ok": True, "result": result}, dumps=_dumps)

    @staticmethod
    def _unauthorized() -> web.Response:
        return web.json_response(ApiError(401, "Unauthorized").body(), status=401)

    @staticmethod
    def _error(call: ApiCall, error: ApiError) -> web.Response:
        call.status, call.error = error.code, error.description
        return web.json_response(error.body(), status=error.code, dumps=_dumps)

    async def _read_params(self, request: web.Request) -> JSON:
        """Query string plus form or multipart body; nested values are JSON strings (PTB's format)."""
        params: JSON = {key: _decode_param(key, value) for key, value in request.query.items()}
        if request.content_type == "application/json":
            body = await request.json()
            params.update(body if isinstance(body, dict) else {})
            return params
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                params[key] = UploadedFile(key, value.filename, value.content_type, value.file.read())
            else:
                params[key] = _decode_param(key, value)
        return params

    def _chat_of(self, method: str, params: JSON) -> ChatId | None:
        if "chat_id" in params:
            return _normalize_chat_id(params["chat_id"])
        if method.lower() == "answercallbackquery":
            query = self._callback_queries.get(str(params.get("callback_query_id")))
            if query and "message" in query:
                return query["message"]["chat"]["id"]
        return None

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return self._unauthorized()
        stored = self._file_paths.get(request.match_info["path"])
        if stored is None:
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        return web.Response(body=stored.data, content_type=stored.mime_type or "application/octet-stream")

    # ---- Bot API methods -----------------------------------------------------------------------

    async def _m_getMe(self, params: JSON) -> JSON:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _m_getUpdates(self, params: JSON) -> list[JSON]:
        if self.webhook["url"]:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        self._poll_generation += 1
        generation = self._poll_generation
        self._poll_superseded.set()  # an older long poll still waiting answers 409, like Telegram
        self._poll_superseded = superseded = asyncio.Event()
        self.updates.confirm(params.get("offset"))
        limit = max(1, min(int(params.get("limit") or 100), 100))
        allowed = params.get("allowed_updates") or None
        deadline = _now() + float(params.get("timeout") or 0)
        while True:
            updates = self.updates.take(limit, allowed)
            remaining = deadline - _now()
            if updates or remaining <= 0 or self._stopped:
                return updates
            await _wait_any((self.updates.next_push, self._stopping_event, superseded), remaining)
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
                )

    async def _m_deleteWebhook(self, params: JSON) -> bool:
        self.webhook = {"url": ""}
        if params.get("drop_pending_updates"):
            self.updates.clear()
        return True

    async def _m_setWebhook(self, params: JSON) -> bool:
        url = params.get("url") or ""
        if url and not str(url).startswith("https://"):
            raise _bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook = {"url": url, **{k: v for k, v in params.items() if k != "url"}}
        if params.get("drop_pending_updates"):
            self.updates.clear()
        return True

    async def _m_getWebhookInfo(self, params: JSON) -> JSON:
        return {
            "url": self.webhook["url"],
            "has_custom_certificate": False,
            "pending_update_count": self.updates.pending_count,
        }

    @staticmethod
    def _commands_key(params: JSON) -> str:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps([scope, params.get("language_code") or ""], sort_keys=True)

    async def _m_setMyCommands(self, params: JSON) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise _bad_request("can't parse commands JSON object")
        for command in commands:
            name = str(command.get("command", ""))
            if not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                raise _bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise _bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[self._commands_key(params)] = commands
        return True

    async def _m_getMyCommands(self, params: JSON) -> list[JSON]:
        return self.commands.get(self._commands_key(params), [])

    async def _m_deleteMyCommands(self, params: JSON) -> bool:
        self.commands.pop(self._commands_key(params), None)
        return True

    def _outgoing(self, params: JSON, body: JSON, **extra: Any) -> JSON:
        """Store a message from the bot (validating its markup) and return it as Telegram would."""
        chat_id = _normalize_chat_id(params.get("chat_id"))
        if chat_id is None:
            raise _bad_request("chat_id is empty")
        markup = params.get("reply_markup")
        if isinstance(markup, dict):
            if "inline_keyboard" in markup:
                _check_inline_keyboard(markup)
                body["reply_markup"] = markup
            elif "keyboard" in markup:
                self._reply_keyboards[chat_id] = [
                    [b["text"] if isinstance(b, dict) else str(b) for b in row] for row in markup["keyboard"]
                ]
            elif markup.get("remove_keyboard"):
                self._reply_keyboards.pop(chat_id, None)
        reply_to = (params.get("reply_parameters") or {}).get("message_id")
        if reply_to and reply_to in self._messages.get(chat_id, {}):
            body["reply_to_message"] = copy.deepcopy(self._messages[chat_id][reply_to].raw)
        message = self._store(chat_id, body, sender=self.bot_user, from_bot=True, **extra)
        return copy.deepcopy(message.raw)

    async def _m_sendMessage(self, params: JSON) -> JSON:
        text, parse_mode = str(params.get("text", "")), params.get("parse_mode")
        visible = _render_text(text, parse_mode)
        _check_text(visible)
        return self._outgoing(params, {"text": visible}, source_text=text, parse_mode=parse_mode)

    async def _m_editMessageText(self, params: JSON) -> JSON:
        text, parse_mode = str(params.get("text", "")), params.get("parse_mode")
        visible = _render_text(text, parse_mode)
        _check_text(visible)
        message = self._find_message(params, action="edit")
        if "text" not in message.raw:
            raise _bad_request("there is no text in the message to edit")
        markup = params.get("reply_markup")
        if markup:
            _check_inline_keyboard(markup)
        old = (message.raw.get("text"), message.source_text, message.raw.get("reply_markup"))
        if old == (visible, text, markup or None):
            raise _bad_request(_NOT_MODIFIED.removeprefix("Bad Request: "))
        message.raw["text"] = visible
        message.source_text, message.parse_mode = text, parse_mode
        self._replace_markup(message, markup)
        return copy.deepcopy(message.raw)

    async def _m_editMessageReplyMarkup(self, params: JSON) -> JSON:
        message = self._find_message(params, action="edit")
        markup = params.get("reply_markup")
        if markup:
            _check_inline_keyboard(markup)
        if (markup or None) == message.raw.get("reply_markup"):
            raise _bad_request(_NOT_MODIFIED.removeprefix("Bad Request: "))
        self._replace_markup(message, markup)
        return copy.deepcopy(message.raw)

    def _replace_markup(self, message: _StoredMessage, markup: JSON | None) -> None:
        """Like Telegram, an edit without reply_markup removes the inline keyboard."""
        if markup:
            message.raw["reply_markup"] = markup
        else:
            message.raw.pop("reply_markup", None)
        message.raw["edit_date"] = int(time.time())
        message.edited, message.seq = True, next(self._seq)

    async def _m_deleteMessage(self, params: JSON) -> bool:
        message = self._find_message(params, action="delete")
        message.deleted, message.seq = True, next(self._seq)
        return True

    async def _m_answerCallbackQuery(self, params: JSON) -> bool:
        query_id = str(params.get("callback_query_id", ""))
        if query_id not in self._callback_queries:
            raise _bad_request("query is too old and response timeout expired or query ID is invalid")
        if query_id in self.callback_answers:
            raise _bad_request("query is too old and response timeout expired or query ID is invalid")
        if len(str(params.get("text") or "")) > 200:
            raise _bad_request("MESSAGE_TOO_LONG")
        self.callback_answers[query_id] = params
        return True

    def _caption(self, params: JSON) -> tuple[JSON, str | None]:
        if "caption" not in params:
            return {}, None
        visible = _render_text(str(params["caption"]), params.get("parse_mode"))
        _check_text(visible, caption=True)
        return {"caption": visible}, str(params["caption"])

    def _input_file(self, params: JSON, name: str, kind: str) -> tuple[_StoredFile, UploadedFile | None]:
        """Resolve an InputFile parameter: an upload, an attach:// reference, a file_id or a URL."""
        value = params.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            value = params.get(value.removeprefix("attach://"))
        if isinstance(value, UploadedFile):
            return self._add_file(value.data, kind, value.filename, value.content_type), value
        if isinstance(value, str) and value in self._files:
            return self._files[value], None
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            return self._add_file(b"", kind, value.rsplit("/", 1)[-1] or None), None
        raise _bad_request("wrong file identifier/HTTP URL specified")

    async def _m_sendPhoto(self, params: JSON) -> JSON:
        caption, source = self._caption(params)
        stored, upload = self._input_file(params, "photo", "photo")
        body = {"photo": self._photo_sizes(stored), **caption}
        return self._outgoing(params, body, source_text=source, parse_mode=params.get("parse_mode"), file=upload)

    async def _m_sendDocument(self, params: JSON) -> JSON:
        caption, source = self._caption(params)
        stored, upload = self._input_file(params, "document", "document")
        body = {"document": _document(stored), **caption}
        return self._outgoing(params, body, source_text=source, parse_mode=params.get("parse_mode"), file=upload)

    def _photo_sizes(self, stored: _StoredFile) -> list[JSON]:
        """Three sizes like Telegram; the smaller ones are aliases of the same stored file."""
        sizes = []
        for size in (90, 320, 1280):
            file_id = stored.file_id if size == 1280 else f"{stored.file_id}-{size}"
            self._files.setdefault(file_id, stored)
            sizes.append(
                {
                    "file_id": file_id,
                    "file_unique_id": f"{stored.file_unique_id}-{size}",
                    "width": size,
                    "height": size * 3 // 4,
                    "file_size": len(stored.data),
                }
            )
        return sizes

    async def _m_sendChatAction(self, params: JSON) -> bool:
        if params.get("action") not in _CHAT_ACTIONS:
            raise _bad_request("wrong parameter action in request")
        return True

    async def _m_getChat(self, params: JSON) -> JSON:
        chat_id = _normalize_chat_id(params.get("chat_id"))
        if chat_id not in self._chats:
            raise _bad_request("chat not found")
        gifts = dict.fromkeys(_GIFT_TYPES, False)
        return {
            **self._chats[chat_id],
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": gifts,
        }

    async def _m_getFile(self, params: JSON) -> JSON:
        stored = self._files.get(str(params.get("file_id")))
        if stored is None:
            raise _bad_request("invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }

    async def _m_close(self, params: JSON) -> bool:
        return True

    async def _m_logOut(self, params: JSON) -> bool:
        return True


async def _wait_any(events: Iterable[asyncio.Event], seconds: float) -> None:
    """Wait until one of the events is set or ``seconds`` pass (events, not coroutines, so nothing
    is left un-awaited when the wait is cancelled early)."""
    tasks = [asyncio.create_task(event.wait()) for event in events]
    try:
        await asyncio.wait(tasks, timeout=max(seconds, 0), return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _decode_param(name: str, value: str) -> Any:
    """PTB sends str parameters raw and everything else (ints, bools, markup) as JSON text."""
    if name in _TEXT_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _document(stored: _StoredFile) -> JSON:
    document = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.data),
    }
    if stored.filename:
        document["file_name"] = stored.filename
    if stored.mime_type:
        document["mime_type"] = stored.mime_type
    return document


# --------------------------------------------------------------------------------------------------
# Simulated people
# --------------------------------------------------------------------------------------------------

# Bots in another process (python -m bot run, webhooks through a real server) cannot report when they are done
# with an update: for them a reply counts as finished after this many seconds without a call for the chat.
QUIET = 0.15
TIMEOUT = 5.0  # seconds a user waits for the bot before the test fails


def _describe(call: ApiCall) -> str:
    text = call.params.get("text") or call.params.get("caption")
    shown = f" {str(text)[:60]!r}" if text else ""
    outcome = "in flight" if call.status is None else "ok" if call.ok else f"{call.status} {call.error}"
    return f"{call.method}{shown} -> {outcome}"


class _Conversation:
    """The human side of one chat: pushes updates and waits until the bot has answered and gone quiet."""

    def __init__(self, api: FakeBotApi, chat: JSON) -> None:
        self.api = api
        self.chat = chat
        api._register_chat(chat)

    @property
    def chat_id(self) -> int:
        return int(self.chat["id"])

    @property
    def inbox(self) -> list[ChatMessage]:
        """Everything the bot sent in this chat, in order, current state (deleted ones flagged)."""
        return [m.snapshot() for m in self.api._chat_messages(self.chat_id) if m.from_bot]

    @property
    def own_messages(self) -> list[ChatMessage]:
        """What the simulated people sent in this chat, for :meth:`FakeUser.edit` and replies."""
        return [m.snapshot() for m in self.api._chat_messages(self.chat_id) if not m.from_bot]

    async def _say(self, sender: JSON, content: JSON, what: str, **wait: Any) -> Replies:
        message = self.api._store(self.chat_id, content, sender=sender, from_bot=False)
        return await self._push_and_wait({"message": copy.deepcopy(message.raw)}, what, **wait)

    async def _push_and_wait(
        self,
        update: JSON,
        what: str,
        *,
        quiet: float = QUIET,
        timeout: float = TIMEOUT,  # noqa: ASYNC109 - a deadline for the bot under test, not a cancel scope
        expect_reply: bool = True,
    ) -> Replies:
        """Push the update, wait until the bot is done with it, and report what changed.

        Done: the Application (started by :func:`running_app`) finished handling the update, no call
        for this chat is still in flight, and (with ``expect_reply``) the bot said something in it.
        A bot that cannot report this (another process) counts as done after ``quiet`` seconds
        without a call for the chat. With ``expect_reply=False`` an answer of no message is fine.
        """
        api = self.api
        first_call, first_seq, started = len(api.calls), next(api._seq), _now()
        update_id = api.push_update(update)["update_id"]
        deadline = started + timeout
        while True:
            mine = [c for c in api.calls[first_call:] if c.chat_id == self.chat_id]
            busy = any(c.status is None for c in mine)
            now = _now()
            if api._reporting:
                if update_id in api._processed and not busy and (mine or not expect_reply):
                    break
                if now >= deadline:
                    raise AssertionError(self._timeout_report(what, timeout, mine, api.calls[first_call:]))
                await api._wait_activity(deadline - now)
                continue
            last = max((c.done_at or c.at for c in mine), default=None if expect_reply else started)
            if last is not None and not busy and now - last >= quiet:
                break
            if now >= deadline:
                raise AssertionError(self._timeout_report(what, timeout, mine, api.calls[first_call:]))
            wait = deadline - now if last is None else quiet - (now - last)
            await api._wait_activity(min(max(wait, 0.005), deadline - now))
        changed = [m for m in api._chat_messages(self.chat_id) if m.from_bot and m.seq > first_seq]
        return Replies(
            (m.snapshot() for m in changed if not m.deleted),
            new_ids=(m.message_id for m in changed if m.created > first_seq),
            deleted=(m.message_id for m in changed if m.deleted),
            errors=(c for c in mine if not c.ok),
        )

    def _timeout_report(self, what: str, timeout: float, mine: list[ApiCall], all_calls: list[ApiCall]) -> str:
        lines = [f"The bot did not answer {what} in chat {self.chat_id} and go quiet within {timeout} s."]
        lines.append("Calls for this chat: " + ("; ".join(map(_describe, mine)) or "none"))
        others = [c for c in all_calls if c.chat_id != self.chat_id and c.method.lower() != "getupdates"]
        if others:
            lines.append("Other calls meanwhile: " + "; ".join(map(_describe, others)))
        polls = sum(1 for c in all_calls if c.method.lower() == "getupdates")
        lines.append(f"getUpdates calls meanwhile: {polls} (0 means the Application is not polling)")
        return "\n".join(lines)

    async def _press(
        self, sender: JSON, message: ChatMessage | int, text: str, *, expect_answer: bool = True, **wait: Any
    ) -> Replies:
        message_id = message if isinstance(message, int) else message.message_id
        stored = self.api._messages.get(self.chat_id, {}).get(message_id)
        if stored is None or stored.deleted:
            raise AssertionError(f"Message {message_id} is not (or no longer) in chat {self.chat_id}")
        button = stored.snapshot().button(text)
        raw_button = next(
            b for row in stored.raw["reply_markup"]["inline_keyboard"] for b in row if b.get("text") == text
        )
        if "callback_data" not in raw_button:
            raise AssertionError(f"Button {text!r} is not a callback button: {raw_button}")
        query_id = str(next(self.api._query_ids))
        query = {
            "id": query_id,
            "from": sender,
            "message": copy.deepcopy(stored.raw),
            "chat_instance": f"ci{abs(self.chat_id)}",
            "data": button.data,
        }
        self.api._callback_queries[query_id] = query
        replies = await self._push_and_wait({"callback_query": query}, f"the press on {text!r}", **wait)
        replies.callback_answer = self.api.callback_answers.get(query_id)
        if expect_answer and replies.callback_answer is None:
            raise AssertionError(
                f"The bot did not call answerCallbackQuery for the press on {text!r} "
                f"(the user's button keeps spinning). Replies: {replies.texts}"
            )
        return replies


def _text_content(text: str) -> JSON:
    """A text message; a leading /command gets its bot_command entity, so CommandHandler sees it."""
    content: JSON = {"text": text}
    if text.startswith("/"):
        command = text.split(maxsplit=1)[0]
        content["entities"] = [{"type": "bot_command", "offset": 0, "length": _utf16_len(command)}]
    return content


class FakeUser(_Conversation):
    """A person in a private chat with the bot (chat.id == user id). Every action returns
    the bot's :class:`Replies` once the bot has gone quiet (keywords ``quiet``, ``timeout``,
    ``expect_reply``)."""

    def __init__(
        self,
        api: FakeBotApi,
        user_id: int,
        first_name: str,
        language_code: str | None,
        last_name: str | None = None,
        username: str | None = None,
    ) -> None:
        self.user: JSON = {"id": user_id, "is_bot": False, "first_name": first_name}
        chat: JSON = {"id": user_id, "type": "private", "first_name": first_name}
        for key, value in (("last_name", last_name), ("username", username)):
            if value:
                self.user[key] = chat[key] = value
        if language_code:
            self.user["language_code"] = language_code
        super().__init__(api, chat)

    @property
    def user_id(self) -> int:
        return int(self.user["id"])

    @property
    def reply_keyboard(self) -> list[list[str]] | None:
        return self.api.reply_keyboard(self.user_id)

    async def send(self, text: str, **wait: Any) -> Replies:
        """Type a message (``/start payload`` becomes a command)."""
        return await self._say(self.user, _text_content(text), f"{text!r}", **wait)

    async def press(
        self, message: ChatMessage | int, button_text: str, *, expect_answer: bool = True, **wait: Any
    ) -> Replies:
        """Press an inline button; fails if there is no such button or the bot never answers the query."""
        return await self._press(self.user, message, button_text, expect_answer=expect_answer, **wait)

    async def forward(
        self,
        text: str,
        from_chat_title: str = "Sociaal Huis Bilzen",
        *,
        origin: Literal["channel", "user", "hidden_user"] = "channel",
        date: int | None = None,
        **wait: Any,
    ) -> Replies:
        """Forward a message (Bot API 7+ ``forward_origin``) from a channel, a user or a hidden user."""
        when = date if date is not None else int(time.time()) - 3600
        if origin == "channel":
            chat = {"id": -1001234567890, "type": "channel", "title": from_chat_title}
            source: JSON = {"type": "channel", "chat": chat, "message_id": 42, "date": when}
        elif origin == "user":
            sender = {"id": 555_000_111, "is_bot": False, "first_name": from_chat_title}
            source = {"type": "user", "sender_user": sender, "date": when}
        else:
            source = {"type": "hidden_user", "sender_user_name": from_chat_title, "date": when}
        content = {**_text_content(text), "forward_origin": source}
        content.pop("entities", None)
        return await self._say(self.user, content, f"the forward {text!r}", **wait)

    async def send_photo(
        self,
        caption: str | None = None,
        *,
        data: bytes = b"\xff\xd8fake-jpeg\xff\xd9",
        forwarded_from: str | None = None,
        **wait: Any,
    ) -> Replies:
        """Send a photo; with ``forwarded_from`` it is forwarded from a channel of that title."""
        stored = self.api._add_file(data, "photo", "photo.jpg", "image/jpeg")
        content: JSON = {"photo": self.api._photo_sizes(stored)}
        if caption:
            content["caption"] = caption
        if forwarded_from is not None:
            chat = {"id": -1001234567890, "type": "channel", "title": forwarded_from}
            origin = {"type": "channel", "chat": chat, "message_id": 43, "date": int(time.time())}
            content["forward_origin"] = origin
        return await self._say(self.user, content, "a photo", **wait)

    async def send_sticker(self, emoji: str = "👍", **wait: Any) -> Replies:
        stored = self.api._add_file(b"fake-webp", "sticker", "sticker.webp", "image/webp")
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }
        return await self._say(self.user, {"sticker": sticker}, "a sticker", **wait)

    async def send_voice(self, duration: int = 3, *, data: bytes = b"OggS-fake-voice", **wait: Any) -> Replies:
        stored = self.api._add_file(data, "voice", "voice.ogg", "audio/ogg")
        voice = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": len(data),
        }
        return await self._say(self.user, {"voice": voice}, "a voice message", **wait)

    async def send_location(self, latitude: float, longitude: float, **wait: Any) -> Replies:
        location = {"latitude": latitude, "longitude": longitude}
        return await self._say(self.user, {"location": location}, "a location", **wait)

    async def send_document(
        self,
        filename: str = "brief.pdf",
        mime: str = "application/pdf",
        *,
        data: bytes = b"%PDF-1.4 fake",
        caption: str | None = None,
        **wait: Any,
    ) -> Replies:
        stored = self.api._add_file(data, "document", filename, mime)
        content: JSON = {"document": _document(stored)}
        if caption:
            content["caption"] = caption
        return await self._say(self.user, content, f"the document {filename!r}", **wait)

    async def edit(self, message: ChatMessage | int, new_text: str, **wait: Any) -> Replies:
        """Edit one of the user's own text messages: an ``edited_message`` update."""
        message_id = message if isinstance(message, int) else message.message_id
        stored = self.api._messages.get(self.chat_id, {}).get(message_id)
        if stored is None or stored.from_bot or "text" not in stored.raw:
            raise AssertionError(f"Message {message_id} is not a text message of user {self.user_id}")
        stored.raw.update(_text_content(new_text))
        if not new_text.startswith("/"):
            stored.raw.pop("entities", None)
        stored.raw["edit_date"] = int(time.time())
        stored.edited, stored.seq = True, next(self.api._seq)
        update = {"edited_message": copy.deepcopy(stored.raw)}
        return await self._push_and_wait(update, f"the edit to {new_text!r}", **wait)


class FakeGroup(_Conversation):
    """A group chat with the bot; messages come from ``user`` (a default member if not given)."""

    def __init__(self, api: FakeBotApi, chat_id: int, title: str, type: str) -> None:
        super().__init__(api, {"id": chat_id, "type": type, "title": title})

    def _sender(self, user: FakeUser | None) -> JSON:
        return (user or self.api.user(4242, "Jan", "nl")).user

    async def send(self, text: str, *, user: FakeUser | None = None, **wait: Any) -> Replies:
        return await self._say(self._sender(user), _text_content(text), f"{text!r}", **wait)

    async def press(
        self,
        message: ChatMessage | int,
        button_text: str,
        *,
        user: FakeUser | None = None,
        expect_answer: bool = True,
        **wait: Any,
    ) -> Replies:
        return await self._press(self._sender(user), message, button_text, expect_answer=expect_answer, **wait)


# --------------------------------------------------------------------------------------------------
# PTB helpers shared by tests and benchmarks
# --------------------------------------------------------------------------------------------------


@functools.cache
def _shared_ssl_context() -> ssl.SSLContext:
    """One default SSL context for all test clients: httpx loads the CA bundle for every client
    otherwise (about 60 ms each, two per Application), although the fake server speaks plain HTTP."""
    return ssl.create_default_context()


def app_builder(
    api: FakeBotApi,
    *,
    read_timeout: float = 2.0,
    write_timeout: float = 2.0,
    connect_timeout: float = 2.0,
    pool_timeout: float = 1.0,
) -> ApplicationBuilder:
    """An ApplicationBuilder aimed at the fake server, with timeouts short enough for tests.

    The request objects are set here, so set timeouts through these arguments: PTB refuses
    ``.read_timeout()`` and friends on a builder that already has a request. Everything else
    (``.rate_limiter()``, ``.concurrent_updates()``, persistence, ...) can still be chained.
    """
    from telegram.ext import ApplicationBuilder
    from telegram.request import HTTPXRequest

    def request(pool_size: int) -> HTTPXRequest:
        return HTTPXRequest(
            connection_pool_size=pool_size,
            read_timeout=read_timeout,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
            media_write_timeout=write_timeout,
            httpx_kwargs={"verify": _shared_ssl_context()},
        )

    return (
        ApplicationBuilder()
        .token(api.token)
        .base_url(api.base_url)
        .base_file_url(api.base_file_url)
        .request(request(pool_size=256))  # PTB's defaults: 256 for calls, 1 for getUpdates
        .get_updates_request(request(pool_size=1))
    )


@contextlib.asynccontextmanager
async def running_app(
    app: Application, *, poll_timeout: float = 1, raise_errors: bool = True
) -> AsyncIterator[Application]:
    """Initialize, start and long-poll ``app``; on exit stop polling, stop and shut down cleanly.

    If the app has no error handler of its own, PTB would only log exceptions from handlers; with
    ``raise_errors`` they are collected and re-raised on exit, so a crashing handler fails the test.
    """
    if app.updater is None:
        raise ValueError("running_app needs an Application with an Updater")
    errors: list[BaseException] = []

    async def collect(update: object, context: Any) -> None:
        errors.append(context.error)

    collecting = raise_errors and not app.error_handlers
    if collecting:
        app.add_error_handler(collect)
    servers = [api for api in _SERVERS if api.token == app.bot.token]
    handle = app.process_update

    async def process_update(update: object) -> None:
        """PTB's own, then tell the fake server this update is done (what simulated people wait for)."""
        try:
            await handle(update)
        finally:
            update_id = getattr(update, "update_id", None)  # an Update (PTB also passes errors through here)
            if isinstance(update_id, int):
                for api in servers:
                    api._update_processed(update_id)

    app.process_update = process_update  # type: ignore[method-assign]  # PTB offers no hook after an update
    for api in servers:
        api._reporting += 1
    try:
        async with app:
            await app.start()
            await app.updater.start_polling(poll_interval=0, timeout=poll_timeout)
            try:
                yield app
            finally:
                if app.updater.running:
                    await app.updater.stop()
                if app.running:
                    await app.stop()
    finally:
        for api in servers:
            api._reporting -= 1
        del app.process_update  # the Application may be run again (restarts in tests)
        if collecting:
            app.remove_error_handler(collect)
    if errors:
        raise AssertionError(f"{len(errors)} error(s) in handlers, first: {errors[0]!r}") from errors[0]
