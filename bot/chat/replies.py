"""What the bot says, as plain data: messages of safe HTML with rows of buttons.

The core answers with these; the Telegram handlers and the terminal chat only render them. Offer
text enters a message only through `markupsafe` formatting, which escapes it, so a title like
`<b>Spaghetti & co</b>` arrives as written and can never break Telegram's HTML parser.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from markupsafe import Markup

from bot.chat.actions import MAX_BYTES, fits

MAX_MESSAGE_CHARS = 4096  # Telegram's limit for one text message
MAX_ACTION_BYTES = MAX_BYTES  # Telegram's limit for callback_data


@dataclass(frozen=True)
class Button:
    """A button under a message: an action for the bot (`action`) or a web link (`url`)."""

    text: str
    action: str | None = None
    url: str | None = None

    def __post_init__(self) -> None:
        if (self.action is None) == (self.url is None):
            raise ValueError("a button has either an action or a url")
        if self.action is not None and not fits(self.action):
            raise ValueError(f"button action longer than {MAX_ACTION_BYTES} bytes: {self.action!r}")


@dataclass(frozen=True)
class Document:
    """A file sent with a message (the .ics of "Zet in mijn agenda")."""

    filename: str
    data: bytes
    mime_type: str = "text/calendar"


@dataclass(frozen=True)
class Message:
    html: Markup
    buttons: tuple[tuple[Button, ...], ...] = ()
    photo: str | None = None  # a Telegram file id shown above the text
    document: Document | None = None  # a file; the text goes with it as its caption

    @property
    def plain(self) -> str:
        """The text without markup, for the terminal and for logs of our own texts."""
        return to_plain(self.html)


@dataclass(frozen=True)
class Reply:
    """Everything one user action gets back. With `replace`, the first message replaces the one
    whose button was pressed (paging, menus), instead of adding to the chat."""

    messages: tuple[Message, ...] = ()
    replace: bool = False
    spent: bool = False  # the pressed button's row is used up (Meer resultaten): remove it from that message
    notice: str | None = None  # a short pop-up answer to a button press
    data: dict[str, object] = field(default_factory=dict)  # facts for tests and logs, never shown


def rows(*row_list: Iterable[Button]) -> tuple[tuple[Button, ...], ...]:
    """Button rows, leaving out empty ones."""
    return tuple(tuple(r) for r in row_list if tuple(r))


def join_lines(lines: Iterable[Markup | str | None]) -> Markup:
    """Join the non-empty lines of a message; plain strings are escaped."""
    return Markup("\n").join(line for line in lines if line)


_TAG = re.compile(r"<[^>]+>")
_OPEN_ENTITY = re.compile(r"&[#A-Za-z0-9]{0,10}$")  # a cut here would split "&amp;" and the like


def to_plain(text: str) -> str:
    return html.unescape(_TAG.sub("", text))


def text_length(text: str) -> int:
    """The length as Telegram counts it (UTF-16 code units: an emoji counts 2). For HTML source this is an
    upper bound of what the person sees, since tags disappear and '&amp;' becomes one character."""
    return len(text.encode("utf-16-le")) // 2


def split_message(message: Message, limit: int = MAX_MESSAGE_CHARS) -> tuple[Message, ...]:
    """A message too long for Telegram as several in a row: the photo above the first, the buttons under the last."""
    if text_length(message.html) <= limit:
        return (message,)
    pieces = split_long([message.html], limit)
    last = len(pieces) - 1
    return tuple(
        Message(piece, message.buttons if i == last else (), message.photo if i == 0 else None)
        for i, piece in enumerate(pieces)
    )


def split_long(parts: Sequence[Markup], limit: int = MAX_MESSAGE_CHARS) -> list[Markup]:
    """Pack message parts (cards, paragraphs) into as few messages as fit Telegram's limit.

    A part longer than the limit is cut between lines, a line longer than the limit between words:
    nothing is left out. Cuts never fall inside a tag, because each line of our texts opens and closes
    its own tags (a too long line with tags loses its formatting, not its words), nor inside '&amp;'.
    """
    messages: list[Markup] = []
    current = Markup("")
    for part in parts:
        for piece in _cut(part, limit):
            candidate = current + Markup("\n\n") + piece if current else piece
            if text_length(candidate) <= limit:
                current = candidate
            else:
                messages.append(current)
                current = piece
    if current:
        messages.append(current)
    return [m for m in messages if m.strip()]


def _cut(part: Markup, limit: int) -> list[Markup]:
    if text_length(part) <= limit:
        return [part]
    pieces: list[Markup] = []
    current = Markup("")
    for line in part.split("\n"):
        for chunk in _cut_line(Markup(line), limit):
            candidate = current + Markup("\n") + chunk if current else chunk
            if text_length(candidate) <= limit:
                current = candidate
            else:
                if current.strip():
                    pieces.append(current)
                current = chunk
    if current.strip():
        pieces.append(current)
    return pieces


def _cut_line(line: Markup, limit: int) -> list[Markup]:
    """One line in pieces that fit, cut between words (inside a word only when one word is too long)."""
    if text_length(line) <= limit:
        return [line]
    if _TAG.search(line):
        line = Markup.escape(to_plain(line))
    source = str(line)
    pieces: list[str] = []
    while text_length(source) > limit:
        end = _fitting_prefix(source, limit)
        space = source.rfind(" ", 0, end + 1)
        if space > 0:
            end = space
        else:
            entity = _OPEN_ENTITY.search(source, 0, end)
            if entity is not None and entity.start() > 0:
                end = entity.start()
        pieces.append(source[:end])
        source = source[end:].lstrip(" ")
    pieces.append(source)
    return [Markup(p) for p in pieces if p]


def _fitting_prefix(text: str, limit: int) -> int:
    """The largest n such that text[:n] fits the limit in UTF-16 code units."""
    size = 0
    for index, char in enumerate(text):
        size += 2 if ord(char) > 0xFFFF else 1
        if size > limit:
            return index
    return len(text)
