"""The scrubber: every listed kind of personal number leaves the question; ordinary questions stay as they are."""

from __future__ import annotations

import re

import pytest

from bot.insights.scrub import ACCOUNT, EMAIL, MAX_LOGGED_CHARS, NATIONAL_NUMBER, NUMBER, PHONE, normalise, scrub

PHONES = [
    "0470 12 34 56",  # mobile, the usual grouping
    "0470/12.34.56",
    "0470-12-34-56",
    "0470123456",
    "0470 123 456",
    "+32 470 12 34 56",
    "+32470123456",
    "0032 470 12 34 56",
    "089 12 34 56",  # landline Bilzen/Genk zone
    "089/12.34.56",
    "011/22.33.44",
    "02 123 45 67",  # Brussels
    "+32 (0)89 12 34 56",
    "+31 6 12345678",  # a Dutch mobile
    "06 12345678",
]
EMAILS = ["jan.peeters@telenet.be", "An.De-Smet+bilzen@gmail.com", "info @ example . be", "sofie(at)welzijn.be"]
NATIONAL_NUMBERS = ["85.07.30-033.61", "85.07.30 033-61", "85 07 30 033 28", "85073003328"]
ACCOUNTS = [
    "BE68 5390 0754 7034",
    "BE68539007547034",
    "be68 5390 0754 7034",
    "NL91 ABNA 0417 1643 00",
    "000-0000000-00",
]


@pytest.mark.parametrize("phone", PHONES)
def test_phone_numbers_become_a_placeholder(phone):
    assert scrub(f"bel me op {phone} aub") == f"bel me op {PHONE} aub"


@pytest.mark.parametrize("email", EMAILS)
def test_email_addresses_become_a_placeholder(email):
    assert scrub(f"mail naar {email} graag") == f"mail naar {EMAIL} graag"


@pytest.mark.parametrize("number", NATIONAL_NUMBERS)
def test_national_register_numbers_become_a_placeholder(number):
    assert scrub(f"mijn rijksregisternummer is {number}") == f"mijn rijksregisternummer is {NATIONAL_NUMBER}"


@pytest.mark.parametrize("account", ACCOUNTS)
def test_bank_accounts_become_a_placeholder(account):
    assert scrub(f"stort op {account} voor het lidgeld") == f"stort op {ACCOUNT} voor het lidgeld"


@pytest.mark.parametrize(
    "text",
    [
        "rijksregister 85073003361",  # check digits wrong: still a long number
        "klantnummer 123456789",
        "kaart 5412 7512 3412 3456",
    ],
)
def test_any_other_long_number_is_scrubbed_too(text):
    assert not re.search(r"\d{3}", scrub(text).replace(NUMBER, "")), scrub(text)
    assert NUMBER in scrub(text) or NATIONAL_NUMBER in scrub(text)


@pytest.mark.parametrize(
    "text",
    [
        "jan 2027 0470 12 34 56",  # right after other digits (libphonenumber's matcher misses this one)
        "gsm0470123456",  # glued to a word
        "naar 0470\u200b12 34 56",  # a zero-width space inside
        "０４７０ １２ ３４ ５６",  # full-width digits from a phone keyboard
        "0470 12 34 56 of 0471 22 33 44",
    ],
)
def test_hidden_and_repeated_numbers_are_caught(text):
    cleaned = normalise(text)
    assert not re.search(r"\d{2}\s?\d{2}\s?\d{2}", cleaned), cleaned
    assert PHONE in cleaned


@pytest.mark.parametrize(
    "text",
    [
        "zwemmen op zaterdag 13/03 om 14u",
        "iets op 01.03.2027 om 14:00",
        "is er iets op 2027-03-13?",
        "kamp van 12/7 tot 16/7",
        "voor 2 kinderen van 6 en 8 jaar",
        "kinderen 6-12 jaar",
        "fiets lenen in 3740 bilzen",
        "tussen 9.00 en 12.00 uur",
        "€ 5 of 10 euro, of 1.250 euro voor het kamp",
        "bus 45 naar hasselt",
        "04/05/2027 14 kinderen",
        "film om 20u30 in de kimpel",
        "gratis zwemles voor volwassenen",
        "ik ben 65 en zoek iets in de namiddag",
    ],
)
def test_ordinary_questions_are_left_alone(text):
    assert scrub(text) == text
    assert normalise(text) == " ".join(text.lower().split())


def test_normalise_lowercases_collapses_spaces_and_cuts_long_questions():
    assert normalise("  Zwemmen   VOOR\tKinderen \n") == "zwemmen voor kinderen"
    assert len(normalise("zwemmen " * 200)) <= MAX_LOGGED_CHARS
    assert normalise("\u200f\u200e") == ""


def test_a_number_cut_at_the_length_limit_is_scrubbed_first():
    text = "x" * (MAX_LOGGED_CHARS - 6) + " 0470 12 34 56"
    cleaned = normalise(text)
    assert not re.search(r"\d", cleaned)


def test_the_askers_own_first_name_is_taken_out():
    assert normalise("Ik ben Zoë en zoek yoga", names=("Zoë",)) == "ik ben [naam] en zoek yoga"
    assert normalise("zoë's kinderen", names=("ZOË",)) == "[naam]'s kinderen"
    assert normalise("Annabel zoekt iets", names=("Anna",)) == "annabel zoekt iets"  # whole words only
    assert normalise("ik ben Jo", names=(None, "J")) == "ik ben jo"  # no name, or too short to tell
