"""Offer files (JSON and CSV) as coordinators and spreadsheet programs write them: read, written back, refused."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest

from bot.offers.fileformat import (
    CSV_COLUMNS,
    MAX_FILE_BYTES,
    OfferFileError,
    dump_csv,
    dump_json,
    parse_csv,
    parse_json,
    read_offer_file,
)
from bot.offers.model import Offer, OfferError
from tests.helpers import DATA, FIXTURES

OFFER_FILES = [DATA / "offers.json", FIXTURES / "eval" / "offers.json"]
HEADER = "id;kind;title;price.regular;price.reduced;categories;when.start;when.end;when.rrule"


def dicts(offers: list[Offer]) -> list[dict[str, Any]]:
    return [o.to_dict() for o in offers]


def raw_offers(path: Path) -> list[dict[str, Any]]:
    return json.loads(path.read_text(encoding="utf-8"))["offers"]


def assert_keeps(original: Any, exported: Any, where: str = "") -> None:
    """Everything the original says is said by the export too (missing, null and [] count as nothing said)."""
    if isinstance(original, dict):
        assert isinstance(exported, dict), where
        for key, value in original.items():
            assert_keeps(value, exported.get(key), f"{where}.{key}")
    elif original in (None, []):
        assert exported in (None, [], {}) or exported == {k: None for k in exported}, where
    elif isinstance(original, str):
        assert exported == original.strip(), where
    else:
        assert exported == original, where
        assert isinstance(exported, bool) == isinstance(original, bool), where


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_bytes(content.encode("utf-8"))
    else:
        path.write_bytes(content)
    return path


def csv_error(text: str) -> OfferError:
    with pytest.raises(OfferError) as caught:
        parse_csv(text.encode("utf-8"), name="aanbod.csv")
    return caught.value


# --- round trips -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", OFFER_FILES, ids=lambda p: p.parent.name)
def test_reading_keeps_everything_the_file_says(path):
    originals = raw_offers(path)
    offers = read_offer_file(path)
    assert len(offers) == len(originals) >= 40
    for original, offer in zip(originals, offers, strict=True):
        assert_keeps(original, offer.to_dict(), original["id"])


@pytest.mark.parametrize("path", OFFER_FILES, ids=lambda p: p.parent.name)
def test_json_to_json_round_trip(path, tmp_path):
    offers = read_offer_file(path)
    out = write(tmp_path, "export.json", dump_json(offers, town="Bilzen"))
    again = read_offer_file(out)
    assert dicts(again) == dicts(offers)
    assert again == offers
    assert dump_json(again, town="Bilzen") == out.read_text(encoding="utf-8")  # stable: no drift on re-export
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["version"] == 2 and document["town"] == "Bilzen"


@pytest.mark.parametrize("delimiter", [";", ","])
@pytest.mark.parametrize("path", OFFER_FILES, ids=lambda p: p.parent.name)
def test_csv_to_csv_round_trip(path, tmp_path, delimiter):
    offers = read_offer_file(path)
    first = write(tmp_path, "export.csv", dump_csv(offers, delimiter=delimiter))
    again = read_offer_file(first)
    assert dicts(again) == dicts(offers)
    assert dump_csv(again, delimiter=delimiter) == first.read_bytes().decode("utf-8")


@pytest.mark.parametrize("path", OFFER_FILES, ids=lambda p: p.parent.name)
def test_json_to_csv_to_json_round_trip(path, tmp_path):
    offers = read_offer_file(path)
    csv_file = write(tmp_path, "tussen.csv", dump_csv(offers))
    json_file = write(tmp_path, "terug.json", dump_json(read_offer_file(csv_file), town="Bilzen"))
    assert json_file.read_text(encoding="utf-8") == dump_json(offers, town="Bilzen")
    for original, offer in zip(raw_offers(path), read_offer_file(json_file), strict=True):
        assert_keeps(original, offer.to_dict(), original["id"])


def test_csv_export_looks_like_a_spreadsheet_file():
    offers = read_offer_file(DATA / "offers.json")
    text = dump_csv(offers)
    assert text.startswith("\ufeff" + ";".join(CSV_COLUMNS))
    assert "\r\n" in text
    amounts = [o for o in offers if o.price.regular is not None and not float(o.price.regular).is_integer()]
    assert amounts, "the sample has amounts with cents"
    assert f";{str(amounts[0].price.regular).replace('.', ',')};" in text  # decimal comma with ';'


def test_unknown_fields_survive_every_round_trip(tmp_path):
    extra = {
        "duplicate_of": "andere-id",
        "capacity": 20,
        "rating": 4.5,
        "accessible": True,
        "tags": ["a", "b"],
        "meta": {"source": {"page": 3}},
        "code": "007",
        "looks_like_json": "[niet echt json",
        "quoted": '"tussen aanhalingstekens"',
        "number_as_text": "12",
        "empty_text": "",
        "nothing": None,
    }
    plain = {"id": "zonder-extra", "kind": "support", "title": "Zonder extra velden"}
    offers = parse_json(json.dumps([{"id": "met-extra", "kind": "activity", "title": "Met extra", **extra}, plain]))
    assert dict(offers[0].extra) == extra
    for delimiter in (";", ","):
        back = parse_csv(dump_csv(offers, delimiter=delimiter))
        assert dicts(back) == dicts(offers), delimiter
        assert dict(back[1].extra) == {}  # an empty cell of an unknown column adds nothing
    assert dicts(parse_json(dump_json(offers, town="Bilzen"))) == dicts(offers)


def test_csv_columns_unknown_to_the_format_are_kept():
    text = "id;kind;title;interne nota;capaciteit\r\nfilm;activity;Film;bellen naar Jan;30\r\n"
    (offer,) = parse_csv(text)
    assert dict(offer.extra) == {"interne nota": "bellen naar Jan", "capaciteit": 30}


# --- CSV as spreadsheet programs write it ------------------------------------------------------------


ROWS = [
    "zwemmen;activity;Zwemmen;4,50;1;sport|gezin;2027-03-02T14:00;2027-03-02T16:00;FREQ=WEEKLY;BYDAY=TU",
    "bib;discount;Gratis bib;0;;bibliotheek;;;",
]


def expected_pair() -> list[dict[str, Any]]:
    return [
        {"id": "zwemmen", "title": "Zwemmen", "regular": 4.5, "reduced": 1, "categories": ["sport", "gezin"]},
        {"id": "bib", "title": "Gratis bib", "regular": 0, "reduced": None, "categories": ["bibliotheek"]},
    ]


def summary(offers: list[Offer]) -> list[dict[str, Any]]:
    return [
        {
            "id": o.id,
            "title": o.title,
            "regular": o.price.regular,
            "reduced": o.price.reduced,
            "categories": list(o.categories),
        }
        for o in offers
    ]


def semicolon_csv() -> str:
    # The rrule has ';' in it, so a spreadsheet program quotes that cell.
    rows = [ROWS[0].replace("FREQ=WEEKLY;BYDAY=TU", '"FREQ=WEEKLY;BYDAY=TU"'), ROWS[1]]
    return "\n".join([HEADER, *rows]) + "\n"


def comma_csv() -> str:
    header = HEADER.replace(";", ",")
    rows = [
        'zwemmen,activity,Zwemmen,"4,50",1,sport|gezin,2027-03-02T14:00,2027-03-02T16:00,"FREQ=WEEKLY;BYDAY=TU"',
        "bib,discount,Gratis bib,0,,bibliotheek,,,",
    ]
    return "\n".join([header, *rows]) + "\n"


@pytest.mark.parametrize("make", [semicolon_csv, comma_csv], ids=["semicolon", "comma"])
@pytest.mark.parametrize("bom", [False, True], ids=["no-bom", "bom"])
@pytest.mark.parametrize("line_end", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_csv_variants_read_the_same(tmp_path, make, bom, line_end):
    text = make().replace("\n", line_end)
    path = write(tmp_path, "aanbod.csv", ("\ufeff" if bom else "") + text)
    offers = read_offer_file(path)
    assert summary(offers) == expected_pair()
    assert offers[0].when is not None and offers[0].when.rrule == "FREQ=WEEKLY;BYDAY=TU"
    assert offers[1].when is None


def test_spreadsheet_csv_with_windows_line_ends_and_empty_trailing_rows(tmp_path):
    """What Excel writes for 'CSV UTF-8 (met scheidingstekens)' on a Belgian Windows machine."""
    lines = [
        HEADER,
        '"zwemmen";"activity";"Zwemmen";"4,50";"1";"sport|gezin";"2027-03-02T14:00";"2027-03-02T16:00";'
        '"FREQ=WEEKLY;BYDAY=TU"',
        "bib;discount;Gratis bib;0;;bibliotheek;;;",
        ";;;;;;;;",
        ";;;;;;;;",
        "",
    ]
    path = write(tmp_path, "Aanbod export.CSV", "\ufeff" + "\r\n".join(lines) + "\r\n")
    assert summary(read_offer_file(path)) == expected_pair()


def test_decimal_commas_and_euro_signs():
    text = "id;kind;title;price.regular;price.reduced\r\na;activity;A;€ 2,50;0,40\r\nb;activity;B;12;1.5\r\n"
    a, b = parse_csv(text)
    assert (a.price.regular, a.price.reduced) == (2.5, 0.4)
    assert (b.price.regular, b.price.reduced) == (12, 1.5)
    assert isinstance(b.price.regular, int)


def test_quoted_multi_line_cells_keep_their_lines():
    description = 'Eerste regel.\r\nTweede regel; met puntkomma.\nDerde regel met "aanhalingstekens".'
    quoted = '"' + description.replace('"', '""') + '"'
    text = f"id;kind;title;description\r\nlang;activity;Lang verhaal;{quoted}\r\nkort;support;Kort;\r\n"
    lang, kort = parse_csv(text)
    assert lang.description == description
    assert kort.id == "kort"


def test_row_numbers_are_spreadsheet_rows_even_after_multi_line_cells():
    text = 'id;kind;title;description\r\na;activity;A;"regel 1\r\nregel 2\r\nregel 3"\r\nb;activity;;\r\n'
    error = csv_error(text)
    assert str(error) == "row 3 (id 'b'): title: is required and may not be empty"


def test_row_with_too_many_cells_is_refused():
    text = "id;kind;title\r\na;activity;A\r\nb;activity;B;te veel;nog meer\r\n"
    error = csv_error(text)
    assert error.where == "row 3 (id 'b')"
    assert error.field == "row"
    assert "more cells than the header has columns" in error.problem
    assert "te veel" in error.problem


def test_unquoted_decimal_comma_in_comma_file_is_too_many_cells():
    error = csv_error("id,kind,title,price.regular\na,activity,A,2,50\n")
    assert error.where == "row 2 (id 'a')" and error.field == "row"


def test_row_with_fewer_cells_is_fine():
    (offer,) = parse_csv("id;kind;title;summary;organizer\r\na;activity;A\r\n")
    assert offer.summary is None and offer.organizer is None


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("titel;soort\r\nA;activity\r\n", "the first row must name the columns; missing id, kind, title"),
        ("id;title\r\na;A\r\n", "the first row must name the columns; missing kind (found: id, title)"),
        ("", "the first row must name the columns; missing id, kind, title (found: nothing)"),
        ('id;kind;title\r\na;activity;"niet afgesloten\r\n', "not a readable CSV file"),
    ],
)
def test_unreadable_csv_as_a_whole(text, problem):
    with pytest.raises(OfferFileError, match=re.escape(f"aanbod.csv: {problem}")):
        parse_csv(text.encode("utf-8"), name="aanbod.csv")


def test_csv_not_in_utf8_says_how_to_save_it(tmp_path):
    path = write(tmp_path, "aanbod.csv", "id;kind;title\r\ncafe;activity;Caf\u00e9avond\r\n".encode("cp1252"))
    with pytest.raises(OfferFileError) as caught:
        read_offer_file(path)
    assert "aanbod.csv: not UTF-8 text" in str(caught.value)
    assert "CSV UTF-8" in str(caught.value)


# --- bad files, as the issue lists them -----------------------------------------------------------


GOOD = {"id": "film", "kind": "activity", "title": "Film", "when": {"start": "2027-03-13T14:00"}}


def json_file(tmp_path: Path, *offers: dict[str, Any]) -> Path:
    return write(tmp_path, "aanbod.json", json.dumps({"version": 1, "offers": [GOOD, *offers]}))


def test_broken_json(tmp_path):
    path = write(tmp_path, "aanbod.json", '{"version": 1, "offers": [\n  {"id": "film", "kind": "activity",}\n]}')
    with pytest.raises(OfferFileError) as caught:
        read_offer_file(path)
    assert str(caught.value).startswith("aanbod.json: not valid JSON at line 2, column")


@pytest.mark.parametrize(
    ("bad", "field", "problem"),
    [
        ({"id": "kapot", "kind": "activity"}, "title", "is required"),
        ({"id": "kapot", "kind": "evenement", "title": "X"}, "kind", "unknown value 'evenement'"),
        ({"id": "kapot", "kind": "activity", "title": "X", "when": {"start": "13/03/2027"}}, "when.start", "like"),
        (
            {"id": "kapot", "kind": "activity", "title": "X", "when": {"start": "2027-03-13T14:00", "rrule": "ELKE"}},
            "when.rrule",
            "FREQ must be one of",
        ),
        ({"id": "kapot", "kind": "activity", "title": "X", "price": {"regular": -3}}, "price.regular", "negative"),
    ],
)
def test_bad_offer_in_json_names_offer_field_and_problem(tmp_path, bad, field, problem):
    path = json_file(tmp_path, bad)
    with pytest.raises(OfferError) as caught:
        read_offer_file(path)
    error = caught.value
    assert error.where == "offer 2 (id 'kapot')"
    assert error.field == field
    assert problem in error.problem
    assert str(error).startswith(f"offer 2 (id 'kapot'): {field}: ")


def test_bad_offer_without_id_is_named_by_position(tmp_path):
    path = json_file(tmp_path, GOOD | {"id": "tweede"}, {"kind": "activity", "title": "Zonder id"})
    with pytest.raises(OfferError) as caught:
        read_offer_file(path)
    assert str(caught.value) == "offer 3: id: is required and may not be empty"


@pytest.mark.parametrize(
    ("cells", "field", "problem"),
    [
        ("kapot;activity;;;;;;;", "title", "is required"),
        ("kapot;evenement;X;;;;;;", "kind", "unknown value 'evenement'"),
        ("kapot;activity;X;;;;13/03/2027 14u;;", "when.start", "like 2027-03-13T14:00"),
        ("kapot;activity;X;;;;2027-03-13T14:00;;ELKE WEEK", "when.rrule", "FREQ must be one of"),
        ("kapot;activity;X;-3;;;;;", "price.regular", "may not be negative"),
        ("kapot;activity;X;gratis;;;;;", "price.regular", "expected a number, got 'gratis'"),
    ],
)
def test_bad_row_in_csv_names_row_field_and_problem(tmp_path, cells, field, problem):
    text = "\r\n".join([HEADER, ROWS[1], cells]) + "\r\n"
    path = write(tmp_path, "aanbod.csv", "\ufeff" + text)
    with pytest.raises(OfferError) as caught:
        read_offer_file(path)
    error = caught.value
    assert error.where == "row 3 (id 'kapot')"
    assert error.field == field
    assert problem in error.problem


def test_fifty_megabyte_file_is_refused_quickly_without_reading_it(tmp_path):
    size = 50 * 1_048_576
    one = json.dumps(GOOD | {"description": "x" * 4000})
    body = ",".join(one.replace('"film"', f'"film-{i}"', 1) for i in range(size // (len(one) + 10)))
    document = '{"version": 1, "offers": [' + body + "]}"
    path = tmp_path / "groot.json"
    path.write_text(document + " " * (size - len(document)), encoding="utf-8")  # valid JSON of exactly 50 MB
    assert path.stat().st_size == size
    started = time.perf_counter()
    with pytest.raises(OfferFileError) as caught:
        read_offer_file(path)
    assert time.perf_counter() - started < 0.5
    message = str(caught.value)
    assert "the file is 50.0 MB; at most 20 MB can be imported" in message
    assert "Is this the right file?" in message
    assert MAX_FILE_BYTES == 20 * 1_048_576


def test_missing_file(tmp_path):
    with pytest.raises(OfferFileError, match="file not found"):
        read_offer_file(tmp_path / "nergens.json")


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_duplicate_ids_in_one_file_name_both_places(tmp_path, fmt):
    offers = [GOOD, {"id": "bib", "kind": "discount", "title": "Bib"}, GOOD | {"title": "Film, nog eens"}]
    if fmt == "json":
        path = write(tmp_path, "aanbod.json", json.dumps(offers))
        where, first = "offer 3 (id 'film')", "offer 1"
    else:
        path = write(tmp_path, "aanbod.csv", dump_csv([Offer.from_dict(o) for o in offers[:2]]))
        path.write_text(path.read_text(encoding="utf-8") + "film;activity;Film, nog eens\r\n", encoding="utf-8")
        where, first = "row 4 (id 'film')", "row 2"
    with pytest.raises(OfferError) as caught:
        read_offer_file(path)
    error = caught.value
    assert (error.where, error.field) == (where, "id")
    assert error.problem == f"'film' is used twice (also in {first})"


# --- the JSON document ------------------------------------------------------------------------------


def test_bare_list_and_bom_are_accepted():
    assert dicts(parse_json(("\ufeff" + json.dumps([GOOD])).encode("utf-8"))) == dicts(parse_json(json.dumps([GOOD])))


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ({"version": 3, "offers": []}, "format version 3 is not supported (expected 1 or 2)"),
        ({"offers": {"film": GOOD}}, 'expected a list under "offers"'),
        ({"aanbod": [GOOD]}, 'expected a list under "offers"'),
        ("film", 'expected an object with "offers" or a list of offers'),
    ],
)
def test_wrong_json_shape(document, problem):
    with pytest.raises(OfferFileError, match=re.escape(f"aanbod.json: {problem}")):
        parse_json(json.dumps(document), name="aanbod.json")


def test_offer_that_is_not_an_object(tmp_path):
    with pytest.raises(OfferError) as caught:
        parse_json(json.dumps([GOOD, "tweede"]))
    assert str(caught.value) == "offer 2: offer: expected an object with fields, got 'tweede'"


def test_file_type_is_recognised_without_the_right_extension(tmp_path):
    as_json = write(tmp_path, "aanbod.txt", "\n  " + json.dumps([GOOD]))
    as_csv = write(tmp_path, "aanbod", "id;kind;title\r\nfilm;activity;Film\r\n")
    assert [o.id for o in read_offer_file(as_json)] == ["film"]
    assert [o.id for o in read_offer_file(as_csv)] == ["film"]


def test_empty_offer_list_is_fine():
    assert parse_json('{"version": 1, "offers": []}') == []
    assert parse_csv("id;kind;title\r\n") == []
