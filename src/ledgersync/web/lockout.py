"""What a person sees once django-axes has paused logins for their username and address."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return (
        f"Too many wrong passwords for this username from your address: logging in is paused "
        f"for {minutes} minutes, even with the right password. Try again after that, or ask "
        "an Administrator to check your account."
    )


def locked_out(request, credentials=None, *args, **kwargs):
    return render(
        request,
        "registration/login.html",
        {"locked_out": lockout_message(), "next": request.POST.get("next", "")},
        status=429,
    )
