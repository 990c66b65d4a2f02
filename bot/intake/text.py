"""Text hygiene for forwarded offers: normalising, splitting a forward into header/body/signature, cleaning.

Key figures forward whatever they got: WhatsApp posts full of emoji, Outlook forwards with header blocks,
Facebook event pages with "128 personen gaan". Every extractor works on the pieces made here, so the rules
for "what is noise" live in one place.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

# A real offer fits in a few hundred words; a 20,000-character mail is a thread or a newsletter with
# disclaimers. Everything past this is dropped before any regex runs, which also bounds the run time.
MAX_CHARS = 8000

_BIDI_AND_INVISIBLE = re.compile("[\u200b\u200c\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff\u00ad]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")

# Lines that open a forwarded or quoted mail.
_FORWARD_MARKER = re.compile(
    r"^\s*(-{2,}\s*(forwarded message|doorgestuurd bericht|oorspronkelijk bericht|original message)\s*-{2,}"
    r"|begin (forwarded|doorgestuurd) (message|bericht)\s*:?"
    r"|-{3,}\s*(oorspronkelijk bericht|original message)\s*-{3,})\s*$",
    re.I,
)
_HEADER_LINE = re.compile(
    r"^\s*\*?(van|from|aan|to|cc|bcc|datum|date|verzonden|sent|onderwerp|subject|betreft|beantwoorden aan"
    r"|reply-to)\s*\*?\s*:\s*(.*)$",
    re.I,
)
_SUBJECT_PREFIX = re.compile(r"^\s*((fwd?|fw|doorst|tr|re|antw|wg)\s*:\s*)+", re.I)

# Closings that start a signature. Only honoured after the first content line.
_CLOSING = re.compile(
    r"^\s*(met\s+)?(vriendelijke|hartelijke|warme|beste|lieve|sportieve|fijne)?\s*(groet(en|jes)?|groetjes)\b"
    r"|^\s*(mvg|vg|gr\.?|grtz|groetjes|kind regards|best regards|regards|cheers)\b"
    r"|^\s*tot (dan|snel|binnenkort|straks|later)\b"
    r"|^\s*(alvast )?(bedankt|dank je( wel)?|dank u( wel)?|merci)\b.{0,30}$"
    r"|^\s*--\s*$|^\s*__+\s*$",
    re.I,
)
# Boilerplate that is never part of the offer, and ends the useful text.
_DISCLAIMER = re.compile(
    r"^\s*\**\s*(disclaimer\b|dit (e-?mail)?bericht (en eventuele bijlagen )?(is|zijn) vertrouwelijk"
    r"|de informatie in dit (e-?mail)?bericht|this e-?mail (and any attachments )?(is|are) confidential"
    r"|denk aan het milieu|please consider the environment|verzonden (vanaf|met|via) mijn"
    r"|verstuurd (vanaf|met|via) mijn|sent from my|get outlook for|download outlook)",
    re.I,
)
# Facebook event chrome: audience counters, visibility, "Evenement van ...".
_FB_NOISE = re.compile(
    r"^\s*(\d+\s+(personen|mensen)\s+(gaan|geïnteresseerd|zijn geïnteresseerd)"
    r"|openbaar\s*·|iedereen binnen of buiten facebook|evenement van|gehost door|interested|going)",
    re.I,
)
_FB_ORGANIZER = re.compile(r"(georganiseerd door|gehost door|evenement van)\s+(.+)$", re.I)
_GREETING = re.compile(
    r"^\s*(beste|dag|hallo+|hello|hey+|hoi+|hi|geachte|lieve|goeiedag|goeiendag|goedendag|goedemorgen|goeiemorgen"
    r"|goedemiddag|goeiemiddag|goedenamiddag|goedenavond|goeieavond|goeienavond|yo|allo|heyhey|hallo allemaal"
    r"|beste allemaal)\b[^.?]{0,40}[,!:]?\s*$",
    re.I,
)
_HASHTAG_ONLY = re.compile(r"^\s*(#[\w-]+[\s,]*)+$")
_HASHTAG = re.compile(r"(?<![\w&])#([\w-]+)")
_SEPARATOR_LINE = re.compile(r"^\s*[-=_*~.·•]{3,}\s*$")


@dataclass
class Parsed:
    """A forwarded text split into its parts; `body` is what the sender actually wrote about the offer."""

    body: list[str] = field(default_factory=list)
    signature: list[str] = field(default_factory=list)
    subject: str | None = None
    sender_name: str | None = None
    sender_email: str | None = None
    fb_organizer: str | None = None
    truncated: bool = False


def normalize(text: str) -> str:
    """Unicode NFC, unified line ends, no invisible/bidi controls, single spaces. RTL letters are kept."""
    text = unicodedata.normalize("NFC", text or "")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _BIDI_AND_INVISIBLE.sub("", text)
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))


def is_emoji_char(ch: str) -> bool:
    """Pictographs, dingbats, flags, skin tones, joiners and variation selectors; never letters or €."""
    cp = ord(ch)
    if ch in "\u200d\ufe0f\ufe0e\u20e3":
        return True
    if 0x1F000 <= cp <= 0x1FAFF or 0x2600 <= cp <= 0x27BF or 0x2B00 <= cp <= 0x2BFF:
        return True
    if 0xE0000 <= cp <= 0xE007F:
        return True
    return unicodedata.category(ch) == "So" and ch not in "©®°"


def strip_emoji(text: str) -> str:
    """Emoji become a space (they often separate words: "📍De Kimpel"), then spaces are collapsed."""
    out = "".join(" " if is_emoji_char(c) else c for c in text)
    return _SPACES.sub(" ", out).strip()


def fold(text: str) -> str:
    """Lowercase without accents: what comparisons and keyword matching use ("Café" == "cafe")."""
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in text if not unicodedata.combining(c))


def slugify(text: str, max_len: int = 60) -> str:
    """Kebab-case ASCII slug for offer ids."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")
    if len(slug) > max_len:
        slug = slug[:max_len].rsplit("-", 1)[0]
    return slug


def truncate(text: str, limit: int = MAX_CHARS) -> tuple[str, bool]:
    """Cut at a line end before `limit` characters; returns the text and whether it was cut."""
    if len(text) <= limit:
        return text, False
    cut = text.rfind("\n", 0, limit)
    return text[: cut if cut > limit // 2 else limit], True


def clean_line(line: str) -> str:
    """A body line as people should read it: no emoji, no '#', no quote marks of mail replies."""
    line = re.sub(r"^\s*(>\s*)+", "", line)
    line = _HASHTAG.sub(r"\1", line)
    return strip_emoji(line)


def _is_content(line: str) -> bool:
    return bool(re.search(r"\w", line))


def parse(raw: str) -> Parsed:
    """Split a forwarded text into header facts, body lines and signature lines (disclaimers dropped)."""
    text, truncated = truncate(normalize(raw))
    parsed = Parsed(truncated=truncated)
    lines = text.split("\n")

    header_rows = _header_rows(lines)
    kept: list[str] = []
    kept_content = False
    for i, line in enumerate(lines):
        bare = re.sub(r"^\s*(>\s*)+", "", line)
        if _FORWARD_MARKER.match(bare):
            continue
        if i in header_rows:
            m = _HEADER_LINE.match(bare)
            if m:
                key, value = m.group(1).lower(), m.group(2).strip()
                if key in {"onderwerp", "subject", "betreft"} and value and parsed.subject is None:
                    parsed.subject = _SUBJECT_PREFIX.sub("", value).strip() or None
                elif key in {"van", "from"} and parsed.sender_name is None:
                    _set_sender(parsed, value)
            continue
        # A first line like "Fwd: Voorleesmoment" is a subject.
        if not kept_content and parsed.subject is None and _SUBJECT_PREFIX.match(bare):
            parsed.subject = _SUBJECT_PREFIX.sub("", bare).strip() or None
            continue
        kept.append(bare)
        kept_content = kept_content or _is_content(bare)

    body: list[str] = []
    signature: list[str] = []
    target = body
    body_content = False
    for line in kept:
        if _DISCLAIMER.match(line) or (_SEPARATOR_LINE.match(line) and target is signature):
            break
        if _SEPARATOR_LINE.match(line) and not line.strip().startswith("--"):
            continue
        if target is body and body_content and _CLOSING.match(line):
            target = signature
            rest = _CLOSING.sub("", line).strip(" ,!.-")
            if rest:
                signature.append(rest)
            continue
        if _FB_NOISE.match(line):
            m = _FB_ORGANIZER.search(line)
            if m and parsed.fb_organizer is None:
                parsed.fb_organizer = m.group(2).strip()
            continue
        if _HASHTAG_ONLY.match(line):
            continue
        target.append(line)
        body_content = body_content or (target is body and _is_content(line))
    parsed.body = _trim_blank(body)
    parsed.signature = _trim_blank(signature)
    return parsed


_KEY_HEADERS = {"van", "from", "aan", "to", "onderwerp", "subject", "verzonden", "sent"}


def _header_rows(lines: list[str]) -> set[int]:
    """Indexes of mail-header lines: runs of "Key: value" lines with at least two real header keys
    (so a flyer's "Datum: 13 maart" stays), a lone Subject line before any content, and the e-mail
    address lines that continue a To: list."""
    rows: set[int] = set()
    bare = [re.sub(r"^\s*(>\s*)+", "", x) for x in lines]
    i = 0
    seen_content = False
    while i < len(bare):
        j = i
        keys = []
        while j < len(bare) and (m := _HEADER_LINE.match(bare[j])):
            keys.append(m.group(1).lower())
            j += 1
        if j > i:
            real = sum(k in _KEY_HEADERS for k in keys)
            if real >= 2 or (not seen_content and keys == [keys[0]] and keys[0] in {"onderwerp", "subject"}):
                rows.update(range(i, j))
                while j < len(bare) and re.match(r"^\s*<?[\w.+-]+@[\w.-]+>?[;,]?\s*$", bare[j]):
                    rows.add(j)
                    j += 1
            else:
                seen_content = True
            i = j
            continue
        if _is_content(bare[i]) and not _FORWARD_MARKER.match(bare[i]):
            seen_content = True
        i += 1
    return rows


def _set_sender(parsed: Parsed, value: str) -> None:
    m = re.search(r"[\w.+-]+@[\w-]+(\.[\w-]+)+", value)
    if m:
        parsed.sender_email = m.group(0)
    name = re.sub(r"<[^>]*>|\[mailto:[^\]]*\]|[\w.+-]+@[\w.-]+", "", value).strip(" \"'<>")
    parsed.sender_name = name or None


def _trim_blank(lines: list[str]) -> list[str]:
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return lines[start:end]


def is_greeting(line: str) -> bool:
    """ "Beste allemaal," / "Hoi!" / "Dag Rap op Stap-team,": a salutation, never a title."""
    return bool(_GREETING.match(clean_line(line)))


def is_shouting(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 4 and sum(c.isupper() for c in letters) / len(letters) > 0.7


def split_sentences(text: str) -> list[str]:
    """Sentences of a cleaned text; abbreviations like "t.e.m." and times like "19.30" are not ends."""
    parts = re.split(r"(?<=[.!?])\s+(?=[A-ZÀ-Ý0-9€\"'(])|\n+", text)
    return [p.strip() for p in parts if p and p.strip()]
