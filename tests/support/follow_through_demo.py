"""A local GitHub (issues) and a local Slack webhook for trying follow-through by hand, as the tests do.

    .venv/bin/python -m tests.support.follow_through_demo

Prints the environment to start `make run` with, then serves until Ctrl-C: issues filed
by the app appear in the fake GitHub's memory (and in this window), and "Send a test
message" posts to the fake Slack.
"""

from __future__ import annotations

import time

from tests.github.fake_github import FakeGitHub
from tests.slack.fake_slack import FakeSlack


def main() -> None:
    github, slack = FakeGitHub().start(), FakeSlack().start()
    issues = github.serve_issues()
    print("Start the app in another terminal with:\n")
    print(
        f"  GITHUB_API_URL={github.base_url} GITHUB_TOKEN=demo-token "
        "SLACK_WEBHOOK_ALLOWED_HOSTS=hooks.slack.com,127.0.0.1 make run\n"
    )
    print(f"Then paste this as a team's Slack webhook (Settings → Teams): {slack.url()}\n")
    seen_issues, seen_posts = 0, 0
    try:
        while True:
            time.sleep(0.5)
            filed = [issue for (_, _), issue in sorted(issues.issues.items())]
            for issue in filed[seen_issues:]:
                labels = ", ".join(label["name"] for label in issue["labels"])
                print(f"GitHub: issue {issue['html_url']} “{issue['title']}” [{labels}]")
            for post in slack.posted[seen_posts:]:
                print(f"Slack: {post.json.get('text', '')}")
            seen_issues, seen_posts = len(filed), len(slack.posted)
    except KeyboardInterrupt:
        pass
    finally:
        github.stop()
        slack.stop()


if __name__ == "__main__":
    main()
