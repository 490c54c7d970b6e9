"""Checking requests and responses against Xero's OpenAPI document (reference/specs/).

The 900 KB YAML is parsed once per process (libyaml when present). Where the shared
reference folder is not mounted (CI), a trimmed copy holding only the operations the
sandbox serves is used instead: ``python -m ledgersync.sandbox.xero.tests.spec`` remakes it.

Xero's document declares only 200 (and 400 on writes). The others Xero gives (400 on a
read, 401, 403, the text 404, 429, 500; reference/xero.md section 5) are checked against
their documented shapes instead, by ``check_undeclared``.
"""

from __future__ import annotations

import functools
import json
import os
import re
import warnings
from pathlib import Path
from typing import Any

import httpx
import yaml
from openapi_core import Config, OpenAPI
from openapi_core.testing import MockRequest, MockResponse

FULL = Path(
    os.environ.get("LEDGERSYNC_XERO_OPENAPI", "/work/shared/reference/specs/xero-accounting.yaml")
)
TRIMMED = Path(__file__).resolve().parent / "fixtures" / "xero-accounting-used.json"
SERVER = "https://api.xero.com"
API_ROOT = "/api.xro/2.0"
# (method, path template) of every operation the sandbox answers.
OPERATIONS = [
    ("get", "/Contacts"),
    ("put", "/Contacts"),
    ("post", "/Contacts"),
    ("get", "/Contacts/{ContactID}"),
    ("post", "/Contacts/{ContactID}"),
    ("get", "/Invoices"),
    ("put", "/Invoices"),
    ("post", "/Invoices"),
    ("get", "/Invoices/{InvoiceID}"),
    ("post", "/Invoices/{InvoiceID}"),
    ("get", "/CreditNotes"),
    ("put", "/CreditNotes"),
    ("post", "/CreditNotes"),
    ("get", "/CreditNotes/{CreditNoteID}"),
    ("post", "/CreditNotes/{CreditNoteID}"),
    ("get", "/Payments"),
    ("put", "/Payments"),
    ("post", "/Payments"),
    ("get", "/Payments/{PaymentID}"),
    ("post", "/Payments/{PaymentID}"),
    ("get", "/Accounts"),
    ("get", "/Accounts/{AccountID}"),
    ("get", "/TaxRates"),
    ("get", "/Organisation"),
]
UNDECLARED = {400, 401, 403, 404, 429, 500}
_GUID = re.compile(r"/[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


@functools.cache
def document() -> dict:
    if FULL.exists():
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        with FULL.open("rb") as handle:
            return yaml.load(handle, Loader=loader)  # noqa: S506 - a safe loader
    return json.loads(TRIMMED.read_text())


@functools.cache
def openapi() -> OpenAPI:
    # The document itself fails strict validation ("default: 'false'" on booleans).
    return OpenAPI.from_dict(document(), config=Config(spec_validator_cls=None))


def operation(method: str, path: str) -> tuple[str, dict] | None:
    """The (template, operation) a request path names, or None outside the document."""
    if not path.startswith(API_ROOT):
        return None
    tail = path[len(API_ROOT) :] or "/"
    paths = document()["paths"]
    matches = []
    for template in sorted(paths, key=lambda t: t.count("{")):
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, tail) and method.lower() in paths[template]:
            matches.append(template)
    if not matches:
        return None
    # /Contacts/{ContactID} and /Contacts/{ContactNumber}: a GUID names the first.
    by_id = [t for t in matches if t.endswith("ID}")]
    template = by_id[0] if by_id and _GUID.search(tail) else matches[-1]
    return template, paths[template][method.lower()]


def _mock_request(request: httpx.Request) -> MockRequest:
    body = request.content or None
    mimetype = (request.headers.get("content-type") or "application/json").split(";")[0]
    return MockRequest(
        SERVER,
        request.method.lower(),
        request.url.path,
        args=dict(request.url.params.multi_items()),
        headers=dict(request.headers),
        data=body,
        content_type=mimetype,
    )


def validate_request(request: httpx.Request) -> None:
    """Raise when a request to api.xro/2.0 does not match the document."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "Unsupported scheme type" (OAuth2)
        openapi().validate_request(_mock_request(request))


def validate_response(request: httpx.Request, response: httpx.Response) -> None:
    """Raise when an answer to an operation in the document does not match it: declared
    statuses against their schema, the rest against Xero's documented error shapes."""
    found = operation(request.method, request.url.path)
    if found is None:
        return
    _, op = found
    if str(response.status_code) not in op["responses"]:
        check_undeclared(response)
        return
    mimetype = (response.headers.get("content-type") or "").split(";")[0]
    mock = MockResponse(response.content, status_code=response.status_code, content_type=mimetype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        openapi().validate_response(_mock_request(request), mock)


def check_undeclared(response: httpx.Response) -> None:
    status = response.status_code
    assert status in UNDECLARED, f"{status} is neither in the document nor a documented Xero error"
    if status == 404:
        assert response.headers["content-type"].startswith("text/plain")
        assert response.text == "The resource you're looking for cannot be found"
        return
    body = response.json()
    if status == 400:  # e.g. a QueryParseException on a GET, which declares only 200
        assert isinstance(body["ErrorNumber"], int) and body["Type"].endswith("Exception"), body
        return
    assert body["Status"] == status and body["Title"] and body["Detail"], body
    if status == 429:
        assert response.headers["X-Rate-Limit-Problem"] in ("minute", "day", "concurrent")
        assert int(response.headers["Retry-After"]) >= 1


class CheckingTransport(httpx.BaseTransport):
    """Wraps a transport and checks every request and answer that passes through it."""

    def __init__(self, inner: httpx.BaseTransport, *, requests: bool = False) -> None:
        self.inner = inner
        self.check_requests = requests
        self.seen: list[tuple[str, str, int]] = []  # (method, template, status)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.check_requests and operation(request.method, request.url.path):
            validate_request(request)
        response = self.inner.handle_request(request)
        response.read()
        validate_response(request, response)
        found = operation(request.method, request.url.path)
        if found:
            self.seen.append((request.method.lower(), found[0], response.status_code))
        return response


def trim(spec: dict, operations: list[tuple[str, str]]) -> dict:
    """The parts of ``spec`` that ``operations`` need, without descriptions or examples."""
    paths: dict[str, dict] = {}
    for method, template in operations:
        item = spec["paths"][template]
        target = paths.setdefault(template, {})
        if "parameters" in item:
            target["parameters"] = _strip(item["parameters"])
        target[method] = _strip(item[method])
    components: dict[str, dict] = {"securitySchemes": spec["components"]["securitySchemes"]}
    wanted = _refs(paths)
    done: set[str] = set()
    while wanted - done:
        ref = sorted(wanted - done)[0]
        done.add(ref)
        _, _, section, name = ref.split("/")
        value = _strip(spec["components"][section][name])
        components.setdefault(section, {})[name] = value
        wanted |= _refs(value)
    return {
        **{k: spec[k] for k in ("openapi", "info", "servers")},
        "paths": paths,
        "components": components,
    }


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: _strip(v)
            for k, v in value.items()
            if k not in ("description", "example", "examples")
        }
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def _refs(value: Any) -> set[str]:
    if isinstance(value, dict):
        found = {value["$ref"]} if isinstance(value.get("$ref"), str) else set()
        for item in value.values():
            found |= _refs(item)
        return found
    if isinstance(value, list):
        return set().union(*(_refs(v) for v in value)) if value else set()
    return set()


if __name__ == "__main__":
    TRIMMED.write_text(
        json.dumps(trim(document(), OPERATIONS), indent=1, sort_keys=True, default=str)
    )
    print(f"wrote {TRIMMED}")
