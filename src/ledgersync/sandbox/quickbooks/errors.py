"""QuickBooks Online error bodies, in the shapes reference/qbo.md documents (sections 6, 7).

Every validation failure is a ``QBOFault``; the app turns it into
``{"Fault":{"Error":[{Message, Detail, code, element}],"type":...},"time":...}`` (HTTP 400),
and batch puts the same Fault inside the item. 401, 403 and 429 have their own shapes.
"""

from __future__ import annotations

from decimal import Decimal

from werkzeug.wrappers import Response

from ledgersync.sandbox.core.oauth import AccessProblem
from ledgersync.sandbox.core.wire import json_response

INACTIVE_DETAIL = (
    "Something you're trying to use has been made inactive. "
    "Check the fields with accounts, customers, items, vendors or employees."
)


class QBOFault(Exception):
    def __init__(
        self,
        message: str,
        code: str,
        detail: str,
        element: str = "",
        fault_type: str = "ValidationFault",
        status: int = 400,
    ) -> None:
        super().__init__(f"{code} {message}")
        self.message, self.code, self.detail, self.element = message, code, detail, element
        self.fault_type, self.status = fault_type, status

    def fault(self) -> dict:
        error = {
            "Message": self.message,
            "Detail": self.detail,
            "code": self.code,
            "element": self.element,
        }
        return {"Error": [error], "type": self.fault_type}

    def response(self, time: str) -> Response:
        return json_response({"Fault": self.fault(), "time": time}, self.status)


def required(param: str) -> QBOFault:
    return QBOFault(
        "Required param missing, need to supply the required value for the API",
        "2020",
        f"Required parameter {param} is missing in the request",
        param,
    )


def invalid_reference(kind: str, ref_id: object) -> QBOFault:
    """kind is QuickBooks' list name: Names, Accounts, Items, TaxCodes."""
    return QBOFault(
        "Invalid Reference Id",
        "2500",
        f"Invalid Reference Id : {kind} element id {ref_id} not found",
    )


def inactive_reference() -> QBOFault:
    return QBOFault("Object Not Found", "610", f"Object Not Found : {INACTIVE_DETAIL}")


def object_not_found() -> QBOFault:
    # QuickBooks answers a missing object with the very Fault it gives an inactive one.
    return inactive_reference()


def stale_object() -> QBOFault:
    return QBOFault(
        "Stale Object Error",
        "5010",
        "Stale Object Error : You and root were working on this at the same time. "
        "root finished before you did, so your work was not saved.",
    )


DUPLICATE_NAME_DETAIL = (
    "The name supplied already exists. : Another customer, vendor or employee is already "
    "using this \nname. Please use a different name."
)


def duplicate_name(existing_id: str, *, with_id: bool = False) -> QBOFault:
    detail = (
        f"The specified name already exists. The customer ID is: {existing_id}"
        if with_id
        else DUPLICATE_NAME_DETAIL
    )
    return QBOFault("Duplicate Name Exists Error", "6240", detail)


def duplicate_list_name(what: str) -> QBOFault:
    """Account and Item names are unique in their own list."""
    return QBOFault(
        "Duplicate Name Exists Error",
        "6240",
        f"The name supplied already exists. : Another {what} is already using this name. "
        "Please use a different name.",
    )


def duplicate_doc_number(doc_number: str, txn_type: str, txn_id: str) -> QBOFault:
    return QBOFault(
        "Duplicate Document Number Error",
        "6140",
        "Duplicate Document Number Error : You must specify a different number. This number has "
        f"already been used. DocNumber={doc_number} is assigned to TxnType={txn_type} "
        f"with TxnId={txn_id}",
    )


def string_length(element: str, maximum: int, supplied: int) -> QBOFault:
    return QBOFault(
        "String length is either shorter or longer than supported by specification",
        "2050",
        "String length specified does not match the supported length. "
        f"Min:0 Max:{maximum} supported. Supplied length:{supplied}",
        element,
    )


def invalid_string(element: str) -> QBOFault:
    return QBOFault(
        "Invalid String",
        "2040",
        f"Element contains invalid characters: {element} cannot contain a colon (:), a tab "
        "or a new line.",
        element,
    )


def no_name() -> QBOFault:
    return QBOFault(
        "No Name Provided",
        "6080",
        "Fill out values for at least one of the following: Title, GivenName, MiddleName, "
        "FamilyName, DisplayName, Suffix.",
    )


def amount_mismatch(amount: Decimal) -> QBOFault:
    return QBOFault(
        "Amount calculation incorrect in the request.",
        "6070",
        f"Amount is not equal to UnitPrice * Qty. Supplied value:{amount.normalize():,f}",
        "Line.Amount",
    )


def invalid_line_tax_code(value: object) -> QBOFault:
    return QBOFault(
        "Invalid Line TaxCode in the request",
        "6100",
        f"Invalid Line TaxCode in the request: For US, specify TAX or NON. Supplied value:{value}",
        "Line.SalesItemLineDetail.TaxCodeRef",
    )


def business(detail: str, element: str = "") -> QBOFault:
    return QBOFault(
        "Business Validation Error", "6000", f"Business Validation Error: {detail}", element
    )


def invalid_number(element: str, value: object) -> QBOFault:
    return QBOFault(
        "Invalid Number",
        "2090",
        f"Invalid Number : {element} is not a valid number: {value}",
        element,
    )


def invalid_date(element: str, value: object) -> QBOFault:
    return QBOFault("Invalid Date", "2070", f"Invalid Date : Supplied value: {value}", element)


def invalid_enum(element: str, value: object) -> QBOFault:
    return QBOFault(
        "Invalid Enumeration", "2170", f"Invalid Enumeration : {element}: {value}", element
    )


def query_parse(detail: str) -> QBOFault:
    return QBOFault("Error parsing query", "4000", f"QueryParserError: {detail}")


def query_invalid(detail: str) -> QBOFault:
    return QBOFault("Invalid query", "4001", f"QueryValidationError: {detail}")


def batch_too_large(size: int) -> QBOFault:
    return QBOFault(
        "Batch size exceeds allowed limit",
        "1040",
        f"Batch size exceeds allowed limit : Batch Size: {size} exceeds allowed limit: 30",
    )


def unsupported(operation: str) -> QBOFault:
    return QBOFault("Unsupported Operation", "500", f"Operation {operation} is not supported.")


def bad_request_body(detail: str) -> QBOFault:
    return QBOFault("Request has invalid or unsupported property", "2010", detail)


def invalid_request_id(request_id: str) -> QBOFault:
    return QBOFault(
        "Invalid Request Id Format",
        "2130",
        f"Invalid Request Id Format : requestid {request_id!r} is too long",
    )


def system_error() -> QBOFault:
    return QBOFault(
        "An application error has occurred while processing your request",
        "10000",
        "System Failure Error: An unexpected error occurred while accessing or saving your data. "
        "Please wait a few minutes and try again. If the problem persists, contact customer "
        "support.",
        fault_type="SystemFault",
        status=500,
    )


AUTH_DETAIL = {
    AccessProblem.MISSING: "Token is missing",
    AccessProblem.MALFORMED: "Malformed bearer token: too short or too long",
    AccessProblem.INVALID: "Token revoked or invalid",
    AccessProblem.EXPIRED: "Token expired",
}


def unauthorized(problem: AccessProblem, *, lower_case: bool, now_ms: int, time: str) -> Response:
    """401 AuthenticationFailed in the upper-case (common) or lower-case gateway shape."""
    message = "message=AuthenticationFailed; errorCode=003200; statusCode=401"
    detail = AUTH_DETAIL[problem]
    if lower_case:
        body = _gateway_fault(message, detail, "3200", "AUTHENTICATION", now_ms)
    else:
        body = {
            "Fault": {
                "Error": [{"Message": message, "Detail": detail, "code": "3200"}],
                "type": "AuthenticationFault",
            },
            "time": time,
        }
    return json_response(body, 401, {"WWW-Authenticate": 'Bearer realm="Intuit"'})


def forbidden(now_ms: int) -> Response:
    """403 for a token used on a realm it was not issued for (lower-case gateway shape)."""
    message = "message=AuthorizationFailed; errorCode=003100; statusCode=403"
    body = _gateway_fault(message, "Authorization Failure", "3100", "SERVICE", now_ms)
    return json_response(body, 403)


def _gateway_fault(message: str, detail: str, code: str, fault_type: str, now_ms: int) -> dict:
    return {
        "warnings": None,
        "intuitObject": None,
        "fault": {
            "error": [{"message": message, "detail": detail, "code": code, "element": None}],
            "type": fault_type,
        },
        "report": None,
        "queryResponse": None,
        "batchItemResponse": [],
        "attachableResponse": [],
        "syncErrorResponse": None,
        "requestId": None,
        "time": now_ms,
        "status": None,
        "cdcresponse": [],
    }


def throttled(time: str, status: int, retry_after: int | None) -> Response:
    """429 with the XML body QuickBooks sends even when JSON was asked for."""
    body = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<IntuitResponse xmlns="http://schema.intuit.com/finance/v3" time="{time}">'
        '<Fault type="SERVICE"><Error code="3001">'
        f"<Message>message=ThrottleExceeded; errorCode=003001; statusCode={status}</Message>"
        "<Detail>The request limit was reached.  Try again later</Detail>"
        "</Error></Fault></IntuitResponse>"
    )
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    return Response(body, status=status, headers=headers, content_type="application/xml")
