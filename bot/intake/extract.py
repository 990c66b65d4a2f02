"""From a forwarded text to a draft offer: runs the extractors on the cleaned parts and assembles the dict.

Never raises on odd input: empty text, only emoji, HTML (kept as literal text), right-to-left scripts and very
long mails all give an Extraction, with warnings saying what was wrong.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from .audience import extract_audience
from .classify import (
    find_eligibility,
    find_registration,
    find_transport,
    guess_categories,
    guess_keywords,
    guess_kind,
)
from .contacts import extract_contact
from .dates import extract_when
from .organizer import find_organizer
from .places import extract_place
from .prices import extract_price
from .text import clean_line, fold, is_greeting, parse, slugify, split_sentences, strip_emoji
from .titles import find_title

OFFER_FIELDS = (
    "id",
    "kind",
    "title",
    "summary",
    "description",
    "categories",
    "keywords",
    "organizer",
    "location",
    "audience",
    "price",
    "when",
    "registration",
    "contact",
    "transport",
    "eligibility",
)

_NO_REPLY = re.compile(r"(?:nieuwsbrief|newsletter|no-?reply|do-?not-?reply|mailing|bounce)[\w.+-]*@", re.I)
_ATTACHMENT = re.compile(r"\b(?:in (?:de )?bijlage|bijgevoegd|als bijlage|zie bijlage|zie foto|zie affiche)\b", re.I)
MAX_DESCRIPTION = 600


@dataclass(frozen=True)
class Extraction:
    """A draft offer (every field of the offer format present), what is missing, and why to look twice."""

    offer: dict
    missing: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    confidence: dict[str, float] = field(default_factory=dict)


def _resolve_today(today: dt.date | dt.datetime, tz: str) -> dt.date:
    if isinstance(today, dt.datetime):
        if today.tzinfo is not None:
            today = today.astimezone(ZoneInfo(tz))
        return today.date()
    return today


def _shorten(sentences: list[str], limit: int) -> str:
    out = ""
    for s in sentences:
        if len(out) + len(s) + 1 > limit:
            if not out:
                out = s[:limit].rsplit(" ", 1)[0] + " …"
            break
        out = f"{out} {s}".strip()
    return out


def _empty_offer() -> dict:
    return {
        "id": "aanbod", "kind": "activity", "title": None, "summary": None, "description": None,
        "categories": [], "keywords": [], "organizer": None, "location": None,
        "audience": {"min_age": None, "max_age": None, "groups": []},
        "price": {"regular": None, "reduced": None, "note": None}, "when": None, "registration": None,
        "contact": {"phone": None, "email": None, "url": None}, "transport": None, "eligibility": None,
    }  # fmt: skip


def extract_offer(
    text: str,
    *,
    today: dt.date,
    origin: str | None = None,
    tz: str = "Europe/Brussels",
) -> Extraction:
    """Turn a forwarded text into a draft offer.

    `today` anchors dates without a year and words like "morgen" (a datetime is converted to `tz` first);
    `origin` is the forward origin's chat or user name, a hint for the organizer. Times in the result are
    local wall-clock times in `tz`, as the offer format wants.
    """
    warnings: list[str] = []
    try:
        today = _resolve_today(today, tz)
    except Exception:
        warnings.append("bad_timezone")
        today = today.date() if isinstance(today, dt.datetime) else today
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    parsed = parse(text)
    if parsed.truncated:
        warnings.append("text_truncated")

    body_lines = [clean_line(x) for x in parsed.body]
    sig_lines = [clean_line(x) for x in parsed.signature]
    body = "\n".join(x for x in body_lines if x)
    signature = "\n".join(x for x in sig_lines if x)
    subject = clean_line(parsed.subject) if parsed.subject else None
    offer = _empty_offer()
    if not re.search(r"[^\W_]", body + (subject or "")):
        warnings.append("empty_text")
        return Extraction(offer=offer, missing=("title", "when"), warnings=tuple(warnings), confidence={})

    if _ATTACHMENT.search(body):
        warnings.append("see_attachment")  # the real flyer is a picture or PDF the bot did not read

    # Title: a specific mail subject, else the activity from the body's headline or first sentences.
    found_title = find_title(parsed.body, subject, today)
    title, title_conf, title_idx = found_title.title, found_title.confidence, found_title.line

    dates = extract_when(body, today, fallback=subject)
    warnings.extend(dates.warnings)
    price = extract_price(body)
    audience = extract_audience(body + ("\n" + subject if subject else ""))
    place = extract_place(body_lines, sig_lines)
    sender_email = parsed.sender_email or ""
    if _NO_REPLY.match(sender_email):
        sender_email = ""  # a newsletter's sending address answers nobody
    contact = extract_contact(body, signature, sender_email)
    organizer, org_conf = find_organizer(
        parsed, origin, body + ("\n" + subject if subject else ""), place.as_location()
    )

    # Description: the body without the title line and salutations.
    desc_lines = [
        x for i, x in enumerate(body_lines)
        if x and i != title_idx and not is_greeting(parsed.body[i])
    ]  # fmt: skip
    if desc_lines and title and fold(desc_lines[0]).strip(" !.") == fold(title):
        desc_lines = desc_lines[1:]
    sentences = split_sentences("\n".join(desc_lines))
    description = _shorten(sentences, MAX_DESCRIPTION) or None
    if description is None and title_idx is not None and len(body_lines[title_idx]) > 60:
        # A one-line message: the line is both the title source and the only description there is.
        description = _shorten(split_sentences(body_lines[title_idx]), MAX_DESCRIPTION) or None
    summary = next((s for s in sentences if len(s.split()) >= 5), None)
    if summary and len(summary) > 200:
        summary = summary[:200].rsplit(" ", 1)[0] + " …"
    if dates.opening_hours and description and dates.opening_hours not in description:
        description = f"{description} {strip_emoji(dates.opening_hours)}".strip()

    full = "\n".join(filter(None, [title or "", body]))
    kind = guess_kind(title or "", full, has_date=dates.when is not None, recurring=dates.recurring)
    categories = guess_categories(title or "", full, audience.groups, kind)
    keywords = guess_keywords(title or "", categories, full)

    when = dates.when
    offer.update(
        id=slugify(title or "aanbod") + (f"-{when['start'][:10]}" if when else ""),
        kind=kind,
        title=title,
        summary=summary,
        description=description,
        categories=categories,
        keywords=keywords,
        organizer=organizer,
        location=place.as_location(),
        audience=audience.as_dict(),
        price={"regular": price.regular, "reduced": price.reduced, "note": price.note},
        when=when,
        registration=find_registration(body),
        contact={"phone": contact.phone, "email": contact.email, "url": contact.url},
        transport=find_transport(body) if kind != "transport" else None,
        eligibility=find_eligibility(body),
    )
    missing = []
    if not title:
        missing.append("title")
    if when is None and kind == "activity":
        missing.append("when")
    confidence = {
        "title": title_conf if title else 0.0,
        "when": dates.confidence,
        "location": place.confidence,
        "price": price.confidence,
        "organizer": org_conf,
    }
    return Extraction(offer=offer, missing=tuple(missing), warnings=tuple(dict.fromkeys(warnings)),
                      confidence=confidence)  # fmt: skip
