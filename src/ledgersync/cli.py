"""The `ledgersync` command (also `python -m ledgersync`)."""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from ledgersync.commands.common import setup_django
from ledgersync.env import ConfigError
from ledgersync.preflight import check_for, port_setting
from ledgersync.providers.registry import PROVIDERS


def cmd_migrate(args) -> int:
    setup_django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=args.verbosity)
    return 0


def cmd_serve(args) -> int:
    setup_django()
    from django.conf import settings

    if settings.SECRET_KEY == settings.PLACEHOLDER_SECRET_KEY:
        print(
            "ledgersync serve: set SECRET_KEY to a long random value (50+ characters).\n"
            "  python -c 'import secrets; print(secrets.token_urlsafe(50))'",
            file=sys.stderr,
        )
        return 2
    return run_web(args.host, args.port or port_setting("LEDGERSYNC_PORT", 8000))


def run_web(host: str, port: int) -> int:
    import waitress
    from django.conf import settings

    from ledgersync.web.proxies import behind_proxies
    from ledgersync.wsgi import application

    waitress.serve(
        behind_proxies(application, settings.TRUSTED_PROXIES),
        host=host,
        port=port,
        threads=8,
        ident="ledgersync",
        # behind_proxies decides whose X-Forwarded-* count (it takes CIDRs; waitress one IP).
        clear_untrusted_proxy_headers=False,
    )
    return 0


GRACEFUL_SHUTDOWN_SECONDS = 25


def cmd_worker(args) -> int:
    setup_django()
    import threading

    from ledgersync.sync import tasks
    from ledgersync.sync.health import start_heartbeat

    stop = threading.Event()
    start_heartbeat(stop, after_beat=tasks.start_waiting_runs)
    try:
        _consumer(args.workers).run()
    finally:
        stop.set()
    return 0


def _consumer(workers: int):
    """Huey's consumer as ``run_huey`` builds it, with both stop signals graceful.

    SIGTERM (systemd, containers) and SIGINT (Ctrl-C) let each worker thread finish the step
    in flight, which writes its outcome and releases the run's lease, so another worker takes
    the next step at once; a step still going after GRACEFUL_SHUTDOWN_SECONDS is interrupted,
    and a second Ctrl-C interrupts at once."""
    import signal

    from django.conf import settings
    from django.utils.module_loading import autodiscover_modules
    from huey.consumer_options import ConsumerConfig
    from huey.contrib.djhuey import HUEY

    autodiscover_modules("tasks")
    configured = dict(settings.HUEY.get("consumer") or {})  # type: ignore[call-overload]
    options = {
        **configured,
        "workers": workers,
        "worker_type": "thread",
        "graceful_signal": "TERM",
        "shutdown_timeout": GRACEFUL_SHUTDOWN_SECONDS,
    }
    config = ConsumerConfig(**options)
    config.validate()
    consumer = HUEY.create_consumer(**config.values)
    # Huey 2.5 makes only one signal graceful; its table of signal actions is the one place
    # to make the other so (test_worker_signals checks it against the installed version).
    consumer._signal_actions[signal.SIGINT] = (False, True)
    handle_signal = consumer._handle_signal

    def stop_after_the_batch(signum, frame) -> None:
        from ledgersync.sync import engine

        engine.stopping.set()  # steps end after their batch in flight (engine.stopping)
        handle_signal(signum, frame)

    consumer._handle_signal = stop_after_the_batch
    return consumer


def cmd_createuser(args) -> int:
    setup_django()
    from ledgersync.records.accounts import create_user

    password = args.password or os.environ.get("LEDGERSYNC_PASSWORD")
    if not password:
        password = getpass.getpass(f"Password for {args.username}: ")
    try:
        user = create_user(args.org, args.username, password, args.role, email=args.email)
    except ValueError as exc:
        print(f"ledgersync createuser: {exc}", file=sys.stderr)
        return 2
    assert user.organisation is not None  # create_user always files the user under an org
    print(f"Created {user.get_role_display()} {user.username} in {user.organisation.name}.")
    return 0


def cmd_createorg(args) -> int:
    setup_django()
    import secrets

    from ledgersync.records.accounts import create_organisation

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        shown = False
    else:
        password = secrets.token_urlsafe(12)
        shown = True
    try:
        organisation, user = create_organisation(
            args.name, args.slug, args.admin, args.email, password
        )
    except ValueError as exc:
        print(f"ledgersync createorg: {exc}", file=sys.stderr)
        return 2
    print(f"Created {organisation.name} ({organisation.slug}) with Administrator {user.username}.")
    if shown:
        print(f"One-time password for {user.username}: {password}")
        print("It is shown only this once; keep it somewhere safe.")
    return 0


def cmd_rotate_keys(args) -> int:
    setup_django()
    from ledgersync.sync.crypto import rotate_stored_tokens

    print(
        f"Re-encrypted the tokens of {rotate_stored_tokens()} connection(s) under the newest key."
    )
    return 0


def cmd_sandbox(args) -> int:
    from ledgersync.sandbox import serve
    from ledgersync.sandbox.registry import sandbox_ports

    serve(args.provider, host=args.host, port=args.port or sandbox_ports()[args.provider])
    return 0


def cmd_demo(args) -> int:
    from ledgersync.demo import run_demo

    return run_demo(port=args.port, host=args.host)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ledgersync", description=__doc__)
    from ledgersync import __version__

    parser.add_argument("--version", action="version", version=f"ledgersync {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="run everything on this machine with demo data")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--host", default="127.0.0.1")
    demo.set_defaults(func=cmd_demo)

    serve = sub.add_parser("serve", help="the production web server")
    serve.add_argument("--host", default=os.environ.get("LEDGERSYNC_HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, help="default: LEDGERSYNC_PORT or 8000")
    serve.set_defaults(func=cmd_serve)

    worker = sub.add_parser("worker", help="the background worker (Huey)")
    worker.add_argument("--workers", type=int, default=2)
    worker.set_defaults(func=cmd_worker)

    migrate = sub.add_parser("migrate", help="create or update the database tables")
    migrate.add_argument("--verbosity", type=int, default=1)
    migrate.set_defaults(func=cmd_migrate)

    createuser = sub.add_parser("createuser", help="add a user to an organisation")
    createuser.add_argument("username")
    createuser.add_argument("--org", required=True, help="organisation slug")
    createuser.add_argument(
        "--role", default="accounts", choices=["administrator", "accounts", "engineer"]
    )
    createuser.add_argument("--email", default="")
    createuser.add_argument("--password", help="prefer LEDGERSYNC_PASSWORD or the prompt")
    createuser.set_defaults(func=cmd_createuser)

    createorg = sub.add_parser(
        "createorg", help="create an organisation and its first Administrator"
    )
    createorg.add_argument("name", help='the business name, e.g. "Acme Heating Ltd"')
    createorg.add_argument("--slug", required=True, help="short name used by commands, e.g. acme")
    createorg.add_argument("--admin", required=True, help="the Administrator's username")
    createorg.add_argument("--email", required=True, help="the Administrator's e-mail address")
    createorg.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the Administrator's password from stdin instead of printing a one-time one",
    )
    createorg.set_defaults(func=cmd_createorg)

    rotate = sub.add_parser("rotate-keys", help="re-encrypt stored tokens under the newest key")
    rotate.set_defaults(func=cmd_rotate_keys)

    sandbox = sub.add_parser("sandbox", help="run one provider emulator on loopback")
    sandbox.add_argument("provider", choices=sorted(PROVIDERS))
    sandbox.add_argument("--port", type=int)
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.set_defaults(func=cmd_sandbox)

    from ledgersync.commands import register  # sync, status, import, apikey, export-log, prune-log

    register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        check_for(args.command)
        return args.func(args)
    except ConfigError as exc:
        print(f"ledgersync: configuration error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
