from __future__ import annotations

import pytest

from ledgersync.providers.sage.tests.swagger import load_spec


@pytest.fixture(scope="session")
def sage_swagger() -> dict:
    """Sage's Swagger document, read once per test session (it is 1.3 MB)."""
    return load_spec()
