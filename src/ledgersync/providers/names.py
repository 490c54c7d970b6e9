"""Ranking provider contacts against a ledgersync account or supplier, for Suggestions.

Shared by every provider: connectors fetch their contact list and hand it here, so all
three rank the same way. A contact is suggested for its name (compared after folding case,
punctuation, "&"/"and" and the usual company suffixes) and for what identifies a business
beyond its name: the same account number or reference, e-mail, VAT number or postcode.
Each suggestion says why it was made. ``exact`` stays strict (identical names), because
that is what the product guide requires before offering Link This.

The fuzzy comparison is rapidfuzz's (C speed: 10,000 contacts in a few milliseconds; see
benchmarks/bench_matching.py); folding a name is cached, since the same contact list is
ranked for document after document.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Iterable
from functools import lru_cache

from rapidfuzz import fuzz, process

from ledgersync.providers.base import Contact, ContactMatch, Wanted

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
# A name this far from ours is still worth a suggestion when the postcode agrees.
POSTCODE_FLOOR = 0.45
POSTCODE_BONUS = 0.15
# What an identifier (account number, e-mail, VAT number) makes of a suggestion: never
# above a name match that is the same apart from its spelling, never exact.
IDENTIFIED = 0.9


@lru_cache(maxsize=200_000)
def normalise(name: str) -> str:
    """``"Greenway Lettings Ltd."`` and ``"greenway lettings limited"`` both become
    ``"greenway lettings ltd"``."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    text = text.replace("&", " and ").replace("'", "")
    words = [_SUFFIXES.get(word, word) for word in _WORD.findall(text)]
    return " ".join(words)


@lru_cache(maxsize=200_000)
def _core(normalised: str) -> str:
    # The name without its legal suffix, so "Apex Plant Hire" is close to "Apex Plant Hire Ltd".
    words = normalised.split()
    while words and words[-1] in _SUFFIXES.values():
        words.pop()
    return " ".join(words) or normalised


def similarity(wanted: str, candidate: str) -> float:
    """1.0 for names that differ only in case, punctuation, "&"/"and" or suffix spelling;
    0.95 for one that lacks the other's legal suffix; otherwise the better of a character
    and a word-order-blind comparison, scaled into 0..0.9."""
    a, b = normalise(wanted), normalise(candidate)
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    core_a, core_b = _core(a), _core(b)
    if core_a == core_b:
        return 0.95
    return _fuzzy(core_a, core_b)


def _fuzzy(core_a: str, core_b: str) -> float:
    best = max(fuzz.ratio(core_a, core_b), fuzz.token_sort_ratio(core_a, core_b))
    return round(best / 100 * 0.9, 4)


@lru_cache(maxsize=200_000)
def _plain(value: str) -> str:
    """An identifier compared without case, spaces or punctuation."""
    return re.sub(r"[^0-9a-z@.]", "", value.casefold())


@lru_cache(maxsize=200_000)
def _vat(value: str) -> str:
    plain = re.sub(r"[^0-9a-z]", "", value.casefold())
    return plain[2:] if plain[:2].isalpha() else plain  # "GB 123 4567 89" is 123456789


class _Book:
    """A contact list made ready for ranking: each name folded, and the contacts by each
    identifier, so a document's identifiers are looked up rather than compared with every
    contact. Connectors keep their lists and only ever append to them (a contact created),
    so a book follows its list by indexing what was appended."""

    def __init__(self, contacts: list[Contact]) -> None:
        self.source = contacts
        self.cores: list[str] = []
        self.by: dict[str, dict[str, list[int]]] = {"number": {}, "email": {}, "vat": {}}
        self.follow()

    def follow(self) -> None:
        for index in range(len(self.cores), len(self.source)):
            contact = self.source[index]
            self.cores.append(_core(normalise(contact.name)))
            for key, value in (
                ("number", _plain(contact.account_number)),
                ("email", _plain(contact.email)),
                ("vat", _vat(contact.tax_number)),
            ):
                if value:
                    self.by[key].setdefault(value, []).append(index)

    def identified(self, wanted: Wanted) -> dict[int, list[str]]:
        """The contacts sharing an identifier with ``wanted``, with the reasons in words."""
        found: dict[int, list[str]] = {}
        for key, ours, reason in (
            ("number", _plain(wanted.number), f"account number {wanted.number}"),
            ("email", _plain(wanted.email), f"e-mail {wanted.email}"),
            ("vat", _vat(wanted.vat_number), f"VAT number {wanted.vat_number}"),
        ):
            for index in self.by[key].get(ours, []) if ours else []:
                found.setdefault(index, []).append(reason)
        return found


_BOOKS: OrderedDict[int, _Book] = OrderedDict()
_BOOKS_KEPT = 16
_BOOKS_LOCK = threading.Lock()


def _book(contacts: Iterable[Contact]) -> _Book:
    """The book of a connector's list, kept while it is in use; any other iterable is read
    into a book of its own."""
    if not isinstance(contacts, list):
        return _Book(list(contacts))
    with _BOOKS_LOCK:
        book = _BOOKS.get(id(contacts))
        if book is None or book.source is not contacts:
            book = _Book(contacts)
            _BOOKS[id(contacts)] = book
            while len(_BOOKS) > _BOOKS_KEPT:
                _BOOKS.popitem(last=False)
        _BOOKS.move_to_end(id(contacts))
        book.follow()
        return book


def _postcode(wanted: Wanted, contact: Contact) -> bool:
    theirs = contact.address.postcode if contact.address is not None else ""
    return bool(wanted.postcode) and _plain(theirs) == _plain(wanted.postcode)


def _name_reason(score: float, exact: bool) -> str:
    if exact:
        return "same name"
    if score >= 1.0:
        return "same name apart from case, punctuation or suffix"
    if score >= 0.95:
        return "same name without its suffix"
    return f"similar name ({round(score / 0.9 * 100)}% alike)"


def rank_contacts(
    wanted: Wanted | str,
    contacts: Iterable[Contact],
    limit: int = 5,
    min_score: float = MIN_SCORE,
) -> list[ContactMatch]:
    """The contacts resembling ``wanted`` (a name, or a party's name and identifiers), best
    first (ties by name), at most ``limit``, each with the reasons it was suggested."""
    if isinstance(wanted, str):
        wanted = Wanted(wanted)
    name = wanted.name.strip()
    ours = _core(normalise(name)) if normalise(name) else ""
    book = _book(contacts)
    # The fuzzy pass in C over the whole list; what scores too low for a name match alone
    # is kept only where an identifier or the postcode speaks for it.
    floor = min(min_score, POSTCODE_FLOOR) / 0.9 * 100
    close: set[int] = set()
    if ours:
        for scorer in (fuzz.ratio, fuzz.token_sort_ratio):
            found = process.extract(ours, book.cores, scorer=scorer, score_cutoff=floor, limit=None)
            close.update(index for _, _, index in found)
    identified = book.identified(wanted)
    matches = []
    for index in close | identified.keys():
        contact = book.source[index]
        exact = contact.name.strip() == name
        score = 1.0 if exact else similarity(name, contact.name)
        reasons = [_name_reason(score, exact)] if score >= POSTCODE_FLOOR else []
        if _postcode(wanted, contact) and POSTCODE_FLOOR <= score < 1.0:
            score = min(score + POSTCODE_BONUS, 0.99)
            reasons.append(f"postcode {wanted.postcode}")
        identifiers = identified.get(index, [])
        if identifiers:
            if score < IDENTIFIED:
                score = IDENTIFIED + 0.02 * (len(identifiers) - 1)
            reasons = identifiers + reasons
        if score >= min_score:
            matches.append(ContactMatch(contact, score, exact, tuple(reasons)))
    matches.sort(key=lambda m: (not m.exact, -m.score, m.contact.name))
    return matches[:limit]
