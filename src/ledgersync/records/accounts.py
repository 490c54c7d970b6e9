"""Users and organisations from the command line and the demo."""

from __future__ import annotations

from django.db import transaction

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


LAST_ADMINISTRATOR = (
    "{name} is the organisation's last active Administrator; make someone else an "
    "Administrator first."
)


def _other_active_administrators(user: User) -> bool:
    """Whether another active Administrator remains; called inside a transaction, it locks
    the organisation's Administrators, so two of them stepping down at once cannot both pass
    (the second waits and then sees the first gone)."""
    administrators = User.objects.select_for_update().filter(
        organisation=user.organisation, role=Role.ADMINISTRATOR, is_active=True
    )
    return any(pk != user.pk for pk in administrators.values_list("pk", flat=True))


def set_role(user: User, role: str) -> User:
    """Change ``user``'s role; an organisation always keeps one active Administrator.

    Raises ValueError with the sentence to show."""
    if role not in Role.values:
        raise ValueError(f"role must be one of {', '.join(Role.values)}")
    with transaction.atomic():
        if user.role == Role.ADMINISTRATOR and role != Role.ADMINISTRATOR:
            if not _other_active_administrators(user):
                raise ValueError(LAST_ADMINISTRATOR.format(name=user.username))
        user.role = role
        user.save(update_fields=["role"])
    return user


def deactivate(user: User) -> User:
    """Stop ``user`` logging in (their history stays); never the last active Administrator."""
    with transaction.atomic():
        if user.role == Role.ADMINISTRATOR and not _other_active_administrators(user):
            raise ValueError(LAST_ADMINISTRATOR.format(name=user.username))
        user.is_active = False
        user.save(update_fields=["is_active"])
    return user


def reactivate(user: User) -> User:
    """Let a deactivated ``user`` log in again, with the role and password they had."""
    user.is_active = True
    user.save(update_fields=["is_active"])
    return user


def invite(organisation: Organisation, username: str, email: str, role: str) -> tuple[User, str]:
    """A user with no usable password yet, and the one-time path that lets them set one.

    The path carries a Django password-reset token: it stops working once a password is set
    (the token covers the password hash) and after PASSWORD_RESET_TIMEOUT."""
    from django.contrib.auth.tokens import default_token_generator
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    if not username.strip():
        raise ValueError("the new user needs a username")
    if len(username) > 150:
        raise ValueError("the username must be at most 150 characters")
    try:
        User.username_validator(username)
    except ValidationError:
        raise ValueError(
            f"the username {username!r} may only use letters, numbers and @ . + - _"
        ) from None
    if role not in Role.values:
        raise ValueError(f"role must be one of {', '.join(Role.values)}")
    try:
        validate_email(email)
    except ValidationError:
        raise ValueError(f"{email!r} is not an e-mail address") from None
    if User.objects.filter(username=username).exists():
        raise ValueError(f"a user named {username!r} already exists")
    user = User(username=username, email=email, organisation=organisation, role=role)
    user.set_unusable_password()
    user.save()
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return user, reverse("invite", kwargs={"uidb64": uid, "token": token})


def send_invite(user: User, path: str) -> None:
    """E-mail ``user`` the one-time link at LEDGERSYNC_PUBLIC_URL + ``path`` (from invite)."""
    from django.conf import settings
    from django.core.mail import send_mail

    assert user.organisation is not None
    link = f"{settings.PUBLIC_URL}{path}"
    send_mail(
        f"You are invited to ledgersync for {user.organisation.name}",
        f"You have been given a ledgersync login for {user.organisation.name} as "
        f"{user.get_role_display()}, with the username {user.username}.\n\n"
        f"Choose your password here (the link works once):\n{link}\n",
        None,
        [user.email],
    )
