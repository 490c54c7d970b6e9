from __future__ import annotations

from ledgersync.providers.base import Address, Contact, ContactKind, Wanted
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


def contact(id_, name, **fields):
    return Contact(id_, name, ContactKind.CUSTOMER, **fields)


def test_each_suggestion_says_why_it_was_made():
    result = {m.contact.name: m.reasons for m in rank_contacts("Harbour Cafe", CONTACTS)}
    assert result == {
        "Harbour Cafe": ("same name",),
        "harbour café": ("same name apart from case, punctuation or suffix",),
    }
    typo = rank_contacts("Oakfeld Primary School", CONTACTS)[0]
    assert typo.reasons[0].startswith("similar name (") and typo.reasons[0].endswith("% alike)")


def test_an_identifier_suggests_a_contact_whose_name_is_nothing_alike():
    """The package keeps the business under its trading name; our record under its legal one."""
    contacts = [
        contact("1", "The Anchor", tax_number="GB 123 4567 89"),
        contact("2", "Anchor Inns (Cornwall) Ltd", account_number="ZZ9"),
        contact("3", "Someone Else", email="ACCOUNTS@ANCHOR.EXAMPLE"),
    ]
    wanted = Wanted(
        "Penrose Hospitality Limited",
        number="A2001",
        email="accounts@anchor.example",
        vat_number="GB123456789",
    )

    result = rank_contacts(wanted, contacts)

    assert [(m.contact.id, m.reasons, m.exact) for m in result] == [
        ("3", ("e-mail accounts@anchor.example",), False),  # a tie goes by name
        ("1", ("VAT number GB123456789",), False),
    ]
    assert all(m.score < 1.0 for m in result)


def test_the_account_number_matches_the_packages_account_number_or_reference():
    contacts = [contact("7", "H. Cafe", account_number="a1001"), contact("8", "Harbour Cafe")]

    result = rank_contacts(Wanted("Harbour Cafe", number="A1001"), contacts)

    assert [(m.contact.id, m.exact) for m in result] == [("8", True), ("7", False)]
    assert result[1].reasons[0] == "account number A1001"


def test_a_postcode_lifts_a_name_only_half_alike_into_the_suggestions():
    contacts = [contact("5", "Oakfield School Trust", address=Address(postcode="tr1 2ab"))]
    alone = rank_contacts("Oakfield Primary", contacts)  # 0.49 alike
    with_postcode = rank_contacts(Wanted("Oakfield Primary", postcode="TR1 2AB"), contacts)

    assert alone == []
    assert with_postcode[0].reasons[-1] == "postcode TR1 2AB"
