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

import datetime as dt
import re
from dataclasses import dataclass

MAX_BYTES = 64  # Telegram's limit for callback data and for a deep link's start parameter
SEPARATOR = ":"
_NUMBER = re.compile(r"0|[1-9][0-9]{0,11}")  # offer numbers, offsets, ids: ASCII digits, canonical, not too long
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,16}")  # tokens of ResultPages (secrets.token_urlsafe)
_WORD = re.compile(r"[a-z]{1,8}")  # list keys like "week"
_OFFER_KEY = re.compile(r"[A-Za-z0-9_-]{1,58}")  # what follows "offer-" in a deep link
_MOMENT = re.compile(r"[0-9]{12}")  # a date and time of a card: YYYYMMDDHHMM, naive local


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


def moment(text: str) -> dt.datetime | None:
    """A card's date and time from button data ("202612031200", naive local), or None when it is not a real one."""
    if not _MOMENT.fullmatch(text):
        return None
    try:
        return dt.datetime(int(text[:4]), int(text[4:6]), int(text[6:8]), int(text[8:10]), int(text[10:12]))
    except ValueError:  # 30 February, hour 25
        return None


def stamp(moment: dt.datetime) -> str:
    """A date and time as button data carries it: YYYYMMDDHHMM (seconds and time zone are not kept)."""
    return f"{moment.year:04d}{moment.month:02d}{moment.day:02d}{moment.hour:02d}{moment.minute:02d}"


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
    """'Hoe geraak ik er?': transport that runs on `on`, the date the card showed (None: the next date)."""

    pk: int
    on: dt.datetime | None = None


@dataclass(frozen=True)
class Alone:
    """'Ik wil niet alleen gaan'."""

    pk: int


@dataclass(frozen=True)
class Childcare:
    """'Wie past op de kinderen?': the help that covers `on`, the date the card showed (None: the next date)."""

    pk: int
    on: dt.datetime | None = None


@dataclass(frozen=True)
class Agenda:
    """'Zet in mijn agenda': the date the card showed (`on`, naive local) as an .ics file."""

    pk: int
    on: dt.datetime


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


ChatAction = Info | Route | Alone | Childcare | Agenda | Suggestion | Page | Browse | Menu | Help | Forget
_BY_PK: dict[str, type[Info | Alone]] = {"i": Info, "a": Alone}
_VERB_OF_PK = {cls: verb for verb, cls in _BY_PK.items()}
# Buttons that carry the card's date: "c1:g:12:202612031200"; "c1:g:12" (without it) means the next date.
_DATED: dict[str, type[Route | Childcare]] = {"g": Route, "c": Childcare}
_VERB_OF_DATED = {cls: verb for verb, cls in _DATED.items()}


def encode(action: ChatAction) -> str:
    match action:
        case Info() | Alone():
            return join(PREFIX, _VERB_OF_PK[type(action)], action.pk)
        case Route(pk, None) | Childcare(pk, None):
            return join(PREFIX, _VERB_OF_DATED[type(action)], pk)
        case Route(pk, on) | Childcare(pk, on):
            assert on is not None  # matched by the case above
            return join(PREFIX, _VERB_OF_DATED[type(action)], pk, stamp(on))
        case Agenda(pk, on):
            return join(PREFIX, "k", pk, stamp(on))
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


# Buttons that only show what is there (a card, a list page, the way there, the menu, help): reading, not
# asking. The flood guard gives them a budget of their own (bot/chat/flood.py).
BROWSING: tuple[type[ChatAction], ...] = (Info, Route, Alone, Childcare, Page, Browse, Menu, Help)


def browsing(data: str) -> bool:
    """Whether button data is one of the conversation's browsing buttons (forged data is not)."""
    return isinstance(decode(data), BROWSING)


def decode(data: str) -> ChatAction | None:
    """The action of button data, or None (not the conversation's, an older version's, or forged)."""
    parts = split(data, PREFIX)
    if parts is None:
        return None
    verb, args = parts[0], parts[1:]
    if verb in _BY_PK and len(args) == 1:
        pk = number(args[0])
        return None if pk is None else _BY_PK[verb](pk)
    if verb in _DATED and len(args) in (1, 2):
        pk = number(args[0])
        on = moment(args[1]) if len(args) == 2 else None
        if pk is None or (len(args) == 2 and on is None):
            return None
        return _DATED[verb](pk, on)
    if verb == "k" and len(args) == 2:
        pk, on = number(args[0]), moment(args[1])
        return None if pk is None or on is None else Agenda(pk, on)
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
