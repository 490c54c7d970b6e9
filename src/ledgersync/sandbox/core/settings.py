"""Behaviour switches a sandbox exposes at GET/PUT /_sandbox/settings.

Each provider extends ``SandboxSettings`` with its own fields, mostly for facts its
reference marks UNCONFIRMED, so a test can check a connector copes with either answer.
"""

from __future__ import annotations

import dataclasses
import enum
import typing
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeGuard

from ledgersync.sandbox.core.oauth import OAuthConfig

if TYPE_CHECKING:  # typeshed's name for "an instance of any dataclass"; not importable at run time
    from _typeshed import DataclassInstance


@dataclass
class SandboxSettings:
    oauth: OAuthConfig = field(default_factory=OAuthConfig)


def settings_dict(settings: DataclassInstance) -> dict:
    data = {}
    for f in dataclasses.fields(settings):
        value = getattr(settings, f.name)
        data[f.name] = settings_dict(value) if _is_group(value) else _plain(value)
    return data


def _is_group(value: object) -> TypeGuard[DataclassInstance]:
    """A nested group of settings (a dataclass instance, as `oauth` is)."""
    return dataclasses.is_dataclass(value) and not isinstance(value, type)


def update_settings(settings: DataclassInstance, changes: object) -> None:
    """Apply a PUT body field by field; ValueError names the first bad field.

    Values are checked before anything changes, so a bad body leaves settings as they were.
    """
    plan = _plan(settings, changes, "")
    for target, name, value in plan:
        setattr(target, name, value)


def _plan(
    target: DataclassInstance, changes: object, prefix: str
) -> list[tuple[object, str, object]]:
    if not isinstance(changes, dict):
        raise ValueError(f"{prefix or 'settings'} must be a JSON object")
    hints = typing.get_type_hints(type(target))
    fields = {f.name for f in dataclasses.fields(target)}
    plan: list[tuple[object, str, object]] = []
    for name, raw in changes.items():
        if name not in fields:
            raise ValueError(f"unknown setting {prefix}{name}")
        current = getattr(target, name)
        if _is_group(current):
            plan += _plan(current, raw, f"{prefix}{name}.")
        else:
            plan.append((target, name, _coerce(f"{prefix}{name}", hints[name], raw)))
    return plan


def _coerce(name: str, hint: object, raw: object) -> object:
    options = [a for a in typing.get_args(hint) if a is not type(None)] or [hint]
    if raw is None and type(None) in typing.get_args(hint):
        return None
    kind = options[0]
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        try:
            return kind(raw)
        except ValueError:
            allowed = ", ".join(str(m.value) for m in kind)
            raise ValueError(f"{name} must be one of: {allowed}") from None
    if kind is bool:
        if not isinstance(raw, bool):
            raise ValueError(f"{name} must be true or false")
        return raw
    if kind is int:
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise ValueError(f"{name} must be a whole number")
        return raw
    if kind is float:
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise ValueError(f"{name} must be a number")
        return float(raw)
    if kind is str:
        if not isinstance(raw, str):
            raise ValueError(f"{name} must be a string")
        return raw
    raise ValueError(f"{name} cannot be changed here")


def _plain(value: object) -> object:
    return value.value if isinstance(value, enum.Enum) else value
