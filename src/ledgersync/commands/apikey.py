"""`ledgersync apikey create|list|revoke`: API keys for other systems."""

from __future__ import annotations

from ledgersync.commands.common import CommandError, organisation, run_command, table


def cmd_create(args) -> int:
    from ledgersync.api.keys import create_key

    try:
        key, raw = create_key(organisation(args.org), args.name, read_only=args.read_only)
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    scope = key.get_scope_display().lower()
    print(f"Created {scope} API key '{key.name}' for {key.organisation.name}.")
    print("Copy it now; it is not shown again:")
    print(raw)
    return 0


def cmd_list(args) -> int:
    from ledgersync.api.models import ApiKey

    keys = ApiKey.objects.for_org(organisation(args.org))
    table(
        ["id", "name", "key", "access", "created", "last used", "revoked"],
        [
            [
                k.pk,
                k.name,
                f"lsk_{k.prefix}_…",
                k.get_scope_display(),
                f"{k.created_at:%Y-%m-%d %H:%M}",
                f"{k.last_used_at:%Y-%m-%d %H:%M}" if k.last_used_at else "never",
                f"{k.revoked_at:%Y-%m-%d}" if k.revoked_at else "",
            ]
            for k in keys
        ],
    )
    return 0


def cmd_revoke(args) -> int:
    from ledgersync.api.keys import revoke
    from ledgersync.api.models import ApiKey

    keys = ApiKey.objects.for_org(organisation(args.org))
    key = keys.filter(prefix=args.key.removeprefix("lsk_").split("_")[0]).first()
    if key is None and args.key.isdigit():
        key = keys.filter(pk=int(args.key)).first()
    if key is None:
        raise CommandError(
            f"no API key {args.key!r} in {args.org}; `ledgersync apikey list` shows them"
        )
    revoke(key)
    print(f"Revoked API key '{key.name}' (lsk_{key.prefix}_…).")
    return 0


def register(sub) -> None:
    parser = sub.add_parser("apikey", help="create, list and revoke REST API keys")
    actions = parser.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="create a key and print it once")
    create.add_argument("--org", required=True, help="organisation slug")
    create.add_argument("--name", required=True, help="what uses it, e.g. 'Job system'")
    create.add_argument(
        "--read-only", action="store_true", help="the key can read but not change anything"
    )
    create.set_defaults(func=lambda args: run_command(cmd_create, args))
    listing = actions.add_parser("list", help="the organisation's keys (never the keys themselves)")
    listing.add_argument("--org", required=True)
    listing.set_defaults(func=lambda args: run_command(cmd_list, args))
    revoke = actions.add_parser("revoke", help="stop a key working at once")
    revoke.add_argument("--org", required=True)
    revoke.add_argument("key", help="the key, its lsk_<prefix>, or its id from `apikey list`")
    revoke.set_defaults(func=lambda args: run_command(cmd_revoke, args))
