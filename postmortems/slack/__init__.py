"""Slack, walled off: the only package that imports slack_sdk (STYLE.md).

`client.py` posts to an incoming webhook and raises only our `SlackError`; `messages.py`
builds Block Kit payloads from plain dataclasses; `webhook_url.py` says which URLs are
acceptable. Nothing here reads the database or reaches up into services.
"""
