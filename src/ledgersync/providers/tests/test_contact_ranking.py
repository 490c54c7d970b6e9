from __future__ import annotations

from ledgersync.providers.base import Contact, ContactKind
from ledgersync.providers.names import normalise, rank_contacts

NAMES = [
    "Harbour Cafe",
    "Greenway Lettings Limited",
    "Oakfield Primary School",
    "Tidewater Marine",
    "Castle Hotel Group",
    "Smith & Sons Ltd",
    "harbour café",
]
CONTACTS = [Contact(str(i), name, ContactKind.CUSTOMER) for i, name in enumerate(NAMES)]


def ranked(name: str) -> list[tuple[str, float, bool]]:
    return [(m.contact.name, m.score, m.exact) for m in rank_contacts(name, CONTACTS)]


def test_an_identical_name_comes_first_and_is_exact():
    assert ranked("Harbour Cafe") == [("Harbour Cafe", 1.0, True), ("harbour café", 1.0, False)]


def test_ltd_and_limited_match_but_are_not_exact():
    assert ranked("Greenway Lettings Ltd") == [("Greenway Lettings Limited", 1.0, False)]


def test_ampersand_punctuation_and_case_are_folded():
    assert ranked("SMITH AND SONS LTD.") == [("Smith & Sons Ltd", 1.0, False)]
    assert normalise("Greenway Lettings Ltd.") == normalise("greenway lettings limited")


def test_a_name_without_its_suffix_is_a_near_match():
    assert ranked("Tidewater Marine Ltd") == [("Tidewater Marine", 0.95, False)]


def test_an_unrelated_name_suggests_nothing():
    assert ranked("Northgate Dental Practice") == []


def test_a_typo_still_suggests_the_contact_below_exact_matches():
    result = ranked("Oakfeld Primary School")
    assert [name for name, _, _ in result] == ["Oakfield Primary School"]
    assert 0.6 <= result[0][1] < 0.95
