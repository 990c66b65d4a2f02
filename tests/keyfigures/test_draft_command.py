"""`python -m bot draft`: the draft of a pasted announcement, as a preview or as one offer in the offer format.

A stable contract (outside checks use it): --json prints exactly one line, one offer in the offer format, and
the command writes nothing (no database is made or touched). Run in-process (bot.cli.main) to stay fast; the
process-level behaviour of the command line is covered in tests/test_cli.py."""

from __future__ import annotations

import io
import json
import logging

from bot.cli import main
from bot.offers.model import Offer

TEXT = """Goeiemiddag,

Het Koor Sint-Cecilia nodigt jullie graag uit voor het Kerstconcert in de kerk van Rijkhoven op zondag 19 december.
We beginnen om half 4. Kerk Sint-Pieter, Kerkstraat 5, 3740 Rijkhoven
Inkom €8, met Rap op Stap €1,60.

Vriendelijke groeten,
Marijke"""


def draft(monkeypatch, capsys, tmp_path, *args: str, stdin: str = "") -> tuple[int, str, str]:
    config = tmp_path / "empty-config.toml"
    config.write_text("", encoding="utf-8")
    monkeypatch.setenv("BOT_CONFIG", str(config))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        code = main(["draft", *args])
    finally:  # main() sets up logging for a process; leave this test process's logging as it was
        root.handlers[:] = handlers
        root.setLevel(level)
    out, err = capsys.readouterr()
    return code, out, err


def test_draft_json_is_one_offer_in_the_offer_format_and_nothing_is_written(monkeypatch, capsys, tmp_path):
    (tmp_path / "flyer.txt").write_text(TEXT, encoding="utf-8")
    code, out, err = draft(monkeypatch, capsys, tmp_path, "--json", "--today", "2027-11-20", "flyer.txt")
    assert code == 0, err
    lines = out.split("\n")
    assert len(lines) == 2 and lines[1] == ""
    offer = json.loads(lines[0])
    Offer.from_dict(offer)  # valid in the offer format
    assert offer["title"] == "Kerstconcert in de kerk van Rijkhoven"
    assert offer["when"] == {"start": "2027-12-19T15:30", "end": "2027-12-19T17:30"}
    assert offer["price"]["regular"] == 8 and offer["price"]["reduced"] == 1.6
    assert offer["location"] == {"name": "Kerk Sint-Pieter", "address": "Kerkstraat 5, 3740 Rijkhoven"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty-config.toml", "flyer.txt"]  # no database


def test_draft_without_json_is_the_preview_a_key_figure_sees(monkeypatch, capsys, tmp_path):
    code, out, err = draft(monkeypatch, capsys, tmp_path, "--today", "2027-11-20", "-", stdin=TEXT)
    assert code == 0, err
    assert "Zo ziet je aanbod eruit" in out and "Kerstconcert in de kerk van Rijkhoven" in out
    assert "zondag 19 december, 15:30-17:30" in out and "[✅ Bevestig]" in out and "<b>" not in out
    code, out, err = draft(monkeypatch, capsys, tmp_path, stdin="   \n")
    assert code == 1 and out == "" and "geen tekst" in err
    code, out, err = draft(
        monkeypatch, capsys, tmp_path, "--today", "2027-11-20", stdin="Quiz in zaal De Schakel, 5 euro"
    )
    assert code == 0 and "Wanneer" in out  # what the desk would ask first
