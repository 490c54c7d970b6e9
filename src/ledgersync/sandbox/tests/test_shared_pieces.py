"""The small pieces the sandboxes share in sandbox/core/: the web view's company choice,
the WSGI environ both hosts build, and the dotted field the query languages read."""

from __future__ import annotations

from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from ledgersync.sandbox.core import wsgi
from ledgersync.sandbox.core.fields import field
from ledgersync.sandbox.core.pages import Shell

SHELL = Shell("Demo", "demo_cookie", (("/", "Home"),), "company")
COMPANIES = {"a": "first", "b": "second", "c": "third"}


def _request(query: str = "", cookie: str | None = None) -> Request:
    headers = {"Cookie": f"demo_cookie={cookie}"} if cookie else {}
    return Request(EnvironBuilder(path="/", query_string=query, headers=headers).get_environ())


def test_a_web_page_shows_the_company_its_query_parameter_names_over_the_cookie():
    assert SHELL.choose(_request("company=b", cookie="c"), COMPANIES) == "second"


def test_a_web_page_without_a_parameter_shows_the_company_the_cookie_remembers():
    assert SHELL.choose(_request(cookie="c"), COMPANIES) == "third"


def test_a_web_page_for_an_unknown_company_shows_the_first():
    assert SHELL.choose(_request("company=zz", cookie="zz"), COMPANIES) == "first"


def test_the_company_picker_links_each_company_with_the_parameter():
    picker = SHELL.picker([{"id": "a", "name": "A & Co"}], "/list")
    assert picker == '<ul><li><a href="/list?company=a">A &amp; Co</a> (a)</li></ul>'


def test_the_environ_takes_its_content_length_from_the_body_and_prefixes_other_headers():
    headers = [("Content-Type", "application/json"), ("Content-Length", "99"), ("X-Id", "7")]
    environ = wsgi.environ("POST", "/p", "a=1", headers, b"{}", server=("127.0.0.1", 8101))
    assert (environ["CONTENT_LENGTH"], environ["CONTENT_TYPE"]) == ("2", "application/json")
    assert (environ["HTTP_X_ID"], environ["SERVER_PORT"], environ["QUERY_STRING"]) == (
        "7",
        "8101",
        "a=1",
    )
    assert "HTTP_CONTENT_LENGTH" not in environ and "HTTP_CONTENT_TYPE" not in environ
    assert environ["wsgi.input"].read() == b"{}"


def test_a_dotted_field_is_read_in_any_case_and_an_absent_step_is_null():
    record = {"Contact": {"ContactID": "c-1", "Name": None}, "Total": 5}
    assert field(record, "contact.contactid") == "c-1"
    assert field(record, "Contact.Missing") is None
    assert field(record, "Total.Value") is None
    assert field(record, "Contact") == {"ContactID": "c-1", "Name": None}
