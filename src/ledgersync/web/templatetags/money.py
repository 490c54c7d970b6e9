"""Numbers in templates as an accountant writes them: ``{% load money %}`` then
``{{ total|money:document.currency }}``, ``{{ rate|percent }}``, ``{{ price|unit_price }}``,
``{{ qty|quantity }}``, ``{{ sum|amount }}``. The shapes live in records/formats.py."""

from __future__ import annotations

from django import template

from ledgersync.records import formats

register = template.Library()


@register.filter
def money(value, currency="GBP"):
    return formats.money(value, currency or "GBP")


@register.filter
def amount(value):
    return formats.amount(value)


@register.filter
def percent(value):
    return formats.percent(value)


@register.filter
def unit_price(value):
    return formats.unit_price(value)


@register.filter
def quantity(value):
    return formats.quantity(value)
