"""The OAuth side of the fake GitHub, laid out as GitHub Enterprise is: web pages at the root
(`/login/oauth/authorize`, `/login/oauth/access_token`) and the API under `/api/v3/`.

The authorize page approves at once, as a person who already granted the OAuth App would see it:
it sends the browser back to the callback with a one-time code for the person in `user`.
"""

from __future__ import annotations

import itertools
import re
import secrets
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.github.fake_github import FakeGitHub, Received, Reply

CLIENT_ID = "Iv1.fake-client-id"
CLIENT_SECRET = "fake-client-secret"


@dataclass
class FakeGitHubOAuth:
    server: FakeGitHub
    login: str = "octocat"
    user_id: int = 1
    name: str = "monalisa octocat"
    # org -> membership state ("active", "pending"); an org missing here answers 404 (not a member)
    memberships: dict[str, str] = field(default_factory=dict)
    codes: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)  # token -> login
    _counter: itertools.count = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        self.server.interceptors.append(self.answer)

    def answer(self, request: Received) -> Reply | None:
        path, _, query = request.path.partition("?")
        if request.method == "GET" and path == "/login/oauth/authorize":
            return self._authorize(parse_qs(query))
        if request.method == "POST" and path == "/login/oauth/access_token":
            return self._exchange(parse_qs(request.body.decode()))
        if path.startswith("/api/v3/user"):
            login = self.tokens.get(request.headers.get("authorization", "").split(" ")[-1])
            if login is None:
                return Reply(401, {"message": "Bad credentials"})
            return self._user_route(path, login)
        return None

    def _authorize(self, params: dict[str, list[str]]) -> Reply:
        if params.get("client_id") != [CLIENT_ID]:
            return Reply(404, "<h1>Unknown OAuth App</h1>")
        code = f"code-{next(self._counter)}"
        self.codes[code] = self.login
        callback = params["redirect_uri"][0]
        location = f"{callback}?{urlencode({'code': code, 'state': params.get('state', [''])[0]})}"
        return Reply(302, "", headers={"Location": location})

    def _exchange(self, form: dict[str, list[str]]) -> Reply:
        if form.get("client_id") != [CLIENT_ID] or form.get("client_secret") != [CLIENT_SECRET]:
            return Reply(200, {"error": "incorrect_client_credentials"})
        login = self.codes.pop(form.get("code", [""])[0], None)
        if login is None:
            return Reply(200, {"error": "bad_verification_code"})
        token = f"gho_{secrets.token_hex(8)}"
        self.tokens[token] = login
        return Reply(200, {"access_token": token, "token_type": "bearer", "scope": "read:org,read:user,user:email"})

    def _user_route(self, path: str, login: str) -> Reply:
        if path == "/api/v3/user":
            body = self.server.fixture("users.get-authenticated.200.public.json")
            body.update(login=login, id=self.user_id, name=self.name, email=f"{login.lower()}@example.com")
            return Reply(200, body)
        if path == "/api/v3/user/emails":
            return Reply(
                200,
                [{"email": f"{login.lower()}@example.com", "verified": True, "primary": True, "visibility": "public"}],
            )
        if match := re.fullmatch(r"/api/v3/user/memberships/orgs/([^/]+)", path):
            state = self.memberships.get(match.group(1))
            if state is None:
                return Reply(404, {"message": "Not Found"})
            body = self.server.fixture("orgs.get-membership-for-authenticated-user.200.json")
            body["state"] = state
            body["organization"]["login"] = match.group(1)
            body["user"]["login"] = login
            return Reply(200, body)
        return Reply(404, {"message": "Not Found"})


def authorize_redirect(location: str) -> tuple[str, str]:
    """(path, query) of where the fake GitHub's authorize page sends the browser."""
    parts = urlsplit(location)
    return parts.path, parts.query
