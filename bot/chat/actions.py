"""Button data and deep links as typed actions: built and parsed here, never by hand elsewhere.

Button data (Telegram's callback data, at most 64 bytes) reads `<feature><version>:<verb>[:<arg>...]`,
for example "c1:i:12" (the conversation, version 1: more info on offer 12). Each feature has its own
codec with its own prefix: this module for the conversation ("c1"), bot/reminders/actions.py ("r1"),
bot/keyfigures/actions.py ("k1" key figures, "a1" admins). A button from an older version of the bot
(still in someone's chat: "i:12") or a forged one parses to None, and the person gets the friendly
'unknown button' answer with the menu. To change an action's format, bump the feature's version.

Parsing never raises: numbers are ASCII digits only (a superscript '²' or an Arabic-Indic digit passes
`str.isdigit()` but makes `int()` raise), parts are counted, and anything unexpected is None.
tests/chat/test_actions.py feeds every parser random text.

Deep links (`t.me/<bot>?start=<payload>`) are shared outside the bot (forwarded, printed on a flyer), so
their format cannot expire like a button: "offer-<id>" (or "offer-<number>" for an id too long for
Telegram's 64 characters) opens an offer's card; key figures' invites start with "sf_".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_BYTES = 64  # Telegram's limit for callback data and for a deep link's start parameter
SEPARATOR = ":"
_NUMBER = re.compile(r"0|[1-9][0-9]{0,11}")  # offer numbers, offsets, ids: ASCII digits, canonical, not too long
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,16}")  # tokens of ResultPages (secrets.token_urlsafe)
_WORD = re.compile(r"[a-z]{1,8}")  # list keys like "week"
_OFFER_KEY = re.compile(r"[A-Za-z0-9_-]{1,58}")  # what follows "offer-" in a deep link


def fits(data: str) -> bool:
    """Whether button data stays within Telegram's 64 bytes (a lone surrogate, which JSON can carry, counts
    as the three bytes it would take instead of raising)."""
    return len(data.encode("utf-8", "surrogatepass")) <= MAX_BYTES


def number(text: str) -> int | None:
    """A number from button data, or None: clients are not trusted ('²', '٣', '99999999999999999999')."""
    return int(text) if _NUMBER.fullmatch(text) else None


def split(data: str, prefix: str) -> list[str] | None:
    """The parts after `prefix:` ([verb, args...]), or None when the data is not this codec's."""
    if not isinstance(data, str) or not fits(data):
        return None
    head, sep, rest = data.partition(SEPARATOR)
    if head != prefix or not sep or not rest:
        return None
    return rest.split(SEPARATOR)


def join(prefix: str, *parts: object) -> str:
    return SEPARATOR.join([prefix, *(str(p) for p in parts)])


def prefix_of(data: str) -> str:
    """The feature and version that button data belongs to ("c1" of "c1:i:12")."""
    return data.partition(SEPARATOR)[0]


# --- the conversation's buttons --------------------------------------------------------------------

PREFIX = "c1"


@dataclass(frozen=True)
class Info:
    """'Meer info' under a card: the whole card."""

    pk: int


@dataclass(frozen=True)
class Route:
    """'Hoe geraak ik er?'."""

    pk: int


@dataclass(frozen=True)
class Alone:
    """'Ik wil niet alleen gaan'."""

    pk: int


@dataclass(frozen=True)
class Childcare:
    """'Wie past op de kinderen?'."""

    pk: int


@dataclass(frozen=True)
class Suggestion:
    """A 'bedoelde je ...' suggestion, kept in memory under a token."""

    token: str


@dataclass(frozen=True)
class Page:
    """'Meer resultaten': the result list kept in memory under `token`, from `offset`."""

    token: str
    offset: int


@dataclass(frozen=True)
class Browse:
    """A list of the menu (act, disc, tran, supp, week), from `offset` (None: a new message)."""

    what: str
    offset: int | None = None


@dataclass(frozen=True)
class Menu:
    pass


@dataclass(frozen=True)
class Help:
    pass


@dataclass(frozen=True)
class Forget:
    """/vergeet confirmed (yes) or not."""

    yes: bool


ChatAction = Info | Route | Alone | Childcare | Suggestion | Page | Browse | Menu | Help | Forget
_BY_PK: dict[str, type[Info | Route | Alone | Childcare]] = {"i": Info, "g": Route, "a": Alone, "c": Childcare}
_VERB_OF_PK = {cls: verb for verb, cls in _BY_PK.items()}


def encode(action: ChatAction) -> str:
    match action:
        case Info() | Route() | Alone() | Childcare():
            return join(PREFIX, _VERB_OF_PK[type(action)], action.pk)
        case Suggestion(token):
            return join(PREFIX, "s", token)
        case Page(token, offset):
            return join(PREFIX, "p", token, offset)
        case Browse(what, None):
            return join(PREFIX, "b", what)
        case Browse(what, offset):
            return join(PREFIX, "b", what, offset)
        case Menu():
            return join(PREFIX, "m")
        case Help():
            return join(PREFIX, "h")
        case Forget(yes):
            return join(PREFIX, "f", "y" if yes else "n")
    raise TypeError(f"not a conversation action: {action!r}")


def decode(data: str) -> ChatAction | None:
    """The action of button data, or None (not the conversation's, an older version's, or forged)."""
    parts = split(data, PREFIX)
    if parts is None:
        return None
    verb, args = parts[0], parts[1:]
    if verb in _BY_PK and len(args) == 1:
        pk = number(args[0])
        return None if pk is None else _BY_PK[verb](pk)
    if verb == "s" and len(args) == 1 and _TOKEN.fullmatch(args[0]):
        return Suggestion(args[0])
    if verb == "p" and len(args) == 2 and _TOKEN.fullmatch(args[0]):
        offset = number(args[1])
        return None if offset is None else Page(args[0], offset)
    if verb == "b" and len(args) in (1, 2) and _WORD.fullmatch(args[0]):
        if len(args) == 1:
            return Browse(args[0])
        offset = number(args[1])
        return None if offset is None else Browse(args[0], offset)
    if verb == "m" and not args:
        return Menu()
    if verb == "h" and not args:
        return Help()
    if verb == "f" and len(args) == 1 and args[0] in ("y", "n"):
        return Forget(args[0] == "y")
    return None


# --- deep links ---------------------------------------------------------------------------------------

OFFER_LINK = "offer-"


@dataclass(frozen=True)
class OpenOffer:
    """A deep link to an offer's card: by its id, or by its number when the id is too long for a link."""

    offer_id: str | None = None
    pk: int | None = None


def offer_link(offer_id: str, pk: int) -> str:
    """The start payload that opens an offer's card (by number when the id does not fit in a link)."""
    payload = OFFER_LINK + offer_id
    if len(payload) > MAX_BYTES or not _OFFER_KEY.fullmatch(offer_id):
        payload = f"{OFFER_LINK}{pk}"
    return payload


def decode_start(payload: str | None) -> OpenOffer | None:
    """What a /start payload asks for, or None (no payload, an invite, or something unknown)."""
    if not isinstance(payload, str) or not payload.startswith(OFFER_LINK) or len(payload) > MAX_BYTES:
        return None
    key = payload.removeprefix(OFFER_LINK)
    if not _OFFER_KEY.fullmatch(key):
        return None
    return OpenOffer(offer_id=key, pk=number(key))
