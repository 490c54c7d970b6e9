"""JSON in and out of a sandbox: money stays Decimal inside, numbers on the wire."""

from __future__ import annotations

import enum
import json
from decimal import Decimal
from typing import Any

from werkzeug.wrappers import Request, Response


class BadJson(ValueError):
    """The request body is not the JSON the endpoint needs."""


def _default(value: object) -> object:
    if isinstance(value, Decimal):
        # Providers send amounts as JSON numbers (150.0); a 2 dp Decimal survives float repr.
        # A finite Decimal with no fractional digits (exponent >= 0) is a whole number;
        # infinities and NaN have a letter for an exponent and go out as floats.
        exponent = value.as_tuple().exponent
        return int(value) if isinstance(exponent, int) and exponent >= 0 else float(value)
    if isinstance(value, enum.Enum):
        return value.value
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def dumps(data: Any) -> str:
    return json.dumps(data, default=_default, ensure_ascii=False, separators=(",", ":"))


def loads(text: str | bytes) -> Any:
    return json.loads(text, parse_float=Decimal)


def read_json(request: Request) -> Any:
    raw = request.get_data(cache=True)
    if not raw.strip():
        raise BadJson("the request body is empty")
    try:
        return loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadJson(f"the request body is not JSON: {exc}") from None


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        dumps(data), status=status, headers=headers, content_type="application/json;charset=UTF-8"
    )
