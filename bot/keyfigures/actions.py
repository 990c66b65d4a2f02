"""The buttons of key figures ("k1") and coordinators ("a1") as typed actions (format and rules:
bot/chat/actions.py). Who may press what is checked by the handlers (bot/keyfigures/roles.py), never here.

  k1:<ok|da|ed|pv|x|nd>:<pk>    a draft: confirm, confirm although a duplicate, edit menu, back to the
                                preview, cancel, no date
  k1:f:<pk>:<field>             ask one field          k1:k:<pk>:<kind>     set the kind
  k1:dm:<pk>:<other pk>         merge the draft into a probable duplicate
  k1:cat, k1:sc:<category>, k1:sub:<each|weekly>:[<category>], k1:uns   notices of new offers
  a1:tr:<key figure>:<0|1>, a1:rv:<key figure>   trust or revoke a key figure
  a1:<ok|no|m|cx|cxy|up|de|dey>:<pk>             approve, refuse, manage, call off (asked, confirmed),
                                                 publish again, delete (asked, confirmed)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.chat.actions import SEPARATOR, join, number, split

KEY_FIGURE_PREFIX = "k1"
ADMIN_PREFIX = "a1"
_CODE = re.compile(r"[a-z]{1,12}")  # field codes, kinds, modes


# --- key figures ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Confirm:
    pk: int


@dataclass(frozen=True)
class ConfirmAnyway:
    """Confirm although the bot found a probable duplicate."""

    pk: int


@dataclass(frozen=True)
class EditMenu:
    pk: int


@dataclass(frozen=True)
class Back:
    """Back to the draft's preview (or an admin's card)."""

    pk: int


@dataclass(frozen=True)
class Cancel:
    pk: int


@dataclass(frozen=True)
class NoDate:
    pk: int


@dataclass(frozen=True)
class AskField:
    pk: int
    field: str


@dataclass(frozen=True)
class SetKind:
    pk: int
    kind: str


@dataclass(frozen=True)
class Merge:
    pk: int
    other: int


@dataclass(frozen=True)
class Categories:
    """Notices: choose a category."""


@dataclass(frozen=True)
class ChooseCategory:
    category: str


@dataclass(frozen=True)
class Subscribe:
    """Notices of new offers, each one or weekly; an empty category is all of them."""

    mode: str
    category: str = ""


@dataclass(frozen=True)
class Unsubscribe:
    pass


DraftAction = Confirm | ConfirmAnyway | EditMenu | Back | Cancel | NoDate | AskField | SetKind | Merge
NoticeAction = Categories | ChooseCategory | Subscribe | Unsubscribe
KeyFigureAction = DraftAction | NoticeAction
_DRAFT_BY_PK: dict[str, type[Confirm | ConfirmAnyway | EditMenu | Back | Cancel | NoDate]] = {
    "ok": Confirm,
    "da": ConfirmAnyway,
    "ed": EditMenu,
    "pv": Back,
    "x": Cancel,
    "nd": NoDate,
}
_DRAFT_VERB = {cls: verb for verb, cls in _DRAFT_BY_PK.items()}
DRAFT_ACTIONS_BY_PK = tuple(_DRAFT_BY_PK.values())  # every draft action that takes only an offer number


def encode(action: KeyFigureAction) -> str:
    p = KEY_FIGURE_PREFIX
    match action:
        case Confirm() | ConfirmAnyway() | EditMenu() | Back() | Cancel() | NoDate():
            return join(p, _DRAFT_VERB[type(action)], action.pk)
        case AskField(pk, field):
            return join(p, "f", pk, field)
        case SetKind(pk, kind):
            return join(p, "k", pk, kind)
        case Merge(pk, other):
            return join(p, "dm", pk, other)
        case Categories():
            return join(p, "cat")
        case ChooseCategory(category):
            return join(p, "sc", category)
        case Subscribe(mode, category):
            return join(p, "sub", mode, category)
        case Unsubscribe():
            return join(p, "uns")
    raise TypeError(f"not a key figure action: {action!r}")


def decode(data: str) -> KeyFigureAction | None:
    """The action of button data, or None (not a key figure's, an older version's, or forged)."""
    parts = split(data, KEY_FIGURE_PREFIX)
    if parts is None:
        return None
    verb, args = parts[0], parts[1:]
    if verb in _DRAFT_BY_PK and len(args) == 1:
        pk = number(args[0])
        return None if pk is None else _DRAFT_BY_PK[verb](pk)
    if verb in ("f", "k") and len(args) == 2 and _CODE.fullmatch(args[1]):
        pk = number(args[0])
        if pk is None:
            return None
        return AskField(pk, args[1]) if verb == "f" else SetKind(pk, args[1])
    if verb == "dm" and len(args) == 2:
        pk, other = number(args[0]), number(args[1])
        return None if pk is None or other is None else Merge(pk, other)
    if verb == "cat" and not args:
        return Categories()
    if verb == "sc" and args and all(args):  # a category may hold the separator itself
        return ChooseCategory(SEPARATOR.join(args))
    if verb == "sub" and len(args) >= 2 and _CODE.fullmatch(args[0]):
        return Subscribe(args[0], SEPARATOR.join(args[1:]))
    if verb == "uns" and not args:
        return Unsubscribe()
    return None


# --- coordinators ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Trust:
    key_figure: int
    trusted: bool


@dataclass(frozen=True)
class Revoke:
    key_figure: int


@dataclass(frozen=True)
class Approve:
    pk: int


@dataclass(frozen=True)
class Refuse:
    pk: int


@dataclass(frozen=True)
class Manage:
    pk: int


@dataclass(frozen=True)
class CallOff:
    """Asks first; CallOffConfirmed does it."""

    pk: int


@dataclass(frozen=True)
class CallOffConfirmed:
    pk: int


@dataclass(frozen=True)
class Republish:
    pk: int


@dataclass(frozen=True)
class Delete:
    """Asks first; DeleteConfirmed does it."""

    pk: int


@dataclass(frozen=True)
class DeleteConfirmed:
    pk: int


OfferAdminAction = Approve | Refuse | Manage | CallOff | CallOffConfirmed | Republish | Delete | DeleteConfirmed
AdminAction = Trust | Revoke | OfferAdminAction
_ADMIN_BY_PK: dict[str, type[OfferAdminAction]] = {
    "ok": Approve,
    "no": Refuse,
    "m": Manage,
    "cx": CallOff,
    "cxy": CallOffConfirmed,
    "up": Republish,
    "de": Delete,
    "dey": DeleteConfirmed,
}
_ADMIN_VERB = {cls: verb for verb, cls in _ADMIN_BY_PK.items()}
OFFER_ADMIN_ACTIONS = tuple(_ADMIN_BY_PK.values())  # every coordinator action on one offer


def log_name(action: KeyFigureAction | AdminAction) -> str:
    """What the logs call an action ("ad:dey", "kf:ok"): the kind, never an id or a category."""
    if isinstance(action, Trust | Revoke | OfferAdminAction):
        return "ad:" + encode_admin(action).split(SEPARATOR)[1]
    return "kf:" + encode(action).split(SEPARATOR)[1]


def encode_admin(action: AdminAction) -> str:
    match action:
        case Trust(key_figure, trusted):
            return join(ADMIN_PREFIX, "tr", key_figure, int(trusted))
        case Revoke(key_figure):
            return join(ADMIN_PREFIX, "rv", key_figure)
    return join(ADMIN_PREFIX, _ADMIN_VERB[type(action)], action.pk)


def decode_admin(data: str) -> AdminAction | None:
    """The action of button data, or None (not a coordinator's, an older version's, or forged)."""
    parts = split(data, ADMIN_PREFIX)
    if parts is None:
        return None
    verb, args = parts[0], parts[1:]
    if verb == "tr" and len(args) == 2 and args[1] in ("0", "1"):
        found = number(args[0])
        return None if found is None else Trust(found, args[1] == "1")
    if verb == "rv" and len(args) == 1:
        found = number(args[0])
        return None if found is None else Revoke(found)
    if verb in _ADMIN_BY_PK and len(args) == 1:
        pk = number(args[0])
        return None if pk is None else _ADMIN_BY_PK[verb](pk)
    return None
