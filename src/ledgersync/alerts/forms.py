"""The forms of Settings > Alerts; each says what is wrong in a person's words."""

from __future__ import annotations

from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from ledgersync.alerts.models import AlertSettings, EventKind

MAX_ADDRESSES = 20


class AlertEmailForm(forms.ModelForm):
    class Meta:
        model = AlertSettings
        fields = ["extra_emails", "digest"]
        labels = {"extra_emails": "Also e-mail", "digest": "Daily digest"}
        widgets = {
            "extra_emails": forms.Textarea(
                attrs={"rows": 3, "placeholder": "office@example.com, one or more"}
            )
        }
        help_texts = {
            "extra_emails": "Addresses to tell besides the Administrators, separated by commas "
            "or new lines.",
            "digest": "One e-mail a day listing the problems, instead of one e-mail per problem.",
        }

    def clean_extra_emails(self) -> str:
        raw = self.cleaned_data["extra_emails"]
        addresses = [a for a in raw.replace(",", "\n").replace(";", "\n").split() if a]
        for address in addresses:
            try:
                validate_email(address)
            except ValidationError:
                raise ValidationError(
                    f"'{address}' is not an e-mail address (like office@example.com)."
                ) from None
        if len(addresses) > MAX_ADDRESSES:
            raise ValidationError(f"Give at most {MAX_ADDRESSES} addresses.")
        return "\n".join(dict.fromkeys(addresses))


class WebhookForm(forms.ModelForm):
    webhook_url = forms.URLField(
        label="Webhook URL",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="Where ledgersync POSTs each event; empty: no webhook.",
    )
    webhook_events = forms.MultipleChoiceField(
        label="Events to send",
        choices=EventKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = AlertSettings
        fields = ["webhook_url", "webhook_events"]

    def clean_webhook_url(self) -> str:
        url = self.cleaned_data["webhook_url"].strip()
        if url and urlsplit(url).scheme not in ("http", "https"):
            raise ValidationError("Give an address starting with https:// (or http://).")
        return url

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("webhook_url") and not cleaned.get("webhook_events"):
            self.add_error("webhook_events", "Choose at least one event to send.")
        return cleaned
