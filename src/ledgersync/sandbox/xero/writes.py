"""PUT (create) and POST (create or update) on a collection: batches of elements,
``summarizeErrors``, and ``Idempotency-Key`` replay.

With ``summarizeErrors=false`` the answer is 200 with one element per input, each OK or
carrying its ``ValidationErrors``. Without it (Xero's real default) one bad element turns
the answer into a 400 ValidationException listing the failed elements, and the good
elements are committed all the same.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from xml.etree.ElementTree import ParseError  # noqa: S405 (the error type only)

from defusedxml import DefusedXmlException
from werkzeug.wrappers import Request, Response

from ledgersync.sandbox.core.replay import Reply
from ledgersync.sandbox.core.wire import BadJson, json_response, read_json
from ledgersync.sandbox.xero.errors import (
    ElementInvalid,
    NoDataProcessed,
    PostDataInvalid,
    ValidationFailed,
    XeroProblem,
)
from ledgersync.sandbox.xero.store import Organisation
from ledgersync.sandbox.xero.wire import envelope, read_xml

if TYPE_CHECKING:
    from ledgersync.sandbox.xero.app import XeroSandbox

IDEMPOTENCY_KEY_MAX = 128
XML_TYPES = ("application/xml", "text/xml")


@dataclass(frozen=True)
class Writer:
    """How one collection's elements are written and shown."""

    collection: str  # "Invoices"
    singular: str  # "Invoice" (for NoDataProcessedException)
    save: Callable[[Organisation, dict, str, int], dict]  # (org, element, method, unitdp)
    present: Callable[[Organisation, dict, int], dict]
    failed: Callable[[Any, list[str]], dict]


def elements(body: Any, collection: str, singular: str) -> list:
    """The elements of a request body: ``{"Invoices": [...]}`` or one bare element."""
    if isinstance(body, dict) and isinstance(body.get(collection), list):
        items = body[collection]
    elif isinstance(body, dict) and body and collection not in body:
        items = [body]
    else:
        items = []
    if not items:
        raise NoDataProcessed(singular)
    return items


def idempotent(
    app: XeroSandbox, request: Request, org: Organisation, produce: Callable[[], Response]
) -> Response:
    """Run a write once per ``Idempotency-Key`` (per organisation, method and path)."""
    key = request.headers.get("Idempotency-Key")
    if key is not None and len(key) > IDEMPOTENCY_KEY_MAX:
        message = f"The Idempotency-Key must be {IDEMPOTENCY_KEY_MAX} characters or fewer."
        return XeroProblem(message).response()
    with org.lock:
        slot = (key, request.method, request.path) if key else None
        stored = org.replies.get(slot) if slot else None
        ttl = app.settings.idempotency_ttl_seconds
        if stored is not None and stored.fresh(app.clock.time(), ttl):
            return stored.response()
        response = produce()
        if slot:
            org.replies[slot] = Reply.of(response, app.clock.time())
        return response


def write(
    app: XeroSandbox, request: Request, org: Organisation, writer: Writer, unitdp: int
) -> Response:
    """A PUT or POST of a batch; the caller holds no lock."""

    def produce() -> Response:
        try:
            items = elements(_body(request), writer.collection, writer.singular)
            answers, failed = [], []
            for item in items:
                if not isinstance(item, dict):
                    raise PostDataInvalid(f"Each {writer.singular} must be an object.")
                try:
                    record = writer.save(org, item, request.method, unitdp)
                except ElementInvalid as invalid:
                    element = writer.failed(item, invalid.messages)
                    answers.append(element)
                    failed.append(element)
                    continue
                answers.append(
                    {**writer.present(org, record, unitdp), "StatusAttributeString": "OK"}
                )
            if failed and summarize(app, request):
                raise ValidationFailed(failed)
        except XeroProblem as problem:
            return problem.response()
        body = envelope(app.settings.provider_name, app.clock.now(), writer.collection, answers)
        return json_response(body)

    return idempotent(app, request, org, produce)


def summarize(app: XeroSandbox, request: Request) -> bool:
    value = request.args.get("summarizeErrors")
    if value is None:
        return app.settings.summarize_errors_by_default
    return value.strip().lower() != "false"


def _body(request: Request) -> Any:
    if request.mimetype in XML_TYPES:
        try:
            return read_xml(request.get_data(cache=True))
        except (ParseError, DefusedXmlException):
            raise PostDataInvalid("The XML request body could not be read.") from None
    try:
        return read_json(request)
    except BadJson:
        raise PostDataInvalid("Input string was not in a correct format.") from None
