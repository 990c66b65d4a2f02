"""Language detection: Flemish stays Dutch, newcomers' languages are recognised from two words on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.lang.detect import detect
from bot.lang.languages import supported

FIXTURES = Path(__file__).parents[1] / "fixtures"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("swimming for my kids", "en"),
        ("cheap activities this weekend", "en"),
        ("piscine pas chère pour enfants", "fr"),
        ("çocuklar için yüzme", "tr"),
        ("басейн для дітей безкоштовно", "uk"),
        ("бассейн для детей бесплатно", "ru"),
        ("مسبح للأطفال", "ar"),
    ],
)
def test_newcomers_languages_are_recognised(text: str, lang: str) -> None:
    assert detect(text) == detect(text, current="nl")
    assert detect(text).lang == lang and detect(text).clear


@pytest.mark.parametrize(
    "text", ["goedkoop zwemme veur de kinders", "iets gratis dit weekend", "merci", "wa kan ik doen", "sport"]
)
def test_flemish_stays_dutch(text: str) -> None:
    assert detect(text).lang == "nl"


def test_a_few_dutch_words_do_not_switch_a_newcomer_to_dutch() -> None:
    assert detect("zwembad gratis", current="uk").lang == "uk"
    assert detect("zwembad gratis", current="en").lang == "en"
    assert detect("ik zoek iets leuks voor mijn kinderen", current="en").lang == "nl"


def test_text_without_words_keeps_the_current_language() -> None:
    assert detect("?? 123 🙂", current="fr").lang == "fr"
    assert not detect("", current="fr").clear


def test_at_most_half_a_percent_of_the_dutch_question_sets_is_taken_for_another_language() -> None:
    questions = [
        json.loads(line)["q"]
        for path in [*FIXTURES.glob("heldout*_queries.jsonl"), FIXTURES / "eval" / "queries.jsonl"]
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    wrong = [q for q in questions if detect(q).lang != "nl"]
    assert len(questions) > 1500
    assert len(wrong) / len(questions) <= 0.005, wrong


@pytest.mark.parametrize(("code", "lang"), [("en-GB", "en"), ("uk", "uk"), ("pt-BR", None), (None, None), ("", None)])
def test_telegram_language_codes(code: str | None, lang: str | None) -> None:
    assert supported(code) == lang


@pytest.mark.parametrize(
    ("text", "lang"),
    [("babbeltafel когда", "ru"), ("ijspiste до какого числа работает", "ru"), ("Sociaal Huis بيساعد؟", "ar")],
)
def test_dutch_names_in_a_newcomers_own_script_do_not_make_it_dutch(text: str, lang: str) -> None:
    assert detect(text).lang == lang


def test_one_foreign_word_in_a_long_dutch_question_stays_dutch() -> None:
    assert detect("ik zoek een cursus Nederlands voor mijn buurvrouw Олена").lang == "nl"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("ice skating in bilzen??", "en"),
        ("plopsaland trip how much with rap op stap card", "en"),
        ("carte rap op stap c quoi", "fr"),
        ("wat is rap op stap", "nl"),
        ("rap op stap", "nl"),
    ],
)
def test_the_networks_names_do_not_vote_for_dutch(text: str, lang: str) -> None:
    assert detect(text).lang == lang
