"""Xero's ``where`` and ``order`` query parameters, over a record's fields.

    Type=="ACCREC" AND Status!="DELETED"
    Contact.ContactID==GUID("0a6c...")   Name.StartsWith("Green")   EmailAddress!=null
    Name.ToLower()=="harbour cafe"   Name.Contains("Cafe")   Name.ToUpper().EndsWith("LTD")
    Date >= DateTime(2025, 01, 01) && Date < DateTime(2025, 12, 31)   IsSupplier==true

Strings compare without regard to case. A field the record does not have, or text that
does not parse, is Xero's QueryParseException.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ledgersync.sandbox.xero.errors import QueryParseFailed

Predicate = Callable[[dict], bool]
Lookup = Callable[[dict, str], Any]

_TOKEN = re.compile(
    r'\s*(?:(?P<string>"(?:[^"\\]|\\.)*")|(?P<number>-?\d+(?:\.\d+)?)'
    r"|(?P<op>==|!=|>=|<=|&&|\|\||[<>!(),.])|(?P<word>[A-Za-z_][A-Za-z0-9_]*))"
)
_METHODS = {
    "contains": lambda a, b: b in a,
    "startswith": lambda a, b: a.startswith(b),
    "endswith": lambda a, b: a.endswith(b),
}
# Zero-argument string methods a field can go through before a comparison or a method.
_CASE: dict[str, Callable[[str], str]] = {"tolower": str.lower, "toupper": str.upper}
_COMPARE = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
}


def _tokens(text: str) -> list[tuple[str, str]]:
    out, position = [], 0
    text = text.rstrip()
    while position < len(text):
        found = _TOKEN.match(text, position)
        if not found or found.end() == position:
            raise QueryParseFailed(f"Syntax error at position {position} in '{text}'")
        kind = found.lastgroup or "op"
        out.append((kind, found.group(kind)))
        position = found.end()
    return out


def _fold(value: Any) -> Any:
    if isinstance(value, str):
        return value.casefold()
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Decimal(str(value))
    return value


class _Parser:
    def __init__(self, text: str, lookup: Lookup) -> None:
        self.items = _tokens(text)
        self.at = 0
        self.lookup = lookup

    def peek(self) -> str | None:
        return self.items[self.at][1] if self.at < len(self.items) else None

    def take(self, expected: str | None = None) -> tuple[str, str]:
        if self.at >= len(self.items):
            raise QueryParseFailed("Unexpected end of the where filter")
        kind, value = self.items[self.at]
        if expected is not None and value.upper() != expected.upper():
            raise QueryParseFailed(f"'{expected}' expected, found '{value}'")
        self.at += 1
        return kind, value

    def parse(self) -> Predicate:
        predicate = self.either()
        if self.peek() is not None:
            raise QueryParseFailed(f"Syntax error near '{self.peek()}'")
        return predicate

    def either(self) -> Predicate:
        return self._joined(("||", "OR"), self.both, any)

    def both(self) -> Predicate:
        return self._joined(("&&", "AND"), self.unary, all)

    def _joined(
        self,
        words: tuple[str, str],
        operand: Callable[[], Predicate],
        combine: Callable[[Iterable[bool]], bool],
    ) -> Predicate:
        """Operands joined by one of ``words``; ``combine`` is ``any`` (OR) or ``all`` (AND)."""
        parts = [operand()]
        while (self.peek() or "").upper() in words:
            self.take()
            parts.append(operand())
        return parts[0] if len(parts) == 1 else (lambda r: combine(p(r) for p in parts))

    def unary(self) -> Predicate:
        if self.peek() == "!":
            self.take()
            inner = self.unary()
            return lambda r: not inner(r)
        if self.peek() == "(":
            self.take()
            inner = self.either()
            self.take(")")
            return inner
        return self.comparison()

    def comparison(self) -> Predicate:
        path = [self.take()[1]]
        while self.peek() == ".":
            self.take()
            path.append(self.take()[1])
        case = None
        if path[-1].casefold() in _CASE and self.peek() == "(":
            # Name.ToLower()=="abc" (pyxero's Name__tolower), Name.ToUpper().Contains("A")
            self.take()
            self.take(")")
            case = _CASE[path.pop().casefold()]
            if self.peek() == ".":
                self.take()
                path.append(self.take()[1])
        name = path[-1].casefold()
        read = self.lookup if case is None else _cased(self.lookup, case)
        if self.peek() == "(" and name in _METHODS:
            self.take()
            argument = self.value()
            self.take(")")
            field, method = ".".join(path[:-1]), _METHODS[name]
            return lambda r: (
                isinstance(read(r, field), str) and method(_fold(read(r, field)), _fold(argument))
            )
        kind, operator = self.take()
        if operator not in _COMPARE:
            raise QueryParseFailed(f"Operator expected after '{'.'.join(path)}'")
        expected, field, compare = self.value(), ".".join(path), _COMPARE[operator]
        return lambda r: _matches(read(r, field), expected, compare, operator)

    def value(self) -> Any:
        kind, text = self.take()
        if kind == "string":
            return bytes(text[1:-1], "utf-8").decode("unicode_escape")
        if kind == "number":
            return Decimal(text)
        word = text.casefold()
        if word in ("true", "false"):
            return word == "true"
        if word == "null":
            return None
        if word in ("guid", "datetime"):
            self.take("(")
            args = [self.value()]
            while self.peek() == ",":
                self.take()
                args.append(self.value())
            self.take(")")
            if word == "guid":
                return guid_form(str(args[0]).casefold())
            try:
                return _datetime([int(a) for a in args])
            except (TypeError, ValueError):
                raise QueryParseFailed("DateTime(...) needs year, month and day") from None
        raise QueryParseFailed(f"Unexpected '{text}' in the where filter")


def _cased(lookup: Lookup, case: Callable[[str], str]) -> Lookup:
    def read(record: dict, field: str) -> Any:
        value = lookup(record, field)
        return case(value) if isinstance(value, str) else value

    return read


def guid_form(text: str) -> str:
    """A GUID in its dashed form (Guid("...") may be written without dashes)."""
    if len(text) == 32:
        try:
            return str(uuid.UUID(hex=text))
        except ValueError:
            return text
    return text


def _datetime(numbers: list[int]) -> datetime:
    """DateTime(year, month, day[, hour, minute, second, microsecond]) from its numbers."""
    if not 3 <= len(numbers) <= 7:
        raise ValueError("DateTime(...) takes three to seven numbers")
    year, month, day, hour, minute, second, micro = numbers + [0] * (7 - len(numbers))
    return datetime(year, month, day, hour, minute, second, micro)


def _matches(actual: Any, expected: Any, compare: Callable, operator: str) -> bool:
    if expected is None or actual is None:
        return compare(actual is None, expected is None) if operator in ("==", "!=") else False
    try:
        return bool(compare(_fold(actual), _fold(expected)))
    except TypeError:
        return operator == "!="


def parse_where(text: str, lookup: Lookup) -> Predicate:
    """A predicate for ``where=``; ``lookup(record, "Contact.ContactID")`` reads a field
    and raises QueryParseFailed for one the record type does not have."""
    return _Parser(text, lookup).parse()


def sort_records(records: list[dict], order: str, lookup: Lookup) -> list[dict]:
    """``order=Name ASC, UpdatedDateUTC DESC``; missing values sort first."""
    keys = []
    for part in order.split(","):
        words = part.split()
        if not words:
            continue
        if len(words) > 2 or (len(words) == 2 and words[1].upper() not in ("ASC", "DESC")):
            raise QueryParseFailed(f"Invalid order '{part.strip()}'")
        keys.append((words[0], len(words) == 2 and words[1].upper() == "DESC"))
    for field, descending in reversed(keys):
        # sorted() calls the key before the loop moves on, so closing over field is safe.
        records = sorted(records, key=lambda r: _sort_key(lookup(r, field)), reverse=descending)
    return records


def _sort_key(value: Any) -> tuple:
    folded = _fold(value)
    return (0, "") if folded is None else (1, folded)
