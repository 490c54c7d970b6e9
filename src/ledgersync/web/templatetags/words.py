"""Text helpers for templates: ``{% load words %}``."""

from __future__ import annotations

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def breakable(value) -> SafeString:
    """A machine code that may wrap after each underscore in a narrow column
    (``ACCOUNT_NOT_LINKED``); its text stays the same for copying and searching."""
    return mark_safe(conditional_escape(str(value)).replace("_", "_<wbr>"))  # noqa: S308
