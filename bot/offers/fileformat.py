"""Reading and writing offer files (JSON and CSV), as `OFFER-FORMAT.md` describes them.

Coordinators export from spreadsheet programs, so CSV comes with a BOM or without, with `;` or
`,`, with Windows line ends, decimal commas and dates written day first (16/12/2026 14:00).
Reading is all or nothing: the first error names the offer (id or row), the field and the problem,
and nothing is returned. Files of format version 1 and 2 are read; version 2 is written.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from bot.offers.model import KNOWN_FIELDS, Offer, OfferError

MAX_FILE_BYTES = 20 * 1024 * 1024  # a town's offer fits in far less; a bigger file is almost surely the wrong one
FORMAT_VERSION = 2
READABLE_VERSIONS = (1, 2)
LIST_SEPARATOR = "|"
LIST_COLUMNS = ("categories", "keywords", "audience.groups", "when.except")
NUMBER_COLUMNS = ("audience.min_age", "audience.max_age", "price.regular", "price.reduced")
CSV_COLUMNS = (
    "id", "kind", "title", "summary", "description", "categories", "keywords", "organizer",
    "location.name", "location.address", "audience.min_age", "audience.max_age", "audience.groups",
    "price.regular", "price.reduced", "price.note", "prices", "when.start", "when.end", "when.rrule",
    "when.dates", "when.except", "registration", "registration_deadline", "contact.phone", "contact.email",
    "contact.url", "transport", "eligibility", "childcare.start", "childcare.end", "childcare.note", "availability",
)  # fmt: skip
NESTED = ("location", "audience", "price", "when", "contact", "childcare")
# One price line in a CSV cell: "8 per beurt", "kinderen 6", "uitpas-kansentarief 1,60 per beurt"; lines joined by |.
_PRICE_CELL = re.compile(r"^(?:(?P<who>[a-z][a-z-]*)\s+)?€?\s*(?P<amount>\d+(?:[.,]\d+)?)(?:\s+per\s+(?P<per>\w+))?$")


class OfferFileError(ValueError):
    """The file as a whole cannot be read (too big, not JSON, not CSV, wrong encoding)."""


def read_offer_file(path: Path, *, max_bytes: int = MAX_FILE_BYTES) -> list[Offer]:
    """All offers of a JSON or CSV file, validated; raises OfferFileError or OfferError."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise OfferFileError(f"{path}: file not found") from None
    if size > max_bytes:
        raise OfferFileError(
            f"{path}: the file is {size / 1_048_576:.1f} MB; at most {max_bytes / 1_048_576:.0f} MB "
            "can be imported. Is this the right file?"
        )
    raw = path.read_bytes()
    if path.suffix.lower() == ".csv" or (path.suffix.lower() != ".json" and not _looks_like_json(raw)):
        return parse_csv(raw, name=path.name)
    return parse_json(raw, name=path.name)


def _looks_like_json(raw: bytes) -> bool:
    return raw.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"[")


def _decode(raw: bytes, name: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise OfferFileError(
            f"{name}: not UTF-8 text (byte {error.start}). Save the file as 'CSV UTF-8' or JSON."
        ) from None


def parse_json(raw: bytes | str, *, name: str = "JSON") -> list[Offer]:
    """Offers of a JSON document: `{"version": 2, "offers": [...]}` (or version 1) or a bare list."""
    text = raw if isinstance(raw, str) else _decode(raw, name)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise OfferFileError(
            f"{name}: not valid JSON at line {error.lineno}, column {error.colno}: {error.msg}"
        ) from None
    if isinstance(document, Mapping):
        version = document.get("version", FORMAT_VERSION)
        if version not in READABLE_VERSIONS:
            readable = " or ".join(str(v) for v in READABLE_VERSIONS)
            raise OfferFileError(f"{name}: format version {version!r} is not supported (expected {readable})")
        items = document.get("offers")
        if not isinstance(items, list):
            raise OfferFileError(f'{name}: expected a list under "offers"')
    elif isinstance(document, list):
        items = document
    else:
        raise OfferFileError(f'{name}: expected an object with "offers" or a list of offers')
    return _validate_all(
        ((f"offer {i + 1}", item) for i, item in enumerate(items)),
    )


def _validate_all(located_items: Iterable[tuple[str, Any]]) -> list[Offer]:
    offers: list[Offer] = []
    seen: dict[str, str] = {}
    for where, item in located_items:
        label = where
        if isinstance(item, Mapping) and isinstance(item.get("id"), str) and item["id"].strip():
            label = f"{where} (id {item['id'].strip()!r})"
        try:
            offer = Offer.from_dict(item)
        except OfferError as error:
            raise error.located(label) from None
        if offer.id in seen:
            raise OfferError("id", f"{offer.id!r} is used twice (also in {seen[offer.id]})", where=label)
        seen[offer.id] = where
        offers.append(offer)
    return offers


def parse_csv(raw: bytes | str, *, name: str = "CSV") -> list[Offer]:
    """Offers of a CSV document, one a row; the separator (`;` or `,`) is detected from the header."""
    text = raw if isinstance(raw, str) else _decode(raw, name)
    text = text.removeprefix("\ufeff")
    header_line = text.split("\n", 1)[0]
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = [h.strip() for h in next(reader, [])]
        missing = [c for c in ("id", "kind", "title") if c not in header]
        if missing:
            raise OfferFileError(
                f"{name}: the first row must name the columns; missing {', '.join(missing)} "
                f"(found: {', '.join(h for h in header if h) or 'nothing'})"
            )
        # Numbered as a spreadsheet numbers its rows (the header is row 1), also when a cell spans lines.
        rows = list(enumerate(reader, start=2))
    except csv.Error as error:
        raise OfferFileError(f"{name}: not a readable CSV file at line {reader.line_num}: {error}") from None
    decimal_comma = delimiter == ";"

    def located() -> Iterable[tuple[str, Any]]:
        for number, cells in rows:
            if not any(cell.strip() for cell in cells):
                continue  # spreadsheet programs leave empty rows at the end
            where = f"row {number}"
            row = dict(zip(header, cells, strict=False))
            if row.get("id", "").strip():
                where += f" (id {row['id'].strip()!r})"
            if len(cells) > len(header):
                extra = cells[len(header) :]
                raise OfferError("row", f"has more cells than the header has columns: {extra!r}", where=where)
            try:
                yield f"row {number}", _unflatten(row, decimal_comma=decimal_comma)
            except OfferError as error:
                raise error.located(where) from None

    return _validate_all(located())


def _number(column: str, text: str, *, decimal_comma: bool) -> int | float:
    cleaned = text.strip().replace("€", "").replace(" ", "")
    if decimal_comma or ("," in cleaned and "." not in cleaned):
        cleaned = cleaned.replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        raise OfferError(column, f"expected a number, got {text!r}") from None
    return int(value) if value.is_integer() and "." not in cleaned else value


def _unflatten(row: Mapping[str, str | None], *, decimal_comma: bool) -> dict[str, Any]:
    """One CSV row (dotted column names, `|`-joined lists) back into the nested offer shape."""
    offer: dict[str, Any] = {}
    for column, cell in row.items():
        if column is None or not column.strip():
            continue
        column = column.strip()
        text = (cell or "").strip()
        value: Any
        unknown = column.split(".")[0] not in KNOWN_FIELDS
        if unknown and not cell:
            continue  # this offer does not have the field
        if column in LIST_COLUMNS:
            value = [part.strip() for part in text.split(LIST_SEPARATOR) if part.strip()]
        elif not text:
            value = None
        elif column in NUMBER_COLUMNS:
            value = _number(column, text, decimal_comma=decimal_comma)
        elif column == "prices":
            value = _price_cell(text, decimal_comma=decimal_comma)
        elif column == "when.dates":
            value = _dates_cell(text)
        else:
            value = _extra_cell(cell or "") if unknown else text
        head, _, tail = column.partition(".")
        if tail:
            offer.setdefault(head, {})[tail] = value
        else:
            offer[head] = value
    for nested in ("location", "when", "childcare"):
        if isinstance(offer.get(nested), dict) and all(v in (None, []) for v in offer[nested].values()):
            offer[nested] = None
    return offer


def _price_cell(text: str, *, decimal_comma: bool) -> Any:
    """Price lines from one cell: JSON (a list), or the short form `8 per beurt | kinderen 6 | rap-op-stap 1,60`."""
    if text.startswith("["):
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise OfferError("prices", f"not valid JSON: {error.msg}") from None
    lines = []
    for part in text.split(LIST_SEPARATOR):
        found = _PRICE_CELL.match(part.strip())
        if not found:
            example = "'8 per beurt' or 'kinderen 6 per beurt'"
            raise OfferError("prices", f"expected lines like {example}, got {part.strip()!r}")
        line: dict[str, Any] = {"amount": _number("prices", found["amount"], decimal_comma=decimal_comma)}
        if found["who"]:
            line["who"] = found["who"]
        if found["per"]:
            line["per"] = found["per"]
        lines.append(line)
    return lines


def _dates_cell(text: str) -> list[dict[str, str]]:
    """Extra dates from one cell: `2027-01-12T14:00/2027-01-12T16:00 | ...` (start/end, or a start alone)."""
    dates = []
    for part in text.split(LIST_SEPARATOR):
        start, _, end = part.strip().partition("/")
        dates.append({"start": start.strip(), "end": end.strip() or start.strip()})
    return dates


def _extra_cell(text: str) -> Any:
    """Unknown columns hold JSON when the field was more than plain text (a number, a list, ...)."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def _extra_text(value: Any) -> str:
    """The cell of an unknown field, so that `_extra_cell` reads back exactly this value."""
    if isinstance(value, str):
        try:
            json.loads(value)
        except json.JSONDecodeError:
            return value if value.strip() == value and value else json.dumps(value, ensure_ascii=False)
    return json.dumps(value, ensure_ascii=False)


# --- writing ------------------------------------------------------------------------------


def dump_json(offers: Iterable[Offer], *, town: str) -> str:
    """A JSON document in the offer file format."""
    document = {"version": FORMAT_VERSION, "town": town, "offers": [o.to_dict() for o in offers]}
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def dump_csv(offers: Iterable[Offer], *, delimiter: str = ";") -> str:
    """A CSV document, one offer a row, with a BOM so spreadsheet programs read it as UTF-8.

    With `;` (what Belgian spreadsheet programs expect) amounts get a decimal comma.
    """
    offers = list(offers)
    extra_columns = sorted({k for o in offers for k in o.extra})
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([*CSV_COLUMNS, *extra_columns])
    for offer in offers:
        flat = _flatten(offer.to_dict())
        row = []
        for column in CSV_COLUMNS:
            row.append(_cell(flat.get(column), decimal_comma=delimiter == ";", as_list=column in LIST_COLUMNS))
        for column in extra_columns:
            row.append(_extra_text(offer.extra[column]) if column in offer.extra else "")
        writer.writerow(row)
    return "\ufeff" + out.getvalue()


def _flatten(offer: Mapping[str, Any]) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in offer.items():
        if key in NESTED:
            for sub, sub_value in (value or {}).items():
                flat[f"{key}.{sub}"] = sub_value
        else:
            flat[key] = value
    if "prices" in flat:
        flat["prices"] = _price_text(flat["prices"])
    if "when.dates" in flat:
        flat["when.dates"] = LIST_SEPARATOR.join(f"{d['start']}/{d['end']}" for d in flat["when.dates"])
    return flat


def _price_text(lines: list[dict[str, Any]]) -> str:
    """The short form of price lines when it says everything, else JSON."""
    if any(set(line) - {"amount", "who", "per"} for line in lines):
        return json.dumps(lines, ensure_ascii=False)
    parts = []
    for line in lines:
        amount = repr(line["amount"])
        who = "" if line.get("who", "iedereen") == "iedereen" else f"{line['who']} "
        per = f" per {line['per']}" if line.get("per") else ""
        parts.append(f"{who}{amount}{per}")
    return f" {LIST_SEPARATOR} ".join(parts)


def _cell(value: Any, *, decimal_comma: bool, as_list: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, int | float):
        text = repr(value)
        return text.replace(".", ",") if decimal_comma else text
    if as_list:
        return LIST_SEPARATOR.join(value)
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
