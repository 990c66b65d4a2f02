"""Care first: the detector, its word lists and data file, and the answers per kind of trouble in every language.
(The office hours the answers count with are tested in tests/platform/test_hours.py.)

The studied sets (care1 and the messages written before the detector, care_own) are a floor here: every
crisis recognised, no look-alike taken for one. care2 is blind and only measured by bench/care.py.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from bot.care.data import CATEGORIES, CareDataError, load_care, parse_care
from bot.care.desk import CareDesk
from bot.care.detect import Detector
from bot.care.patterns import PatternError, parse_phrase
from bot.care.words import fold, words
from bot.platform.calendar import ManualClock
from bot.platform.texts import Texts
from tests.helpers import DATA, FIXTURES, brussels, make_settings

CARE = load_care(DATA / "care.toml")
DETECTOR = Detector(CARE)
STUDIED = ("care1", "care_own")
LANGUAGES = ("nl", "en", "fr", "uk", "ar", "tr", "ru")
EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf]")


def rows(name: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in (FIXTURES / "care" / f"{name}.jsonl").read_text("utf-8").splitlines()]


# --- the studied sets as a floor ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", STUDIED)
def test_every_message_of_the_studied_sets_gets_its_own_kind_of_answer(name):
    wrong = [(r["care"], DETECTOR.assess(str(r["q"])).category, r["q"]) for r in rows(name)]
    wrong = [w for w in wrong if w[0] != w[1]]
    assert not wrong, wrong


@pytest.mark.parametrize("name", STUDIED)
def test_no_look_alike_of_the_studied_sets_is_taken_for_trouble(name):
    alike = [r for r in rows(name) if r["care"] is None]
    alarms = [r["q"] for r in alike if DETECTOR.assess(str(r["q"])).category is not None]
    assert len(alike) >= 50
    assert not alarms


def test_ambiguous_loneliness_gets_the_line_to_106_not_a_care_answer():
    ambiguous = [r for r in rows("care1") if r["ambiguous"] and r["care"] is None]
    assert ambiguous
    for row in ambiguous:
        found = DETECTOR.assess(str(row["q"]))
        assert found.category is None and found.pointer, row["q"]


def test_most_children_and_teenagers_are_seen_as_young():
    young = [r for r in rows("care1") if r["child"] and r["care"] in ("suicide", "violence", "distress")]
    seen = sum(DETECTOR.assess(str(r["q"])).child for r in young)
    assert seen >= len(young) - 1


@pytest.mark.parametrize(
    "question",
    [
        "ik ga dood van verveling, wat kan ik doen dit weekend",
        "iets om de tijd te doden met de kinderen",
        "waar kan ik een balletje slaan",
        "die film was om van te sterven zo goed",
        "te duur, kan het goedkoper",
        "ik lach me dood met die clown",
        "sterren kijken met de kinderen",
        "mijn fiets is kapot, wie kan die maken",
        "ik zit in schuldbemiddeling, kan ik een uitpas krijgen",
        "wee paast op de kinjer as ich nao 't naaiatelier gaon",
        "kan ik een kano huren in de zomer",
        "mijn zoon slaat de bal altijd over de haag",
    ],
)
def test_hyperbole_and_everyday_words_are_no_crisis(question):
    assert DETECTOR.assess(question).category is None


@pytest.mark.parametrize(
    ("question", "category", "topic"),
    [
        ("ik zie het nie meer zitten", "suicide", None),
        ("ik wil dood", "suicide", None),
        ("ik wil er een einde aan maken", "suicide", None),
        ("mijn man slaat mij", "violence", None),
        ("ik kan mijn huur nie betalen", "money", "rent"),
        ("mijn leefloon is nog nie gestort", "money", "leefloon"),
        ("er is brand in de keuken", "emergency", None),
        ("we hebben geen eten meer in huis", "material", "food"),
        ("ik slaap al weken niet meer van de stress", "distress", None),
        ("zelmoordgedachten, wie kan ik bellen", "suicide", None),  # a typo in a long word
    ],
)
def test_the_examples_of_the_issue(question, category, topic):
    found = DETECTOR.assess(question)
    assert (found.category, found.topic) == (category, topic)


@pytest.mark.parametrize(
    ("question", "category", "topic"),
    [
        # The kinds of message care4 showed the lists were missing, each in words of our own.
        ("ik heb mijn arm bekrast met een mesje", "suicide", None),  # more forms of cutting
        ("vorige week op het dak gestaan om te springen", "suicide", None),  # a jump told afterwards
        ("hoe hoog moet een flat zijn om", "suicide", None),  # a question about a method
        ("mijn dochter zegt dat ze dood wil, wat doe ik", "suicide", None),  # someone else's wish to die
        ("hij heeft mij gisteren bijna gewurgd", "violence", None),  # strangling on its own
        ("ik ben gevlucht omdat hij mij sloeg", "violence", None),  # the verb at the end of the clause
        ("ik ruik gas in de keuken", "emergency", None),
        ("help brand", "emergency", None),
        ("geen flesvoeding meer voor mijn baby", "material", "food"),
        ("de daklozenopvang zit vol, waar moet ik heen", "material", "housing"),
        ("de eigenaar zegt dat we eruit moeten tegen het einde van de maand", "material", "eviction"),
        ("mijn kinderen hebben geen winterjas", "material", "other"),
        ("het voorschot van luminus is verhoogd naar 250 euro", "money", "energy"),
        ("kan ik die boete van 150 euro in schijven betalen", "money", "other"),
        ("wanneer komt mijn leefloon", "money", "leefloon"),
        ("sinds mijn scheiding zit ik in een zwart gat", "distress", None),
        # care5's lessons, in words of our own
        ("soms wil ik gewoon met de wagen tegen een muur rijden", "suicide", None),
        ("ik spaar al weken mijn slaappillen", "suicide", None),
        ("ik heb lang genoeg geleefd", "suicide", None),
        ("ik draag een sjaal zodat niemand de plekken ziet die hij maakt", "violence", None),
        ("hij heeft me weer een pak slaag gegeven", "violence", None),
        ("ik ben bang om naar huis te gaan", "violence", None),
        ("mijn zoontje heeft blauwe lippen en reageert raar", "emergency", None),
        ("een auto is in de vaart gereden, er zit nog iemand in", "emergency", None),
        ("na de overstroming is alles weg, geen bedden meer", "material", "other"),
        ("ik ben zo eenzaam", "distress", None),
        ("ik zit de hele dag alleen", "distress", None),
        ("mijn huisbaas wil de huur verhogen", "money", "rent"),
        ("ik kan de stookolie niet betalen", "money", "energy"),
        ("i got a letter from the mutualiteit", "money", "mutualiteit"),
    ],
)
def test_kinds_of_trouble_the_blind_sets_showed(question, category, topic):
    found = DETECTOR.assess(question)
    assert (found.category, found.topic) == (category, topic)


@pytest.mark.parametrize(
    "question",
    [
        "mijn dochter staat in vuur en vlam voor paardrijden",
        "er was bijna brand bij het koken op het kamp haha, gaan jullie dit jaar weer?",
        "ik ben bang dat mijn zoon ooit verdrinkt, hij kan nog niet zwemmen: zwemles?",
        "heeft de budgetmeter invloed op de korting voor het zwembad",
        "is er een film over een man die zelfmoord pleegt in de kimpel",
        "krijg ik korting op de sportclub als ik in schuldbemiddeling zit",
        "de kinderen gaan zich dood vervelen in de vakantie",
        "mijn vrouw is al drie jaar overleden, ik wil eens gaan dansen",
        "ik stik van de verveling",
        "ik heb een leefloon, welke kortingen kan ik krijgen",
    ],
)
def test_look_alikes_the_blind_sets_showed(question):
    assert DETECTOR.assess(question).category is None


def test_a_crisis_in_the_middle_of_a_long_story_is_found_and_the_rest_is_left_to_search():
    story = (
        "Mijn dochter zit in de turnclub. We hebben al twee maanden huurachterstand. Kan ze op kamp in de paasvakantie?"
    )
    found = DETECTOR.assess(story)
    assert (found.category, found.topic) == ("money", "rent")
    assert "huurachterstand" not in found.rest and "kamp" in found.rest


def test_several_troubles_give_the_first_and_name_the_others():
    found = DETECTOR.assess("mijn man slaat mij en ik wil niet meer leven")
    assert found.category == "suicide" and found.also == ("violence",)


def test_odd_input_never_raises():
    generator = random.Random(11)
    alphabet = "aeioudnst 'ł\u0301ıйاة٣\n.!?~|*" + "".join(chr(c) for c in range(0x400, 0x420))
    for _ in range(300):
        text = "".join(generator.choice(alphabet) for _ in range(generator.randint(0, 120)))
        DETECTOR.assess(text)
    assert DETECTOR.assess("").category is None
    assert DETECTOR.assess("ik wil dood " * 2000).category == "suicide"  # long input is read, bounded


# --- folding and the pattern language ---------------------------------------------------------------------------


def test_folding_removes_case_accents_and_letter_variants():
    assert words("Ölmek İstiyorum, dóór!") == ["olmek", "istiyorum", "door"]
    assert fold("أنا") == fold("انا")
    assert words("m'n kast is leeg") == ["m", "n", "kast", "is", "leeg"]


@pytest.mark.parametrize(
    ("phrase", "problem"),
    [("", "empty"), ("wil ~", "empty alternative"), ("a|", "empty alternative"), ("*x*", "not both"), ("ab*", "short")],
)
def test_a_broken_phrase_is_reported(phrase, problem):
    with pytest.raises(PatternError, match=problem):
        parse_phrase(phrase)


def test_alternatives_gaps_prefixes_and_spoken_forms():
    detector = Detector(parse_care(_minimal({"suicide": {"phrases": ["wil ~ niet meer leven|dood", "zelfmoord*"]}})))
    assert detector.assess("ik wil echt heel erg niet meer leven").category == "suicide"
    assert detector.assess("'k wil nie meer leve").category == "suicide"  # spelling and a dropped n
    assert detector.assess("zelfmoordgedachtes").category == "suicide"
    assert detector.assess("ik wil. dood").category is None  # a phrase stays inside its sentence
    assert detector.assess("ik wil naar de sterren kijken").category is None  # 'sterren' is a word, no typo


# --- the data file -------------------------------------------------------------------------------------------------


def _minimal(extra: dict[str, object]) -> dict[str, object]:
    document: dict[str, object] = {
        "lines": {"noodnummer": {"name": "het noodnummer", "number": "112"}},
        "answers": {c: {"lines": [], "sent_to": "x"} for c in CATEGORIES},
        "spelling": {"nie": "niet", "k": "ik"},
    }
    for category in CATEGORIES:
        document[category] = {"phrases": [f"woord{category}"]}
    document.update(extra)
    return document


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"extra": {}}, r"unknown section \[extra\]"),
        ({"lines": {"x": {"name": "X", "chat": "http://x.be"}}}, r"\[lines.x\] chat: expected an address starting"),
        ({"lines": {"x": {"name": "X"}}}, r"\[lines.x\]: give a number"),
        ({"lines": {"x": {"name": "X", "number": "1", "open": ["maandag 9-12"]}}}, r"\[lines.x\] open"),
        ({"suicide": {"phrases": ["wil ~"]}}, r"\[suicide\]: 'wil ~'"),
        ({"suicide": {"together": [["alleen"]]}}, "at least two phrases"),
        ({"settings": {"order": ["suicide"]}}, "order: name each"),
    ],
)
def test_a_mistake_in_the_data_file_names_its_place(change, problem):
    with pytest.raises(CareDataError, match=problem):
        parse_care(_minimal(change))


def test_an_answer_naming_a_line_that_does_not_exist_is_refused():
    document = _minimal({})
    document["answers"]["suicide"] = {"lines": ["zelfmoordlijn"], "sent_to": "1813"}  # type: ignore[index]
    with pytest.raises(CareDataError, match=r"\[answers.suicide\] lines: there is no \[lines.zelfmoordlijn\]"):
        parse_care(document)


def test_the_shipped_lines_have_a_source_and_the_right_numbers():
    numbers = {key: line.number for key, line in CARE.lines.items()}
    assert numbers["zelfmoordlijn"] == "1813" and numbers["noodnummer"] == "112"
    assert numbers["geweldlijn"] == "1712" and numbers["awel"] == "102" and numbers["teleonthaal"] == "106"
    assert CARE.lines["zelfmoordlijn"].chat == "https://www.zelfmoord1813.be"
    assert CARE.lines["teleonthaal"].chat == "https://www.tele-onthaal.be"
    text = (DATA / "care.toml").read_text("utf-8")
    for key in CARE.lines:
        block = text.split(f"[lines.{key}]")[1].split("[")[0]
        assert "Bron" in block or "Bron:" in block or "caw.be" in block, f"{key}: say where its facts come from"


@pytest.mark.parametrize("code", LANGUAGES)
def test_no_smileys_in_the_crisis_texts(code):
    texts = (DATA / f"texts.{code}.toml").read_text("utf-8").split("[care]")[1].split("\n[buttons]")[0]
    assert "line =" in texts and not EMOJI.search(texts)


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_language_gives_the_lines_and_the_chat_buttons(code, tmp_path):
    """The desk renders every care text of the language file with the values of data/care.toml when it is
    built (a wrong placeholder stops the start), and a crisis reads with the numbers and the chat pages."""
    clock = ManualClock(brussels(2027, 1, 15, 19, 0))  # a Friday evening: the Sociaal Huis is closed
    texts = Texts.load(DATA / f"texts.{code}.toml")
    settings = make_settings(tmp_path)
    desk = CareDesk(data=CARE, texts=texts, settings=settings, clock=clock, search=None)  # message() never searches
    suicide = desk.message(DETECTOR.assess("ik wil dood"))
    assert "<b>1813</b>" in suicide.html.replace("\u200e", "") and "112" in suicide.plain
    assert [b.url for row in suicide.buttons for b in row] == ["https://www.zelfmoord1813.be"]
    material = desk.message(DETECTOR.assess("we hebben geen eten meer in huis"))
    assert "089 00 01 00" in material.plain and "106" in material.plain and "101" in material.plain
    assert texts.items("calendar.weekdays")[0] in material.plain, "when the Sociaal Huis opens again: monday"


def test_data_file_is_valid_toml_with_every_category(tmp_path: Path):
    assert set(CARE.plans) == set(CATEGORIES)
    broken = tmp_path / "care.toml"
    broken.write_text("[suicide\n", "utf-8")
    with pytest.raises(CareDataError, match="not valid TOML"):
        load_care(broken)
