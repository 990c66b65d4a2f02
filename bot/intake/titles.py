"""The title of a draft: the activity, in the text's own words.

Where people write it: a mail's subject, a flyer's headline ("🎬 OPENLUCHTFILM 🎬"), or the first sentence
that says what happens ("in de bib is er woensdag kerstknutselen", "Natuurpunt Bilzen nodigt jullie uit voor
de Nieuwjaarswandeling in het Munsterbos", "Dan is walking football iets voor jou!"). What is never a title:
a greeting ("Hallo iedereen", "Goeiemiddag"), a teaser ("Krokusvakantie tip!!", "Geraak je moeilijk naar de
dokter?"), a newsletter header, or a line that only names the organiser ("SPORTDIENST BILZEN").
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .dates import date_spans
from .organisations import organisation_line
from .partners import PARTNERS, TOWNS, partner_spans
from .text import clean_line, fold, is_greeting, is_shouting, split_sentences, strip_emoji

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
        # the region and its towns, written with a capital in a shouted flyer too
        "Haspengouw",
        "Limburg",
        "Maasland",
        "Kempen",
        "Hasselt",
        "Genk",
        "Tongeren",
        "Maastricht",
        "Bokrijk",
        "Antwerpen",
        "Brussel",
    },
    key=len,
    reverse=True,
)


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


# ---------------------------------------------------------------- what is not a title

_TEASER = re.compile(
    r"\?\W*$|^\W*(?:wist je dat|wisten jullie dat|goed nieuws|tip\b|\w*vakantie\s*tip|tip voor|let op|opgelet"
    r"|save the date|reminder|nieuw\W*$)",
    re.I,
)
_PERIOD_ONLY = re.compile(
    r"^\W*(?:(?:krokus|paas|zomer|herfst|kerst|winter|lente)vakantie|zomer|winter|lente|herfst|kerst)\W*$", re.I
)
_HOLIDAY = re.compile(r"\b(?:krokus|paas|zomer|herfst|kerst)vakantie\b", re.I)
# "Goed nieuws voor de filmfans: ...", "Nieuw bij Schaakclub De Loper: JEUGDSCHAAK!", "Deze maand in De Kimpel: ..."
_TEASER_PREFIX = re.compile(
    r"^\W*(?:goed nieuws[^:]{0,40}|nieuw bij [^:]{2,40}|nieuw in [^:]{2,40}|\w*\s*tip[^:]{0,30}"
    r"|deze (?:maand|week) in [^:]{2,30}|nieuw|save the date)\s*:\s*",
    re.I,
)
_NEWSLETTER = re.compile(r"\bnieuwsbrief\b", re.I)
_DANGLING = re.compile(r"\b(?:op|het|de|een|voor|naar|tot|van|aan|uit|met|in|uit op het)\W*$", re.I)
_ADDRESSEE = re.compile(
    r"allemaal|iedereen|team|collega|partner|mensen|vrienden|ouders|mama|papa|dames|heren|buren|leden|vrijwillig"
    r"|liefhebber|lezer|deelnemer|medewerker|geachte|sportievelingen|allen",
    re.I,
)
_GREETING_WORD = re.compile(r"^\W*(?:hey+|hoi+|hallo+|yo+|heyhey)\b[\s,!.]*", re.I)


# ---------------------------------------------------------------- the activity inside a sentence

_LEAD = re.compile(
    r"^(?:(?:een|de|het|onze|ons|hun|jullie|je|zijn|haar|nog|ook|eens|weer|opnieuw|samen|graag|terug|alweer"
    r"|nieuwe|jaarlijkse|jaarlijks|vaste|heuse|echte|heel|leuke|gezellige|fijne|vanaf|elke|iedere|telkens)\s+"
    r"|\d+\s?%\s+"
    r"|(?:reeks|serie|cyclus)\s+(?:van\s+)?|\d+\s*(?:keer|lessen|sessies)\s*,?\s*)+",
    re.I,
)
_GENERIC_GROUP = (
    r"(?:kinderen|kids|kindjes|kinders|kleuters|jongeren|tieners|ouders|volwassenen|iedereen|mensen|gezinnen"
    r"|leerlingen|baby's|peuters|senioren|ouderen|\d+-?plussers)"
)
_CUT = re.compile(
    r"\s*(?:[,;:!?.]\s|[,;:!?]$|\.$|\s[–—-]\s|\((?!manillen)"
    r"|\s(?:die|dat|waar|waarbij|zodat|zodra|omdat|als)\s|\som\s+(?:te|samen|je|jullie|met)\b"
    r"|\s(?:van|tussen|tot)\s+\d|\svoor\s+"
    + _GENERIC_GROUP
    + r"\b(?=[^,.!?]{0,25}?\b(?:van|tussen|tot|onder|met|vanaf)\b)"
    r"|\svoor\s+€|\s€|\sper\s|\s@\s|\sin\s+[a-z]+\s*$)",
    re.I,
)
_QUOTE = re.compile(r"[\"“”„«»]([^\"“”„«»]{3,80})[\"“”„«»]|'([^']{3,80})'")
_ORGANISING = re.compile(
    r"\b(?P<verb>organiseert|organiseren|organiseer|houdt|houden|houd|starten|start|begint|beginnen|geeft|geven"
    r"|biedt|bieden|nodigt|nodigen|(?:is|zijn)\s+er)\b",
    re.I,
)
_PRONOUN = re.compile(r"^\s*(?:(?:we|wij|jullie|er|ze|zij|u|je|ook|samen|opnieuw|weer)\b\s*)+", re.I)
_FRONT_PLACE = re.compile(r"^\s*(?:in|op|bij|aan)\s+(?:de|het|ons|onze|'t)\s+[^,]{2,40}?\s*$", re.I)
_FRONT_PURPOSE = re.compile(r"^\s*voor\s+(?:de\s+|het\s+)?[^,\d]{3,25}?\s*$", re.I)
_COME = re.compile(r"\bkom\s+(?:(?:dan|gerust|zeker|maar|mee|langs|eens|ook)\s+)*(?:naar|op)\s+(?P<rest>.+)", re.I)
_FOR_YOU = re.compile(
    r"\b(?:dan\s+)?is\s+(?P<x>.{3,40}?)\s+(?:echt\s+|zeker\s+|misschien\s+)?(?:iets|de activiteit|ideaal)\s+"
    r"voor\s+(?:jou|u|jullie)\b",
    re.I,
)
_GO_DO = re.compile(r"\bgaan\s+(?:we|wij|jullie)\s+(?P<mid>.*?)\b(?P<verb>[a-z]{3,}en)\s*(?:[!.,]|$)", re.I)
_CAN_MAIN = re.compile(
    r"\b(?:kan|kun|kunnen|mag|mogen)\s+(?:je|jullie|u|mensen|iedereen|gezinnen|ouders)\b"
    r"(?P<card>\s+(?:met|op vertoon van)\s+[^,]{0,40}?(?:kaart|uitpas|pas)\b)?(?P<rest>.+)",
    re.I,
)
_CAN_SUB = re.compile(
    r"\b(?:dat|als)\s+(?:je|jullie|u)\s+(?:met\s+[^,]{0,40}?(?:kaart|uitpas|pas)\s+)?(?P<adv>[a-z]+\s+)?"
    r"(?:kan|kunt|kunnen)\s+(?P<verb>[a-z]{3,}en)\b(?P<rest>.*)",
    re.I,
)
_ASK_AT = re.compile(
    r"\bbij\s+(?P<org>(?:het\s+|de\s+)?[A-Z][\w&' -]{1,40}?)\s+"
    r"(?P<np>(?:een\s+|de\s+)?(?!kan\b)[a-z][\w'-]*(?:\s+(?!kan\b)[a-z][\w'-]*)?)\s+"
    r"(?:kan\s+)?(?:aanvragen|vragen|krijgen|lenen|halen|huren|kopen)\b",
)
_GET = re.compile(r"\bkrijg(?:t|en)?\s+(?:je|jullie|u|mensen|iedereen)\s+(?:ook\s+|nu\s+)?(?P<x>.+)", re.I)
_TRIP = re.compile(
    r"\b(?:trekt|trekken|vertrekken|vertrekt)\b[^.!?]*?(?P<how>\bmet\s+de\s+(?:bus|trein|fiets)\s+)?\bnaar\s+(?P<dest>.+)",
    re.I,
)
_COMES_TO = re.compile(r"^\W*(?P<name>[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)*)\s+komt\s+naar\b")
_HAS = re.compile(r"\s+(?:heeft|hebben|houdt|houden)\s+(?P<x>[^!.,?]{3,40})")
_OUR = re.compile(r"\b(?:voor|naar|op|aan)\s+(?:onze|ons)\s+(?P<x>[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)*)")
_STANDS = re.compile(
    r"^\W*(?:de|het)\s+(?P<x>[a-z][\w-]+)(?:\s+van\s+(?:de|het)\s+[\w-]+)?\s+(?:staat|ligt)\b.*?"
    r"\s(?P<place>(?:in|op)\s+(?:het|de)\s+[\w-]+)",
    re.I,
)
_SERVICE = re.compile(
    r"^\W*(?:De|Het)\s+(?P<x>[A-Z][\w-]*(?:\s+[A-Z][\w-]*)+)\s+van\s+[^,]{2,40}?\s+"
    r"(?:brengt|helpt|biedt|geeft|zorgt|leent|rijdt)\b"
)
# "Het kerstconcert van de muziekacademie gaat door in ...": the subject is the activity.
_TAKES_PLACE = re.compile(
    r"^\W*(?:de|het|ons|onze)\s+(?P<x>[a-z][^,.!?]{2,50}?)\s+(?:gaat\s+(?:dit\s+jaar\s+)?door|vindt\s+plaats|start)\b",
    re.I,
)
_JOINS = re.compile(
    r"^\W*(?P<x>.{3,40}?)\s+(?:in\s+[\w-]+\s+)?doet\s+mee\s+met\s+(?:de\s+|het\s+)?(?:uitpas|rap op stap|kansentarief)",
    re.I,
)


def _phrase(text: str, today: dt.date) -> str | None:
    """The noun phrase at the start of `text`, up to where the sentence moves on to audience, time or price."""
    text = re.sub(r"\s+", " ", text).strip()
    for _ in range(3):
        before = text
        text = _LEAD.sub("", text)
        spans = date_spans(text, today)
        if spans and spans[0][0] <= 1:
            text = text[spans[0][1] :].lstrip(" ,:()-–")
        if text == before:
            break
    quoted = _QUOTE.search(text)
    if quoted and quoted.start() < 40:
        inner = quoted.group(1) or quoted.group(2)
        if len(inner.split()) >= 2:
            noun = text[: quoted.start()].split()
            return f"{noun[-1].capitalize()} '{inner}'" if noun else inner
    later = [a for a, _ in date_spans(text, today) if a > 0]
    if later:
        text = text[: later[0]]
    text = re.sub(r"\s*\([^)]*\)", "", text)
    if m := _CUT.search(text):
        text = text[: m.start()]
    text = re.sub(
        r"\s+(?:en|met|voor|van|de|het|een|op|in|aan|om|bij|naar|telkens|elke|iedere|vanaf)$", "", text.strip()
    )
    text = text.strip(" ,;:-–!?.\"'")
    if len(text) < 3 or len(text) > 70 or not _has_word(text):
        return None
    return text[:1].upper() + text[1:]


def _organising(sentence: str, today: dt.date) -> str | None:
    """'organiseert de gezinsbond een workshop', 'start er een breiclub in LDC De Wijzer', 'in de bib is er
    kerstknutselen', 'nodigt jullie uit voor de Nieuwjaarswandeling': the activity, with a fronted place or
    purpose ('voor moederdag') kept."""
    m = _ORGANISING.search(sentence)
    if m is None:
        return None
    verb = m.group("verb").lower()
    rest = sentence[m.end() :]
    if verb.startswith("nodig"):
        uit = re.search(r"\buit\s+(?:voor|op|naar|bij)\s+", rest)
        if uit is None:
            return None
        rest = rest[uit.end() :]
    elif verb.startswith(("start", "begin")) and (met := re.search(r"\bmet\s+", rest[:60])):
        rest = rest[met.end() :]
    else:
        rest = _PRONOUN.sub("", rest)
        spans = partner_spans(rest)
        if spans and spans[0][0] <= 4:
            rest = rest[spans[0][1] :]
        elif org := re.match(r"\s*(?:de|het)\s+(?P<o>\w+)\s+(?=een\b|het\b|de\b)", rest):
            rest = rest[org.end() :]  # "organiseert de gezinsbond een workshop"
        rest = _PRONOUN.sub("", rest)
    activity = _phrase(rest, today)
    if activity is None:
        return None
    front = sentence[: m.start()].strip(" ,")
    if (
        front
        and not date_spans(front, today)
        and not re.search(r"\b(?:vanaf|elke|iedere|deze|volgende)\b", front, re.I)
    ):
        if holiday := _HOLIDAY.search(front):
            return f"{activity} {holiday.group(0).lower()}"
        if _FRONT_PLACE.match(front) or _FRONT_PURPOSE.match(front):
            return f"{activity} {front[:1].lower()}{front[1:]}"
    return activity


def _can(sentence: str, today: dt.date) -> str | None:
    """'dat je met de kaart goedkoper kan zwemmen in het zwembad', 'kunnen mensen met een Rap op Stap-kaart hun
    fiets laten herstellen', 'kan je met je Rap op Stap-kaart naar Cinema Krone': what you can do."""
    if m := _CAN_SUB.search(sentence):
        if re.search(r"\b(?:niet|geen)\s*$", sentence[: m.start("verb")]):
            return None
        adv = (m.group("adv") or "").strip()
        rest = _phrase(m.group("verb") + m.group("rest"), today)
        if rest and adv.lower() not in ("niet", "ook", "nu", "er", "dan", "hier"):
            return f"{adv.capitalize()} {rest[:1].lower()}{rest[1:]}" if adv else rest
        return rest
    m = _CAN_MAIN.search(sentence)
    if m is None or re.search(r"\bterecht\b", m.group("rest")):
        return None
    rest = re.sub(r"^\s*(?:hun|je|jouw|uw|zijn|haar)\s+", " ", m.group("rest"))
    if m.group("card") and re.match(r"\s*naar\b", rest):
        rest = m.group("card") + rest
    rest = re.sub(r"\s+in\s+[A-Z][\w-]+(?=\s+voor\b|\s*$)", "", rest)
    return _phrase(rest, today)


def _go_do(sentence: str, today: dt.date) -> str | None:
    """'gaan we met de 55-plussers terug fietsen' -> 'Fietsen met de 55-plussers'."""
    m = _GO_DO.search(sentence)
    if m is None or m.group("verb").lower() in ("gaan", "komen", "worden", "hebben", "zijn"):
        return None
    mid = m.group("mid")
    spans = date_spans(mid, today)
    for a, b in reversed(spans):
        mid = mid[:a] + " " + mid[b:]
    mid = re.sub(r"\b(?:terug|weer|opnieuw|elke|iedere|telkens)\b", " ", mid, flags=re.I)
    with_ = re.search(r"\bmet\s+(?:de|het|onze)\s+[\w-]+", mid)
    rest = re.sub(r"\bmet\s+(?:de|het|onze)\s+[\w-]+(?:\s+van\s+.*)?", " ", mid).strip(" ,")
    rest = re.sub(r"\s+", " ", rest)
    words = [rest, m.group("verb").lower()] if rest else [m.group("verb").lower()]
    title = " ".join(words)
    if with_:
        title += " " + with_.group(0)
    title = title.strip()
    if len(title) > 50:
        return None
    return title[:1].upper() + title[1:]


def _sentence_title(sentence: str, today: dt.date) -> tuple[int, str] | None:
    """(priority, title) of the best pattern in one sentence; lower priority numbers win."""
    sentence = _TEASER_PREFIX.sub("", sentence)
    found: list[tuple[int, str]] = []
    if t := _organising(sentence, today):
        found.append((1, t))
    if m := _JOINS.search(sentence):
        text = fold(sentence)
        label = (
            "UiTPAS kansentarief"
            if "uitpas" in text and "kansentarief" in text
            else "Kansentarief"
            if "kansentarief" in text
            else "UiTPAS"
            if "uitpas" in text
            else "Rap op Stap"
        )
        found.append((2, f"{label} in {m.group('x').strip()}"))
    if m := _SERVICE.search(sentence):
        found.append((2, m.group("x")))
    if (m := _TAKES_PLACE.search(sentence)) and (t := _phrase(m.group("x"), today)):
        found.append((2, t))
    if m := _HAS.search(sentence):
        spans = partner_spans(sentence) or []
        head = sentence[: m.start()].strip(" -–:!")
        if (spans and spans[0][0] <= 2) or organisation_line(head):
            org = organisation_line(head) or head
            x = _phrase(m.group("x"), today)
            if x:
                found.append((3, f"{x} {org}"))
    for rx in (_COME, _FOR_YOU):
        if (m := rx.search(sentence)) and (
            t := _phrase(m.group("rest") if "rest" in m.groupdict() else m.group("x"), today)
        ):
            found.append((4, t))
    if t := _can(sentence, today):
        found.append((4, t))
    if (m := _TRIP.search(sentence)) and (dest := _phrase(m.group("dest"), today)):
        article = re.match(r"\s*(de|het)\s", m.group("dest"), re.I)
        trip = f"{m.group('how') or ''}naar {article.group(1).lower() + ' ' if article else ''}{dest}"  # its own words
        found.append((4, trip[:1].upper() + trip[1:]))
    if m := _ASK_AT.search(sentence):
        np = _phrase(m.group("np"), today)
        if np:
            found.append((4, np))
    if (m := _GET.search(sentence)) and (t := _phrase(m.group("x"), today)):
        found.append((5, t))
    if m := _OUR.search(sentence):
        found.append((5, m.group("x")))
    if m := _STANDS.search(sentence):
        found.append((5, f"{m.group('x').capitalize()} {m.group('place')}"))
    if m := _COMES_TO.search(sentence):
        found.append((6, m.group("name")))
    if t := _go_do(sentence, today):
        found.append((7, t))
    return min(found, key=lambda x: x[0]) if found else None


# ---------------------------------------------------------------- the whole text


@dataclass(frozen=True)
class TitleResult:
    title: str | None
    confidence: float
    line: int | None  # the body line the title came from, left out of the description


def _is_salutation(line: str) -> bool:
    """'Dag lieve mensen', 'Goeiemiddag,', 'hey allemaal': a salutation; 'heyy chiro mopertingen heeft startdag'
    starts like one but says what happens."""
    if not is_greeting(line):
        return False
    rest = _GREETING_WORD.sub("", clean_line(line))
    rest = re.sub(r"^\W*(?:beste|dag|lieve|geachte|goe\w+)\b", "", rest, flags=re.I)
    return len(rest.split()) <= 3 or bool(_ADDRESSEE.search(rest))


def _has_word(text: str) -> bool:
    return bool(re.search(r"[^\W\d_]{4,}", text)) and not re.fullmatch(
        r"(?:\W|\d|\b(?:van|tot|tussen|vanaf|om|uur|en|de|het|een)\b)*", text, re.I
    )


def _is_org_only(line: str) -> str | None:
    text = clean_line(line)
    if name := organisation_line(text):
        return name
    spans = partner_spans(text)
    if spans and spans[0][0] == 0 and spans[0][1] >= len(fold(text).rstrip(" !.")) - 1:
        return spans[0][2]
    return None


def find_title(body: list[str], subject: str | None, today: dt.date) -> TitleResult:
    """The title from a specific mail subject, else from the body (see the module docstring)."""
    if subject and not _GENERIC_SUBJECT.match(subject):
        cleaned = _TEASER_PREFIX.sub("", clean_line(subject)) or subject
        if title := clean_title(cleaned, today):
            return TitleResult(title, 0.8, None)
    period: str | None = None
    header_org: str | None = None
    lines = [(i, clean_line(re.sub(r"(?<![\w&])#[\w-]+", "", x))) for i, x in enumerate(body)]
    lines = [(i, x) for i, x in lines if re.search(r"[^\W\d_]{2}", x)]
    k = 0
    while k < len(lines):
        i, text = lines[k]
        k += 1
        if _is_salutation(body[i]) or _FIELD_LINE.match(text):
            continue
        text = _GREETING_WORD.sub("", text) if len(_GREETING_WORD.sub("", text)) > 8 else text
        text = _TEASER_PREFIX.sub("", text) or text
        if _NEWSLETTER.search(text) and len(text) < 60:
            continue
        if (org := _is_org_only(text)) is not None:
            header_org = header_org or org
            continue
        if _DANGLING.search(text) and k < len(lines) and len(text) < 60:
            text = f"{text} {lines[k][1]}"  # "WELBI BILZEN NODIGT U UIT OP HET" + "SENIORENCARNAVAL"
            k += 1
        best: tuple[int, str] | None = None
        for sentence in split_sentences(strip_emoji(text)):
            found = _sentence_title(_deshout(sentence) if is_shouting(sentence) else sentence, today)
            if found and (best is None or found[0] < best[0]):
                best = found
        if best is not None and (best[0] <= 4 or not _headline(text)):
            return _finish(best[1], period, header_org, from_sentence=True, line=i)
        if _PERIOD_ONLY.match(text) or _TEASER.search(text):
            if holiday := _HOLIDAY.search(text):
                period = holiday.group(0).lower()
            continue
        if best is not None:
            return _finish(best[1], period, header_org, from_sentence=True, line=i)
        if not _headline(text):
            for _, later in lines[k : k + 2]:
                for sentence in split_sentences(strip_emoji(later)):
                    if (found := _sentence_title(sentence, today)) and found[0] == 1:
                        return _finish(found[1], period, header_org, from_sentence=True, line=i)
        if _headline(text):
            title = clean_title(text, today)
        else:
            first = next(x for x in split_sentences(strip_emoji(text)) if re.search(r"[^\W\d_]{2}", x))
            title = _phrase(_INVERSION.sub("", _deshout(first) if is_shouting(first) else first), today)
            title = title if title and len(title) <= 60 else clean_title(first, today)
        if title:
            return _finish(title, period, header_org, from_sentence=not _headline(text), line=i)
    return TitleResult(None, 0.0, None)


def _headline(text: str) -> bool:
    """A short line standing alone, like a flyer's or a post's first line."""
    sentences = [x for x in split_sentences(strip_emoji(text)) if re.search(r"[^\W\d_]{2}", x)]
    return len(strip_emoji(text)) <= 60 and len(sentences) <= 1


def _finish(title: str, period: str | None, org: str | None, *, from_sentence: bool, line: int) -> TitleResult:
    title = re.sub(r"\s+@\s+.*$", "", title).strip()  # "Gamenight @ JH 't Hok"
    if is_shouting(title):
        title = _deshout(title)
    title = title[:1].upper() + title[1:]
    if period and period not in fold(title) and not title.startswith(("UiTPAS", "Kansentarief", "Rap op Stap")):
        head = re.split(r"\s+(?:op|in|aan|bij|voor|met)\s+", title, maxsplit=1)[0]
        if len(head.split()) <= 2:
            title = f"{head} {period}"
    if org and from_sentence and len(title.split()) == 1 and fold(org) not in fold(title):
        title = f"{title} {org}"
    return TitleResult(title, 0.8 if not from_sentence else 0.6, line)
