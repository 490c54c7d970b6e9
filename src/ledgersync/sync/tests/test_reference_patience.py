"""A read of the package waits out the provider's rate limit instead of failing and starting
over: a queue of thousands needs more calls than Xero allows in a minute (60)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from ledgersync.providers.base import RateLimited
from ledgersync.sync import reference


class Limited:
    """A package that turns the second number look-up away once, asking for ``wait`` s."""

    capabilities = SimpleNamespace(display_name="Xero")

    def __init__(self, wait: float) -> None:
        self.wait = wait
        self.calls = 0

    def existing_numbers(self, doc_type, numbers, contact):
        self.calls += 1
        if self.calls == 2:
            raise RateLimited("Xero asked ledgersync to slow down", retry_after=self.wait)
        return {numbers[0]}


def wanted() -> reference.Wanted:
    asked = reference.Wanted()
    asked.numbers[("sales_invoice", "")] = {"S1", "S2"}
    asked.numbers[("sales_invoice", "c1")] = {"S3"}
    asked.numbers[("sales_invoice", "c2")] = {"S4"}
    return asked


def test_a_read_waits_for_the_rate_limit_and_goes_on_where_it_was(monkeypatch):
    waits = []
    monkeypatch.setattr(reference, "sleep", waits.append)
    package = Limited(wait=57)

    read = reference._read(package, wanted(), with_reference=False)

    assert waits == [57]
    assert package.calls == 4  # three groups, the turned-away one asked again once
    assert read.numbers["sales_invoice"] == {
        "": {"S1": True, "S2": False},
        "c1": {"S3": True},
        "c2": {"S4": True},
    }


def test_a_wait_longer_than_the_patience_fails_the_read_as_before(monkeypatch):
    waits = []
    monkeypatch.setattr(reference, "sleep", waits.append)
    too_long = reference.RATE_LIMIT_PATIENCE.total_seconds() + 1

    with pytest.raises(RateLimited):
        reference._read(Limited(wait=too_long), wanted(), with_reference=False)
    assert waits == []


@pytest.mark.django_db(transaction=True)
def test_a_first_read_cut_short_goes_on_from_what_it_had_read(demo, sandbox, monkeypatch):
    """A worker killed (or the package failing) half-way through the first read of a large
    queue must not send the next read back to the start: it would never finish."""
    from ledgersync.providers.base import RetriableError
    from ledgersync.sync.models import FetchState, ReferenceCache

    _, connection = demo
    real = reference._connector
    asked: list[tuple] = []
    cut_at = {"call": 2}

    def connector(conn, cache):
        package = real(conn, cache)
        original = package.existing_numbers

        def existing_numbers(doc_type, numbers, contact):
            asked.append((str(doc_type), contact, tuple(numbers)))
            if len(asked) == cut_at["call"]:
                raise RetriableError("the package stopped answering")
            return original(doc_type, numbers, contact)

        package.existing_numbers = existing_numbers
        return package

    monkeypatch.setattr(reference, "_connector", connector)
    stores = []
    real_store = reference._Keeper.store
    monkeypatch.setattr(
        reference._Keeper,
        "store",
        lambda keeper, read: stores.append(1) or real_store(keeper, read),
    )
    monkeypatch.setattr(reference._Keeper, "KEEP_EVERY", 3600.0)
    ReferenceCache.objects.filter(connection=connection).delete()
    groups = len([g for g in reference.wanted_by(connection).numbers.values() if g])
    assert groups >= 2

    assert reference.refresh(connection).state == FetchState.FAILED
    # Written at the first answer and when the package failed, not once per answer.
    assert len(stores) == 2
    answered_before_the_cut = asked[0]
    asked.clear()
    cut_at["call"] = 0
    again = reference.refresh(connection)

    assert again.state == FetchState.FRESH
    assert answered_before_the_cut not in asked  # kept, not asked again
    assert len(asked) == groups - 1
    assert again.everything_at is not None


def test_a_group_of_thousands_is_asked_a_slice_at_a_time_so_a_limit_repeats_only_one(monkeypatch):
    """The 10,000-document soak's Xero queue: one supplier with 1,100 bills. Asked whole, a
    rate limit on any of its requests asked the whole group again, so under the package's
    minute limit and a worker killed every 30 s the read never ended."""
    monkeypatch.setattr(reference, "sleep", lambda seconds: None)
    asked_for = []

    class Thousands:
        capabilities = SimpleNamespace(display_name="Xero")

        def existing_numbers(self, doc_type, numbers, contact):
            asked_for.append(len(numbers))
            if len(asked_for) == 3:
                raise RateLimited("Xero asked ledgersync to slow down", retry_after=30)
            return {n for n in numbers if n.endswith("7")}

    wanted = reference.Wanted()
    bills = {f"P{n:06d}" for n in range(1100)}
    wanted.numbers[("supplier_invoice", "c1")] = bills
    read = reference._read(Thousands(), wanted, with_reference=False)
    slice_ = reference.NUMBERS_PER_ASK
    assert max(asked_for) == slice_
    assert sum(asked_for) == 1100 + slice_  # the one slice turned away, asked again
    group = read.numbers["supplier_invoice"]["c1"]
    assert set(group) == bills and sum(group.values()) == 110


def test_what_was_read_is_kept_before_each_wait_for_the_rate_limit(monkeypatch):
    """A worker killed while it waits out Xero's minute (the soak kills one every 30 s) must
    not lose the answers of the seconds before: they are kept before the wait begins."""
    kept: list[dict] = []

    class Keeper:
        def now_and_then(self, read):
            pass  # as if the last store were under KEEP_EVERY ago

        def store(self, read):
            kept.append({g: dict(a) for g, a in read.numbers.get("sales_invoice", {}).items()})

    def killed_while_waiting(seconds):
        raise KeyboardInterrupt  # the worker dies mid-wait

    monkeypatch.setattr(reference, "sleep", killed_while_waiting)
    with pytest.raises(KeyboardInterrupt):
        reference._read(Limited(wait=57), wanted(), with_reference=False, keep=Keeper())
    assert kept == [{"": {"S1": True, "S2": False}}]  # the first group, answered before it


class Beats:
    """A pulse that records when it was asked to beat (``beat`` forced, or ``now_and_then``)."""

    def __init__(self) -> None:
        self.log = []

    def now_and_then(self) -> None:
        self.log.append("call")

    def beat(self) -> None:
        self.log.append("beat")


def test_a_read_beats_between_its_calls_and_before_each_wait(monkeypatch):
    monkeypatch.setattr(reference, "sleep", lambda seconds: None)
    pulse = Beats()

    reference._read(Limited(wait=57), wanted(), with_reference=False, pulse=pulse)

    # Three groups, the second turned away once: it beats before the wait, then asks again.
    assert pulse.log == ["call", "call", "beat", "call", "call"]
