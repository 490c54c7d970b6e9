"""Users and organisations from the command line and the demo."""

from __future__ import annotations

from ledgersync.records.models import Organisation, Role, User


def create_user(org_slug: str, username: str, password: str, role: str, *, email: str = "") -> User:
    organisation = Organisation.objects.filter(slug=org_slug).first()
    if organisation is None:
        raise ValueError(f"no organisation with slug {org_slug!r}")
    if role not in Role.values:
        raise ValueError(f"role must be one of {', '.join(Role.values)}")
    if User.objects.filter(username=username).exists():
        raise ValueError(f"a user named {username!r} already exists")
    if len(password) < 8:
        raise ValueError("the password must be at least 8 characters")
    return User.objects.create_user(
        username=username, password=password, email=email, organisation=organisation, role=role
    )
