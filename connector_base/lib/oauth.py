"""OAuth 2.0 authorization-code helper on authlib, with single-flight refresh.

``OAuth2Helper`` builds the authorize URL, exchanges a code, refreshes and revokes;
every call goes through ``HttpClient`` (timeouts, typed errors). The client authenticates
with HTTP Basic (``client_auth="basic"``) or with ``client_id``/``client_secret`` form
fields (``"post"``); revocation is a JSON or a form body (``revoke_format``).
``TokenManager`` hands out a valid access token: when it has expired, exactly one caller
refreshes it under ``lock`` (in Odoo, a row lock on the backend taken in a cursor of its
own), and the others reuse the rotated token that the first one saved.
"""

import threading
import time
from contextlib import contextmanager

from authlib.common.security import generate_token
from authlib.oauth2.rfc6749 import parameters as oauth_params

from . import errors
from .http import HttpClient, default_error_parser


def token_error_parser(response):
    """Token endpoints answer 400/401 with an RFC 6749 error: a refused grant or client
    means the connection must be made again (AuthError), not a bad record."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    code = body.get("error") if isinstance(body, dict) else None
    if response.status_code in (400, 401) and code in ("invalid_grant", "invalid_client", "unauthorized_client"):
        return errors.AuthError(f"token endpoint refused: {code}")
    return default_error_parser(response)


class OAuth2Helper:
    def __init__(
        self,
        *,
        client_id,
        client_secret,
        authorize_url,
        token_url,
        revoke_url=None,
        redirect_uri=None,
        scope=None,
        http=None,
        client_auth="basic",
        revoke_format="json",
    ):
        if client_auth not in ("basic", "post") or revoke_format not in ("json", "form"):
            raise ValueError(f"unknown client_auth {client_auth!r} or revoke_format {revoke_format!r}")
        self.client_id = client_id
        self.client_secret = client_secret
        self.authorize_url = authorize_url
        self.token_url = token_url
        self.revoke_url = revoke_url
        self.redirect_uri = redirect_uri
        self.scope = scope
        self.client_auth = client_auth
        self.revoke_format = revoke_format
        self.http = http or HttpClient(error_parser=token_error_parser)
        self.http.secrets = tuple(s for s in (client_secret,) if s)

    @staticmethod
    def new_state():
        return generate_token(40)

    def authorization_url(self, state):
        return oauth_params.prepare_grant_uri(
            self.authorize_url,
            self.client_id,
            "code",
            redirect_uri=self.redirect_uri,
            scope=self.scope,
            state=state,
        )

    def _credentials(self, body):
        """(body, HTTP auth) of a request to the token or revocation endpoint."""
        if self.client_auth == "post":
            return dict(body, client_id=self.client_id, client_secret=self.client_secret), None
        return body, (self.client_id, self.client_secret)

    def _token_request(self, body):
        body, auth = self._credentials(body)
        response = self.http.request(
            "POST",
            self.token_url,
            data=body,
            auth=auth,
            headers={"Accept": "application/json"},
            idempotent=True,
        )
        try:
            token = response.json()
        except ValueError:
            raise errors.TransientError(f"token endpoint answered no JSON: {response.text[:200]}") from None
        if "access_token" not in token:
            raise errors.AuthError(f"token endpoint refused: {token.get('error', 'no access_token')}")
        if token.get("expires_in") and "expires_at" not in token:
            token["expires_at"] = int(time.time()) + int(token["expires_in"])
        return token

    def fetch_token(self, code):
        body = {"grant_type": "authorization_code", "code": code}
        if self.redirect_uri:
            body["redirect_uri"] = self.redirect_uri
        return self._token_request(body)

    def refresh_token(self, refresh_token):
        if not refresh_token:
            raise errors.AuthError("no refresh token: reconnect the backend")
        token = self._token_request({"grant_type": "refresh_token", "refresh_token": refresh_token})
        token.setdefault("refresh_token", refresh_token)
        return token

    def revoke(self, token):
        if not self.revoke_url or not token:
            return False
        body, auth = self._credentials({"token": token})
        payload = {"data": body} if self.revoke_format == "form" else {"json": body}
        self.http.request(
            "POST",
            self.revoke_url,
            auth=auth,
            headers={"Accept": "application/json"},
            idempotent=True,
            **payload,
        )
        return True


class TokenManager:
    """Single-flight access-token refresh.

    ``load()`` returns the stored token dict (``access_token``, ``refresh_token``,
    ``expires_at``); ``save(token)`` stores a new one; ``refresh(refresh_token)`` calls the
    provider; ``lock()`` is a context manager serialising refreshes across workers.
    """

    def __init__(self, *, load, save, refresh, lock=None, skew=120, clock=time.time):
        self._load = load
        self._save = save
        self._refresh = refresh
        self._lock = lock or _thread_lock()
        self._skew = skew
        self._clock = clock

    def _valid(self, token):
        return (
            bool(token and token.get("access_token"))
            and float(token.get("expires_at") or 0) - self._skew > self._clock()
        )

    def access_token(self, rejected=None):
        """A valid access token.

        ``rejected`` is a token the provider just refused (HTTP 401): it is refreshed,
        unless another worker has already replaced it.
        """
        token = self._load()
        if self._valid(token) and token.get("access_token") != rejected:
            return token["access_token"]
        with self._lock():
            token = self._load()  # another worker may have refreshed while we waited
            if self._valid(token) and token.get("access_token") != rejected:
                return token["access_token"]
            new = self._refresh((token or {}).get("refresh_token"))
            self._save(new)
            return new["access_token"]


def _thread_lock():
    lock = threading.Lock()

    @contextmanager
    def ctx():
        with lock:
            yield

    return ctx
