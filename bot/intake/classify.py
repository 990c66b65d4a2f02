"""Guesses from words: the offer's kind, its categories and keywords, and the practical sentences
(registration, transport, eligibility). Cheap keyword rules: the key figure confirms the draft anyway."""

from __future__ import annotations

import re

from .text import fold, split_sentences

CATEGORY_WORDS: dict[str, tuple[str, ...]] = {
    "sport": (
        "sport",
        "zwem",
        "petanque",
        "gym",
        "turnen",
        "bewegen",
        "voetbal",
        "basket",
        "badminton",
        "judo",
        "tafeltennis",
        "klimmen",
        "fitness",
        "yoga",
        "dans",
        "wandel",
        "loop",
        "fietstocht",
        "spel",
    ),
    "cultuur": (
        "cultuur",
        "cultuurcentrum",
        "kimpel",
        "concert",
        "voorstelling",
        "museum",
        "expo",
        "tentoonstelling",
        "theater",
        "film",
        "podium",
        "academie",
        "lezing",
        "erfgoed",
    ),
    "jeugd": (
        "kinderen",
        "kind ",
        "kids",
        "jongeren",
        "jeugd",
        "speelplein",
        "sportkamp",
        "kamp",
        "kleuter",
        "tiener",
        "huiswerk",
        "carnaval",
    ),
    "senioren": ("senior", "plusser", "ouderen", "dienstencentrum", "ldc "),
    "gezin": ("gezin", "ouders", "ouder en kind", "familie", "mama", "papa", "paaseieren"),
    "bibliotheek": ("bib ", "bib.", "bibliotheek", "voorlees", "boeken"),
    "uitstap": (
        "uitstap",
        "daguitstap",
        "dagje",
        "naar zee",
        "dierentuin",
        "zoo",
        "busreis",
        "reis",
        "bezoek aan",
    ),
    "natuur": ("natuur", "wandeling", "bos", "kasteelpark", "tuin", "dieren", "zee"),
    "muziek": ("muziek", "concert", "zingen", "koor", "optreden", "dj", "band", "gitaar", "podium", "dansen"),
    "film": ("film", "cinema", "bioscoop"),
    "theater": ("theater", "toneel", "komedie", "voorstelling", "schoonmoeders"),
    "creatief": (
        "knutsel",
        "schilder",
        "teken",
        "brei",
        "haak",
        "atelier",
        "streetart",
        "graffiti",
        "keramiek",
        "fotografie",
        "creatief",
        "kook",
    ),
    "vervoer": (
        "vervoer",
        "rijdienst",
        "ophaaldienst",
        "busje",
        "fiets",
        "carpool",
        "belbus",
        "flexbus",
        "minder mobielen",
        "de lijn",
        "busabonnement",
    ),
    "opvang": ("opvang", "oppas", "kinderopvang", "speelplein", "sportkamp"),
    "ontmoeting": ("ontmoeting", "babbel", "koffie", "samen", "feest", "cafe", "gezellig", "chillen"),
    "vorming": (
        "cursus",
        "workshop",
        "vorming",
        "leren",
        "les ",
        "lessen",
        "taal",
        "infosessie",
        "opleiding",
    ),
    "hulp": ("hulp", "helpen", "herstel", "digihulp", "tussenkomst", "vragen over", "begeleiding", "praten"),
}

_SUPPORT = (
    "opvang",
    "oppas",
    "hulp",
    "helpen",
    "buddy",
    "stapmaatje",
    "huiswerk",
    "digihulp",
    "begeleiding",
    "herstelcafe",
    "praatgroep",
    "tweedehands",
    "speel-o-theek",
    "zitdag",
    "spreekuur",
    "vragen over",
    "budgetcaf",
    "budgetbegeleiding",
    "rekeningen",
    "facturen",
    "schulden",
    "papieren",
    "afbetalingsplan",
)
_TRANSPORT = (
    "vervoer",
    "rijdienst",
    "ophaaldienst",
    "fiets lenen",
    "fietsbieb",
    "carpool",
    "belbus",
    "flexbus",
    "minder mobielen",
    "busabonnement",
    "rolstoelbus",
    "lift naar",
    "pendelbus",
    "shuttle",
    "taxi",
    "chauffeur",
)
_DISCOUNT = (
    "korting",
    "kansentarief",
    "tussenkomst",
    "goedkoper",
    "terugbetaling",
    "verminderd tarief",
    "terugbetaald",
    "aan 20%",
    "20% van",
    "gratis lid",
    "rap op stap",
)

_REGISTRATION = re.compile(
    r"inschrijv|schrijf (?:je|jullie|u) in|aanmeld|meld je aan|reserv|tickets? via|laat (?:even |ons )?weten"
    r"|zonder inschrijving|zonder afspraak|kom gewoon|vooraf bellen",
    re.I,
)
_TRANSPORT_HINT = re.compile(
    r"\bbus\s?\d+|\bbusje|ophaaldienst|haalt je|ophalen|rijdienst|carpool|\blift\b|minder mobielen|vervoer"
    r"|rolstoel|bereikbaar met|halte|station",
    re.I,
)
_ELIGIBILITY = re.compile(
    r"rap\s*op\s*stap-?kaart|uitpas|kansentarief|verhoogde tegemoetkoming|leefloon|omnio|budgetmeter"
    r"|op voorwaarde|wie recht heeft",
    re.I,
)
# fmt: off
_STOP = frozenset({
    "de", "het", "een", "en", "of", "in", "op", "aan", "van", "voor", "met", "bij", "naar", "te", "tot",
    "om", "is", "zijn", "je", "jij", "we", "wij", "ons", "onze", "jullie", "u", "dit", "dat",
    "die", "er", "ook", "al", "nog", "maar", "dan", "als", "uit", "over", "door", "per", "elke", "iedere",
    "the",
})
# fmt: on


_DATE_WORD = re.compile(
    r"(januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december"
    r"|maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag|morgen|vandaag)$"
)


def _score(folded: str, words: tuple[str, ...]) -> int:
    return sum(folded.count(w) for w in words)


def guess_kind(title: str, text: str, *, has_date: bool, recurring: bool) -> str:
    """activity for dated events; support/transport when those words dominate; discount for price deals."""
    ft, fx = fold(title) + " ", fold(text) + " "
    support = 3 * _score(ft, _SUPPORT) + _score(fx, _SUPPORT)
    transport = 3 * _score(ft, _TRANSPORT) + _score(fx, _TRANSPORT)
    discount = 3 * _score(ft, _DISCOUNT) + _score(fx, _DISCOUNT)
    if has_date and not recurring:
        if transport >= 3 and transport > support:
            return "transport"
        return "support" if support >= 3 else "activity"
    if has_date:
        if transport >= 3 and transport >= support:
            return "transport"
        return "support" if support >= 2 else "activity"
    best = max(("transport", transport), ("support", support), ("discount", discount), key=lambda x: x[1])
    return best[0] if best[1] > 0 else "activity"


def guess_categories(title: str, text: str, groups: list[str], kind: str) -> list[str]:
    ft, fx = " " + fold(title) + " ", " " + fold(text) + " "
    scores: dict[str, int] = {}
    for cat, words in CATEGORY_WORDS.items():
        s = 3 * _score(ft, words) + _score(fx, words)
        if s:
            scores[cat] = s
    for group, cat in (
        ("kinderen", "jeugd"),
        ("jongeren", "jeugd"),
        ("senioren", "senioren"),
        ("gezinnen", "gezin"),
    ):
        if group in groups:
            scores[cat] = scores.get(cat, 0) + 2
    if kind == "transport":
        scores["vervoer"] = scores.get("vervoer", 0) + 3
    if kind == "support":
        scores["hulp"] = scores.get("hulp", 0) + 2
    ranked = sorted(scores.items(), key=lambda x: (-x[1], x[0]))
    return [c for c, s in ranked if s >= 2][:4] or [c for c, _ in ranked[:1]]


def guess_keywords(title: str, categories: list[str], text: str) -> list[str]:
    """A few words people may type: the title's content words plus the category words that occur."""
    words: list[str] = []
    for w in re.findall(r"[\w'-]+", fold(title)):
        if len(w) > 2 and w not in _STOP and not re.search(r"\d", w) and w not in words and not _DATE_WORD.match(w):
            words.append(w)
    fx = fold(text)
    for cat in categories:
        for trigger in CATEGORY_WORDS.get(cat, ()):
            t = trigger.strip(" .")
            if len(t) > 3 and re.search(r"\b" + re.escape(t) + r"\w*", fx):
                m = re.search(r"\b" + re.escape(t) + r"\w*", fx)
                if m and m.group(0) not in words:
                    words.append(m.group(0))
    return words[:8]


def _first_sentence(text: str, rx: re.Pattern) -> str | None:
    for sentence in split_sentences(text):
        if rx.search(sentence):
            return sentence[:250]
    return None


def find_registration(text: str) -> str | None:
    return _first_sentence(text, _REGISTRATION)


def find_transport(text: str) -> str | None:
    return _first_sentence(text, _TRANSPORT_HINT)


def find_eligibility(text: str) -> str | None:
    return _first_sentence(text, _ELIGIBILITY)
