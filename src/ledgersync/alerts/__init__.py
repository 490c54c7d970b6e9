"""Alerts: events (events.py), e-mail to people (mail.py), the outbound webhook
(webhooks.py), their worker tasks (tasks.py), and the events API (api.py)."""
