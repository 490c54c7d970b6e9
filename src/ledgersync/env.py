"""Typed readers for settings that come from the environment.

Each helper fails loudly with a message that names the variable, so a typo in a
deployment stops start-up instead of running with a silent default.
"""

from __future__ import annotations

import os
from ipaddress import IPv4Network, IPv6Network, ip_network
from typing import overload
from urllib.parse import unquote, urlsplit


class ConfigError(Exception):
    """A setting in the environment has a value ledgersync cannot use."""


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name}={raw!r} is not a boolean: use true or false")


# With an int default the setting always has a value, so callers get `int` and
# need no None check; only a caller that passes no default can see None.
@overload
def env_int(name: str, default: int, *, minimum: int | None = None) -> int: ...
@overload
def env_int(name: str, default: None = None, *, minimum: int | None = None) -> int | None: ...
def env_int(name: str, default: int | None = None, *, minimum: int | None = None) -> int | None:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a whole number") from None
    if minimum is not None and value < minimum:
        raise ConfigError(f"{name}={raw!r} must be at least {minimum}")
    return value


def env_list(name: str, default: str = "") -> list[str]:
    raw = os.environ.get(name, default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_url(name: str, default: str, *, schemes: tuple[str, ...] = ("http", "https")) -> str:
    raw = os.environ.get(name) or default
    parts = urlsplit(raw)
    has_place = parts.netloc or (parts.scheme == "sqlite" and parts.path)
    if parts.scheme not in schemes or not has_place:
        allowed = " or ".join(f"{s}://" for s in schemes)
        raise ConfigError(f"{name}={raw!r} is not a URL starting with {allowed}")
    return raw.rstrip("/")


def env_networks(name: str) -> list[IPv4Network | IPv6Network]:
    """A comma-separated list of IP addresses and CIDR blocks (``10.0.0.0/8``)."""
    networks: list[IPv4Network | IPv6Network] = []
    for item in env_list(name):
        try:
            networks.append(ip_network(item, strict=False))
        except ValueError:
            raise ConfigError(
                f"{name}: {item!r} is not an IP address or a CIDR block such as 10.0.0.0/8"
            ) from None
    return networks


def origin_of(url: str) -> str:
    """``https://sync.example.com`` from ``https://sync.example.com/some/path``."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


EMAIL_SCHEMES = {
    "smtp": (25, False, False),
    "smtp+tls": (587, True, False),
    "smtps": (465, False, True),
}


def env_email(url_name: str, prefix: str) -> dict[str, object] | None:
    """Django's SMTP settings from one URL (``smtp+tls://user:pass@host:587``) or from
    ``<prefix>_HOST``, ``_PORT``, ``_USER``, ``_PASSWORD``, ``_TLS`` and ``_SSL``; None when
    neither is set (the file backend then stays). ``smtp`` is plain, ``smtp+tls`` STARTTLS,
    ``smtps`` TLS from the first byte."""
    raw = os.environ.get(url_name, "")
    if raw:
        parts = urlsplit(raw)
        if parts.scheme not in EMAIL_SCHEMES or not parts.hostname:
            raise ConfigError(
                f"{url_name} must look like smtp+tls://user:password@host:587 "
                "(smtp://, smtp+tls:// or smtps://)"
            )
        default_port, tls, ssl = EMAIL_SCHEMES[parts.scheme]
        try:
            port = parts.port or default_port
        except ValueError:
            raise ConfigError(f"{url_name} has a port that is not a number") from None
        return {
            "EMAIL_HOST": parts.hostname,
            "EMAIL_PORT": port,
            "EMAIL_HOST_USER": unquote(parts.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
            "EMAIL_USE_TLS": tls,
            "EMAIL_USE_SSL": ssl,
        }
    host = os.environ.get(f"{prefix}_HOST", "")
    if not host:
        return None
    tls, ssl = env_bool(f"{prefix}_TLS", False), env_bool(f"{prefix}_SSL", False)
    if tls and ssl:
        raise ConfigError(f"{prefix}_TLS and {prefix}_SSL cannot both be true: choose one")
    return {
        "EMAIL_HOST": host,
        "EMAIL_PORT": env_int(f"{prefix}_PORT", 465 if ssl else 587 if tls else 25, minimum=1),
        "EMAIL_HOST_USER": env_str(f"{prefix}_USER"),
        "EMAIL_HOST_PASSWORD": env_str(f"{prefix}_PASSWORD"),
        "EMAIL_USE_TLS": tls,
        "EMAIL_USE_SSL": ssl,
    }
