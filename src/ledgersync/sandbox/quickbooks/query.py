"""The QuickBooks query language: a parser and an evaluator over one company's records.

    SELECT * [, <field> ...] | COUNT(*) FROM <Entity> [WHERE <field> <op> <value> [AND ...]]
        [ORDERBY <field> [ASC|DESC][, ...]] [STARTPOSITION n] [MAXRESULTS n]

Operators ``= < > <= >= != IN LIKE`` (LIKE knows only ``%``); keywords, entity and field
names and string values compare case-insensitively; quotes in values are escaped with a
backslash. ``OR`` (and anything else outside the grammar) is a 4000 parse error worded like
QuickBooks' own parser; a field the entity does not have is a 4001.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from ledgersync.sandbox.core import fields
from ledgersync.sandbox.quickbooks import errors
from ledgersync.sandbox.quickbooks.store import ENTITIES, Company

DEFAULT_MAX, LIMIT_MAX = 100, 1000
HAS_ACTIVE = (
    "Customer",
    "Vendor",
    "Employee",
    "Account",
    "Item",
    "TaxCode",
    "TaxRate",
    "Class",
    "Department",
)
AFTER_CONDITION = [
    "<EOF>",
    '"and" ...',
    '"iterator" ...',
    '"maxresults" ...',
    '"order" ...',
    '"orderby" ...',
    '"startposition" ...',
]
KEYWORDS = {
    "select",
    "from",
    "where",
    "and",
    "or",
    "orderby",
    "order",
    "by",
    "asc",
    "desc",
    "startposition",
    "maxresults",
    "in",
    "like",
    "count",
    "true",
    "false",
    "not",
    "iterator",
}
TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:\\.|[^'\\])*')|(?P<number>-?\d+(?:\.\d+)?)|(?P<op><=|>=|!=|<>|[=<>(),*])"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_.]*))"
)


@dataclass(frozen=True)
class Token:
    kind: str  # string, number, op, word, keyword, eof, error
    text: str
    column: int

    @property
    def value(self) -> str:
        return self.text.lower() if self.kind in ("keyword", "word") else self.text


@dataclass
class Condition:
    field: str
    op: str
    values: list[object]


@dataclass
class Query:
    entity: str
    count: bool = False
    where: list[Condition] = field(default_factory=list)
    order: list[tuple[str, bool]] = field(default_factory=list)  # (field, descending)
    start: int = 1
    max_results: int = DEFAULT_MAX


def tokenize(text: str) -> list[Token]:
    tokens, at = [], 0
    stripped_end = len(text.rstrip())
    while at < stripped_end:
        match = TOKEN.match(text, at)
        if match is None or match.end() == at:
            # Like QuickBooks' parser, report a bad character only if parsing gets that far.
            column = at + 1 + (len(text[at:]) - len(text[at:].lstrip()))
            tokens.append(Token("error", text[column - 1], column))
            return tokens
        group = match.lastgroup
        assert group is not None  # every alternative in TOKEN is a named group
        raw = match.group(group)
        kind = "keyword" if group == "word" and raw.lower() in KEYWORDS else group
        tokens.append(Token(kind, raw, match.start(group) + 1))
        at = match.end()
    tokens.append(Token("eof", "", len(text) + 1))
    return tokens


class Parser:
    def __init__(self, text: str) -> None:
        if not text or not text.strip():
            raise errors.query_parse("The query provided was empty")
        self.tokens = tokenize(text)
        self.at = 0

    def peek(self) -> Token:
        return self.tokens[self.at]

    def take(self) -> Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def fail(self, expected: list[str]) -> errors.QBOFault:
        token = self.peek()
        if token.kind == "error":
            return errors.query_parse(
                f"Invalid content. Lexical error at line 1, column {token.column}."
                f'  Encountered: "{token.text}"'
            )
        if token.kind == "eof":
            shown = '"<EOF>"'
        else:
            label = {
                "keyword": f"<{token.text.upper()}>",
                "word": "<IDENTIFIER>",
                "string": "<STRING>",
                "number": "<INTEGER>",
                "op": f'"{token.text}"',
            }[token.kind]
            shown = f'" {label} "{token.text} ""'
        lines = "\n    ".join(expected)
        return errors.query_parse(
            f"Encountered {shown} at line 1, column {token.column}.\n"
            f"Was expecting one of:\n    {lines}\n    "
        )

    def keyword(self, *words: str) -> str:
        token = self.peek()
        if token.kind != "keyword" or token.value not in words:
            raise self.fail([f'"{w}" ...' for w in words])
        self.take()
        return token.value

    def parse(self) -> Query:
        self.keyword("select")
        count = False
        if self.peek().value == "count":
            self.take()
            for symbol in "(*)":
                if self.take().text != symbol:
                    self.at -= 1
                    raise self.fail([f'"{symbol}" ...'])
            count = True
        elif self.peek().text == "*":
            self.take()
            # "SELECT *, Sku FROM Item" (python-quickbooks' Item.all() since 0.9.12): fields
            # named after * are already in it.
            while self.peek().text == ",":
                self.take()
                if self.take().kind not in ("word", "keyword"):
                    self.at -= 1
                    raise self.fail(["<IDENTIFIER> ..."])
        else:
            raise self.fail(['"*" ...', '"count" ...'])
        self.keyword("from")
        entity_token = self.take()
        if entity_token.kind not in ("word", "keyword"):
            self.at -= 1
            raise self.fail(["<IDENTIFIER> ..."])
        query = Query(entity=entity_token.text, count=count)
        if self.peek().value == "where":
            self.take()
            query.where.append(self.condition())
            while self.peek().value == "and":
                self.take()
                query.where.append(self.condition())
        self.tail(query)
        return query

    def tail(self, query: Query) -> None:
        while self.peek().kind != "eof":
            word = self.peek().value
            if word in ("orderby", "order"):
                self.take()
                if word == "order":
                    self.keyword("by")
                query.order.append(self.order_term())
                while self.peek().text == ",":
                    self.take()
                    query.order.append(self.order_term())
            elif word in ("startposition", "maxresults"):
                self.take()
                token = self.take()
                if token.kind != "number" or "." in token.text:
                    self.at -= 1
                    raise self.fail(["<INTEGER> ..."])
                if word == "startposition":
                    query.start = max(int(token.text), 1)
                else:
                    query.max_results = min(max(int(token.text), 0), LIMIT_MAX)
            else:
                raise self.fail(AFTER_CONDITION)

    def order_term(self) -> tuple[str, bool]:
        token = self.take()
        if token.kind not in ("word", "keyword"):
            self.at -= 1
            raise self.fail(["<IDENTIFIER> ..."])
        descending = False
        if self.peek().value in ("asc", "desc"):
            descending = self.take().value == "desc"
        return token.text, descending

    def condition(self) -> Condition:
        name = self.take()
        if name.kind not in ("word", "keyword") or name.value in ("and", "or"):
            self.at -= 1
            raise self.fail(["<IDENTIFIER> ..."])
        token = self.take()
        if token.kind == "op" and token.text in ("=", "<", ">", "<=", ">=", "!=", "<>"):
            return Condition(name.text, "!=" if token.text == "<>" else token.text, [self.value()])
        if token.value == "like":
            return Condition(name.text, "like", [self.value()])
        if token.value == "in":
            if self.take().text != "(":
                self.at -= 1
                raise self.fail(['"(" ...'])
            values = [self.value()]
            while self.peek().text == ",":
                self.take()
                values.append(self.value())
            if self.take().text != ")":
                self.at -= 1
                raise self.fail(['")" ...', '"," ...'])
            return Condition(name.text, "in", values)
        self.at -= 1
        raise self.fail(['"=" ...', '"<" ...', '">" ...', '"in" ...', '"like" ...'])

    def value(self) -> object:
        token = self.take()
        if token.kind == "string":
            return re.sub(r"\\(.)", r"\1", token.text[1:-1])
        if token.kind == "number":
            return Decimal(token.text)
        if token.value in ("true", "false"):
            return token.value == "true"
        self.at -= 1
        raise self.fail(["<STRING> ...", "<NUMBER> ...", '"true" ...', '"false" ...'])


def parse(text: str) -> Query:
    return Parser(text).parse()


# ---- evaluation ------------------------------------------------------------------------

COMMON_FIELDS = {
    "id",
    "synctoken",
    "metadata",
    "active",
    "name",
    "displayname",
    "docnumber",
    "txndate",
    "duedate",
    "customerref",
    "vendorref",
    "totalamt",
    "balance",
    "acctnum",
    "accounttype",
    "accountsubtype",
    "classification",
    "type",
    "fullyqualifiedname",
    "companyname",
    "givenname",
    "familyname",
    "primaryemailaddr",
    "job",
    "parentref",
    "level",
    "linkedtxn",
    "privatenote",
    "currencyref",
    "sku",
    "taxable",
}


def run(company: Company, text: str) -> dict:
    """The body of a QueryResponse for ``text``."""
    query = parse(text)
    entity = ENTITIES.get(query.entity.lower())
    if entity is None:
        raise errors.query_invalid(f"Entity {query.entity} is not supported")
    records = company.all(entity)
    known = COMMON_FIELDS | {key.lower() for record in records for key in record}
    for name in [c.field for c in query.where] + [name for name, _ in query.order]:
        if name.split(".")[0].lower() not in known:
            raise errors.query_invalid(f"Property {name} not found for Entity {entity}")
    for condition in query.where:
        if condition.field.lower() == "id" and condition.op not in ("=", "in"):
            raise errors.query_invalid(
                f"Operator {condition.op.upper()} is not supported for property Id"
            )
    filters = list(query.where)
    if entity in HAS_ACTIVE and not any(c.field.lower() == "active" for c in filters):
        filters.append(Condition("Active", "in", [True]))  # inactive records only when asked for
    matched = [r for r in records if all(_holds(r, c) for c in filters)]
    matched.sort(key=lambda r: _sort_key(r.get("Id")))
    for name, descending in reversed(query.order):
        present = [r for r in matched if resolve(r, name) is not None]
        absent = [r for r in matched if resolve(r, name) is None]
        present.sort(key=lambda r: _sort_key(resolve(r, name)), reverse=descending)
        matched = present + absent
    if query.count:
        return {"totalCount": len(matched)}
    page = matched[query.start - 1 : query.start - 1 + query.max_results]
    if not page:
        return {}
    return {entity: page, "startPosition": query.start, "maxResults": len(page)}


def resolve(record: dict, path: str) -> object:
    value = fields.field(record, path)
    if isinstance(value, dict) and "value" in value:
        return value["value"]  # a Ref compares on its Id
    return value


def _holds(record: dict, condition: Condition) -> bool:
    actual = resolve(record, condition.field)
    if condition.field.lower() == "active" and actual is None:
        actual = True
    if actual is None or isinstance(actual, dict | list):
        return condition.op == "!=" and actual is None
    if condition.op == "in":
        return any(_compare(actual, v) == 0 for v in condition.values)
    if condition.op == "like":
        pattern = "".join(".*" if ch == "%" else re.escape(ch) for ch in str(condition.values[0]))
        return re.fullmatch(pattern, str(_plain(actual)), re.IGNORECASE | re.DOTALL) is not None
    outcome = _compare(actual, condition.values[0])
    return {
        "=": outcome == 0,
        "!=": outcome != 0,
        "<": outcome < 0,
        ">": outcome > 0,
        "<=": outcome <= 0,
        ">=": outcome >= 0,
    }[condition.op]


def _plain(value: object) -> object:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _number(value: object) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _compare(actual: object, wanted: object) -> int:
    a, b = _number(actual), _number(wanted)
    if a is not None and b is not None and not isinstance(actual, str | bool):
        return (a > b) - (a < b)
    left, right = str(_plain(actual)).casefold(), str(_plain(wanted)).casefold()
    return (left > right) - (left < right)


def _sort_key(value: object) -> tuple:
    number = _number(value)
    if number is not None and not isinstance(value, bool):
        return (0, number, "")
    return (1, Decimal(0), str(_plain(value)).casefold())
