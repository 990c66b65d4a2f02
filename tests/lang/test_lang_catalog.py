"""The texts catalog: one Texts per language, Dutch for a key a language file lacks."""

from __future__ import annotations

from pathlib import Path

from bot.lang.catalog import Catalog
from bot.platform.texts import Texts


def test_a_language_falls_back_on_dutch_key_by_key(tmp_path: Path) -> None:
    (tmp_path / "texts.nl.toml").write_text('[a]\nhi = "Dag {name}"\nbye = "Tot ziens"\n', encoding="utf-8")
    (tmp_path / "texts.en.toml").write_text('[a]\nhi = "Hello {name}"\n', encoding="utf-8")
    catalog = Catalog.load(tmp_path)
    assert catalog.languages == ("nl", "en")
    english = catalog["en"]
    assert english.lang == "en"
    assert english("a.hi", name="<Ann>") == "Hello &lt;Ann&gt;"
    assert english.label("a.bye") == "Tot ziens"
    assert catalog["xx"] is catalog.dutch and catalog[None] is catalog.dutch


def test_the_shipped_catalog_has_dutch() -> None:
    data = Path(__file__).resolve().parents[2] / "data"
    catalog = Catalog.load(data)
    assert isinstance(catalog.dutch, Texts) and catalog.dutch.lang == "nl"
