"""What every provider addon's HTTP entry points share, so that each controller keeps only what
is its provider's own (the header, the body's format, how events become inbox entries).

* ``SignedEndpoint.receive``: a change notification is refused unread when too large (413), not
  JSON where JSON is required (400), unsigned or signed with no connection's secret (401),
  signed but unreadable (400), or naming a tenant that has connections here none of which signed
  it (401); every refusal leaves one warning in the provider controller's own log. Only then
  are its events handed to the provider, which queues re-reads (the body is never trusted).
* ``challenge_answer``: a verification request answered at once with its challenge, nothing
  read or stored (well within the 5 s a sender waits).
* ``oauth_callback_backend``: the connection an OAuth redirect names by its ``state``, refused
  unless the state is the one handed out, the user is a Connector Manager and works in its
  company.
* ``text_field`` and ``moment_field``: the fields of a signed body, which is signed, not trusted.
"""

import hmac
import json
import re

from werkzeug.exceptions import BadRequest, Forbidden

from odoo.http import request

from ..lib import errors
from ..lib.webhook import clean_moment, clean_text, verify_signature

#: an ISO 8601 time of a body as a naive UTC datetime, or None
moment_field = clean_moment


def text_field(value, limit=100):
    """A field of a body as a short string, or None: bodies are signed, not trusted."""
    return clean_text(value, limit)


#: a relay batches a few events; anything larger is refused unread
MAX_WEBHOOK_BYTES = 1024 * 1024


def plain(text, status=200):
    return request.make_response(text, status=status, headers=[("Content-Type", "text/plain")])


def challenge_answer(challenge, limit=200):
    """A verification request: the challenge back, within milliseconds, nothing read or stored."""
    text = text_field(challenge, limit)
    return plain(text) if text else plain("challenge expected", 400)


class SignedEndpoint:
    """One provider's change-notification endpoint: ``provider`` (its connections'), ``label``
    (the log lines' subject, e.g. "Wave notification"), ``logger`` (the controller's),
    ``header`` (the signature's), ``encoding`` ("hex" or "base64" HMAC-SHA256 of the raw body
    under a connection's ``webhook_secret``), ``tenant`` (an event's key naming its tenant and
    the word the log uses for it), ``json_only`` (refuse other content types)."""

    def __init__(
        self,
        provider,
        *,
        label,
        logger,
        header,
        encoding="hex",
        tenant=("tenant", "tenant"),
        max_bytes=MAX_WEBHOOK_BYTES,
        json_only=False,
    ):
        self.provider, self.label, self.logger = provider, label, logger
        self.header, self.encoding, self.max_bytes, self.json_only = header, encoding, max_bytes, json_only
        self.tenant_key, self.tenant_word = tenant

    def refuse(self, status, text, reason, *args):
        """A plain-text refusal, with its one security log line."""
        self.logger.warning(f"{self.label} refused: {reason}", *args)
        return plain(text, status)

    def receive(self, parse, handle):
        """Check the request, then hand its events to the connections' model method named
        ``handle``: ``(events, signers, payload) -> re-reads queued``.

        ``parse(body)``: the events (dicts carrying the tenant key) of a decoded JSON body;
        ValueError, TypeError or AttributeError when it is no notification."""
        httprequest = request.httprequest
        if (httprequest.content_length or 0) > self.max_bytes:
            return self.refuse(413, "payload too large", "%s bytes is too large", httprequest.content_length)
        if self.json_only and "json" not in (httprequest.mimetype or "json"):
            return self.refuse(400, "JSON expected", "content type %s", httprequest.mimetype)
        raw = httprequest.get_data()
        if len(raw) > self.max_bytes:  # a body sent without a Content-Length
            return self.refuse(413, "payload too large", "%s bytes is too large", len(raw))
        Backend = request.env(su=True)["connector.backend"]
        signature = httprequest.headers.get(self.header, "")
        signers = [
            backend
            for backend, secret in Backend._webhook_secrets(self.provider)
            if verify_signature(secret, raw, signature, encoding=self.encoding)
        ]
        if not signers:
            return self.refuse(
                401,
                "invalid signature",
                "bad or missing %s (%d bytes from %s)",
                self.header,
                len(raw),
                httprequest.remote_addr,
            )
        try:
            events = parse(json.loads(raw))
        except (ValueError, TypeError, AttributeError) as exc:
            self.logger.warning("%s with a signed but unreadable body: %s", self.label, exc)
            return plain("unreadable body", 400)
        # a secret vouches for the tenants of its own connections only
        tenants = {event[self.tenant_key] for event in events}
        foreign = Backend._webhook_tenants_not_signed(self.provider, tenants, signers)
        if foreign:
            return self.refuse(
                401,
                "invalid signature",
                f"{self.tenant_word} %s named by a body that none of its connections signed (%d bytes from %s)",
                ", ".join(foreign),
                len(raw),
                httprequest.remote_addr,
            )
        queued = getattr(Backend, handle)(events, signers, raw.decode("utf-8", "replace").replace("\x00", "")[:100000])
        self.logger.info("%s: %d events, %d re-reads queued", self.label, len(events), queued)
        return plain("", 200)


def oauth_callback_backend(state, provider, *, label, logger, what="company"):
    """The connection being set up that an OAuth redirect's ``state`` names, as the current user
    in its company; BadRequest or Forbidden (with one log line) otherwise. ``label``: the
    provider's name for people, ``what``: what a connection connects to ("company", "business")."""
    backend_id, _sep, _rest = (state or "").partition(":")
    # ASCII digits of a database id only: str.isdigit() also takes "²", which int() refuses
    if not re.fullmatch(r"[0-9]{1,9}", backend_id):
        raise BadRequest("missing or malformed state")
    backend = request.env["connector.backend"].sudo().browse(int(backend_id)).exists()
    if (
        not backend
        or backend.provider != provider
        or not backend.oauth_state
        or not hmac.compare_digest(backend.oauth_state, state)
    ):
        logger.warning("%s OAuth callback with an unknown state for backend %s", label, backend_id)
        raise Forbidden("This authorization does not match a connection being set up. Start again.")
    user = request.env.user
    if not user.has_group("connector_base.group_connector_manager"):
        logger.warning(
            "%s OAuth callback for backend %s refused: user %s is no Connector Manager", label, backend.id, user.id
        )
        raise Forbidden(f"Only a Connector Manager can connect a {what}.")
    if backend.company_id not in user.company_ids:
        logger.warning(
            "%s OAuth callback for backend %s refused: user %s has no access to its company", label, backend.id, user.id
        )
        raise Forbidden("This connection belongs to a company you do not work in.")
    return backend.with_user(user).with_company(backend.company_id)


def oauth_callback_end(backend, label, refusal, finish):
    """The end of an OAuth redirect: ``refusal`` (the provider's error, or why the redirect is
    incomplete) or ``finish()`` (the code exchanged) posted on the connection, which is shown."""
    if refusal:
        backend.sudo().oauth_state = False
        backend.message_post(
            body=request.env._(
                "%(provider)s did not authorise the connection: %(error)s", provider=label, error=refusal
            )
        )
    else:
        try:
            finish()
        except errors.ConnectorError as exc:
            backend.message_post(body=request.env._("Connecting failed: %(error)s", error=str(exc)[:300]))
    return request.redirect(f"/odoo/connector.backend/{backend.id}")
