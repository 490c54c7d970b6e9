"""How long Suggestions take against a large contact list (issue #18: under 50 ms a document
at 10,000 package contacts), beside the difflib comparison ledgersync used before.

    .venv/bin/python benchmarks/bench_matching.py --contacts 10000 --documents 200

Contacts are made up from a fixed seed: trading names from word lists with legal suffixes,
e-mails, VAT numbers and postcodes; each document's party is a near or exact spelling of
one of them, or a stranger. No network: this measures the ranking itself
(providers/names.py), which every provider shares.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from difflib import SequenceMatcher
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from ledgersync.providers.base import Address, Contact, ContactKind, Wanted  # noqa: E402
from ledgersync.providers.names import _core, normalise, rank_contacts  # noqa: E402

FIRST = "Harbour Oakfield Tidewater Castle Greenway Northgate Apex Riverside Penrose Moor".split()
SECOND = "Cafe Lettings Marine Hotel Plumbing Dental Plant Heating Electrical Roofing".split()
THIRD = ["", "Group", "Services", "Trust", "& Sons", "Partners", "Supplies"]
SUFFIX = ["", " Ltd", " Limited", " LLP", " plc"]


def contacts(count: int, rng: random.Random) -> list[Contact]:
    made = []
    for n in range(count):
        name = " ".join(filter(None, (rng.choice(FIRST), rng.choice(SECOND), rng.choice(THIRD))))
        made.append(
            Contact(
                id=str(n),
                name=f"{name} {n}{rng.choice(SUFFIX)}",
                kind=ContactKind.CUSTOMER,
                email=f"accounts{n}@example.co.uk",
                address=Address(postcode=f"TR{n % 20} {n % 9}AB"),
                tax_number=f"GB{100000000 + n}",
            )
        )
    return made


def wanted(pool: list[Contact], rng: random.Random) -> Wanted:
    target = rng.choice(pool)
    name = target.name
    if rng.random() < 0.5:
        name = name.replace("a", "e", 1)  # a typo
    if rng.random() < 0.2:
        name = "Stranger Things Ltd"
    return Wanted(name=name, postcode=target.address.postcode if target.address else "")


def difflib_rank(name: str, pool: list[Contact]) -> list[tuple[float, Contact]]:
    """The comparison used before: SequenceMatcher over every contact, in Python."""
    core = _core(normalise(name))
    scored = []
    for contact in pool:
        ratio = SequenceMatcher(None, core, _core(normalise(contact.name))).ratio()
        if ratio * 0.9 >= 0.6:
            scored.append((ratio, contact))
    return sorted(scored, key=lambda pair: -pair[0])[:5]


def timed(call, parties) -> list[float]:
    times = []
    for party in parties:
        start = time.perf_counter()
        call(party)
        times.append((time.perf_counter() - start) * 1000)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--seed", type=int, default=18)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    pool = contacts(args.contacts, rng)
    parties = [wanted(pool, rng) for _ in range(args.documents)]
    first = timed(lambda party: rank_contacts(party, pool), parties[:1])[0]
    ours = timed(lambda party: rank_contacts(party, pool), parties)
    before = timed(
        lambda party: difflib_rank(party.name, pool), parties[: max(1, args.documents // 10)]
    )
    p95 = statistics.quantiles(ours, n=20)[-1] if len(ours) >= 20 else max(ours)
    print(f"contacts: {args.contacts}, documents: {args.documents}, seed {args.seed}")
    print(f"first document (folding every name once): {first:.1f} ms")
    print(
        f"ledgersync (rapidfuzz): mean {statistics.mean(ours):.1f} ms, p95 {p95:.1f} ms a document"
    )
    print(f"baseline (difflib, as before): mean {statistics.mean(before):.1f} ms a document")
    goal = 50.0
    print(f"goal: under {goal:.0f} ms a document: {'met' if p95 < goal else 'NOT met'}")
    return 0 if p95 < goal else 1


if __name__ == "__main__":
    raise SystemExit(main())
