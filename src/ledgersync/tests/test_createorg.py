from __future__ import annotations

import io
import sys

import pytest

from ledgersync.cli import main


@pytest.mark.django_db
def test_createorg_makes_the_organisation_and_an_administrator_with_a_shown_password(capsys):
    from ledgersync.records.models import Organisation, Role, User

    code = main(["createorg", "Acme Heating Ltd", "--slug", "acme", "--admin", "ann",
                 "--email", "ann@acme.example"])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    organisation = Organisation.objects.get(slug="acme")
    ann = User.objects.get(username="ann")
    assert (organisation.name, ann.organisation, ann.role, ann.email) == (
        "Acme Heating Ltd",
        organisation,
        Role.ADMINISTRATOR,
        "ann@acme.example",
    )
    password = out.split("One-time password for ann: ")[1].split()[0]
    assert ann.check_password(password)


@pytest.mark.django_db
def test_createorg_reads_the_password_from_stdin_and_does_not_print_it(capsys, monkeypatch):
    from ledgersync.records.models import User

    monkeypatch.setattr(sys, "stdin", io.StringIO("a long secret phrase\n"))
    code = main(["createorg", "Acme", "--slug", "acme", "--admin", "ann",
                 "--email", "ann@acme.example", "--password-stdin"])  # fmt: skip
    assert code == 0
    assert "a long secret phrase" not in capsys.readouterr().out
    assert User.objects.get(username="ann").check_password("a long secret phrase")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("slug", "email", "message"),
    [
        ("acme", "ann@acme.example", "the slug 'acme' is taken by another organisation"),
        ("new", "not-an-address", "'not-an-address' is not an e-mail address"),
        ("a b", "ann@acme.example", "may only use letters, numbers, hyphens and underscores"),
    ],
)
def test_createorg_refuses_bad_input_in_one_line_and_creates_nothing(capsys, slug, email, message):
    from ledgersync.records.models import Organisation, User
    from ledgersync.records.tests.factories import make_org

    make_org(slug="acme")
    code = main(["createorg", "Other", "--slug", slug, "--admin", "bob", "--email", email])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err and err.count("\n") == 1
    assert Organisation.objects.count() == 1
    assert not User.objects.filter(username="bob").exists()


@pytest.mark.django_db
def test_createorg_leaves_no_organisation_when_the_administrator_cannot_be_made(
    capsys, monkeypatch
):
    from ledgersync.records.models import Organisation

    monkeypatch.setattr(sys, "stdin", io.StringIO("short\n"))
    code = main(["createorg", "Acme", "--slug", "acme", "--admin", "ann",
                 "--email", "ann@acme.example", "--password-stdin"])  # fmt: skip
    assert code == 2
    assert "at least 8 characters" in capsys.readouterr().err
    assert not Organisation.objects.filter(slug="acme").exists()


def test_version_prints_the_package_version(capsys):
    from ledgersync import __version__

    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out == f"ledgersync {__version__}\n"
