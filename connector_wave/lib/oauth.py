"""Wave's OAuth 2.0 on connector_base's helper: what differs is written here.

* the client authenticates with ``client_id``/``client_secret`` form fields, and revocation
  is a form too (Wave's OAuth guide);
* the scopes are ``resource:operation``; ``write`` does not imply ``read``; transactions have
  ``write`` only (they cannot be read back);
* the token answer carries ``businessId`` (the business chosen on Wave's consent page) and
  ``userId``;
* Wave refuses to renew access (HTTP 403 on the refresh) when the business's Pro or Advisor
  subscription has lapsed: ``PlanLapsedError``, an ``AuthError`` the connection names as such.
"""

from urllib.parse import urlencode

from odoo.addons.connector_base.lib import errors
from odoo.addons.connector_base.lib.http import HttpClient, redact
from odoo.addons.connector_base.lib.oauth import OAuth2Helper, token_error_parser

from .client import AUTHORIZE_URL, REVOKE_URL, TOKEN_URL

SCOPE = " ".join(
    (
        "account:*",
        "business:read",
        "customer:*",
        "invoice:*",
        "product:*",
        "sales_tax:*",
        "transaction:*",
        "user:read",
        "vendor:read",
    )
)


class PlanLapsedError(errors.AuthError):
    """Wave no longer lets the app renew its access: the business's Pro or Advisor plan lapsed."""


def wave_token_error_parser(response):
    """A 403 from Wave's token endpoint is a lapsed subscription; the rest as for any provider."""
    if response.status_code == 403:
        return PlanLapsedError(f"Wave refused to renew the access (HTTP 403: {redact(response.text, limit=300)})")
    return token_error_parser(response)


def wave_oauth(*, client_id, client_secret, redirect_uri, authorize_url=None, token_url=None, revoke_url=None):
    """connector_base's OAuth2Helper set up for Wave."""
    return OAuth2Helper(
        client_id=client_id,
        client_secret=client_secret,
        authorize_url=authorize_url or AUTHORIZE_URL,
        token_url=token_url or TOKEN_URL,
        revoke_url=revoke_url or REVOKE_URL,
        redirect_uri=redirect_uri,
        scope=SCOPE,
        http=HttpClient(error_parser=wave_token_error_parser),
        client_auth="post",
        revoke_format="form",
    )


def authorization_url(oauth, state, business_id=None):
    """The consent page's address; ``business_id`` is offered first (a reconnection)."""
    url = oauth.authorization_url(state)
    if business_id:
        url += "&" + urlencode({"businessId": business_id})
    return url
