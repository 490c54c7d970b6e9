"""ledgersync's own emulators of the providers' HTTP APIs, faithful to the wire format.

    app = make_app("quickbooks")              # WSGI app, freshly seeded, in memory
    httpx.Client(transport=app.transport())   # in-process
    server = start_server("quickbooks")       # real loopback socket: server.url, server.stop()
    serve("quickbooks", port=8101)            # blocking, for `ledgersync sandbox quickbooks`

Layout: ``core/`` holds what every sandbox shares (the app base, OAuth, control plane,
faults, limits, clock, request log, web page frame, demo data, WSGI hosts). Each provider
package gives a concern the same file name: ``app.py`` (the sandbox class), ``settings.py``,
``store.py``, ``seed.py``, ``errors.py``, ``web.py`` (the read-only web view),
``contacts.py``, ``documents.py``; and where the provider has them, ``ledger.py`` (chart of
accounts), ``tax.py``, ``payments.py``, ``reads.py`` (collection filters and paging) and
``query.py`` (its query language). ``registry.py`` maps slugs to sandbox classes.

See docs/sandboxes.md for the layout table, what each sandbox emulates and its /_sandbox/
control plane.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ledgersync.sandbox.core.app import SandboxApp
    from ledgersync.sandbox.core.server import SandboxServer

__all__ = ["make_app", "serve", "start_server"]


def make_app(slug: str, **options: Any) -> SandboxApp:
    from ledgersync.sandbox.registry import make_app as _make_app

    return _make_app(slug, **options)


def start_server(
    slug: str, host: str = "127.0.0.1", port: int = 0, **options: Any
) -> SandboxServer:
    """Start a sandbox on a real socket in daemon threads; returns once it is listening."""
    from ledgersync.sandbox.core.server import SandboxServer

    return SandboxServer(make_app(slug, **options), host, port).start()


def serve(slug: str, host: str = "127.0.0.1", port: int = 8101, **options: Any) -> None:
    """Run one sandbox in the foreground until interrupted."""
    from ledgersync.sandbox.core.server import SandboxServer

    server = SandboxServer(make_app(slug, **options), host, port)
    print(
        f"{server.app.display_name} sandbox on {server.url}"
        f"  (control plane: {server.url}/_sandbox/companies)"
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
