"""The tree is the architecture: the core (bot/) imports nothing of Telegram or of handlers/, anywhere."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = ("telegram", "handlers")  # the Telegram face: python-telegram-bot and our handlers


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """Every module a file imports, at the top or inside a function, with its line."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in (
            "import_module",
            "__import__",
        ):
            args = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            found += [(node.lineno, name) for name in args]
    return found


def test_the_core_imports_no_telegram_and_no_handlers():
    offending = [
        f"{path.relative_to(ROOT)}:{line}: {module}"
        for path in sorted((ROOT / "bot").rglob("*.py"))
        for line, module in imported_modules(path)
        if module.split(".")[0] in FORBIDDEN
    ]
    assert offending == []


def test_the_check_sees_imports_inside_functions(tmp_path):
    """The scan is not fooled by a lazy import (as `bot/cli.py` once had for `python -m bot run`)."""
    module = tmp_path / "lazy.py"
    module.write_text(
        "import os\n\ndef run():\n    from handlers.app import run_bot\n    import telegram.ext\n"
        "    importlib.import_module('handlers.app')\n",
        encoding="utf-8",
    )
    assert [m for _, m in imported_modules(module)] == ["os", "handlers.app", "telegram.ext", "handlers.app"]


def test_each_feature_has_its_folder():
    """`ls bot/` shows the features: besides the entry points and the wiring, only folders."""
    loose = sorted(p.name for p in (ROOT / "bot").glob("*.py"))
    assert loose == ["__init__.py", "__main__.py", "cli.py", "core.py"]
