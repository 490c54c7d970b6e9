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


def create_organisation(
    name: str, slug: str, admin: str, email: str, password: str
) -> tuple[Organisation, User]:
    """A new organisation and its first Administrator, both or neither.

    Raises ValueError with a sentence for the person at the command line.
    """
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email, validate_slug
    from django.db import transaction

    if not name.strip():
        raise ValueError("the organisation needs a name")
    try:
        validate_slug(slug)
    except ValidationError:
        raise ValueError(
            f"the slug {slug!r} may only use letters, numbers, hyphens and underscores"
        ) from None
    if Organisation.objects.filter(slug=slug).exists():
        raise ValueError(f"the slug {slug!r} is taken by another organisation; choose another")
    try:
        validate_email(email)
    except ValidationError:
        raise ValueError(f"{email!r} is not an e-mail address") from None
    with transaction.atomic():
        organisation = Organisation.objects.create(name=name.strip(), slug=slug)
        user = create_user(slug, admin, password, Role.ADMINISTRATOR, email=email)
    return organisation, user
