"""Wave's OAuth 2.0 on the kit's provider: what differs is written here.

* the client authenticates with ``client_id``/``client_secret`` form fields; revocation is a form;
* the authorize request needs a scope; the consent page offers only businesses with a Pro or
  Advisor plan, the ``businessId`` parameter first; the token is limited to the business chosen,
  and the redirect carries only ``code`` and ``state``;
* the token answer carries ``userId`` and ``businessId``; access tokens last ``expires_in`` 7200 s;
* a refresh for a business whose plan lapsed is refused with HTTP 403;
* a Full Access Token (the developer's own, from the developer portal) is the kit's static token:
  every business, no expiry, no refresh.
"""

from ..kit import OAuthProvider

PLANS = ("PRO", "ADVISOR")
LAPSED = {
    "error": "access_denied",
    "error_description": "The business needs an active Wave Pro or Wave Advisor subscription.",
}


class WaveOAuth(OAuthProvider):
    def __init__(self, sandbox, clients):
        super().__init__(
            sandbox,
            clients=clients,
            title="Wave - Authorize application",
            heading="Authorize access to your Wave business",
            text="An application wants to read and write the accounting data of one of your businesses.",
            require_scope=True,
            scope_error="The scope parameter is required",
            tenant_field="businessId",
            tenants=self._eligible,
            tenant_label="Business",
            tenant_error="Choose a business with a Wave Pro or Wave Advisor subscription",
            tenant_in_redirect=False,
            suggest_param="businessId",
            client_auth=("post",),
            access_ttl=7200,
            token_type="Bearer",
            extra_fields=self._extra,
            refuse_refresh=self._lapsed,
            revoke_format="form",
            code_ttl=600,
        )

    def _eligible(self):
        return [(b.id, b.doc["name"]) for b in self.sandbox.businesses.values() if b.plan in PLANS]

    def _extra(self, record):
        return {"userId": self.sandbox.user["id"], "businessId": record["tenant"], "scope": record["scope"]}

    def _lapsed(self, record):
        business = self.sandbox.tenant(record["tenant"])
        return (403, LAPSED) if business is not None and business.plan not in PLANS else None
