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

MAX_MESSAGE_CHARS = 4096  # Telegram's limit for one text message
MAX_ACTION_BYTES = 64  # Telegram's limit for callback_data


@dataclass(frozen=True)
class Button:
    """A button under a message: an action for the bot (`action`) or a web link (`url`)."""

    text: str
    action: str | None = None
    url: str | None = None

    def __post_init__(self) -> None:
        if (self.action is None) == (self.url is None):
            raise ValueError("a button has either an action or a url")
        if self.action is not None and len(self.action.encode()) > MAX_ACTION_BYTES:
            raise ValueError(f"button action longer than {MAX_ACTION_BYTES} bytes: {self.action!r}")


@dataclass(frozen=True)
class Message:
    html: Markup
    buttons: tuple[tuple[Button, ...], ...] = ()
    photo: str | None = None  # a Telegram file id shown above the text

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
    notice: str | None = None  # a short pop-up answer to a button press
    data: dict[str, object] = field(default_factory=dict)  # facts for tests and logs, never shown


def rows(*row_list: Iterable[Button]) -> tuple[tuple[Button, ...], ...]:
    """Button rows, leaving out empty ones."""
    return tuple(tuple(r) for r in row_list if tuple(r))


def join_lines(lines: Iterable[Markup | str | None]) -> Markup:
    """Join the non-empty lines of a message; plain strings are escaped."""
    return Markup("\n").join(line for line in lines if line)


_TAG = re.compile(r"<[^>]+>")


def to_plain(text: str) -> str:
    return html.unescape(_TAG.sub("", text))


def split_long(parts: Sequence[Markup], limit: int = MAX_MESSAGE_CHARS) -> list[Markup]:
    """Pack message parts (cards, paragraphs) into as few messages as fit Telegram's limit.

    A single part longer than the limit is cut at a line break; parts are never cut inside a tag
    because each line of our texts opens and closes its own tags.
    """
    messages: list[Markup] = []
    current = Markup("")
    for part in parts:
        for piece in _cut(part, limit):
            candidate = current + Markup("\n\n") + piece if current else piece
            if len(candidate) <= limit:
                current = candidate
            else:
                messages.append(current)
                current = piece
    if current:
        messages.append(current)
    return messages


def _cut(part: Markup, limit: int) -> list[Markup]:
    if len(part) <= limit:
        return [part]
    pieces: list[Markup] = []
    current = Markup("")
    for line in part.split("\n"):
        line = Markup(line)
        if len(line) > limit:  # e.g. a very long description: cut its plain text at a space
            plain = to_plain(line)
            while len(Markup.escape(plain)) > limit - 1:
                plain = plain[: plain.rfind(" ", 0, len(plain) - 1)] if " " in plain else plain[: limit // 2]
            line = Markup.escape(plain) + Markup("…")
        candidate = current + Markup("\n") + line if current else line
        if len(candidate) <= limit:
            current = candidate
        else:
            pieces.append(current)
            current = line
    if current:
        pieces.append(current)
    return pieces
