"""The shared front door of a provider's signed change notifications (no route of its own).

A provider addon's webhook route calls ``signed_notification`` first: a body over the size
limit is refused unread (413), and one that no connection of the provider signed (an HMAC of
the raw body under the connection's webhook secret) is refused before anything of it is read
(401), each with one security log line. Then ``tenants_not_signed`` refuses a body naming a
company that none of its own connections signed: a secret vouches for its own connections only."""

import logging

from odoo.http import request

from ..lib.webhook import verify_signature

_logger = logging.getLogger(__name__)

MAX_BYTES = 1024 * 1024


def refuse(label, status, text, reason, *args):
    """A plain-text refusal, with its one security log line."""
    _logger.warning(f"{label} notification refused: " + reason, *args)
    return request.make_response(text, status=status, headers=[("Content-Type", "text/plain")])


def signed_notification(provider, label, header, *, encoding="hex", max_bytes=MAX_BYTES):
    """``(raw body, connections that signed it, None)``, or ``(None, None, refusal)``."""
    httprequest = request.httprequest
    if (httprequest.content_length or 0) > max_bytes:
        return None, None, refuse(label, 413, "payload too large", "%s bytes is too large", httprequest.content_length)
    raw = httprequest.get_data()
    if len(raw) > max_bytes:  # a body sent without a Content-Length
        return None, None, refuse(label, 413, "payload too large", "%s bytes is too large", len(raw))
    signature = httprequest.headers.get(header, "")
    Backend = request.env(su=True)["connector.backend"]
    signers = [
        backend
        for backend, secret in Backend._webhook_secrets(provider)
        if verify_signature(secret, raw, signature, encoding=encoding)
    ]
    if not signers:
        refusal = refuse(
            label,
            401,
            "invalid signature",
            "bad or missing %s (%d bytes from %s)",
            header,
            len(raw),
            httprequest.remote_addr,
        )
        return None, None, refusal
    return raw, Backend.browse([backend.id for backend in signers]), None


def tenants_not_signed(provider, label, tenants, signers):
    """A 401 refusal when ``tenants`` name a company connected here that none of ``signers``
    holds, else None."""
    foreign = request.env(su=True)["connector.backend"]._tenants_not_signed(provider, tenants, signers)
    if not foreign:
        return None
    return refuse(
        label,
        401,
        "invalid signature",
        "company %s named by a body that none of its connections signed (from %s)",
        ", ".join(foreign),
        request.httprequest.remote_addr,
    )
