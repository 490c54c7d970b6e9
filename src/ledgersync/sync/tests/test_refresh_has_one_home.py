"""Every token refresh goes one way: a second path elsewhere fails here.

Only providers/http.py asks Authlib to spend a refresh token (``_spend_once``), and only
sync/connections.py builds a connector from a connection's stored tokens, always with its
locked ``refresh_with`` (or inside the locked path itself). A connector built elsewhere from
stored tokens would refresh without the row lock and race the locked refreshes again.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2]


def sources():
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).parts
        if "tests" not in parts and "migrations" not in parts:
            yield path.relative_to(PACKAGE).as_posix(), path.read_text()


def connector_calls(text: str) -> list[ast.Call]:
    return [
        node
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", getattr(node.func, "attr", None)) == "connector_for"
    ]


def with_credentials(call: ast.Call) -> bool:
    second = call.args[1] if len(call.args) > 1 else None
    return not (isinstance(second, ast.Constant) and second.value is None)


def test_only_the_http_client_spends_a_refresh_token():
    spenders = [name for name, text in sources() if re.search(r"\.refresh_token\(", text)]
    assert spenders == ["providers/http.py"]


def test_only_connections_builds_connectors_from_stored_tokens():
    builders = {
        name
        for name, text in sources()
        if not name.startswith("providers/")
        for call in connector_calls(text)
        if with_credentials(call)
    }
    assert builders == {"sync/connections.py"}


def test_connections_builds_them_with_the_locked_refresh_or_inside_it():
    text = (PACKAGE / "sync/connections.py").read_text()
    tree = ast.parse(text)
    unlocked = {
        function.name
        for function in ast.walk(tree)
        if isinstance(function, ast.FunctionDef)
        for call in connector_calls(ast.unparse(function))
        if with_credentials(call) and "refresh_with" not in {k.arg for k in call.keywords}
    }
    # _spender is the locked path's own; disconnect only revokes (it never refreshes).
    assert unlocked == {"_spender", "disconnect"}
