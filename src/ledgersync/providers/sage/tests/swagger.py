"""Checking a request against Sage's Swagger 2.0 document (reference/specs/).

The document's schemas leave ``additionalProperties`` open; we close them so a misspelt
field fails, and allow only ``idempotency_id`` beside the documented fields, which Sage's
idempotency guide puts inside the resource although the swagger never lists it.
"""

from __future__ import annotations

import copy
import json
import os
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator, FormatChecker

FULL = Path(
    os.environ.get(
        "LEDGERSYNC_SAGE_SWAGGER", "/work/shared/reference/specs/sage-accounting-v3.1-swagger.json"
    )
)
# The operations the connector uses, cut from the full document (descriptions dropped) so
# the check also runs where the shared reference folder is not mounted.
TRIMMED = Path(__file__).resolve().parent.parent / "fixtures" / "swagger-operations-used.json"
IDEMPOTENCY = {"type": "string", "pattern": "^[0-9a-f]{32}$"}


def load_spec() -> dict:
    path = FULL if FULL.exists() else TRIMMED
    return json.loads(path.read_text())


def trim(spec: dict, operations: list[tuple[str, str]]) -> dict:
    """The parts of ``spec`` that ``operations`` (method, path template) need."""
    paths: dict[str, dict] = {}
    for method, template in operations:
        if template in spec["paths"]:
            op = spec["paths"][template][method.lower()]
            paths.setdefault(template, {})[method.lower()] = _strip(
                {"operationId": op.get("operationId"), "parameters": op["parameters"]}
            )
    wanted, definitions = _refs(paths), {}
    while wanted - set(definitions):
        name = sorted(wanted - set(definitions))[0]
        definitions[name] = _strip(spec["definitions"][name])
        wanted |= _refs(definitions[name])
    return {
        "swagger": spec["swagger"],
        "basePath": spec["basePath"],
        "paths": paths,
        "definitions": definitions,
    }


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in ("description", "example")}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def _refs(value: Any) -> set[str]:
    if isinstance(value, dict):
        found = {value["$ref"].rsplit("/", 1)[-1]} if "$ref" in value else set()
        for item in value.values():
            found |= _refs(item)
        return found
    if isinstance(value, list):
        return set().union(*(_refs(v) for v in value)) if value else set()
    return set()


def template_for(spec: dict, path: str) -> str | None:
    for template in spec["paths"]:
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, path):
            return template
    return None


def problems(spec: dict, method: str, path: str, query: dict[str, str], body: Any) -> list[str]:
    """Why this request does not match the document; [] when it does."""
    template = template_for(spec, path)
    if template is None or method.lower() not in spec["paths"][template]:
        return [f"{method} {path} is not in the document"]
    operation = spec["paths"][template][method.lower()]
    found = _query_problems(operation, query)
    schema = next((p["schema"] for p in operation["parameters"] if p["in"] == "body"), None)
    if schema is None:
        return found + ([f"{method} {path} takes no body"] if body is not None else [])
    validator = Draft4Validator(_strict(spec, schema), format_checker=FormatChecker())
    return found + [
        f"{'.'.join(map(str, e.absolute_path)) or 'body'}: {e.message}"
        for e in validator.iter_errors(body)
    ]


def _query_problems(operation: dict, query: dict[str, str]) -> list[str]:
    params = {p["name"]: p for p in operation["parameters"] if p["in"] == "query"}
    found = []
    for name, value in query.items():
        param = params.get(name)
        if param is None:
            found.append(f"query parameter {name} is not documented")
        elif not _query_value_ok(param, value):
            found.append(f"query parameter {name}={value!r} does not match {param}")
    return found


def _query_value_ok(param: dict, value: str) -> bool:
    kind = param.get("type")
    if "enum" in param and value not in param["enum"]:
        return False
    if kind == "integer":
        if not re.fullmatch(r"-?\d+", value):
            return False
        number = int(value)
        return param.get("minimum", number) <= number <= param.get("maximum", number)
    if kind == "boolean":
        return value in ("true", "false")
    if param.get("format") == "date":
        return _parses(date.fromisoformat, value)
    if param.get("format") == "date-time":
        return _parses(lambda v: datetime.fromisoformat(v.replace("Z", "+00:00")), value)
    return kind == "string"


def _parses(parse, value: str) -> bool:
    try:
        parse(value)
    except ValueError:
        return False
    return True


def _strict(spec: dict, schema: dict) -> dict:
    """``schema`` with every $ref inlined and every object closed."""
    resolved = _inline(spec, copy.deepcopy(schema))
    resource = next(iter(resolved.get("properties", {}).values()), None)
    if isinstance(resource, dict) and resource.get("type") == "object":
        resource["properties"]["idempotency_id"] = IDEMPOTENCY
    return resolved


def _inline(spec: dict, schema: Any) -> Any:
    if isinstance(schema, list):
        return [_inline(spec, item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        return _inline(spec, copy.deepcopy(spec["definitions"][schema["$ref"].rsplit("/", 1)[-1]]))
    out = {k: _inline(spec, v) for k, v in schema.items()}
    if out.get("type") == "object" and "properties" in out:
        out.setdefault("additionalProperties", False)
    return out
