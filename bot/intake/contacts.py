"""Phone numbers, e-mail addresses and web links, in the forms Belgian flyers and signatures use them."""

from __future__ import annotations

import re
from dataclasses import dataclass

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\b", re.I)
# 089 12 34 56, 089/12.34.56, 0471/12.34.56, 0471 12 34 56, +32 89 12 34 56, +32 (0)471 12 34 56, 0032 ...
_PHONE = re.compile(
    r"(?<![\w+/])(?:(?:\+|00)32\s?(?:\(0\)\s?)?|0)(?:\d[\s./-]?){7,9}\d(?![\d/])",
)
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"')\]]+", re.I)


@dataclass
class ContactResult:
    phone: str | None = None
    email: str | None = None
    url: str | None = None


def format_phone(raw: str) -> str | None:
    """Belgian display form: 089 12 34 56, 0471 12 34 56, 02 123 45 67. None if it is no Belgian number."""
    digits = re.sub(r"\D", "", raw)
    if digits.startswith("0032"):
        digits = "0" + digits[4:]
    elif digits.startswith("32") and raw.strip().startswith("+"):
        digits = "0" + digits[2:]
    if digits.startswith("00"):
        digits = digits[1:]
    if len(digits) == 10 and digits.startswith("04"):
        return f"{digits[:4]} {digits[4:6]} {digits[6:8]} {digits[8:]}"
    if len(digits) == 9 and digits.startswith("0"):
        if digits[1] in "2349":  # one-digit zones: Brussel, Antwerpen, Luik, Gent
            return f"{digits[:2]} {digits[2:5]} {digits[5:7]} {digits[7:]}"
        return f"{digits[:3]} {digits[3:5]} {digits[5:7]} {digits[7:]}"
    return None


def find_phones(text: str) -> list[str]:
    out: list[str] = []
    for m in _PHONE.finditer(text):
        phone = format_phone(m.group(0))
        if phone and phone not in out:
            out.append(phone)
    return out


def find_emails(text: str) -> list[str]:
    out: list[str] = []
    for m in _EMAIL.finditer(text):
        email = m.group(0).strip(".").lower()
        if email not in out:
            out.append(email)
    return out


def find_urls(text: str) -> list[str]:
    out: list[str] = []
    for m in _URL.finditer(text):
        url = m.group(0).rstrip(".,;:!?")
        if url.lower().startswith("www."):
            url = "https://" + url
        if url not in out:
            out.append(url)
    return out


def extract_contact(*texts: str) -> ContactResult:
    """The first phone, e-mail and URL, looking through `texts` in order (body before signature)."""
    res = ContactResult()
    for text in texts:
        if not text:
            continue
        res.phone = res.phone or next(iter(find_phones(text)), None)
        res.email = res.email or next(iter(find_emails(text)), None)
        res.url = res.url or next(iter(find_urls(text)), None)
    return res
