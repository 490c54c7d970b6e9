"""Every environment variable the code reads has a row in the README's configuration table."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from ledgersync.providers.facts import URL_NAMES

SRC = Path(__file__).resolve().parents[1]
README = SRC.parents[1] / "README.md"
HELPERS = {
    "env_str",
    "env_bool",
    "env_int",
    "env_list",
    "env_url",
    "env_networks",
    "env_email",
    "port_setting",
}
# env_email(url_name, prefix) also reads prefix + each of these.
EMAIL_PARTS = ("HOST", "PORT", "USER", "PASSWORD", "TLS", "SSL")
# Set by ledgersync for Django, not a setting a deployment chooses.
NOT_SETTINGS = {"DJANGO_SETTINGS_MODULE"}


def _is_environ(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "environ"
        and isinstance(node.value, ast.Name)
        and node.value.id == "os"
    )


def _reads(tree: ast.AST) -> list[ast.expr]:
    """The name argument of every env helper call, os.environ.get, os.getenv, os.environ[]."""
    found: list[ast.expr] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args:
            func = node.func
            if isinstance(func, ast.Name) and func.id in HELPERS:
                found.append(node.args[0])
                if func.id == "env_email" and isinstance(node.args[1], ast.Constant):
                    found += [ast.Constant(f"{node.args[1].value}_{p}") for p in EMAIL_PARTS]
            elif isinstance(func, ast.Attribute) and (
                (func.attr == "get" and _is_environ(func.value))
                or (func.attr == "getenv" and isinstance(func.value, ast.Name))
            ):
                found.append(node.args[0])
        elif isinstance(node, ast.Subscript) and _is_environ(node.value):
            found.append(node.slice)
    return found


def names_read() -> tuple[set[str], set[str]]:
    """Exact names, and the tails of per-provider names (``f"{prefix}_CLIENT_ID"``)."""
    exact, tails = set(), set()
    for path in SRC.rglob("*.py"):
        if "tests" in path.relative_to(SRC).parts or path.name == "env.py":
            continue  # env.py holds the helpers themselves, reading their `name` argument
        for arg in _reads(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                exact.add(arg.value)
            elif isinstance(arg, ast.JoinedStr):
                last = arg.values[-1]
                if isinstance(last, ast.Constant):
                    tails.add(last.value)
    tails |= {f"_{name.upper()}" for name in URL_NAMES}  # f"{prefix}_{name.upper()}"
    return exact - NOT_SETTINGS, tails


def documented() -> set[str]:
    """The names in the first column of the README's configuration table; a cell such as
    `LEDGERSYNC_EMAIL_HOST`, `_PORT` names LEDGERSYNC_EMAIL_PORT too."""
    text = README.read_text(encoding="utf-8")
    table = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    names: set[str] = set()
    for line in table.splitlines():
        if not line.startswith("| `"):
            continue
        cell = line.split("|")[1]
        tokens = re.findall(r"`([A-Z<>_0-9]+)`", cell)
        for token in tokens:
            if token.startswith("_"):  # the first name, its last len(token) parts replaced
                parts = token.count("_")
                token = tokens[0].rsplit("_", parts)[0] + token
            names.add(token)
    return names


def test_the_scan_finds_the_reads_it_should():
    exact, tails = names_read()
    # A few known reads, so a scanner that finds nothing cannot pass.
    assert {"SECRET_KEY", "DATABASE_URL", "LEDGERSYNC_PUBLIC_URL", "LEDGERSYNC_PORT"} <= exact
    assert {"LEDGERSYNC_EMAIL_PASSWORD", "LEDGERSYNC_SANDBOX_PORT_BASE"} <= exact
    assert {"_CLIENT_ID", "_SANDBOX_URL", "_TOKEN_URL"} <= tails


def test_every_variable_the_code_reads_is_in_the_readme_table():
    exact, tails = names_read()
    table = documented()
    missing = sorted(exact - table)
    missing += sorted(f"<PROVIDER>{tail}" for tail in tails if f"<PROVIDER>{tail}" not in table)
    assert missing == [], "add these to README.md's configuration table: " + ", ".join(missing)
