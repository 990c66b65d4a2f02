"""Scrubbing a question before it is logged: whatever could name a person becomes a placeholder.

People paste their phone number, e-mail address, national register number (rijksregisternummer)
or bank account into a question ("bel me op 0470 12 34 56"). None of that may reach the question
log, and neither may their own first name (Telegram tells it: "ik ben Zoë" becomes "ik ben [naam]").
When in doubt this module scrubs too much rather than too little: a long run of digits that is not
clearly a date becomes "[nummer]". Dates ("13/03", "1.3.2027"), times ("14:00", "14u"), ages,
prices and postcodes are left alone, so the network still reads what people asked.

Phone numbers are matched by hand, not with libphonenumber's matcher: that one misses a number
written right after other digits ("jan 2027 0470 12 34 56") and numbers outside the numbering plan,
and here a miss is a leak while an extra placeholder costs nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

MAX_LOGGED_CHARS = 500

EMAIL = "[e-mail]"
ACCOUNT = "[rekeningnummer]"
NATIONAL_NUMBER = "[rijksregisternummer]"
PHONE = "[telefoon]"
NAME = "[naam]"
NUMBER = "[nummer]"
PLACEHOLDERS = (EMAIL, ACCOUNT, NATIONAL_NUMBER, PHONE, NUMBER, NAME)

# The look-behind lets a match start only where a run of address characters starts: the leftmost match
# always starts there anyway, and without it a 10,000-letter question took seconds (every position
# re-scanned the rest of the word looking for an @), blocking the bot for everyone meanwhile.
_EMAIL = re.compile(
    r"(?<![\w.+-])[\w.+-]+\s?(?:@|\(at\)|\[at\])\s?[\w-]+(?:\s?\.\s?[\w-]+)*\s?\.\s?[a-z]{2,}(?![\w@])", re.IGNORECASE
)
# An IBAN: country, check digits, then groups of four; groups after the first hold a digit, so a
# following word ("BE68 5390 0754 7034 voor") is not swallowed.
_IBAN = re.compile(
    r"(?<![\w])[a-z]{2}\d{2}(?:[ .-]?[a-z0-9]{4})(?:[ .-]?(?=[a-z]*\d)[a-z0-9]{4}){1,7}"
    r"(?:[ .-]?(?=[a-z]*\d)[a-z0-9]{1,3})?(?![\w])",
    re.IGNORECASE,
)
_OLD_ACCOUNT = re.compile(r"(?<![\w])\d{3}-\d{7}-\d{2}(?![\w])")  # the Belgian bank account before IBAN
# 85.07.30-033.61, 85073003361, 85 07 30 033 61. The dotted layout is always a national number;
# other layouts only when the check digits agree (else the digit rule below still scrubs them).
_NATIONAL_LAYOUT = re.compile(r"(?<![\w])\d{2}\.\d{2}\.\d{2}[- ]?\d{3}[.-]\d{2}(?![\w])")
_NATIONAL_LOOSE = re.compile(r"(?<![\w])(\d{2}) ?(\d{2}) ?(\d{2})[ -]?(\d{3})[ .-]?(\d{2})(?![\w])")
# A run of digit groups with at most one separator between them, "+32 (0)89 12 34 56" included.
_RUN = re.compile(r"(?<![\d+])(?:\+\s?)?\d+(?:(?:[ ./-]|\s?\(0\)\s?)\d+)*(?!\d)")
_GROUP = re.compile(r"\d+")
_DATE_START = re.compile(r"(\d{1,2})[./-](\d{1,2})(?!\d)(?:[./-](?:\d{4}|\d{2})(?!\d))?")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SPACES = re.compile(r"\s+")
MIN_SCRUBBED_DIGITS = 8


def normalise(text: str, *, names: Iterable[str | None] = ()) -> str:
    """The question as it is logged: scrubbed, lower-case, one space between words, at most 500 characters.

    `names` are words to take out as well: the asker's first name as Telegram gives it ("ik ben Zoë").
    """
    text = unicodedata.normalize("NFKC", text)
    # Invisible formatting characters (zero-width spaces, direction marks) could hide a number from the scrubber.
    text = "".join(" " if c.isspace() else c for c in text if unicodedata.category(c) != "Cf")
    text = scrub(text)
    for name in names:
        if name and len(name.strip()) >= 2:
            text = re.sub(
                rf"(?<!\w){re.escape(unicodedata.normalize('NFKC', name.strip()))}(?!\w)",
                NAME,
                text,
                flags=re.IGNORECASE,
            )
    text = text.casefold()
    return _SPACES.sub(" ", text).strip()[:MAX_LOGGED_CHARS].rstrip()


def scrub(text: str) -> str:
    """Replace e-mail addresses, bank accounts, national register numbers and phone numbers by placeholders."""
    text = _EMAIL.sub(EMAIL, text)
    text = _IBAN.sub(_iban, text)
    text = _OLD_ACCOUNT.sub(ACCOUNT, text)
    text = _NATIONAL_LAYOUT.sub(NATIONAL_NUMBER, text)
    text = _NATIONAL_LOOSE.sub(_national, text)
    return _RUN.sub(_digits, text)


def _iban(match: re.Match[str]) -> str:
    raw = re.sub(r"[ .-]", "", match.group()).upper()
    if _iban_valid(raw) or sum(c.isdigit() for c in raw[4:]) >= 10:
        return ACCOUNT
    return match.group()


def _iban_valid(iban: str) -> bool:
    """The ISO 13616 check: move the first four characters to the end, letters to numbers, mod 97 is 1."""
    if not 15 <= len(iban) <= 34:
        return False
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


def _national(match: re.Match[str]) -> str:
    digits = "".join(match.groups())
    base, check = int(digits[:9]), int(digits[9:])
    if check in (97 - base % 97, 97 - (2_000_000_000 + base) % 97):  # born before 2000, or from 2000 on
        return NATIONAL_NUMBER
    return match.group()


def _digits(match: re.Match[str]) -> str:
    run = match.group()
    if run.startswith(("+", "00")):
        count = len(re.sub(r"\D", "", run.lstrip("+"))) - (2 if run.startswith("00") else 0)
        return PHONE if 8 <= count <= 15 else _long_number(run)
    groups = list(_GROUP.finditer(run))
    pieces: list[str] = []
    done = 0  # characters of the run already handled
    i = 0
    while i < len(groups):
        end = _belgian_phone(run, groups, i)
        if end is None:
            i += 1
            continue
        pieces += [run[done : groups[i].start()], PHONE]
        done = groups[end].end()
        i = end + 1
    if not pieces:
        return _long_number(run)
    return "".join(pieces) + run[done:]


def _belgian_phone(run: str, groups: list[re.Match[str]], first: int) -> int | None:
    """The last group of a national phone number (0 and 8 or 9 more digits) starting at group `first`.

    The longest fit wins, so '089 12 34 56' and '0470 12 34 56' are taken whole. A start that reads
    as a date ('04/05/2027') is no phone number.
    """
    if not groups[first].group().startswith("0") or _is_date_start(run, groups[first].start()):
        return None
    digits = 0
    found = None
    for index in range(first, len(groups)):
        digits += len(groups[index].group())
        if digits > 10:
            break
        if digits >= 9:
            found = index
    return found


def _is_date_start(run: str, at: int) -> bool:
    """Whether the run reads like a date from here: a day and a month in range ('04/05/2027', '01.03')."""
    match = _DATE_START.match(run, at)
    return match is not None and 1 <= int(match.group(1)) <= 31 and 1 <= int(match.group(2)) <= 12


def _long_number(run: str) -> str:
    """Any other run of eight or more digits that is not a date: an account, a card, a number of some kind."""
    if _ISO_DATE.match(run):
        return run
    start = _DATE_START.match(run) if _is_date_start(run, 0) else None  # _is_date_start: it matches
    kept = start.end() if start is not None else 0
    if sum(c.isdigit() for c in run[kept:]) >= MIN_SCRUBBED_DIGITS:
        return run[: kept + 1] + NUMBER if kept else NUMBER
    return run
