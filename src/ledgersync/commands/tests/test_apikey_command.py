"""`ledgersync apikey`: the key is printed once, stored hashed, listed without it, revoked."""

from __future__ import annotations

import pytest

from ledgersync.api.keys import authenticate
from ledgersync.cli import main
from ledgersync.records.tests.factories import make_org

pytestmark = pytest.mark.django_db


def test_create_prints_a_working_key_once_and_list_never_shows_it(capsys):
    make_org()

    assert main(["apikey", "create", "--org", "acme", "--name", "Job system", "--read-only"]) == 0

    raw = capsys.readouterr().out.strip().splitlines()[-1]
    key = authenticate(raw)
    assert (key.name, key.read_only, key.organisation.slug) == ("Job system", True, "acme")
    assert main(["apikey", "list", "--org", "acme"]) == 0
    listing = capsys.readouterr().out
    assert f"lsk_{key.prefix}_…" in listing and raw not in listing


def test_revoke_by_prefix_stops_the_key(capsys):
    make_org()
    main(["apikey", "create", "--org", "acme", "--name", "Old"])
    raw = capsys.readouterr().out.strip().splitlines()[-1]

    assert main(["apikey", "revoke", "--org", "acme", raw.rsplit("_", 1)[0]]) == 0

    assert authenticate(raw) is None


def test_an_unknown_organisation_is_exit_2_with_a_message(capsys):
    assert main(["apikey", "create", "--org", "nope", "--name", "X"]) == 2
    assert capsys.readouterr().err == "ledgersync apikey: no organisation with slug 'nope'\n"
