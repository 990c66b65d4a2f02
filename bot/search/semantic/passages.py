"""What of an offer is embedded, and the key that says when its vector must be computed again.

The passage is the offer as a person would describe it: title, summary, keywords, categories and
description (measured on the studied question sets: title and summary alone found the right offer
in the top 3 for 0.88 of the questions, this whole text for 0.91). Streets, phone numbers and prices
are left out: they say nothing about what the offer is.

Each stored vector carries the hash of its passage and the model that made it: an offer's vector is
computed again only when that text changes, when the recipe below changes (bump RECIPE), or when
another model is installed.
"""

from __future__ import annotations

import hashlib

from bot.offers.model import Offer

RECIPE = "1"
MAX_PASSAGE_CHARS = 2000  # about 500 tokens, the model's window; a longer description adds little


def passage_text(offer: Offer) -> str:
    """The offer's text as one passage: 'Title. Summary Keywords. Categories. Description'."""
    parts = [
        f"{offer.title.strip()}.",
        (offer.summary or "").strip(),
        ", ".join(offer.keywords) + "." if offer.keywords else "",
        ", ".join(offer.categories) + "." if offer.categories else "",
        (offer.description or "").strip(),
    ]
    return " ".join(p for p in parts if p)[:MAX_PASSAGE_CHARS]


def passage_hash(passage: str) -> str:
    """A short fingerprint of a passage under this recipe."""
    return hashlib.sha256(f"{RECIPE}\0{passage}".encode()).hexdigest()[:32]
