"""The language buttons as typed actions (format and rules: bot/chat/actions.py), prefix "l1".

  l1:o          open the language chooser (the button in /start and /hulp)
  l1:c:<code>   speak this language from now on ("l1:c:uk"); only the codes of bot/lang/languages.py

Parsing never raises; a code the bot does not speak, an older version's or a forged button is None.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.chat.actions import join, split
from bot.lang.languages import LANGUAGES

PREFIX = "l1"


@dataclass(frozen=True)
class OpenChooser:
    """Show the languages to choose from."""


@dataclass(frozen=True)
class Choose:
    """Speak `lang` with this person from now on."""

    lang: str


LanguageAction = OpenChooser | Choose


def encode(action: LanguageAction) -> str:
    match action:
        case OpenChooser():
            return join(PREFIX, "o")
        case Choose(lang):
            if lang not in LANGUAGES:
                raise ValueError(f"not a language of the bot: {lang!r}")
            return join(PREFIX, "c", lang)
    raise TypeError(f"not a language action: {action!r}")


def decode(data: str) -> LanguageAction | None:
    """The action of button data, or None (not the language buttons', an older version's, or forged)."""
    parts = split(data, PREFIX)
    if parts == ["o"]:
        return OpenChooser()
    if parts is not None and len(parts) == 2 and parts[0] == "c" and parts[1] in LANGUAGES:
        return Choose(parts[1])
    return None
