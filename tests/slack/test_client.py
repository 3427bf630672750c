"""slack/client.py: one post through slack_sdk, and each kind of Slack failure as our SlackError."""

from __future__ import annotations

import logging

import pytest

from postmortems.slack import client
from postmortems.slack.webhook_url import mask, webhook_url_problem
from tests.slack.fake_slack import SlackReply

BLOCKS = [{"type": "section", "text": {"type": "mrkdwn", "text": "hello"}}]


def test_a_message_is_posted_with_its_text_and_blocks(fake_slack):
    client.send(fake_slack.url(), text="fallback", blocks=BLOCKS)
    assert len(fake_slack.posted) == 1
    assert fake_slack.posted[0].path == "/services/T000/B000/abcdWXYZ"
    assert fake_slack.posted[0].json == {"text": "fallback", "blocks": BLOCKS}


@pytest.mark.parametrize(
    ("status", "body"), [(404, "no_service"), (400, "invalid_payload"), (403, "action_prohibited")]
)
def test_a_4xx_is_permanent_and_names_slacks_reason(fake_slack, status, body):
    fake_slack.reply(SlackReply(status, body))
    with pytest.raises(client.SlackError) as caught:
        client.send(fake_slack.url(), text="x", blocks=BLOCKS)
    assert caught.value.permanent and not caught.value.uncertain
    assert body in str(caught.value) and str(status) in str(caught.value)


def test_a_429_is_transient_and_carries_retry_after(fake_slack):
    fake_slack.reply(SlackReply(429, "rate_limited", {"Retry-After": "7"}))
    with pytest.raises(client.SlackError) as caught:
        client.send(fake_slack.url(), text="x", blocks=BLOCKS)
    assert not caught.value.permanent
    assert caught.value.retry_after == 7.0


def test_a_5xx_is_transient(fake_slack):
    fake_slack.reply(SlackReply(500, "rollup_error"))
    with pytest.raises(client.SlackError) as caught:
        client.send(fake_slack.url(), text="x", blocks=BLOCKS)
    assert not caught.value.permanent and not caught.value.uncertain
    assert len(fake_slack.posted) == 1  # no retry hidden inside the client


def test_a_refused_connection_is_transient_and_certain_nothing_was_posted(fake_slack):
    url = fake_slack.url()
    fake_slack.stop()
    with pytest.raises(client.SlackError) as caught:
        client.send(url, text="x", blocks=BLOCKS, timeout=2)
    assert not caught.value.permanent and not caught.value.uncertain


def test_no_answer_in_time_is_uncertain(fake_slack):
    fake_slack.reply(SlackReply(200, "ok", delay=2.5))
    with pytest.raises(client.SlackError) as caught:
        client.send(fake_slack.url(), text="x", blocks=BLOCKS, timeout=1)
    assert caught.value.uncertain and not caught.value.permanent


def test_the_url_never_reaches_an_error_or_a_log_line(fake_slack, caplog):
    caplog.set_level(logging.DEBUG)
    url = fake_slack.url("T123/B456/secretTOKENvalue")
    fake_slack.reply(SlackReply(404, "no_service"))
    with pytest.raises(client.SlackError) as caught:
        client.send(url, text="x", blocks=BLOCKS)
    client.send(url, text="x", blocks=BLOCKS)
    assert "secretTOKEN" not in str(caught.value)
    assert "…alue" in str(caught.value)
    assert "secretTOKEN" not in caplog.text


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://hooks.slack.com/services/T0/B0/xyz", True),
        ("http://hooks.slack.com/services/T0/B0/xyz", False),
        ("https://hooks.slack.com/other/T0", False),
        ("https://evil.example/services/T0/B0/xyz", False),
        ("https://user:pw@hooks.slack.com/services/T0/B0/xyz", False),
        ("http://127.0.0.1:9999/services/x", False),  # not unless a setting allows the host
        ("", False),
    ],
)
def test_only_slack_webhook_urls_are_accepted(url, ok):
    assert (webhook_url_problem(url, ["hooks.slack.com"]) is None) is ok


def test_a_local_endpoint_is_accepted_over_http_only_when_its_host_is_allowed():
    allowed = ["hooks.slack.com", "127.0.0.1"]
    assert webhook_url_problem("http://127.0.0.1:9999/services/x", allowed) is None
    assert webhook_url_problem("http://10.0.0.5/services/x", [*allowed, "10.0.0.5"]) is not None  # http: loopback only


def test_the_mask_shows_the_last_four_characters_only():
    assert mask("https://hooks.slack.com/services/T0/B0/abcdWXYZ") == "…WXYZ"
    assert mask("") == ""
