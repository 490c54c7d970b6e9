"""Every text input is stripped, bounded to its column and free of control characters, by the
one rule in records/inputs.py (``text_rule``), whichever of the API, importer or web takes it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, get_args, get_origin

import pytest
from pydantic import BaseModel, StringConstraints, TypeAdapter, ValidationError

import ledgersync
from ledgersync.api import schemas
from ledgersync.records import inputs
from ledgersync.records.inputs import (
    NO_CONTROL,
    NO_NUL,
    Email,
    Ident,
    LineText,
    NonBlank10,
    Text20,
)

SRC = Path(ledgersync.__file__).parent
# Fixed shapes, not free text: their patterns bound the length and refuse padding.
FIXED_SHAPES = {"country", "currency"}


def input_models() -> list[type[BaseModel]]:
    models = []
    for module in (inputs, schemas):
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, BaseModel)
                and value.__module__ == module.__name__
                and value.__name__.endswith(("In", "Patch", "Filter", "Fields"))
            ):
                models.append(value)
    return models


def text_constraints(model: type[BaseModel]) -> dict[str, StringConstraints | None]:
    """Each str field's constraints (None when it has none), by field name."""
    found: dict[str, StringConstraints | None] = {}
    for name, info in model.model_fields.items():
        metadata = _str_metadata(info.annotation, info.metadata)
        if metadata is not None:
            found[name] = next((m for m in metadata if isinstance(m, StringConstraints)), None)
    return found


def _str_metadata(annotation: object, metadata: list) -> list | None:
    """The constraints on a str field (looking inside ``| None``), or None if not a str."""
    if annotation is str:
        return metadata
    for arg in get_args(annotation):
        if arg is str:
            return []
        if get_origin(arg) is Annotated and get_args(arg)[0] is str:
            return list(arg.__metadata__)
    return None


def test_every_free_text_input_field_is_stripped_bounded_and_patterned():
    models = input_models()
    assert len(models) >= 15
    loose = []
    for model in models:
        for name, rule in text_constraints(model).items():
            if name in FIXED_SHAPES and rule is not None and rule.pattern:
                continue
            if (
                rule is None
                or rule.strip_whitespace is not True
                or rule.max_length is None
                or rule.pattern not in (NO_CONTROL, NO_NUL, r"^[A-Za-z0-9.\-]+$")
            ):
                loose.append(f"{model.__name__}.{name}")
    assert loose == []


def test_string_constraints_are_written_only_in_records_inputs():
    inputs_py = SRC / "records" / "inputs.py"
    copies = [
        str(path.relative_to(SRC))
        for path in sorted(SRC.rglob("*.py"))
        if "tests" not in path.parts
        and path != inputs_py
        and re.search(r"\bStringConstraints\(|\bconstr\(|\bcondecimal\(", path.read_text())
    ]
    assert copies == []


def test_a_text_alias_strips_and_refuses_too_long_or_control_characters():
    text = TypeAdapter(Text20)
    assert text.validate_python("  Harbour Cafe  ") == "Harbour Cafe"
    with pytest.raises(ValidationError):
        text.validate_python("x" * 21)
    with pytest.raises(ValidationError):
        text.validate_python("tab\there")


def test_a_non_blank_alias_refuses_only_spaces():
    with pytest.raises(ValidationError):
        TypeAdapter(NonBlank10).validate_python("   ")
    with pytest.raises(ValidationError):
        TypeAdapter(Ident).validate_python("")


def test_line_text_keeps_newlines_and_tabs_but_refuses_nul():
    line = TypeAdapter(LineText)
    assert line.validate_python("Boiler service\n\tparts") == "Boiler service\n\tparts"
    with pytest.raises(ValidationError):
        line.validate_python("a\x00b")


def test_email_is_bounded_text_that_must_be_an_address_when_given():
    email = TypeAdapter(Email)
    assert email.validate_python(" accounts@seaview.example ") == "accounts@seaview.example"
    assert email.validate_python("") == ""
    with pytest.raises(
        ValidationError,
        match="Email must be an address such as accounts@example.com, not 'not-an-address'",
    ):
        email.validate_python("not-an-address")
