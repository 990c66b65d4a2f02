"""Three-way merge of an imported offer: what the source said last time, the offer now, what the source says now.

Why this design: the last imported version is kept beside each synced offer (table offer_sources), and a field
counts as a coordinator's edit exactly when the offer's value differs from it. No edit path has to remember to
mark what it changed: the Telegram editor, a corrected JSON import, a key figure's merge or a later tool all
work as they are, and the marks can never fall out of step with the data. A coordinator gives a field back to
the source by setting it to the source's value again. `python -m bot history` shows who changed what.

Rules, per field (nested objects field by field):
- unchanged here: the source's new value;
- changed here: the value from here, whatever the source says now;
- lists (keywords, categories, groups, price lines): what was added here stays, what was removed here stays
  away, and the source's own additions and removals still come through;
- `when` is one field: a date and its end, rule and exceptions only make sense together;
- when the price lines are merged, the summary price is derived from them again (unless it was edited here).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

ATOMIC = frozenset({"when"})
_MISSING = object()


def merge(base: Mapping[str, Any] | None, current: Mapping[str, Any], incoming: Mapping[str, Any]) -> dict[str, Any]:
    """The offer after a sync (all three in the offer file format)."""
    if base is None:  # never synced before: the source's version
        return dict(incoming)
    merged = _merge_table(base, current, incoming, top=True)
    price_edited = current.get("price") != base.get("price")
    lines_merged = merged.get("prices") != incoming.get("prices")
    if lines_merged and not price_edited and isinstance(merged.get("price"), Mapping):
        merged["price"] = {**merged["price"], "regular": None, "reduced": None}  # derived from the lines again
    return merged


def edited_fields(base: Mapping[str, Any] | None, current: Mapping[str, Any], prefix: str = "") -> list[str]:
    """The fields (dotted) a coordinator changed since the last sync."""
    if base is None:
        return []
    found = []
    for key in sorted(set(base) | set(current)):
        old, new = base.get(key), current.get(key)
        if old == new:
            continue
        if isinstance(old, Mapping) and isinstance(new, Mapping) and key not in ATOMIC:
            found.extend(edited_fields(old, new, f"{prefix}{key}."))
        else:
            found.append(f"{prefix}{key}")
    return found


def _merge_table(
    base: Mapping[str, Any], current: Mapping[str, Any], incoming: Mapping[str, Any], *, top: bool = False
) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for key in [*incoming, *(k for k in current if k not in incoming)]:
        value = _merge_value(
            key, base.get(key, _MISSING), current.get(key, _MISSING), incoming.get(key, _MISSING), top=top
        )
        if value is not _MISSING:
            merged[key] = value
    return merged


def _merge_value(key: str, base: Any, current: Any, incoming: Any, *, top: bool) -> Any:
    if current == base:  # not touched here: the source decides
        return incoming
    if top and key in ATOMIC:
        return current
    if all(isinstance(v, Mapping) or v is None or v is _MISSING for v in (base, current, incoming)) and isinstance(
        current, Mapping
    ):
        empty: Mapping[str, Any] = {}
        old = base if isinstance(base, Mapping) else empty
        new = incoming if isinstance(incoming, Mapping) else empty
        return _merge_table(old, current, new)
    if isinstance(current, list) and isinstance(base, list | None) and isinstance(incoming, list | None):
        return _merge_list(base or [], current, incoming or [])
    return current  # changed here: kept


def _merge_list(base: list[Any], current: list[Any], incoming: list[Any]) -> list[Any]:
    added_here = [item for item in current if item not in base]
    removed_here = [item for item in base if item not in current]
    merged = [item for item in incoming if item not in removed_here]
    return merged + [item for item in added_here if item not in merged]
