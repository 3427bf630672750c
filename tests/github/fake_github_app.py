"""The GitHub App side of the fake GitHub: JWT-checked `/app/...` routes, installation tokens that
expire, and repository routes that accept only a live token of the installation holding the repository.

GitHub's own rules, as the tests rely on them: the JWT is RS256, signed with the App's private key,
issued by the App id, and expires at most ten minutes after it was issued; an installation token
lasts an hour (`expires_at`); a suspended installation gets 403 on token creation, a deleted one 404.
"""

from __future__ import annotations

import itertools
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.github.fake_github import FakeGitHub, Received, Reply

MAX_JWT_LIFETIME = 600


def new_private_key_pem() -> str:
    """A real RSA key, as GitHub hands out for an App (PEM, PKCS#1)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    ).decode()


def public_key_of(private_pem: str) -> str:
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


@dataclass
class Installation:
    installation_id: int
    account: str
    repositories: set[str]
    state: str = "active"  # active, suspended, deleted


@dataclass
class FakeGitHubApp:
    """Plugs into a FakeGitHub; `installations` and `token_lifetime` may be changed by a test at any time."""

    server: FakeGitHub
    app_id: str
    public_key: str
    token_lifetime: int = 3600
    installations: dict[int, Installation] = field(default_factory=dict)
    tokens: dict[str, tuple[int, float]] = field(default_factory=dict)  # token -> (installation, expires)
    refused_jwts: list[str] = field(default_factory=list)
    _counter: itertools.count = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        self.server.interceptors.append(self.answer)

    def install(self, installation_id: int, account: str, *repositories: str) -> Installation:
        self.installations[installation_id] = Installation(installation_id, account, set(repositories))
        return self.installations[installation_id]

    def token_requests(self, installation_id: int | None = None) -> list[Received]:
        number = str(installation_id) if installation_id else r"\d+"
        return self.server.calls("POST", rf"/app/installations/{number}/access_tokens")

    # --- the server side -----------------------------------------------------------------

    def answer(self, request: Received) -> Reply | None:
        path = request.path.split("?", 1)[0]
        if path.startswith("/app/") or re.fullmatch(r"/(repos/[^/]+/[^/]+|orgs/[^/]+|users/[^/]+)/installation", path):
            refusal = self._check_jwt(request)
            return refusal or self._app_route(request.method, path)
        match = re.match(r"/repos/([^/]+/[^/]+)/", path)
        auth = request.headers.get("authorization", "")
        if match and auth.startswith("token ghs_"):
            return self._check_installation_token(auth.removeprefix("token "), match.group(1))
        return None

    def _check_jwt(self, request: Received) -> Reply | None:
        auth = request.headers.get("authorization", "")
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else ""
        try:
            claims = jwt.decode(
                token, self.public_key, algorithms=["RS256"], options={"require": ["iat", "exp", "iss"]}
            )
        except jwt.PyJWTError as exc:
            self.refused_jwts.append(str(exc))
            return Reply(401, {"message": f"A JSON web token could not be decoded ({exc})"})
        if str(claims["iss"]) != self.app_id or claims["exp"] - claims["iat"] > MAX_JWT_LIFETIME + 60:
            self.refused_jwts.append(f"iss={claims['iss']} lifetime={claims['exp'] - claims['iat']}")
            return Reply(401, {"message": "'Expiration time' claim ('exp') is too far in the future"})
        return None

    def _app_route(self, method: str, path: str) -> Reply | None:
        if method == "POST" and (match := re.fullmatch(r"/app/installations/(\d+)/access_tokens", path)):
            return self._create_token(int(match.group(1)))
        if method == "GET" and (match := re.fullmatch(r"/repos/([^/]+/[^/]+)/installation", path)):
            found = [i for i in self.installations.values() if match.group(1) in i.repositories]
            return self._installation_reply(found[0] if found else None)
        if method == "GET" and (match := re.fullmatch(r"/(?:orgs|users)/([^/]+)/installation", path)):
            found = [i for i in self.installations.values() if i.account == match.group(1)]
            return self._installation_reply(found[0] if found else None)
        return None  # other App routes (its hook deliveries): as the test routes them

    def _installation_reply(self, installation: Installation | None) -> Reply:
        if installation is None or installation.state == "deleted":
            return Reply(404, {"message": "Not Found"})
        body = self.server.fixture("apps.get-repo-installation.200.json")
        body.update(id=installation.installation_id, app_id=int(self.app_id))
        body["account"]["login"] = installation.account
        return Reply(200, body)

    def _create_token(self, installation_id: int) -> Reply:
        installation = self.installations.get(installation_id)
        if installation is None or installation.state == "deleted":
            return Reply(404, {"message": "Not Found"})
        if installation.state == "suspended":
            return Reply(403, {"message": "This installation has been suspended"})
        token = f"ghs_{installation_id}_{next(self._counter)}"
        expires = time.time() + self.token_lifetime
        self.tokens[token] = (installation_id, expires)
        body = self.server.fixture("apps.create-installation-access-token.201.json")
        body.update(token=token, expires_at=datetime.fromtimestamp(expires, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
        return Reply(201, body)

    def _check_installation_token(self, token: str, full_name: str) -> Reply | None:
        installation_id, expires = self.tokens.get(token, (None, 0.0))
        if installation_id is None or expires <= time.time():
            return Reply(401, {"message": "Bad credentials"})
        installation = self.installations[installation_id]
        if installation.state != "active" or full_name not in installation.repositories:
            return Reply(404, {"message": "Not Found"})
        return None  # a live token of the right installation: the ordinary routes answer
