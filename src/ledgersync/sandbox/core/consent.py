"""The consent page a person sees during the OAuth dance: pick a company, Connect or Cancel."""

from __future__ import annotations

from html import escape

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{title}</title>
<style>
 body {{ font-family: system-ui, sans-serif; max-width: 32rem; margin: 3rem auto; color: #222; }}
 .box {{ border: 1px solid #ccc; border-radius: 8px; padding: 1.5rem; }}
 label {{ display: block; padding: .4rem 0; }}
 .buttons {{ margin-top: 1.2rem; display: flex; gap: .8rem; }}
 button {{ padding: .5rem 1.2rem; font-size: 1rem; }}
 .note {{ color: #666; font-size: .85rem; }}
</style></head>
<body><div class="box">
<h1>{provider}</h1>
<p><strong>{client}</strong> wants to connect to your company ({scope}).</p>
<form method="post" action="{action}">
<fieldset><legend>Choose a company</legend>
{choices}
</fieldset>
{hidden}
<div class="buttons">
<button type="submit" name="action" value="connect" id="connect">{allow}</button>
<button type="submit" name="action" value="cancel" id="cancel">Cancel</button>
</div></form>
<p class="note">This is ledgersync's {provider} sandbox, not the real service.</p>
</div></body></html>
"""

ERROR_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>
<body><h1>{title}</h1><p id="error">{message}</p></body></html>
"""


def consent_page(
    *,
    provider: str,
    action: str,
    client_name: str,
    scope: str,
    companies: list[dict],
    hidden: dict[str, str],
    allow_label: str = "Connect",
) -> str:
    choices = "\n".join(
        f'<label><input type="radio" name="company" value="{escape(c["id"])}"'
        f"{' checked' if i == 0 else ''}> {escape(c['name'])}</label>"
        for i, c in enumerate(companies)
    )
    fields = "\n".join(
        f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in hidden.items()
    )
    return PAGE.format(
        title=escape(f"Connect to {provider}"),
        provider=escape(provider),
        client=escape(client_name),
        scope=escape(scope or "default access"),
        action=escape(action),
        choices=choices,
        hidden=fields,
        allow=escape(allow_label),
    )


def error_page(title: str, message: str) -> str:
    return ERROR_PAGE.format(title=escape(title), message=escape(message))
