"""Wave's OAuth through connector_base's helper, against the Wave sandbox's consent page and token
endpoint: client credentials as form fields, the businessId of the token answer, a refresh refused
with 403 when the business's plan lapsed (PlanLapsedError), revocation as a form."""

import re
import urllib.parse

import pytest
import requests

from odoo.addons.connector_base.lib import errors
from odoo.addons.connector_wave.lib.oauth import SCOPE, PlanLapsedError, authorization_url, wave_oauth

T = 10
REDIRECT = "http://127.0.0.1:1/connector_wave/oauth/callback"


def helper(wave, secret="sandbox-secret"):
    return wave_oauth(
        client_id="sandbox-client",
        client_secret=secret,
        redirect_uri=REDIRECT,
        authorize_url=f"{wave.url}/oauth2/authorize/",
        token_url=f"{wave.url}/oauth2/token/",
        revoke_url=f"{wave.url}/oauth2/token-revoke/",
    )


def consent(wave, oauth, business):
    """Wave's consent page, the business chosen: the query of the redirect back."""
    page = requests.get(authorization_url(oauth, "s-1", business_id=business), timeout=T)
    assert page.status_code == 200
    ticket = re.search(r'name="ticket" value="([^"]+)"', page.text).group(1)
    answer = requests.post(
        f"{wave.url}/oauth2/authorize/",
        data={"ticket": ticket, "businessId": business, "decision": "connect"},
        allow_redirects=False,
        timeout=T,
    )
    assert answer.status_code == 302
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(answer.headers["Location"]).query))


def test_a_consent_a_token_with_its_business_a_refresh_and_a_lapsed_plan(wave):
    oauth = helper(wave)
    url = authorization_url(oauth, "s-1", business_id=wave.business)
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    assert query["scope"] == SCOPE and "vendor:read" in SCOPE and query["businessId"] == wave.business
    back = consent(wave, oauth, wave.business)
    assert back["state"] == "s-1"
    token = oauth.fetch_token(back["code"])  # client_id and client_secret as form fields
    assert token["businessId"] == wave.business and token["expires_at"] > 0
    fresh = oauth.refresh_token(token["refresh_token"])
    assert fresh["refresh_token"] != token["refresh_token"]
    with pytest.raises(errors.AuthError, match="invalid_client") as refused:
        helper(wave, secret="wrong").refresh_token(fresh["refresh_token"])
    assert not isinstance(refused.value, PlanLapsedError)
    wave.control("business", business=wave.business, plan="STARTER")
    with pytest.raises(PlanLapsedError, match="403") as lapsed:
        oauth.refresh_token(fresh["refresh_token"])
    assert isinstance(lapsed.value, errors.AuthError)  # the connection pauses and waits for a reconnection


def test_revocation_is_a_form_and_ends_the_grant(wave):
    oauth = helper(wave)
    token = oauth.fetch_token(consent(wave, oauth, wave.business)["code"])
    assert oauth.revoke(token["refresh_token"])
    with pytest.raises(errors.AuthError, match="invalid_grant"):
        oauth.refresh_token(token["refresh_token"])
