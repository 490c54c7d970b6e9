"""Error -> status code -> words, decided once in sync/status.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import ledgersync
from ledgersync.providers.errors import (
    AuthError,
    InvalidAccsId,
    PermanentError,
    ProviderError,
    RateLimited,
    RetriableError,
    UncertainError,
)
from ledgersync.sync.models import ConnectionStatus
from ledgersync.sync.status import (
    CHECK_TEMPLATES,
    NOT_CHECKED,
    NOT_CHECKED_MESSAGE,
    NOT_SENT_MESSAGE,
    PRESS_SYNC_AGAIN,
    READY,
    READY_MESSAGE,
    REMEDIES,
    RULES,
    Failure,
    NotConnected,
    StatusCode,
    check_failure,
    failure_for,
    rule_for,
    wait_seconds,
)

SRC = Path(ledgersync.__file__).parent
STATUS_PY = SRC / "sync" / "status.py"


def source_files(*suffixes: str):
    for path in sorted(SRC.rglob("*")):
        if path.suffix in suffixes and "tests" not in path.parts and path != STATUS_PY:
            yield path


def fixed_words(template: str) -> str:
    """The longest stretch of a template that is the same whatever is filled in."""
    return max(re.split(r"\{\w+\}", template), key=len).strip(" .:;()")


# A check's shortest words ("is not linked to") are too common to scan for; the longer ones
# are not.
CHECK_WORDS = {fixed_words(t) for t in CHECK_TEMPLATES.values()}
SENTENCES = sorted(
    {fixed_words(rule.template) for rule in RULES.values()} - {""}
    | {words for words in CHECK_WORDS if len(words) >= 20}
    | {NOT_SENT_MESSAGE, PRESS_SYNC_AGAIN, READY_MESSAGE, NOT_CHECKED_MESSAGE}
    | set(REMEDIES.values())
)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            NotConnected("acme is not connected"),
            Failure(
                StatusCode.NOT_CONNECTED,
                "Not connected to Xero: connect on the Sync Accounts API page first.",
            ),
        ),
        (
            AuthError("invalid_grant"),
            Failure(
                StatusCode.RELINK_NEEDED,
                "Xero no longer accepts ledgersync's access: connect again.",
            ),
        ),
        (
            RateLimited("slow down", retry_after=7.5),
            Failure(StatusCode.RATE_LIMITED, "Xero asked ledgersync to slow down for 7 s."),
        ),
        (
            RetriableError("Could not reach Xero (ConnectError)"),
            Failure(
                StatusCode.RATE_LIMITED,
                "Xero could not be asked just now (Could not reach Xero (ConnectError)).",
            ),
        ),
        (
            UncertainError("Xero timed out before answering; the document may exist"),
            Failure(
                StatusCode.UNCERTAIN,
                "No answer from Xero; ledgersync will check before sending it again.",
            ),
        ),
        (
            InvalidAccsId("AccountsID (abc) is not correct, Xero requires a GUID"),
            Failure(
                StatusCode.ACCOUNT_ID_INVALID,
                "AccountsID (abc) is not correct, Xero requires a GUID",
            ),
        ),
        (
            PermanentError("The name supplied already exists"),
            Failure(StatusCode.REJECTED, "Xero rejected it: The name supplied already exists"),
        ),
        (
            ProviderError("odd"),
            Failure(StatusCode.REJECTED, "Xero rejected it: odd"),
        ),
    ],
)
def test_each_error_class_has_one_code_and_one_sentence(error, expected):
    assert failure_for(error, "Xero") == expected


def test_a_subclass_finds_its_own_rule_before_its_parents():
    assert rule_for(RateLimited("x", retry_after=1)) is RULES[RateLimited]
    assert rule_for(InvalidAccsId("x")) is RULES[InvalidAccsId]
    assert rule_for(PermanentError("x")) is RULES[ProviderError]


def test_an_error_that_is_not_trouble_with_the_package_is_not_dressed_as_a_status():
    with pytest.raises(TypeError, match="no status rule for KeyError"):
        failure_for(KeyError("x"), "Xero")


def test_the_wait_is_whole_seconds_and_at_least_one():
    assert [wait_seconds(RateLimited("x", retry_after=s)) for s in (0, 0.2, 1.9, 61)] == [
        1,
        1,
        1,
        61,
    ]
    assert wait_seconds(RetriableError("x")) == 0


@pytest.mark.parametrize("sentence", SENTENCES)
def test_status_sentences_are_written_out_only_in_status_py(sentence):
    copies = [
        str(path.relative_to(SRC))
        for path in source_files(".py", ".html")
        if sentence.lower() in path.read_text(encoding="utf-8").lower()
    ]
    assert copies == []


def test_checks_say_what_design_md_shows():
    assert [
        check_failure(StatusCode.NOT_SENT).message,
        check_failure(
            StatusCode.ACCOUNT_NOT_LINKED,
            party="Customer Account 'Harbour Cafe' (A1042)",
            provider="QuickBooks",
        ).message,
        check_failure(
            StatusCode.CARE_OF_NOT_LINKED,
            name="Lee Property Agents",
            number="A0007",
            provider="QuickBooks",
        ).message,
        check_failure(
            StatusCode.DUPLICATE_NUMBER, label="Invoice", number="S1235", provider="Xero"
        ).message,
        check_failure(StatusCode.NOMINAL_MISSING, code="4010", line=2, provider="Sage").message,
        check_failure(StatusCode.NOMINAL_NO_TAX, code="4010", provider="Xero").message,
        check_failure(StatusCode.BLANK_LINE, line=3).message,
    ] == [
        "Cannot sync until marked as sent.",
        "Customer Account 'Harbour Cafe' (A1042) does not exist in QuickBooks",
        "Care of account 'Lee Property Agents' (A0007) is not linked to QuickBooks",
        "Invoice S1235 already exists in Xero",
        "Nominal code 4010 (line 2) does not exist in Sage",
        "Nominal code 4010 has no tax rate in Xero",
        "Line 3 has no text",
    ]


def test_the_relink_sentence_is_among_those_guarded():
    assert "no longer accepts ledgersync's access: connect again" in SENTENCES
    assert "connect on the Sync Accounts API page first" in SENTENCES
    assert "asked ledgersync to slow down for" in SENTENCES
    assert "requires the ID of an existing" in SENTENCES


BARE_NAMES = sorted(set(StatusCode.values) | set(ConnectionStatus.values) | {NOT_CHECKED, READY})


def test_templates_name_no_status_by_its_bare_string():
    names = "|".join(map(re.escape, BARE_NAMES))
    quoted = re.compile(rf"""["'>]({names})["'<]""")
    found = [
        f"{path.relative_to(SRC)}: {match.group(1)}"
        for path in source_files(".html")
        for match in quoted.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []


ERROR_CLASSES = "AuthError|RateLimited|RetriableError|UncertainError|PermanentError|InvalidAccsId"


def test_web_api_and_commands_never_sort_provider_errors_themselves():
    chain = re.compile(rf"isinstance\([^)]*\b({ERROR_CLASSES})\b")
    found = [
        f"{path.relative_to(SRC)}: {match.group(0)}"
        for layer in ("web", "api", "commands")
        for path in sorted((SRC / layer).rglob("*.py"))
        if "tests" not in path.parts
        for match in chain.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []
