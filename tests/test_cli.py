"""`python -m bot ...` as a real process: the `ask` contract, import/export round trips, history, exit codes."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.offers.fileformat import read_offer_file
from bot.platform.config import PROJECT_ROOT
from tests.helpers import DATA

SAMPLE_COUNT = len(read_offer_file(DATA / "offers.json"))

# Made-up words nobody else uses (one shared by all three), so that answers do not depend on the matcher's tuning.
OFFERS = [
    {
        "id": "ballonvaart-bilzen",
        "kind": "activity",
        "title": "Ballonvaart boven Bilzen",
        "keywords": ["luchtballon", "wolkenfeest"],
        "price": {"regular": 25, "reduced": 5},
        "when": {"start": "2027-03-13T14:00", "end": "2027-03-13T16:00"},
        "location": {"name": "Sportpark", "address": "Eikenlaan 1, 3740 Bilzen"},
    },
    {
        "id": "zeppelin-korting",
        "kind": "discount",
        "title": "Korting op een zeppelintocht",
        "keywords": ["zeppelin", "wolkenfeest"],
        "price": {"regular": 40.5, "reduced": 10.25, "note": "Met je kaart"},
        "eligibility": "Mensen met een Rap op Stap-kaart",
        "capaciteit": 12,
    },
    {
        "id": "petanque-dinsdag",
        "kind": "activity",
        "title": "Petanque op dinsdag",
        "keywords": ["wolkenfeest"],
        "description": 'Regel een.\nRegel twee; met puntkomma, en "aanhalingstekens".',
        "when": {"start": "2027-01-05T14:00", "end": "2027-01-05T16:00", "rrule": "FREQ=WEEKLY;BYDAY=TU"},
    },
]


@dataclass(frozen=True)
class Result:
    returncode: int
    stdout: str
    stderr: str


def run(
    *args: str | Path,
    stdin: str | bytes | None = None,
    config: Path | None = None,
    cwd: Path,
    env: dict[str, str] | None = None,
) -> Result:
    """`python -m bot ARGS` in a fresh process: this checkout's code, no token, no config file unless given.

    Standard output must be valid UTF-8: it is decoded strictly.
    """
    environ = {k: v for k, v in os.environ.items() if k not in ("TELEGRAM_BOT_TOKEN", "BOT_CONFIG")}
    environ["PYTHONPATH"] = str(PROJECT_ROOT)
    if config is None and (PROJECT_ROOT / "config.toml").exists():
        config = cwd / "empty-config.toml"  # a developer's own config.toml must not change these tests
        config.write_text("", encoding="utf-8")
    if config is not None:
        environ["BOT_CONFIG"] = str(config)
    environ.update(env or {})
    done = subprocess.run(
        [sys.executable, "-m", "bot", *map(str, args)],
        input=stdin.encode("utf-8") if isinstance(stdin, str) else stdin,
        capture_output=True,
        cwd=cwd,
        env=environ,
        timeout=60,
    )
    return Result(done.returncode, done.stdout.decode("utf-8"), done.stderr.decode("utf-8", errors="replace"))


def count_offers(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT count(*) FROM offers").fetchone()[0]
    finally:
        conn.close()


def json_lines(stdout: str) -> list[dict[str, Any]]:
    lines = stdout.split("\n")
    assert lines[-1] == "", "output ends with a newline"
    return [json.loads(line) for line in lines[:-1]]


CARE_VALUES = (None, "suicide", "violence", "emergency", "distress", "material", "money")


def assert_contract(answer: dict[str, Any]) -> None:
    # "care" added by bot/care, "lang" by bot/lang (the language the question was read in); nothing renamed
    assert list(answer) == ["query", "results", "suggestion", "care", "lang"]
    assert answer["care"] in CARE_VALUES
    assert isinstance(answer["query"], str)
    assert isinstance(answer["results"], list)
    for result in answer["results"]:
        assert list(result) == ["id", "title", "score"]
        assert isinstance(result["id"], str) and isinstance(result["title"], str)
        assert isinstance(result["score"], float) and 0 <= result["score"] <= 100
    assert answer["suggestion"] is None or isinstance(answer["suggestion"], str)


@pytest.fixture
def offers_file(tmp_path: Path) -> Path:
    path = tmp_path / "aanbod.json"
    path.write_text(json.dumps({"version": 1, "town": "Bilzen", "offers": OFFERS}, ensure_ascii=False), "utf-8")
    return path


@pytest.fixture
def db(tmp_path: Path, offers_file: Path) -> Path:
    """A database with just the three offers above, for a test that changes it."""
    path = tmp_path / "db" / "bot.sqlite3"
    result = run("import", "--db", path, offers_file, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return path


@pytest.fixture(scope="module")
def shared_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same database, shared by the tests that only read it (a process start costs a third of a second)."""
    folder = tmp_path_factory.mktemp("shared")
    offers = folder / "aanbod.json"
    offers.write_text(json.dumps({"version": 1, "offers": OFFERS}, ensure_ascii=False), "utf-8")
    path = folder / "bot.sqlite3"
    result = run("import", "--db", path, offers, cwd=folder)
    assert result.returncode == 0, result.stderr
    return path


# --- ask -------------------------------------------------------------------------------------------


def test_ask_json_reads_one_question_per_line_and_keeps_them_aligned(tmp_path, shared_db):
    long_line = ("ballonvaart " * 1000)[:10_000]
    questions = ["luchtballon", "", "zeppelin", long_line, "   ", "😀", "ballonvaart", "xqzwv plorkt"]
    # One Windows line end, and no line end after the last question.
    stdin = "\n".join(questions[:-2]) + "\n" + questions[-2] + "\r\n" + questions[-1]
    result = run("ask", "--db", shared_db, "--json", "--today", "2027-03-01", stdin=stdin, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    answers = json_lines(result.stdout)
    assert [a["query"] for a in answers] == questions
    for answer in answers:
        assert_contract(answer)
    by_query = {a["query"]: a for a in answers}
    assert [r["id"] for r in by_query["luchtballon"]["results"]][:1] == ["ballonvaart-bilzen"]
    assert by_query["luchtballon"]["results"][0]["title"] == "Ballonvaart boven Bilzen"
    assert [r["id"] for r in by_query["zeppelin"]["results"]][:1] == ["zeppelin-korting"]
    assert by_query[""]["results"] == [] and by_query["   "]["results"] == []
    assert by_query["😀"]["results"] == []
    assert len(by_query[long_line]["query"]) == 10_000
    ids = {o["id"] for o in OFFERS}
    assert all(r["id"] in ids for a in answers for r in a["results"])


def test_ask_json_says_which_care_a_message_needs_and_a_crisis_gets_no_offer(tmp_path, shared_db):
    questions = ["ik wil dood", "mijn man slaat mij", "er is brand!!", "we hebben geen eten meer in huis",
                 "ik kan mijn huur nie betalen", "ik voel me zo alleen, ik heb niemand om mee te praten",
                 "ik ga dood van verveling, een ballonvaart?"]  # fmt: skip
    result = run("ask", "--db", shared_db, "--json", stdin="\n".join(questions), cwd=tmp_path)
    answers = json_lines(result.stdout)
    for answer in answers:
        assert_contract(answer)
    cares = [a["care"] for a in answers]
    assert cares == ["suicide", "violence", "emergency", "material", "money", "distress", None]
    for answer in answers[:4]:
        assert answer["results"] == [] and answer["suggestion"] is None
    assert answers[-1]["results"], "hyperbole keeps its leisure answer"


def test_ask_prints_the_help_lines_as_a_person_reads_them(tmp_path, shared_db):
    result = run("ask", "--db", shared_db, "ik", "zie", "het", "nie", "meer", "zitten", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Bel 1813, de Zelfmoordlijn" in result.stdout and "112" in result.stdout
    assert "Chat met de Zelfmoordlijn: https://www.zelfmoord1813.be" in result.stdout
    assert "Bedoelde je" not in result.stdout and "Ik ben een computer" in result.stdout


@pytest.mark.parametrize("env", [{}, {"PYTHONIOENCODING": "utf-8"}, {"LC_ALL": "C"}], ids=["locale", "strict", "C"])
def test_ask_json_survives_a_line_that_is_not_utf8(tmp_path, shared_db, env):
    stdin = b"luchtballon\n" + b"caf\xe9 \x80\n" + "zeppelin café\n".encode()
    result = run("ask", "--db", shared_db, "--json", stdin=stdin, cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    answers = json_lines(result.stdout)  # valid UTF-8 JSON, one line per question
    assert [a["query"] for a in answers] == ["luchtballon", "caf\ufffd \ufffd", "zeppelin café"]
    for answer in answers:
        assert_contract(answer)


def test_ask_json_with_query_argument_prints_one_line(tmp_path, shared_db):
    result = run("ask", "--db", shared_db, "--json", "boven", "de", "luchtballon", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    (answer,) = json_lines(result.stdout)
    assert_contract(answer)
    assert answer["query"] == "boven de luchtballon"


def test_ask_today_and_limit(tmp_path, shared_db):
    stdin = "ballonvaart\nwolkenfeest\n"
    before = run("ask", "--db", shared_db, "--json", "--today", "2027-03-10", "--limit", "1", stdin=stdin, cwd=tmp_path)
    after = run("ask", "--db", shared_db, "--json", "--today", "2027-03-14", stdin=stdin, cwd=tmp_path)
    assert before.returncode == after.returncode == 0, before.stderr + after.stderr
    before_ids = [[r["id"] for r in a["results"]] for a in json_lines(before.stdout)]
    after_ids = [[r["id"] for r in a["results"]] for a in json_lines(after.stdout)]
    assert before_ids[0] == ["ballonvaart-bilzen"]
    assert len(before_ids[1]) == 1  # --limit 1, although more offers match
    assert "ballonvaart-bilzen" not in after_ids[0] + after_ids[1]  # over by the 14th
    assert len(after_ids[1]) >= 2  # without --limit: more than one


def test_ask_prints_the_answer_a_person_reads(tmp_path, shared_db):
    result = run("ask", "--db", shared_db, "--today", "2027-03-12", "luchtballon", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("Dit vond ik voor jou:\n")
    assert "Ballonvaart boven Bilzen" in out
    assert "📅 morgen, 14:00-16:00" in out  # dates are relative to --today
    assert "💶 €25, met Rap op Stap €5" in out
    assert "<b>" not in out


def test_ask_leaves_out_what_a_person_can_no_longer_register_for(tmp_path):
    """Past the bus trip's registration deadline a person is not sent to it, as in the chat; the JSON line
    stays the matcher's answer to the question as asked. (The bundled sample: an empty database loads it.)"""
    sample_db = tmp_path / "sample.sqlite3"
    before = run("ask", "--db", sample_db, "--today", "2026-12-01", "kerstmarkt valkenburg", cwd=tmp_path)
    after = run("ask", "--db", sample_db, "--today", "2026-12-05", "kerstmarkt valkenburg", cwd=tmp_path)
    assert before.returncode == after.returncode == 0, after.stderr
    assert "Met de bus naar de kerstmarkt in Valkenburg" in before.stdout
    assert "Met de bus naar de kerstmarkt in Valkenburg" not in after.stdout
    as_json = run("ask", "--db", sample_db, "--today", "2026-12-05", "--json", "kerstmarkt valkenburg", cwd=tmp_path)
    assert "kerstmarkt-valkenburg-busreis" in [r["id"] for r in json.loads(as_json.stdout)["results"]]


def test_a_reader_that_stops_early_gets_no_traceback(tmp_path, shared_db):
    """`python -m bot ask --json < questions | head -1`: the closed pipe ends the command quietly."""
    environ = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    questions = "".join("zwemmen\n" for _ in range(2000)).encode()
    command = [sys.executable, "-m", "bot", "ask", "--db", str(shared_db), "--json"]
    process = subprocess.Popen(
        command, cwd=tmp_path, env=environ, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdin is not None and process.stdout is not None and process.stderr is not None
    process.stdin.write(questions)
    process.stdin.close()
    assert json.loads(process.stdout.readline())["query"] == "zwemmen"
    process.stdout.close()  # as `head -1` does
    assert process.wait(timeout=60) == 0
    with process.stderr:
        assert "Traceback" not in process.stderr.read().decode()


def test_ask_about_a_day_without_anything_shows_what_comes_later(tmp_path, shared_db):
    """For a person the next date is an answer; the JSON line stays the answer to the question as asked."""
    question = ("ask", "--db", shared_db, "--today", "2027-03-01", "luchtballon morgen")
    human = run(*question, cwd=tmp_path)
    assert human.returncode == 0, human.stderr
    assert human.stdout.startswith("Ik vond niets voor morgen. Dit komt er later:\n")
    assert "Ballonvaart boven Bilzen" in human.stdout and "📅 zaterdag 13 maart, 14:00-16:00" in human.stdout
    as_json = run(*question[:-1], "--json", question[-1], cwd=tmp_path)
    expected = {"query": "luchtballon morgen", "results": [], "suggestion": None, "care": None, "lang": "nl"}
    assert json.loads(as_json.stdout) == expected


def test_ask_with_nothing_found_gives_the_contact(tmp_path, shared_db):
    result = run("ask", "--db", shared_db, "xqzwv plorkt", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "089 00 01 00" in result.stdout  # the Sociaal Huis, from the default settings


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--today", "13/03/2027"], "expected a date like 2027-03-13, got '13/03/2027'"),
        (["--today", "2027-02-30"], "expected a date like 2027-03-13"),
        (["--limit", "0"], "expected a whole number of 1 or more, got '0'"),
        (["--limit", "drie"], "expected a whole number of 1 or more"),
    ],
)
def test_ask_bad_arguments_exit_non_zero_with_a_message(tmp_path, args, message):
    db = tmp_path / "bot.sqlite3"
    result = run("ask", "--db", db, "--json", *args, "zwemmen", cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert result.stdout == ""
    assert not db.exists()  # refused before anything was opened


def test_ask_on_an_empty_database_loads_the_sample_first(tmp_path):
    db = tmp_path / "nieuw.sqlite3"
    result = run("ask", "--db", db, "--json", "zwemmen", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert_contract(json_lines(result.stdout)[0])
    assert count_offers(db) == SAMPLE_COUNT
    sample_ids = {o.id for o in read_offer_file(DATA / "offers.json")}
    assert {r["id"] for r in json_lines(result.stdout)[0]["results"]} <= sample_ids


# --- import ----------------------------------------------------------------------------------------


def test_import_into_a_new_database_loads_no_sample_and_prints_counts(tmp_path, offers_file):
    db = tmp_path / "bot.sqlite3"
    first = run("import", "--db", db, offers_file, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout == "Imported 3 offers from aanbod.json: 3 new, 0 updated, 0 unchanged.\n"
    assert count_offers(db) == 3
    changed = [dict(OFFERS[0], title="Ballonvaart (verzet)"), *OFFERS[1:]]
    offers_file.write_text(json.dumps(changed), encoding="utf-8")
    second = run("import", "--db", db, offers_file, cwd=tmp_path)
    assert second.stdout == "Imported 3 offers from aanbod.json: 0 new, 1 updated, 2 unchanged.\n"
    assert count_offers(db) == 3


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("kapot.json", '{"offers": [', "kapot.json: not valid JSON at line 1"),
        (
            "kapot.json",
            json.dumps([OFFERS[0], {"id": "zonder-titel", "kind": "activity"}]),
            "offer 2 (id 'zonder-titel'): title: is required and may not be empty",
        ),
        (
            "kapot.csv",
            "\ufeffid;kind;title;price.regular\r\ngoed;activity;Goed;1\r\nslecht;activity;Slecht;-2\r\n",
            "row 3 (id 'slecht'): price.regular: may not be negative, got -2",
        ),
    ],
)
def test_import_of_a_bad_file_imports_nothing(tmp_path, shared_db, name, content, message):
    before = count_offers(shared_db)
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    result = run("import", "--db", shared_db, path, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("Import failed, nothing was imported.\n")
    assert message in result.stderr
    assert result.stdout == ""
    assert count_offers(shared_db) == before
    conn = sqlite3.connect(shared_db)
    try:
        assert conn.execute("SELECT count(*) FROM offers WHERE id IN ('goed', 'zonder-titel')").fetchone()[0] == 0
    finally:
        conn.close()


def test_import_of_a_fifty_megabyte_file_is_refused_quickly(tmp_path):
    path = tmp_path / "groot.json"
    path.write_text("[" + " " * (50 * 1_048_576 - 2) + "]", encoding="utf-8")
    db = tmp_path / "bot.sqlite3"
    started = time.perf_counter()
    result = run("import", "--db", db, path, cwd=tmp_path)
    assert time.perf_counter() - started < 10  # a process start, not a 50 MB parse
    assert result.returncode == 1
    assert "the file is 50.0 MB; at most 20 MB can be imported" in result.stderr
    assert not db.exists() or count_offers(db) == 0


def test_import_of_a_missing_file(tmp_path):
    result = run("import", "--db", tmp_path / "bot.sqlite3", tmp_path / "nergens.csv", cwd=tmp_path)
    assert result.returncode == 1
    assert "nergens.csv: file not found" in result.stderr


# --- export round trips ------------------------------------------------------------------------------


def test_export_json_round_trips_through_import(tmp_path, shared_db):
    exported = run("export", "--db", shared_db, "--format", "json", cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    document = json.loads(exported.stdout)
    assert document["version"] == 2 and document["town"] == "Bilzen"
    assert {o["id"] for o in document["offers"]} == {o["id"] for o in OFFERS}
    assert next(o for o in document["offers"] if o["id"] == "zeppelin-korting")["capaciteit"] == 12
    path = tmp_path / "export.json"
    path.write_text(exported.stdout, encoding="utf-8")
    other = tmp_path / "ander.sqlite3"
    assert run("import", "--db", other, path, cwd=tmp_path).returncode == 0
    again = run("export", "--db", other, "--format", "json", cwd=tmp_path)
    assert again.stdout == exported.stdout


def test_export_csv_round_trips_through_import(tmp_path, shared_db):
    out = tmp_path / "export.csv"
    exported = run("export", "--db", shared_db, "--format", "csv", "--out", out, cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout == ""
    assert f"Exported 3 offers to {out}." in exported.stderr
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfid;kind;title;") and b"\r\n" in raw
    other = tmp_path / "ander.sqlite3"
    imported = run("import", "--db", other, out, cwd=tmp_path)
    assert imported.stdout == "Imported 3 offers from export.csv: 3 new, 0 updated, 0 unchanged.\n"
    out2 = tmp_path / "export2.csv"
    assert run("export", "--db", other, "--format", "csv", "--out", out2, cwd=tmp_path).returncode == 0
    assert out2.read_bytes() == raw


# --- history and config ---------------------------------------------------------------------------------


def test_history_lists_the_audit_trail(tmp_path, db, offers_file):
    changed = [dict(OFFERS[0], title="Ballonvaart (verzet)")]
    offers_file.write_text(json.dumps(changed), encoding="utf-8")
    assert run("import", "--db", db, offers_file, cwd=tmp_path).returncode == 0
    result = run("history", "--db", db, "ballonvaart-bilzen", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert "import:aanbod.json" in lines[0] and " created " in lines[0] and '"status": "published"' in lines[0]
    assert " updated " in lines[1] and '{"fields": ["title"]}' in lines[1]
    assert lines[0][:4].isdigit() and "+00:00" in lines[0]
    unknown = run("history", "--db", db, "bestaat-niet", cwd=tmp_path)
    assert unknown.returncode == 1
    assert "No history for offer 'bestaat-niet'." in unknown.stderr


def test_config_from_bot_config_sets_database_and_limits(tmp_path, offers_file):
    folder = tmp_path / "conf"
    folder.mkdir()
    config = folder / "bot.toml"
    config.write_text('[database]\npath = "state/bot.sqlite3"\n[search]\nmax_results = 1\n', encoding="utf-8")
    assert run("import", offers_file, config=config, cwd=tmp_path).returncode == 0
    assert count_offers(folder / "state" / "bot.sqlite3") == 3  # relative to the config file, not the cwd
    result = run("ask", "--json", stdin="wolkenfeest\n", config=config, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert len(json_lines(result.stdout)[0]["results"]) == 1


def test_bad_config_exits_with_the_key(tmp_path):
    config = tmp_path / "bot.toml"
    config.write_text("[search]\nmax_result = 2\n", encoding="utf-8")
    result = run("ask", "--db", tmp_path / "bot.sqlite3", "zwemmen", config=config, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("Config error: unknown key 'search.max_result'; did you mean 'max_results'?")


def test_a_database_that_cannot_be_upgraded_is_left_alone_with_a_one_line_reason(tmp_path):
    path = tmp_path / "bot.sqlite3"
    assert run("ask", "--db", path, "zwemmen", cwd=tmp_path).returncode == 0
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    before = path.read_bytes()
    result = run("ask", "--db", path, "zwemmen", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("The database could not be upgraded, so nothing was changed:")
    assert "schema version 999" in result.stderr and "Traceback" not in result.stderr
    assert path.read_bytes() == before
