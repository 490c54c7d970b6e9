"""Ranking provider contacts against a ledgersync name, for the Suggestions panel.

Shared by every provider: connectors fetch their contact list and hand it here, so all
three rank the same way. Names are compared after folding case, punctuation, "&"/"and" and
the usual company suffixes; ``exact`` stays strict (identical names) because that is what
the product guide requires before offering Link This.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from difflib import SequenceMatcher

from ledgersync.providers.base import Contact, ContactMatch

# Suffixes that say the same thing in different words; folded to one spelling.
_SUFFIXES = {
    "limited": "ltd",
    "ltd": "ltd",
    "plc": "plc",
    "llp": "llp",
    "company": "co",
    "co": "co",
    "incorporated": "inc",
    "inc": "inc",
}
_WORD = re.compile(r"[a-z0-9]+")
MIN_SCORE = 0.6


def normalise(name: str) -> str:
    """``"Greenway Lettings Ltd."`` and ``"greenway lettings limited"`` both become
    ``"greenway lettings ltd"``."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    text = text.replace("&", " and ").replace("'", "")
    words = [_SUFFIXES.get(word, word) for word in _WORD.findall(text)]
    return " ".join(words)


def _core(normalised: str) -> str:
    # The name without its legal suffix, so "Apex Plant Hire" is close to "Apex Plant Hire Ltd".
    words = normalised.split()
    while words and words[-1] in _SUFFIXES.values():
        words.pop()
    return " ".join(words)


def similarity(wanted: str, candidate: str) -> float:
    """1.0 for names that differ only in case, punctuation, "&"/"and" or suffix spelling;
    otherwise the better of a character and a word comparison, in 0..1."""
    a, b = normalise(wanted), normalise(candidate)
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    core_a, core_b = _core(a), _core(b)
    if core_a and core_a == core_b:
        return 0.95
    chars = SequenceMatcher(None, core_a or a, core_b or b).ratio()
    words_a, words_b = set((core_a or a).split()), set((core_b or b).split())
    words = len(words_a & words_b) / len(words_a | words_b)
    return round(max(chars, words) * 0.9, 4)


def rank_contacts(
    name: str, contacts: Iterable[Contact], limit: int = 5, min_score: float = MIN_SCORE
) -> list[ContactMatch]:
    """The contacts resembling ``name``, best first (ties by name), at most ``limit``."""
    wanted = name.strip()
    matches = []
    for contact in contacts:
        score = similarity(wanted, contact.name)
        if score >= min_score:
            exact = contact.name.strip() == wanted
            matches.append(ContactMatch(contact, 1.0 if exact else score, exact))
    matches.sort(key=lambda m: (not m.exact, -m.score, m.contact.name))
    return matches[:limit]
