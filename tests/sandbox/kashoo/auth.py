"""Kashoo's authentication: user tokens from ``POST /api/authTokens`` and OAuth 2.0.

* ``POST {prefix}/authTokens`` takes the e-mail and password as form fields (urlencoded or
  multipart, [M]) or HTTP Basic with the body ``[]`` ([S]); the ``credentials`` setting says
  which. It answers the raw token text ([M]): a UUID (``token_form`` ``uuid``) or the compact
  JSON token object (``json``: ``authenticationCode``, ``expiryDate`` in epoch ms, ``locale``,
  ``myUserId``, ``restriction``, ``site``, as [K-AUTH] prints it).
* Every API call carries ``Authorization: TOKEN uuid:<token>`` or ``TOKEN json:<object>`` or,
  for an OAuth app, ``Bearer <access token>``; the ``auth`` setting lists the schemes accepted.
  A token unknown, altered or past its expiry is refused (401).
* OAuth 2.0: the kit's provider, one consent for all the user's businesses ([K-OAUTH]), access
  tokens of 3600 s ([T-SP]) and no refresh token unless ``oauth_refresh`` is on.
"""

import base64
import email.parser
import email.policy
import hmac
import json
import secrets
import time
import uuid

from ..kit import OAuthProvider, loads

NO_REFRESH = "kashoo-sandbox:no-refresh-token"


class KashooOAuth(OAuthProvider):
    def __init__(self, sandbox, clients):
        super().__init__(
            sandbox,
            clients=clients,
            title="Kashoo - Authorize application",
            heading="Connect to Kashoo",
            text="The app is requesting permission to view/modify your Kashoo businesses.",
            client_auth=("basic", "post"),
            access_ttl=3600,
            token_type="bearer",
        )

    def issue(self, client_id, tenant, scope=""):
        self.refresh_scope = None if self.sandbox.settings.oauth_refresh else NO_REFRESH
        return super().issue(client_id, tenant, scope)


class Auth:
    def __init__(self, sandbox, email_address, password, clients):
        self.sandbox = sandbox
        self.user = {"id": 123456, "email": email_address, "password": password}
        self.oauth = KashooOAuth(sandbox, clients)
        self.reset()

    def reset(self):
        self.tokens = {}  # uuid or authenticationCode -> {"form", "expires" (epoch s), "object"}
        self.oauth.reset()

    # ------------------------------------------------------------------ tokens
    def issue(self, form=None, ttl=None):
        """A new user token's text: a UUID, or the compact JSON object."""
        settings = self.sandbox.settings
        form = form or settings.token_form
        expires = time.time() + (ttl if ttl is not None else settings.token_ttl)
        with self.sandbox.lock:
            if form == "uuid":
                token = str(uuid.uuid4())
                self.tokens[token] = {"form": "uuid", "expires": expires, "object": None}
                return token
            code = base64.b64encode(secrets.token_bytes(31)).decode()  # ends in "=", as the example
            token = {
                "authenticationCode": code,
                "expiryDate": int(expires * 1000),
                "locale": "default",
                "myUserId": self.user["id"],
                "restriction": None,
                "site": settings.api_host or "app.kashoo.net",
            }
            self.tokens[code] = {"form": "json", "expires": expires, "object": token}
            return json.dumps(token, separators=(",", ":"))

    def expire_all(self):
        with self.sandbox.lock:
            for record in self.tokens.values():
                record["expires"] = 0
        self.oauth.expire_access_tokens()

    def user_of(self, handler):
        """The user a request's ``Authorization`` header stands for, else None."""
        header = handler.headers.get("Authorization", "")
        schemes = self.sandbox.settings.auth
        record = None
        if header.startswith("TOKEN uuid:") and "uuid" in schemes:
            record = self.tokens.get(header[len("TOKEN uuid:") :].strip())
            record = record if record and record["form"] == "uuid" else None
        elif header.startswith("TOKEN json:") and "json" in schemes:
            try:
                presented = loads(header[len("TOKEN json:") :].encode())
            except ValueError:
                return None
            code = presented.get("authenticationCode") if isinstance(presented, dict) else None
            record = self.tokens.get(code) if isinstance(code, str) else None
            record = record if record and record["object"] == presented else None  # altered: refused
        elif header[:7].lower() == "bearer " and "bearer" in schemes:
            return self.user if self.oauth.bearer(handler) else None
        if record is None or record["expires"] <= time.time():
            return None
        return self.user

    # ------------------------------------------------------------------ POST /api/authTokens
    def credentials(self, handler):
        """(e-mail, password) sent the ways the ``credentials`` setting accepts, else None."""
        accepted = self.sandbox.settings.credentials
        header = handler.headers.get("Authorization", "")
        if header.startswith("Basic ") and "basic" in accepted:
            try:
                name, _sep, password = base64.b64decode(header[6:]).decode().partition(":")
            except ValueError:
                return None
            return name, password
        if "form" not in accepted:
            return None
        content_type = handler.headers.get("Content-Type", "")
        if content_type.startswith("multipart/form-data"):
            fields = _multipart(content_type, handler.body)
        elif content_type.startswith("application/x-www-form-urlencoded"):
            fields = handler.form_body()
        else:
            return None
        if "email" in fields and "password" in fields:
            return fields["email"], fields["password"]
        return None

    def auth_tokens(self, handler):
        self.sandbox.count("auth_tokens")
        found = self.credentials(handler)
        email_address, password = found or ("", "")
        same_user = email_address.lower() == self.user["email"].lower()
        if not found or not same_user or not hmac.compare_digest(password, self.user["password"]):
            return handler.send(401, {"message": "Invalid credentials"})
        return handler.send(200, self.issue().encode(), "text/plain; charset=utf-8")


def _multipart(content_type, body):
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    fields = {}
    if message.is_multipart():
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if name:
                fields[name] = part.get_payload(decode=True).decode(errors="replace")
    return fields
