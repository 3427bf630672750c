"""Render the weekly digest's Block Kit payload for the README: JSON, an HTML preview, a screenshot.

    .venv/bin/python docs/slack/render_digest_preview.py

Builds the message with the app's own `slack.messages.weekly_digest` from example data,
writes `docs/slack/weekly-digest.json`, lays the blocks out in a small local HTML page (in
a temporary folder) in Slack's manner, and screenshots it with Debian's Chromium through Playwright into
`docs/screenshots/slack-weekly-digest.png`. Nothing is fetched from the network.
"""

from __future__ import annotations

import html
import json
import re
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from postmortems.slack import messages  # noqa: E402

SITE = "https://postmortems.example.com"
OUT = ROOT / "docs" / "slack"
SHOT = ROOT / "docs" / "screenshots" / "slack-weekly-digest.png"


def example() -> messages.Message:
    record = f"{SITE}/postmortems"
    return messages.weekly_digest(
        messages.WeeklyDigest(
            team="Forecasting",
            week="2026-W12",
            site_url=f"{SITE}/",
            overdue_records=[
                messages.OverdueRecord(41, "Hotfix: demand forecast wrote empty output", f"{record}/41/", "eli", 3),
                messages.OverdueRecord(44, "Hotfix: store feed read stale schema", f"{record}/44/", "", 1),
            ],
            late_actions=[
                messages.LateAction(
                    "Alert when the forecast output is empty", f"{record}/37/", "eli", date(2026, 3, 10), 6
                ),
                messages.LateAction(
                    "Run downstream jobs end-to-end in staging", f"{record}/37/", "eli", date(2026, 3, 13), 3
                ),
                messages.LateAction(
                    "Contract test for the orders schema", f"{record}/39/", "nadia", date(2026, 3, 14), 2
                ),
            ],
            mitigations=[
                messages.ExpiringMitigation(
                    "Eyeball the forecast dashboard after each run", f"{record}/37/", "eli", date(2026, 3, 13), True
                ),
                messages.ExpiringMitigation(
                    "Rerun the store feed by hand at 06:00", f"{record}/39/", "nadia", date(2026, 3, 20), False
                ),
            ],
        )
    )


def mrkdwn(text: str) -> str:
    """Slack's mrkdwn as HTML: the text is already escaped by messages.py; links and *bold* only."""
    text = re.sub(r"<(https?://[^|>]+)\|([^>]+)>", r'<a href="\1">\2</a>', text)
    text = re.sub(r"\*([^*\n]+)\*", r"<b>\1</b>", text)
    return text.replace("\n", "<br>")


def block_html(block: dict) -> str:
    if block["type"] == "header":
        return f'<h2 class="header">{html.escape(block["text"]["text"])}</h2>'
    if block["type"] == "context":
        return '<p class="context">' + " ".join(mrkdwn(e["text"]) for e in block["elements"]) + "</p>"
    if "fields" in block:
        return '<div class="fields">' + "".join(f"<div>{mrkdwn(f['text'])}</div>" for f in block["fields"]) + "</div>"
    return f'<p class="section">{mrkdwn(block["text"]["text"])}</p>'


PAGE = """<!doctype html><meta charset="utf-8"><title>Weekly digest preview</title>
<style>
body {{ font: 15px/1.46 -apple-system, "Segoe UI", Lato, Arial, sans-serif; color: #1d1c1d;
  background: #fff; margin: 0; }}
.message {{ display: flex; gap: 8px; padding: 16px 20px; width: 720px; }}
.avatar {{ width: 36px; height: 36px; border-radius: 6px; background: #1e7a3c; color: #fff; font-weight: 700;
  display: flex; align-items: center; justify-content: center; flex: none; }}
.name {{ font-weight: 900; }}
.app {{ font-size: 10px; background: #e8e8e8; border-radius: 2px; padding: 1px 3px; color: #616061; }}
.time {{ color: #616061; font-size: 12px; margin-left: 4px; }}
.header {{ font-size: 18px; margin: 6px 0; }} .context {{ color: #616061; font-size: 13px; margin: 4px 0; }}
.section {{ margin: 8px 0; }} a {{ color: #1264a3; text-decoration: none; }}
.fields {{ display: grid; grid-template-columns: 1fr 1fr; gap: 8px; }}
</style>
<div class="message"><div class="avatar">PT</div><div>
<span class="name">Postmortem Tracker</span> <span class="app">APP</span><span class="time">9:00 AM</span>
{blocks}
</div></div>"""


def main() -> None:
    message = example()
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "weekly-digest.json").write_text(json.dumps(message.as_payload(), indent=2, ensure_ascii=False) + "\n")
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        page = Path(tmp) / "weekly-digest.html"
        page.write_text(PAGE.format(blocks="\n".join(block_html(b) for b in message.blocks)))
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        tab = browser.new_page(viewport={"width": 760, "height": 400}, device_scale_factor=1)
        tab.goto(page.as_uri())
        tab.locator(".message").screenshot(path=str(SHOT))
        browser.close()
    print(f"wrote {OUT / 'weekly-digest.json'} and {SHOT}")


if __name__ == "__main__":
    main()
