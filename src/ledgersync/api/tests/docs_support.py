"""Running the examples in docs/*.md: curl commands through the test client, `ledgersync`
commands through cli.main, each compared with the answer the page shows.

In a shown answer, "…" matches any value, and "$NAME" matches any value the first time
(remembering it) and that same value after; commands use $NAME for what was remembered.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from ledgersync.records.demo_data import seed_demo
from ledgersync.sync.tests.conftest import connect_to_sandbox

DOCS = Path(__file__).resolve().parents[4] / "docs"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)
ANY = "…"


def blocks(name: str) -> list[tuple[str, str]]:
    return FENCE.findall((DOCS / name).read_text(encoding="utf-8"))


@dataclass
class CurlExample:
    command: str
    status: int
    expected: object
    method: str = "GET"
    url: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None


def curl_examples(name: str) -> list[CurlExample]:
    """Each ```sh block holding a curl command, paired with the ```http block after it."""
    found = []
    pending = None
    for lang, text in blocks(name):
        if lang == "sh" and text.lstrip().startswith("curl"):
            pending = text
        elif lang == "http" and pending is not None:
            status_line, _, body = text.partition("\n")
            expected = json.loads(body) if body.strip() else None
            found.append(_parse_curl(pending, int(status_line.split()[1]), expected))
            pending = None
    return found


def _parse_curl(command: str, status: int, expected) -> CurlExample:
    example = CurlExample(command=command, status=status, expected=expected)
    words = shlex.split(command.replace("\\\n", " "))[1:]
    while words:
        word = words.pop(0)
        if word == "-X":
            example.method = words.pop(0)
        elif word == "-H":
            name, _, value = words.pop(0).partition(":")
            example.headers[name.strip()] = value.strip()
        elif word in ("-d", "--data"):
            example.body = words.pop(0)
            if example.method == "GET":
                example.method = "POST"
        elif not word.startswith("-"):
            example.url = word
    return example


def substitute(text: str, variables: dict[str, object]) -> str:
    return re.sub(r"\$\{?([A-Z_]+)\}?", lambda m: str(variables.get(m.group(1), m.group(0))), text)


def mismatches(expected, actual, variables: dict[str, object], where: str = "") -> list[str]:
    if expected == ANY:
        return []
    if isinstance(expected, str) and re.fullmatch(r"\$[A-Z_]+", expected):
        name = expected[1:]
        if name not in variables:
            variables[name] = actual
            return []
        return (
            []
            if variables[name] == actual
            else [f"{where}: {actual!r} is not ${name} ({variables[name]!r})"]
        )
    if isinstance(expected, dict) and isinstance(actual, dict):
        if set(expected) != set(actual):
            return [f"{where}: keys {sorted(actual)} are not {sorted(expected)}"]
        return [
            m
            for key in expected
            for m in mismatches(expected[key], actual[key], variables, f"{where}.{key}")
        ]
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            return [f"{where}: {len(actual)} items, the page shows {len(expected)}"]
        return [
            m
            for i, (e, a) in enumerate(zip(expected, actual, strict=True))
            for m in mismatches(e, a, variables, f"{where}[{i}]")
        ]
    return [] if expected == actual else [f"{where}: {actual!r} is not {expected!r}"]


def connect_demo_to_quickbooks(server_url: str):
    """The demo organisation connected to the QuickBooks sandbox (the pages show QuickBooks)."""
    httpx.post(f"{server_url}/_sandbox/reset").raise_for_status()
    organisation = seed_demo()
    connect_to_sandbox(organisation, server_url, "quickbooks")
    return organisation


@dataclass
class ConsoleExample:
    command: str
    output: list[str]
    exit_status: int = 0


def console_examples(name: str) -> list[ConsoleExample]:
    """`$ ledgersync ...` lines in ```console blocks, each with the lines printed after it."""
    found: list[ConsoleExample] = []
    for lang, text in blocks(name):
        if lang != "console":
            continue
        for line in text.splitlines():
            if line.startswith("$ "):
                found.append(ConsoleExample(line[2:].strip(), []))
            elif match := re.fullmatch(r"\[exit status (\d+)\]", line.strip()):
                found[-1].exit_status = int(match.group(1))
            elif found:
                found[-1].output.append(line)
    return found


def missing_lines(shown: list[str], printed: str) -> list[str]:
    """Lines shown on the page that were not printed ("…" matches anything; spacing is free)."""

    def collapse(text: str) -> str:
        return " ".join(text.split())

    printed_lines = [collapse(line) for line in printed.splitlines()]
    missing = []
    for line in shown:
        wanted = collapse(line)
        if not wanted:
            continue
        pattern = ".*".join(re.escape(part) for part in wanted.split(ANY))
        if not any(re.fullmatch(pattern, candidate) for candidate in printed_lines):
            missing.append(line)
    return missing
