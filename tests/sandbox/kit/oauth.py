"""OAuth 2.0 authorization code, as the providers' identity servers run it.

One ``OAuthProvider`` per sandbox holds the registered clients, the consent tickets, the codes
and the tokens. Its three endpoints take the request handler:

* ``authorize(handler, method)``: GET shows a consent page (a form with a hidden ``ticket``, an
  optional tenant ``<select>`` and a ``Connect`` button, ``id="connect"``); POST of that form
  redirects to ``redirect_uri`` with ``code`` and ``state`` (and the tenant, unless
  ``tenant_in_redirect=False``), or ``error=access_denied``. A tenant the page did not offer is
  refused (400, the ticket kept for another choice);
* ``token(handler)``: ``authorization_code`` and ``refresh_token`` grants; refresh tokens rotate
  (the old one is gone); ``invalid_grant`` for anything unknown, expired or used;
  ``refuse_refresh(record)`` may refuse a valid one (``(status, body)``, the token kept);
* ``revoke(handler)``: revoking one of the client's tokens ends the whole grant.

``static_token()`` issues a token outside OAuth (a developer's personal or full-access token): no
refresh token, no expiry, untouched by ``expire_access_tokens``.

What differs between providers is a parameter: how the client authenticates (HTTP Basic,
form fields), the scopes a consent needs, whether the consent picks a tenant (and which one it
suggests), lifetimes, the token answer's extra fields, the revocation body (JSON or form).
"""

import base64
import hmac
import html
import math
import secrets
import time
import urllib.parse

from .server import loads


class OAuthProvider:
    def __init__(
        self,
        sandbox,
        *,
        clients,
        title="Connect",
        heading="Connect to the sandbox",
        text="An app wants to access your company's accounting data.",
        required_scopes=(),
        require_scope=False,
        scope_error="The required scope is missing",
        tenant_field=None,
        tenants=None,
        tenant_label="Company",
        tenant_error="Choose one of the companies offered",
        tenant_in_redirect=True,
        suggest_param=None,
        client_auth=("basic",),
        access_ttl=3600,
        refresh_ttl=8726400,
        token_type="bearer",
        extra_fields=None,
        refresh_scope=None,
        refuse_refresh=None,
        revoke_format="json",
        code_ttl=300,
    ):
        self.sandbox = sandbox
        self.clients = dict(clients)
        self.title, self.heading, self.text = title, heading, text
        self.required_scopes = set(required_scopes)
        self.require_scope = require_scope  # a request without any scope is refused (``scope_error``)
        self.scope_error = scope_error
        self.tenant_field = tenant_field  # e.g. "realmId": chosen on the consent page, sent back with the code
        self.tenants = tenants  # callable -> [(id, label)]
        self.tenant_label = tenant_label
        self.tenant_error = tenant_error  # the 400 page for a tenant the consent page did not offer
        self.tenant_in_redirect = tenant_in_redirect  # the redirect carries the tenant beside code and state
        self.suggest_param = suggest_param  # e.g. "businessId": the authorize parameter naming the tenant offered first
        self.client_auth = tuple(client_auth)
        self.access_ttl, self.refresh_ttl, self.code_ttl = access_ttl, refresh_ttl, code_ttl
        self.token_type = token_type
        self.extra_fields = extra_fields  # callable(record) -> dict added to the token answer
        self.refresh_scope = refresh_scope  # a refresh token only when this scope was granted
        self.refuse_refresh = refuse_refresh  # callable(record) -> None, or (status, body) to answer instead
        self.revoke_format = revoke_format
        self.reset()

    def reset(self):
        self.codes = {}
        self.access_tokens = {}
        self.refresh_tokens = {}
        self.pending_consent = {}
        #: the consent page answers "connect" for the first tenant without showing itself
        self.auto_consent = False

    # ------------------------------------------------------------------ tokens
    def issue(self, client_id, tenant, scope=""):
        now = time.time()
        record = {"tenant": tenant, "client": client_id, "scope": scope}
        access = "at-" + secrets.token_urlsafe(24)
        self.access_tokens[access] = dict(record, expires=now + self.access_ttl)
        answer = {"token_type": self.token_type, "access_token": access, "expires_in": self.access_ttl}
        if self.refresh_scope is None or self.refresh_scope in scope.split():
            refresh = "rt-" + secrets.token_urlsafe(24)
            self.refresh_tokens[refresh] = dict(record, expires=now + self.refresh_ttl)
            answer["refresh_token"] = refresh
        if self.extra_fields:
            answer.update(self.extra_fields(record))
        return answer

    def static_token(self, tenant=None, scope="*", prefix="st-"):
        """A token outside OAuth (no client, no refresh token) that never expires; ``tenant`` None: every one."""
        token = prefix + secrets.token_urlsafe(24)
        with self.sandbox.lock:
            self.access_tokens[token] = {
                "tenant": tenant,
                "client": None,
                "scope": scope,
                "expires": math.inf,
                "static": True,
            }
        return token

    def bearer(self, handler):
        """The live access token of a request's ``Authorization: Bearer``, else None."""
        auth = handler.headers.get("Authorization", "")
        token = self.access_tokens.get(auth[7:]) if auth[:7].lower() == "bearer " else None
        if not token or token["expires"] < time.time():
            return None
        return token

    def expire_access_tokens(self):
        """Every OAuth access token expires now; static tokens do not."""
        with self.sandbox.lock:
            for token in self.access_tokens.values():
                if not token.get("static"):
                    token["expires"] = 0

    # ------------------------------------------------------------------ consent page
    def offered_tenants(self, suggested=None):
        """The consent page's choices, ``[(id, label)]``, the suggested tenant first."""
        choices = list(self.tenants()) if self.tenant_field else []
        if suggested:
            choices.sort(key=lambda pair: str(pair[0]) != str(suggested))
        return choices

    def authorize(self, handler, method):
        if method == "GET":
            return self._consent_page(handler)
        form = handler.form_body()
        connect = form.get("decision") == "connect"
        if connect and self.tenant_field:  # a forged form must not pick a tenant the page did not offer
            chosen = form.get(self.tenant_field)
            if chosen is None or chosen not in {str(value) for value, _label in self.offered_tenants()}:
                return handler.send(400, f"<h1>{html.escape(self.tenant_error)}</h1>".encode(), "text/html")
        params = self.pending_consent.pop(form.get("ticket"), None)
        if not params:
            return handler.send(400, b"<h1>This consent page expired</h1>", "text/html")
        return self._answer(handler, params, connect, form.get(self.tenant_field) if self.tenant_field else None)

    def _answer(self, handler, params, connect, tenant):
        """The person's answer on the consent page: back to the app with a code, or refused."""
        redirect = params["redirect_uri"]
        sep = "&" if "?" in redirect else "?"
        if not connect:
            answer = {"error": "access_denied", "state": params.get("state", "")}
        else:
            code = secrets.token_urlsafe(16)
            self.codes[code] = {
                "client": params["client_id"],
                "redirect_uri": redirect,
                "tenant": tenant,
                "scope": params.get("scope", ""),
                "expires": time.time() + self.code_ttl,
            }
            answer = {"code": code, "state": params.get("state", "")}
            if self.tenant_field and self.tenant_in_redirect:
                answer[self.tenant_field] = tenant
        handler.send(302, b"", "text/html", {"Location": f"{redirect}{sep}" + urllib.parse.urlencode(answer)})

    def _consent_page(self, handler):
        params = handler.query
        if params.get("client_id") not in self.clients or params.get("response_type") != "code":
            return handler.send(400, b"<h1>Invalid client or response_type</h1>", "text/html")
        scopes = set(params.get("scope", "").split())
        if not self.required_scopes <= scopes or (self.require_scope and not scopes):
            return handler.send(400, f"<h1>{html.escape(self.scope_error)}</h1>".encode(), "text/html")
        if self.auto_consent:  # a browser test cannot click on this page: it answers as the person would
            offered = self.offered_tenants() if self.tenant_field else []
            return self._answer(handler, params, True, str(offered[0][0]) if offered else None)
        ticket = secrets.token_urlsafe(12)
        self.pending_consent[ticket] = params
        choice = ""
        if self.tenant_field:
            suggested = params.get(self.suggest_param) if self.suggest_param else None
            options = "".join(
                f'<option value="{html.escape(str(value))}">{html.escape(label)}</option>'
                for value, label in self.offered_tenants(suggested)
            )
            choice = f'\n  <label>{self.tenant_label} <select name="{self.tenant_field}">{options}</select></label>'
        page = f"""<!DOCTYPE html><html><head><title>{html.escape(self.title)}</title></head><body>
<h1>{html.escape(self.heading)}</h1>
<p>{html.escape(self.text)}</p>
<form method="post" action="{html.escape(handler.url_path)}">
  <input type="hidden" name="ticket" value="{ticket}"/>{choice}
  <button type="submit" name="decision" value="connect" id="connect">Connect</button>
  <button type="submit" name="decision" value="cancel">Cancel</button>
</form></body></html>"""
        return handler.send(200, page.encode(), "text/html; charset=utf-8")

    # ------------------------------------------------------------------ token endpoint
    def client(self, handler, form=None):
        """The authenticated client id of a token or revocation request, else None."""
        client_id = secret = None
        auth = handler.headers.get("Authorization", "")
        if "basic" in self.client_auth and auth.startswith("Basic "):
            try:
                client_id, _sep, secret = base64.b64decode(auth[6:]).decode().partition(":")
            except ValueError:
                return None
        elif "post" in self.client_auth and form and form.get("client_id"):
            client_id, secret = form.get("client_id"), form.get("client_secret", "")
        expected = self.clients.get(client_id) if client_id else None
        return client_id if expected and hmac.compare_digest(expected, secret) else None

    def token(self, handler):
        form = handler.form_body()
        client = self.client(handler, form)
        if not client:
            return handler.send(401, {"error": "invalid_client"})
        with self.sandbox.lock:
            grant = form.get("grant_type")
            if grant == "authorization_code":
                code = self.codes.pop(form.get("code", ""), None)
                if not code or code["client"] != client or code["expires"] < time.time():
                    return handler.send(400, {"error": "invalid_grant"})
                if form.get("redirect_uri") != code["redirect_uri"]:
                    return handler.send(400, {"error": "invalid_grant", "error_description": "redirect_uri mismatch"})
                return handler.send(200, self.issue(client, code["tenant"], code["scope"]))
            if grant == "refresh_token":
                self.sandbox.count("refresh_grants")
                presented = form.get("refresh_token", "")
                old = self.refresh_tokens.get(presented)
                if not old or old["client"] != client or old["expires"] < time.time():
                    self.refresh_tokens.pop(presented, None)
                    return handler.send(400, {"error": "invalid_grant"})
                refusal = self.refuse_refresh(old) if self.refuse_refresh else None
                if refusal:
                    return handler.send(*refusal)
                del self.refresh_tokens[presented]  # the refresh token rotates
                return handler.send(200, self.issue(client, old["tenant"], old["scope"]))
            return handler.send(400, {"error": "unsupported_grant_type"})

    def revoke(self, handler):
        form = handler.form_body() if self.revoke_format == "form" else None
        client = self.client(handler, form)
        if not client:
            return handler.send(401, {"error": "invalid_client"})
        token = (form if form is not None else loads(handler.body)).get("token", "")
        with self.sandbox.lock:
            found = self.refresh_tokens.get(token) or self.access_tokens.get(token)
            if found and found["client"] == client:  # revoking one token ends the whole grant, the client's own only
                for table in (self.access_tokens, self.refresh_tokens):
                    for key in [
                        k for k, v in table.items() if v["tenant"] == found["tenant"] and v["client"] == found["client"]
                    ]:
                        del table[key]
        handler.send(200, b"")
