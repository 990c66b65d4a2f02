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
from .dates import date_spans, extract_when
from .partners import PARTNERS, TOWNS, canonical_partner, find_partners
from .places import extract_place
from .prices import extract_price
from .text import Parsed, clean_line, fold, is_greeting, is_shouting, parse, slugify, split_sentences, strip_emoji

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

_GENERIC_SUBJECT = re.compile(
    r"^(?:aanbod|info|informatie|ter info|fyi|nieuwsbrief|flyer|affiche|uitnodiging|vraag|activiteit|nieuws"
    r"|doorgestuurd bericht|bericht)\W*$",
    re.I,
)
_LABEL = re.compile(r"^\s*(?:wat|titel|activiteit|onderwerp|event|evenement)\s*:\s*", re.I)
_FIELD_LINE = re.compile(
    r"^\s*(?:waar|wanneer|wie|prijs|kostprijs|inkom|info|meer info|contact|adres|locatie|datum|uur|tel"
    r"|e-?mail|inschrijven|inschrijving|reserveren|organisatie)\b\s*:",
    re.I,
)
_QUOTED = re.compile(r"[\"“”„«»‘’]([^\"“”„«»‘’]{3,80})[\"“”„«»‘’]")
# 'Kansentarief voor "Reus Rik"', 'Uitnodiging: "Reus Rik"': the quoted name is the title.
_QUOTED_LEAD = re.compile(r"(?:\b(?:voor|op|van|naar|bij|met)|:)\s*$", re.I)
_SCHEDULE_TAIL = re.compile(r"\d|\b(?:elke|iedere|wekelijks|maandelijks|start|vanaf|vakantie|\w+vakantie)\b", re.I)
_ORGANIZER_CUE = re.compile(
    r"\b(?:georganiseerd door|organisatie|organisator|een initiatief van|initiatief van|in opdracht van)"
    r"\s*:?\s*"
    r"(?:de\s+|het\s+)?(?P<name>[^\n.;]{2,60})",
    re.I,
)
_CONTACT_CLAUSE = re.compile(r"\b(bel|contacteer|contact|info|inschrijv\w*|aanmeld\w*|vragen|reserv\w*)\b", re.I)
_ORG_WORDS = re.compile(
    r"dienst|werk|centrum|huis|vzw|school|club|bib|cultuur|jeugd|sport|welzijn|stad|gemeente|academie|team",
    re.I,
)
_PROPER_NAMES = sorted(
    {n for n in PARTNERS if n not in {"Sportdienst", "Jeugddienst", "Jeugdwelzijnswerk", "Vrijetijdsdiensten"}}
    | set(TOWNS)
    | {
        "De Kimpel",
        "De Wijzer",
        "Rap op Stap",
        "Alden Biesen",
        "UiTPAS",
        "CC",
        "LDC",
        "CKG",
        "MC",
        "OCMW",
        "DJ",
    },
    key=len,
    reverse=True,
)
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


def _deshout(text: str) -> str:
    """'FILMNAMIDDAG IN DE KIMPEL' -> 'Filmnamiddag in De Kimpel': sentence case, known names restored."""
    out = text.lower()
    for name in _PROPER_NAMES:
        out = re.sub(r"(?<![\w-])" + re.escape(name.lower()) + r"(?![\w-])", name, out)
    return out[:1].upper() + out[1:]


def _strip_dates(title: str, today: dt.date) -> str:
    """Remove a leading or trailing date/time ("Morgen soep", "Nieuwjaarsfeest 17/1") and a tail after a dash
    that is only a schedule ("Digihulp in de bib – elke woensdagvoormiddag")."""
    m = re.search(r"\s+[–—|-]\s+|\s+[-–]\s*$", title)
    if m:
        head, tail = title[: m.start()], title[m.end() :]
        if head and (not tail or _SCHEDULE_TAIL.search(tail) or date_spans(tail, today)):
            title = head
    for _ in range(3):
        spans = date_spans(title, today)
        if not spans:
            break
        a, b = spans[0]
        la, lb = spans[-1]
        if a == 0 or not title[:a].strip(" ,:-–"):
            title = title[b:]
        elif not title[lb:].strip(" ,.:-–!"):
            title = title[:la]
        else:
            break
        title = title.strip(" ,:-–·")
    return title


# After a fronted time Dutch inverts: "(Volgende woensdag) is er een voetbalinitiatie ...".
_INVERSION = re.compile(
    r"^(?:is er|er is|zijn er|er zijn|organiseren (?:we|wij)|houden (?:we|wij)|gaan (?:we|wij)"
    r"|spelen (?:we|wij)|kan je|kun je|mag je)\s+(?:(?:een|ons|onze|opnieuw|weer|nog eens)\s+)*",
    re.I,
)
# Where a sentence stops naming the activity: its audience, place, time or price.
_TITLE_TAIL = re.compile(
    r"\s+(?=(?:van|voor|tussen)\s+\d|(?:op|in|aan|bij)\s+(?:het|de|zaal|ons|onze)\s|vanaf\s|om\s+\d)"
    r"|,\s|\s[–-]\s",
    re.I,
)


def _condense(title: str, today: dt.date) -> str:
    """A long first sentence as a title: drop the date and the inversion before the activity, and cut where
    the sentence moves on to its audience, place or time ("... voor meisjes van 8 tot 12 jaar op het ...")."""
    spans = date_spans(title, today)
    if spans and spans[0][0] > 3:
        title = title[: spans[0][0]]  # "Quiz avond vrijdag 16 april vanaf 19u ..." -> "Quiz avond"
    else:
        for a, b in spans:
            if a <= 3 or not title[:a].strip(" ,:()-–"):
                title = title[b:].lstrip(" ,:()-–")
    title = _INVERSION.sub("", title.strip())
    head = _TITLE_TAIL.split(title, maxsplit=1)[0]
    if len(head) >= 8:
        title = head
    return title.strip(" ,;:-–(")


def clean_title(raw: str, today: dt.date) -> str | None:
    """A title people can read: no emoji, hashtags, labels, shouting, trailing '!!!' or dates."""
    title = clean_line(re.sub(r"(?<![\w&])#[\w-]+", "", raw))
    title = _LABEL.sub("", title).strip()
    quoted = _QUOTED.search(title)
    if quoted and len(quoted.group(1).split()) >= 2 and _QUOTED_LEAD.search(title[: quoted.start()]):
        title = quoted.group(1)
    if is_shouting(title):
        title = _deshout(title)
    title = _strip_dates(title, today)
    title = re.sub(r"\s+", " ", title).strip(" ,;:-–·*")
    title = re.sub(r"[!?.]+$", "", title).strip()
    if len(title) > 60:
        title = _condense(title, today)
    if len(title) > 80:
        cut = re.split(r"(?<=[.!?])\s|,\s", title)[0]
        title = cut if 10 <= len(cut) <= 80 else title[:80].rsplit(" ", 1)[0]
        title = title.rstrip(" ,.;:!?")
    if not re.search(r"\w\w", title):
        return None
    return title[:1].upper() + title[1:]


def _title_line(lines: list[str]) -> tuple[int, str] | None:
    for i, line in enumerate(lines):
        text = clean_line(line)
        if not re.search(r"[^\W\d_]{2}", text) or is_greeting(line) or _FIELD_LINE.match(text):
            continue
        if re.fullmatch(r"\W*\w+\W*", text) and text.rstrip().endswith("!") and len(text) < 8:
            continue  # "Yo!", "Hoi!"
        return i, line
    return None


def _find_organizer(parsed: Parsed, origin: str | None, body: str, place_name: str | None) -> tuple[str | None, float]:
    explicit = parsed.fb_organizer
    if not explicit and (m := _ORGANIZER_CUE.search(body)):
        explicit = m.group("name")
    if explicit:
        explicit = re.split(r"\s+(?:i\.?s\.?m\.?|in samenwerking met|en|&amp;)\s+|,\s", explicit)[0]
        return canonical_partner(explicit), 0.9
    if origin and find_partners(origin):
        return canonical_partner(origin), 0.9
    sender = parsed.sender_name
    if sender and (find_partners(sender) or _ORG_WORDS.search(sender)):
        return canonical_partner(sender), 0.8
    for sentence in split_sentences(body):
        if _CONTACT_CLAUSE.search(sentence) and (hits := find_partners(sentence)):
            return hits[0][1], 0.7
    signature = "\n".join(parsed.signature)
    if hits := find_partners(signature):
        return hits[0][1], 0.7
    where = canonical_partner(place_name) if place_name else None
    hits = find_partners(body)
    for _, name in hits:
        if name != where:
            return name, 0.6
    if hits:
        return hits[0][1], 0.5
    if origin:
        return origin.strip(), 0.4
    return None, 0.0


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

    # Title: a specific mail subject, else the first meaningful body line.
    title = None
    title_conf = 0.0
    title_idx = None
    if subject and not _GENERIC_SUBJECT.match(subject):
        title = clean_title(subject, today)
        title_conf = 0.8
    if not title and (found := _title_line(parsed.body)):
        title_idx, raw = found
        title = clean_title(raw, today)
        title_conf = 0.8 if len(raw) <= 60 else 0.4

    dates = extract_when(body, today, fallback=subject)
    warnings.extend(dates.warnings)
    price = extract_price(body)
    audience = extract_audience(body + ("\n" + subject if subject else ""))
    place = extract_place(body_lines, sig_lines)
    contact = extract_contact(body, signature, parsed.sender_email or "")
    organizer, org_conf = _find_organizer(parsed, origin, body + ("\n" + subject if subject else ""), place.name)

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
