"""Intake: turn a forwarded flyer, post or e-mail into a draft offer (pure Python, no Telegram, no database).

extract_offer(text, today=..., origin=None) -> Extraction(offer, missing, warnings, confidence)
find_duplicates(candidate, existing) -> [(id, score), ...]
"""

from .duplicates import find_duplicates
from .extract import OFFER_FIELDS, Extraction, extract_offer

__all__ = ["OFFER_FIELDS", "Extraction", "extract_offer", "find_duplicates"]
