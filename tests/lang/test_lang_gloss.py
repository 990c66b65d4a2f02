"""Glossing a newcomer's question into Dutch words: phrases first, lemmas, typos, names and numbers kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.lang.gloss import STAND_IN_PREFIX, Glossary, GlossaryError, load_glossaries, normalise

ENGLISH = Glossary(
    "en",
    {"swimming": "zwemmen", "swimming pool": "zwembad", "kid": "kind", "free": "gratis", "this weekend": "dit weekend"},
    frozenset({"rap op stap"}),
)


def test_phrases_win_over_their_words_and_unknown_words_are_dropped() -> None:
    gloss = ENGLISH.gloss("Is the swimming pool free this weekend?")
    assert gloss.dutch == "zwembad gratis dit weekend"
    assert (gloss.understood, gloss.words) == (5, 7)


def test_lemmas_numbers_names_and_mixed_in_dutch_words_are_kept() -> None:
    assert ENGLISH.gloss("swimming for my kids (7 and 9) with Rap op Stap").dutch == "zwemmen kind 7 9 rap op stap"
    assert ENGLISH.gloss("swimming zwembad gratis").dutch == "zwemmen zwembad gratis"


def test_a_small_typo_in_a_long_word_still_matches() -> None:
    assert ENGLISH.gloss("swiming").dutch == "zwemmen"
    assert ENGLISH.gloss("fre").dutch == ""  # too short to guess


def test_arabic_marks_and_digits_are_normalised() -> None:
    assert normalise("مَسْبَح ٧", "ar") == ["مسبح", "7"]
    assert normalise("İSTANBUL", "tr") == ["istanbul"]


@pytest.mark.parametrize("text", ["", "   ", "🙂🙂", "x" * 10_000, "\u200f\u202e", "'" * 50])
def test_odd_input_never_raises(text: str) -> None:
    assert isinstance(ENGLISH.gloss(text).dutch, str)


def test_a_broken_glossary_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "common.toml").write_text('names = ["rap op stap"]\n', encoding="utf-8")
    (tmp_path / "en.toml").write_text("[words]\nswim = 3\n", encoding="utf-8")
    with pytest.raises(GlossaryError, match=r"en\.toml"):
        load_glossaries(tmp_path)
    (tmp_path / "en.toml").write_text("[words\n", encoding="utf-8")
    with pytest.raises(GlossaryError, match="not valid TOML"):
        load_glossaries(tmp_path)


def test_the_shipped_glossaries_load() -> None:
    folder = Path(__file__).resolve().parents[2] / "data" / "glossary"
    glossaries = load_glossaries(folder)
    assert all(len(g) > 0 for g in glossaries.values())


def test_common_words_are_no_typos_and_apostrophes_and_arabic_prefixes_are_read() -> None:
    glossary = Glossary("en", {"mother": "moeder", "driver": "chauffeur", "kid's party": "kinderfeest"})
    assert glossary.gloss("my other kid likes the river").dutch == ""
    assert glossary.gloss("a kid’s party").dutch == "kinderfeest"
    arabic = Glossary("ar", {"مسبح": "zwembad"})
    assert arabic.gloss("وبالمسبح").dutch == "zwembad"


def test_a_number_glued_to_its_unit_is_an_age() -> None:
    assert normalise("my 5yo", "en") == ["my", "5", "yo"]
    assert normalise("enfant 7ans", "fr") == ["enfant", "7", "ans"]
    assert normalise("ابني ٣سنين", "ar") == ["ابني", "3", "سنين"]
    assert Glossary("en", {"yo": "jaar"}).gloss("my 5yo").dutch == "5 jaar"


def test_the_babysitting_verb_alone_asks_for_childcare() -> None:
    folder = Path(__file__).resolve().parents[2] / "data" / "glossary"
    glossaries = load_glossaries(folder)
    assert "oppassen op" in glossaries["uk"].gloss("хто посидить з малою").dutch
    assert "oppassen op" in glossaries["ru"].gloss("кто посидит с малышом").dutch
    assert "wie past op" in glossaries["ar"].gloss("مين بيقعد معه؟").dutch
    assert "op de kinderen passen" in glossaries["tr"].gloss("cocuklara bakan yer var mi").dutch


def test_a_general_head_beside_an_unknown_word_is_written_as_a_compound_with_a_stand_in() -> None:
    turkish = Glossary("tr", {"kursu": "cursus", "yüzme kursu": "zwemles", "cocuklar": "kinderen"})
    kuran = turkish.gloss("cocuklar kuran kursu").dutch.split()
    assert kuran[0] == "kinderen" and kuran[1].startswith(STAND_IN_PREFIX) and kuran[1].endswith("cursus")
    assert kuran[1] == turkish.gloss("kuran kursu").dutch  # the same stand-in for the same word
    assert turkish.gloss("yüzme kursu").dutch == "zwemles"
    arabic = Glossary("ar", {"رحلة": "uitstap", "البحر": "zee"})
    assert arabic.gloss("رحلة الى باريس").dutch.endswith("uitstap")  # over a small word ('to')
    assert arabic.gloss("رحلة الى البحر").dutch == "uitstap zee"
    english = Glossary("en", {"swimming": "zwemmen", "school": "school"})
    assert english.gloss("the swimming school").dutch == "zwemmen school"  # a known word beside it: as it was


def test_a_turkish_case_ending_comes_off_a_name_but_not_off_a_dutch_word() -> None:
    turkish = Glossary("tr", {"otobüs": "bus"}, frozenset({"alden biesen", "bilzen"}))
    assert turkish.gloss("alden biesene otobüs").dutch == "alden biesen bus"
    assert turkish.gloss("bilzende").dutch == "bilzen"
    assert turkish.gloss("bilzen'de").dutch == "bilzen"
    assert turkish.gloss("verhoogde").dutch == "verhoogde"  # Dutch as it is, not 'verhoog' + Turkish '-de'
