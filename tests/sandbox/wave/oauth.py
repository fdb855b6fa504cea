"""Wave's OAuth 2.0 on the kit's provider: what differs is written here.

* the client authenticates with ``client_id``/``client_secret`` form fields; revocation is a form;
* the consent page offers only businesses with a Pro or Advisor plan, the ``businessId``
  parameter first; the token is limited to the business chosen;
* the token answer carries ``userId`` and ``businessId``; access tokens last ``expires_in`` 7200 s;
* a refresh for a business whose plan lapsed is refused with HTTP 403;
* a Full Access Token (the developer's own, from the developer portal) reaches every business.
"""

import secrets
import threading
import time

from ..kit import OAuthProvider

PLANS = ("PRO", "ADVISOR")


class WaveOAuth(OAuthProvider):
    def __init__(self, sandbox, clients):
        self._local = threading.local()
        super().__init__(
            sandbox,
            clients=clients,
            title="Wave - Authorize application",
            heading="Authorize access to your Wave business",
            text="An application wants to read and write the accounting data of one of your businesses.",
            tenant_field="businessId",
            tenants=self._eligible,
            tenant_label="Business",
            client_auth=("post",),
            access_ttl=7200,
            token_type="Bearer",
            extra_fields=self._extra,
            revoke_format="form",
            code_ttl=600,
        )

    def _eligible(self):
        suggested = getattr(self._local, "suggested", None)
        found = [(b.id, b.doc["name"]) for b in self.sandbox.businesses.values() if b.plan in PLANS]
        return sorted(found, key=lambda pair: pair[0] != suggested)

    def _consent_page(self, handler):
        if not handler.query.get("scope", "").strip():
            return handler.send(400, b"<h1>The scope parameter is required</h1>", "text/html")
        self._local.suggested = handler.query.get("businessId")
        try:
            return super()._consent_page(handler)
        finally:
            self._local.suggested = None

    def authorize(self, handler, method):
        if method == "POST" and handler.form_body().get("decision") == "connect":
            chosen = handler.form_body().get("businessId")
            if chosen not in {business_id for business_id, _name in self._eligible()}:
                page = b"<h1>Choose a business with a Wave Pro or Wave Advisor subscription</h1>"
                return handler.send(400, page, "text/html")
        return super().authorize(handler, method)

    def _extra(self, record):
        return {"userId": self.sandbox.user["id"], "businessId": record["tenant"], "scope": record["scope"]}

    def token(self, handler):
        form = handler.form_body()
        if form.get("grant_type") == "refresh_token":
            record = self.refresh_tokens.get(form.get("refresh_token", ""))
            business = self.sandbox.tenant(record["tenant"]) if record else None
            if business is not None and business.plan not in PLANS:
                return handler.send(
                    403,
                    {
                        "error": "access_denied",
                        "error_description": "The business needs an active Wave Pro or Wave Advisor subscription.",
                    },
                )
        return super().token(handler)

    def expire_access_tokens(self):
        """Every OAuth access token expires now; Full Access Tokens do not expire."""
        with self.sandbox.lock:
            for token in self.access_tokens.values():
                if token["client"] is not None:
                    token["expires"] = 0

    def full_access_token(self):
        """A developer's Full Access Token: every business of the user, no expiry, no refresh."""
        token = "fat-" + secrets.token_urlsafe(24)
        forever = time.time() + 10 * 365 * 86400
        self.access_tokens[token] = {"tenant": None, "client": None, "scope": "*", "expires": forever}
        return token
