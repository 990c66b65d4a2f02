"""Logging for an unattended server: one line per event, and never the bot token or the webhook secret.

The token is part of every Bot API URL (`.../bot<token>/sendMessage`), and python-telegram-bot and
httpx put such URLs in their debug lines and in some exception messages. A handler filter would only
clean what reaches our own handlers, so the redaction sits in the log record factory instead: every
record of every library is cleaned when it is made, before any handler (a file, journald, pytest's
capture) sees it. Message texts of people are never logged by our code; the few debug lines of
python-telegram-bot that hold whole updates or request parameters are shortened there as well, and
aiosqlite (SQL with its parameters) stays quiet even with --verbose.
"""

from __future__ import annotations

import logging
import sys
import traceback
import urllib.parse
from collections.abc import Iterable
from typing import Any, TextIO

REDACTED = "[redacted]"


def _update_id(args: tuple) -> tuple:
    return (f"<update {getattr(args[0], 'update_id', '?')}>",)


# Debug lines of python-telegram-bot that carry whole updates or API parameters: the message texts of
# people and their ids. They are kept as the update id, the parameter names, the type of the result.
CONTENT_LINES = {
    "Processing update %s": _update_id,
    "Dropping pending update: %s": _update_id,
    "Calling Bot API endpoint `%s` with parameters `%s`": lambda a: (
        a[0],
        sorted(a[1]) if isinstance(a[1], dict) else "?",
    ),
    "Call to Bot API endpoint `%s` finished with return value `%s`": lambda a: (a[0], f"<{type(a[1]).__name__}>"),
}
MIN_SECRET = 6  # shorter strings are no secret worth hiding, and would blank out ordinary words
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Libraries that are chatty at INFO (a line per HTTP request or per scheduler run) are quieter by default.
QUIET_LIBRARIES = ("httpx", "httpcore", "apscheduler", "tornado.access", "matplotlib", "PIL")
NEVER_VERBOSE = ("aiosqlite",)  # its debug lines are SQL statements with their parameters: personal data


class Redactor:
    """Replaces every known secret (and its URL-encoded form) in a text by REDACTED."""

    def __init__(self) -> None:
        self._secrets: list[str] = []
        self.redacted = 0  # how many records had a secret in them: lets a test prove it looked at real leaks

    def add(self, *secrets: str | None) -> None:
        found = set(self._secrets)
        for secret in secrets:
            if not secret:
                continue
            parts = [secret]
            if ":" in secret:  # a bot token "<bot id>:<secret>": the part after the colon is what must not leak
                parts.append(secret.split(":", 1)[1])
            for part in parts:
                for form in (part, urllib.parse.quote(part, safe=""), urllib.parse.quote_plus(part)):
                    if len(form) >= MIN_SECRET:
                        found.add(form)
        self._secrets = sorted(found, key=len, reverse=True)  # the longest first: the token before its half

    def clear(self) -> None:
        self._secrets = []

    def __bool__(self) -> bool:
        return bool(self._secrets)

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text

    def clean(self, record: logging.LogRecord) -> None:
        """Take message contents and the secrets out of a record: message (with arguments), traceback, stack."""
        if record.name in NEVER_VERBOSE and record.levelno < logging.WARNING and record.args:
            record.args = tuple("<hidden>" for _ in record.args) if isinstance(record.args, tuple) else None
        shorten = CONTENT_LINES.get(record.msg) if isinstance(record.msg, str) else None
        if shorten is not None and isinstance(record.args, tuple) and len(record.args) == record.msg.count("%s"):
            try:
                record.args = shorten(record.args)
            except Exception:  # never lose a log line over this
                record.args = tuple("<hidden>" for _ in record.args)
        if not self._secrets:
            return
        dirty = False
        try:
            message = record.getMessage()
        except Exception:  # a badly formatted log call: keep what there is
            message = f"{record.msg} {record.args}"
        clean = self.redact(message)
        if clean != message:
            record.msg, record.args = clean, None
            dirty = True
        if record.exc_info and record.exc_info[0] is not None:
            text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
            clean = self.redact(text)
            if clean != text:
                # The exception object itself still holds the secret: hand handlers the cleaned text only.
                record.exc_text, record.exc_info = clean, None
                dirty = True
        elif record.exc_text:
            clean = self.redact(record.exc_text)
            dirty = dirty or clean != record.exc_text
            record.exc_text = clean
        if record.stack_info:
            clean = self.redact(record.stack_info)
            dirty = dirty or clean != record.stack_info
            record.stack_info = clean
        if dirty:
            self.redacted += 1


REDACTOR = Redactor()
_previous_factory = logging.getLogRecordFactory()


def _record_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
    record = _previous_factory(*args, **kwargs)
    REDACTOR.clean(record)
    return record


def protect(secrets: Iterable[str | None]) -> Redactor:
    """Keep these secrets out of every log record from now on (idempotent; secrets add up)."""
    REDACTOR.add(*secrets)
    if logging.getLogRecordFactory() is not _record_factory:
        logging.setLogRecordFactory(_record_factory)
    return REDACTOR


class OneLineFormatter(logging.Formatter):
    """One event, one line: a traceback is folded onto the line of its message (journald, grep, logrotate
    keep it together), and secrets are taken out once more, for records made before `protect` was called."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        return REDACTOR.redact(text.replace("\r", "").replace("\n", " | "))


class OurHandler(logging.StreamHandler[TextIO]):
    """The handler `configure` installs: a second call replaces it instead of adding another."""


def configure(*, verbose: bool = False, level: int = logging.INFO, stream: TextIO | None = None) -> logging.Handler:
    """Log to stderr (systemd and Docker collect it), one line per event; `verbose` logs everything."""
    handler = OurHandler(stream or sys.stderr)
    handler.setFormatter(OneLineFormatter(FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        if isinstance(old, OurHandler):
            root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else level)
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(logging.DEBUG if verbose else logging.WARNING)
    for name in NEVER_VERBOSE:
        logging.getLogger(name).setLevel(logging.WARNING)
    return handler
