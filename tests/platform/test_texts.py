"""The texts file: every text the code asks for exists with the placeholders the code fills in, and a broken
template is reported when the file is loaded, not when a person happens to reach it."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from markupsafe import Markup

from bot.chat.commands import MENU
from bot.platform.config import PROJECT_ROOT
from bot.platform.texts import Texts, TextsError, placeholders
from tests.helpers import DATA

TEXTS_FILE = DATA / "texts.nl.toml"
TEXTS = Texts.load(TEXTS_FILE)
SOURCES = sorted([*(PROJECT_ROOT / "bot").rglob("*.py"), *(PROJECT_ROOT / "handlers").glob("*.py")])
CONTACT_VALUES = {"name", "phone", "email", "hours", "address"}  # Conversation._contact_values()
KEYS = TEXTS.keys()
SECTIONS = {key.split(".")[0] for key in KEYS}

# texts("a.b", ...), self.texts("a.b"), core.texts(...), texts.label("a.b"), label("a.b"), texts.items("a.b")
CALL = re.compile(r"""\b(?:texts(?:\.label|\.items)?|label)\(\s*f?["']([^"']+)["']""")


@dataclass(frozen=True)
class Use:
    key: str
    kind: str  # "html", "label" or "items"
    values: frozenset[str] | None  # the names the code fills in; None: not known from the call alone
    where: str


def _kind(func: ast.expr) -> str | None:
    name = ast.unparse(func)
    if name.endswith("texts.items"):
        return "items"
    if name.endswith("texts.label") or name == "label":
        return "label"
    if name == "texts" or name.endswith(".texts"):
        return "html"
    return None


def scan() -> tuple[list[Use], set[tuple[str, str]]]:
    """Calls with a literal key (and the values they pass), and every other literal that names a text."""
    uses: list[Use] = []
    literals: set[tuple[str, str]] = set()
    for path in SOURCES:
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        in_calls: set[int] = set()
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and node.args and (kind := _kind(node.func))):
                continue
            first = node.args[0]
            where = f"{path.relative_to(PROJECT_ROOT)}:{node.lineno}"
            values: set[str] | None = {k.arg for k in node.keywords if k.arg}
            for k in node.keywords:
                if k.arg is None:  # **something
                    if "_contact_values" in ast.unparse(k.value):
                        values |= CONTACT_VALUES  # type: ignore[operator]
                    else:
                        values = None
                        break
            frozen = None if values is None else frozenset(values)
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                uses.append(Use(first.value, kind, frozen, where))
                in_calls.add(id(first))
            elif isinstance(first, ast.JoinedStr) and ast.unparse(first) == "f'commands.{c}'":
                uses += [Use(f"commands.{c}", kind, frozen, where) for c in MENU]
        if not any(isinstance(n, ast.Call) and _kind(n.func) for n in ast.walk(tree)):
            continue  # a module that never shows a text: 'price.regular' there is an offer field
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in in_calls
                and re.fullmatch(r"[a-z_]+\.[a-z_]+", node.value)
                and node.value.split(".")[0] in SECTIONS
            ):
                literals.add((node.value, f"{path.relative_to(PROJECT_ROOT)}:{node.lineno}"))
    return uses, literals


USES, LITERALS = scan()


def test_the_scan_finds_what_a_plain_regex_finds():
    """The AST scan misses no call a regex over the source sees (so a new way of calling is noticed)."""
    by_regex = {m.group(1) for path in SOURCES for m in CALL.finditer(path.read_text(encoding="utf-8"))}
    by_regex = {key for key in by_regex if "{" not in key}
    assert by_regex, "the regex finds the calls"
    assert by_regex <= {use.key for use in USES}
    assert len(USES) > 80  # the conversation, cards, terminal, handlers all use texts


@pytest.mark.parametrize("use", USES, ids=lambda u: f"{u.key}@{u.where}")
def test_every_text_the_code_uses_exists_and_renders(use):
    if use.kind == "items":
        assert TEXTS.items(use.key), f"{use.where}: list {use.key!r} is missing or empty in {TEXTS_FILE.name}"
        return
    assert use.key in KEYS, f"{use.where}: {use.key!r} is missing in {TEXTS_FILE.name}"
    needed = placeholders(TEXTS._template(use.key))
    if use.values is not None:
        assert needed <= use.values, f"{use.where}: {use.key} uses {needed - use.values}, which the code does not give"
    values = {name: f"<{name}&>" for name in (use.values or needed)}
    if use.kind == "label":
        rendered = TEXTS.label(use.key, **values)
        assert isinstance(rendered, str) and rendered.strip()
    else:
        rendered = TEXTS(use.key, **values)
        assert isinstance(rendered, Markup) and rendered.strip()
        for name in needed:
            assert f"&lt;{name}&amp;&gt;" in rendered  # filled in, and escaped


@pytest.mark.parametrize(("key", "where"), sorted(LITERALS), ids=lambda x: str(x))
def test_every_text_named_elsewhere_in_the_code_exists(key, where):
    """Keys kept in tables or passed along (browse.activities, media.photo, alone.none) exist too; they are
    rendered with no values or with the contact values, so they may use nothing else."""
    assert key in KEYS, f"{where}: {key!r} is missing in {TEXTS_FILE.name}"
    assert placeholders(TEXTS._template(key)) <= CONTACT_VALUES, f"{where}: {key}"
    TEXTS(key, **{name: "x" for name in CONTACT_VALUES})


def test_lists_the_cards_need():
    assert len(TEXTS.items("calendar.weekdays")) == 7
    assert len(TEXTS.items("calendar.months")) == 12
    assert len(TEXTS.items("calendar.ordinals")) >= 4


def test_values_are_escaped_and_labels_are_not():
    assert TEXTS("card.title", title="<b>Film</b> & co") == Markup("<b>&lt;b&gt;Film&lt;/b&gt; &amp; co</b>")
    assert TEXTS.label("buttons.did_you_mean", suggestion="a & b") == "🔎 a & b"


def test_missing_text_and_missing_value_are_reported_clearly():
    with pytest.raises(TextsError, match=r"the text 'card.bestaat_niet' is missing"):
        TEXTS("card.bestaat_niet")
    with pytest.raises(TextsError, match=r"card.title uses \{title\}, which is not available here"):
        TEXTS("card.title")


# --- loading a texts file -------------------------------------------------------------------------------


def load(tmp_path: Path, text: str) -> Texts:
    path = tmp_path / "texts.nl.toml"
    path.write_text(text, encoding="utf-8")
    return Texts.load(path)


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        ("Dag {name", "expected '}'"),
        ("Dag name}", "Single '}'"),
        ("Dag {}", "{}"),
        ("Dag {0}", "{0}"),
        ("Dag {name.upper}", "{name.upper}"),
        ("Dag {name[0]}", "{name[0]}"),
        ("Dag {naam met spaties}", "{naam met spaties}"),
    ],
)
def test_broken_template_is_reported_at_load_time(tmp_path, template, problem):
    with pytest.raises(TextsError) as caught:
        load(tmp_path, f'[welcome]\ntext = "ok"\n[menu]\ntext = "{template}"\n')
    message = str(caught.value)
    assert "texts.nl.toml" in message
    assert "menu.text" in message
    assert problem in message


def test_broken_list_item_is_reported_with_its_place(tmp_path):
    with pytest.raises(TextsError, match=r"calendar\.months\.1"):
        load(tmp_path, '[calendar]\nmonths = ["januari", "{februari"]\n')


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[card]\ntitle = 5\n", "card.title: expected text in quotes, got 5"),
        ('[calendar]\nmonths = ["januari", 2]\n', "calendar.months: expected text in quotes"),
        ("[card\ntitle = 'x'\n", "not valid TOML"),
    ],
)
def test_wrong_file_is_reported_at_load_time(tmp_path, text, problem):
    with pytest.raises(TextsError, match=re.escape(problem)):
        load(tmp_path, text)


def test_missing_file(tmp_path):
    with pytest.raises(TextsError, match="texts file not found"):
        Texts.load(tmp_path / "geen.toml")


def test_escaped_braces_and_format_specs_are_fine(tmp_path):
    texts = load(tmp_path, '[a]\nb = "{{letterlijk}} {n:>3}"\n')
    assert texts("a.b", n=7) == Markup("{letterlijk}   7")
