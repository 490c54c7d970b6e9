from __future__ import annotations

from ledgersync.sync.tests.conftest import demo, sandbox, sandbox_server  # noqa: F401 (fixtures)
