"""Every language file says what the Dutch file says: the same keys, the same placeholders, the same HTML tags.

A translation that misses a key, drops a {placeholder} or loses a </b> would only fail when a person
reaches that text; here it fails at once. Arabic also has to read right to left in Telegram, which
picks a paragraph's direction from its first strong character: a line that starts with a Latin name,
a number, an emoji or a placeholder needs U+200F (RIGHT-TO-LEFT MARK) in front.
"""

from __future__ import annotations

import re
import unicodedata

import pytest

from bot.platform.texts import Texts, placeholders
from tests.helpers import DATA

LANGUAGES = {
    "en": "English",
    "fr": "Français",
    "uk": "Українська",
    "ar": "العربية",
    "tr": "Türkçe",
    "ru": "Русский",
}
DUTCH = Texts.load(DATA / "texts.nl.toml")
TRANSLATIONS = {code: Texts.load(DATA / f"texts.{code}.toml") for code in LANGUAGES}
KEYS = sorted(DUTCH.keys())
TAG = re.compile(r"</?[a-zA-Z][^>]*>")
RLM, LRM = "\u200f", "\u200e"
# Sections whose texts are buttons (Telegram shows about 25-30 characters of a button).
BUTTON_PREFIXES = ("buttons.", "keyfigures.buttons.", "reminders.buttons.", "keyfigures.fields.", "keyfigures.kinds.")
MAX_BUTTON = 30
MAX_COMMAND = 50  # a command description in Telegram's menu: one short line


def tags(template: str) -> list[str]:
    return TAG.findall(template)


def visible(template: str) -> str:
    """The text without its tags and placeholders, as long as a button label would be."""
    return re.sub(r"\{[a-z_]+\}", "", TAG.sub("", template))


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_language_has_exactly_the_dutch_keys(code):
    keys = TRANSLATIONS[code].keys()
    assert sorted(set(KEYS) - keys) == [], f"texts.{code}.toml misses these keys"
    assert sorted(keys - set(KEYS)) == [], f"texts.{code}.toml has keys the Dutch file does not have"


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_template_keeps_the_placeholders_and_tags(code):
    texts = TRANSLATIONS[code]
    wrong = []
    for key in KEYS:
        dutch, translated = DUTCH.template(key), texts.template(key)
        if placeholders(translated) != placeholders(dutch):
            wrong.append(f"{key}: placeholders {sorted(placeholders(translated))}, Dutch {sorted(placeholders(dutch))}")
        if tags(translated) != tags(dutch):
            wrong.append(f"{key}: tags {tags(translated)}, Dutch {tags(dutch)}")
        if not translated.strip() and dutch.strip():
            wrong.append(f"{key}: empty")
    assert wrong == []


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_template_renders_with_its_values(code):
    texts = TRANSLATIONS[code]
    for key in KEYS:
        values = {name: f"<{name}>" for name in placeholders(DUTCH.template(key))}
        rendered = texts(key, **values)
        for name in values:
            assert f"&lt;{name}&gt;" in rendered, key


@pytest.mark.parametrize("code", LANGUAGES)
def test_lists_have_the_right_length_and_the_language_names_itself(code):
    texts = TRANSLATIONS[code]
    assert len(texts.items("calendar.weekdays")) == 7
    assert len(texts.items("calendar.months")) == 12
    assert len(texts.items("calendar.ordinals")) == len(DUTCH.items("calendar.ordinals"))
    assert texts.label("language.name") == LANGUAGES[code]
    assert DUTCH.label("language.name") == "Nederlands"


@pytest.mark.parametrize("code", LANGUAGES)
def test_buttons_and_commands_stay_short(code):
    texts = TRANSLATIONS[code]
    long = [
        (key, visible(texts.template(key)))
        for key in KEYS
        if key.startswith(BUTTON_PREFIXES) and len(visible(texts.template(key)).strip()) > MAX_BUTTON
    ]
    long += [
        (key, texts.template(key))
        for key in KEYS
        if key.startswith(("commands.", "keyfigures.commands.")) and len(texts.template(key)) > MAX_COMMAND
    ]
    assert long == []


@pytest.mark.parametrize("code", LANGUAGES)
def test_names_stay_as_they_are(code):
    """Rap op Stap and the Dutch commands are names: a translation keeps them, so people can find them."""
    texts, missing, checked = TRANSLATIONS[code], [], 0
    for key in KEYS:
        dutch, translated = DUTCH.template(key), texts.template(key)
        names = [name for name in ("Rap op Stap", "Lokaal Netwerk", "Sociaal Huis") if name in dutch]
        for name in names + re.findall(r"(?<![\w/<])/[a-z]+", dutch):
            checked += 1
            if name not in translated:
                missing.append(f"{key}: {name}")
    assert missing == []
    assert checked > 30


def _arabic_letter(char: str) -> bool:
    return unicodedata.bidirectional(char) in ("AL", "R")


ARABIC = TRANSLATIONS["ar"]


def test_arabic_lines_read_right_to_left():
    """A line whose first visible character is not an Arabic letter (a Latin name, a digit, a placeholder,
    an emoji, a bullet) starts with U+200F, so Telegram shows the whole line right to left. A piece with no
    letter, digit or placeholder at all (the separator ' · ', '⭐') cannot turn a line around."""
    unmarked = []
    for key in KEYS:
        for line in ARABIC.template(key).split("\n"):
            shown = TAG.sub("", line).lstrip(" ")
            if line.startswith(RLM) or not re.search(r"[^\W_]|\{", shown):
                continue
            if not _arabic_letter(shown[0]):
                unmarked.append((key, line))
    assert unmarked == []


def test_arabic_lines_that_start_with_latin_digits_or_placeholders_are_marked():
    """The rule above, checked the way the issue states it, over all Arabic texts at once."""
    starts = re.compile(r"[A-Za-z0-9{/]")
    unmarked = [
        (key, line)
        for key in KEYS
        for line in ARABIC.template(key).split("\n")
        if starts.match(TAG.sub("", line).lstrip(" "))
    ]
    assert unmarked == []
    marked = [key for key in KEYS if RLM in ARABIC.template(key)]
    assert len(marked) > 50  # cards, buttons with emoji, help lines with commands


def test_arabic_keeps_phone_numbers_and_commands_left_to_right():
    """'089 00 00 10' in a right-to-left line would show its groups in reverse order, and '/vergeet' would
    show as 'vergeet/': U+200E (LEFT-TO-RIGHT MARK) in front keeps them as they are typed."""
    wrong, checked = [], 0
    for key in KEYS:
        template = ARABIC.template(key)
        for match in re.finditer(r"\{(phone|contact)\}|(?<![\w/<])/[a-z]+", template):
            checked += 1
            if template[: match.start()][-1:] != LRM:
                wrong.append(f"{key}: {match.group()}")
    assert wrong == []
    assert checked > 30  # the contact lines, the help text, the commands named in sentences


def test_only_arabic_uses_direction_marks():
    for code, texts in TRANSLATIONS.items():
        if code == "ar":
            continue
        assert [key for key in KEYS if RLM in texts.template(key) or LRM in texts.template(key)] == [], code
