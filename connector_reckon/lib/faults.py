"""Reckon One's refusals as connector_base's typed errors.

Two servers answer a call to ``https://api.reckon.com/r1/v2``: Azure API Management (the
gateway: subscription key, request limit, unknown paths), whose bodies are
``{"statusCode", "message"}``, and the API behind it, whose bodies are Reckon's
``{"code", "message", "errors": [{"location", "message"}]}`` (openapi.yaml ``ErrorResponse``).

* 400 -> ``ReckonValidationError`` (a ``PayloadValidationError``) naming every location;
* 401 -> ``SubscriptionKeyError`` when the gateway refused the subscription key (no token
  refresh helps: the key in the connection settings is missing or wrong), else ``AuthError``;
* 403 -> ``PermissionDeniedError`` naming the table (the book's plan or the user's role);
* 404 -> ``NotFoundError`` (the gateway's 404, no such operation, and 415 are
  ``ProviderValidationError``: a request this connector built wrong);
* 429 -> ``RateLimitedError`` with the gateway's ``Retry-After``;
* 5xx -> ``TransientError``, except on a POST: Reckon has no idempotency key, so a create that
  failed on the server may have been committed (``OutcomeUnknownError``: look it up first).
"""

import re
import urllib.parse

from odoo.addons.connector_base.lib import errors
from odoo.addons.connector_base.lib.http import parse_retry_after, redact
from odoo.addons.connector_base.lib.money import json_loads

_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_TRY_AGAIN = re.compile(r"try again in (\d+) seconds", re.I)
#: the table a path names, as an accountant reads it
TABLES = {
    "customers": "customers",
    "suppliers": "suppliers",
    "items": "items",
    "ledgeraccounts": "ledger accounts",
    "terms": "payment terms",
    "taxrates": "tax rates",
    "taxgroups": "tax groups",
    "paymentmethods": "payment methods",
    "invoices": "invoices",
    "creditnotes": "credit notes",
    "receipts": "receipts",
    "payments": "supplier payments",
    "bills": "bills",
    "journals": "journals",
    "books": "books",
}


class SubscriptionKeyError(errors.AuthError):
    """Reckon's gateway refused the subscription key (missing, unknown or lapsed)."""


class PermissionDeniedError(errors.PermanentError):
    """403: this book's plan or this user's role does not include ``table``.

    Every record of that table meets the same answer: the engine should say it once and stop
    asking for that table, not quarantine record after record."""

    reason = "auth"

    def __init__(self, message, *, table, details=None):
        super().__init__(message, details=details)
        self.table = table


class ReckonValidationError(errors.PayloadValidationError):
    """400: Reckon refused the request; ``locations`` are the fields it named."""

    def __init__(self, message, *, locations=(), details=None):
        super().__init__(message, details=details)
        self.locations = list(locations)


def table_of(url):
    """The table a request's URL names (``bills`` in ``/r1/v2/<book>/bills/<id>/approve``)."""
    parts = [p for p in urllib.parse.urlsplit(url or "").path.split("/") if p]
    for index, part in enumerate(parts):
        if _GUID.match(part) and index + 1 < len(parts):
            return parts[index + 1].lower()
    return parts[-1].lower() if parts else ""


def _body(response):
    try:
        body = json_loads(response.content.decode("utf-8", "replace")) if response.content else {}
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def error_for(response):
    """The typed error of an unsuccessful answer (``HttpClient``'s ``error_parser``)."""
    status = response.status_code
    body = _body(response)
    gateway = "statusCode" in body
    message = str(body.get("message") or redact(response.text, limit=300) or f"HTTP {status}")
    request = getattr(response, "request", None)
    method = (getattr(request, "method", None) or "GET").upper()
    table = table_of(getattr(response, "url", ""))
    label = TABLES.get(table, table or "this resource")
    details = {"status": status, "gateway": gateway, "table": table}
    if status == 401:
        if gateway and "subscription key" in message.lower():
            which = "missing" if "missing" in message.lower() else "not accepted"
            return SubscriptionKeyError(
                f"Reckon's API gateway refused the call: the subscription key is {which} ({message}). "
                "Enter the Reckon One API subscription key from your Reckon Developer Portal profile "
                "in the connection settings.",
                details=details,
            )
        return errors.AuthError(f"Reckon refused the access token (401: {message})", details=details)
    if status == 403:
        return PermissionDeniedError(
            f"Reckon refused access to {label} (403: {message}). This book's Reckon One plan or the "
            f"connected user's role does not include {label}: ask the book's owner to add it, or stop "
            f"synchronising {label} on this connection.",
            table=table,
            details=details,
        )
    if status == 404 and gateway:  # the gateway knows no such operation: a path this connector built wrong
        return errors.ProviderValidationError(
            f"Reckon's API has no {method} {label} operation ({message})", details=details
        )
    if status == 404:
        return errors.NotFoundError(f"Reckon has no such {label} record (404: {message})", details=details)
    if status == 429:
        retry = parse_retry_after(response.headers.get("Retry-After"))
        found = _TRY_AGAIN.search(message)
        if retry is None and found:
            retry = float(found.group(1))
        return errors.RateLimitedError(f"Reckon's request limit was reached (429: {message})", retry_after=retry)
    if status == 400:
        problems = [
            (str(e.get("location") or "(request)"), str(e.get("message") or ""))
            for e in body.get("errors") or []
            if isinstance(e, dict)
        ]
        text = "; ".join(f"{where}: {what}" for where, what in problems) or message
        return ReckonValidationError(
            f"Reckon refused the {label} request: {text}",
            locations=[where for where, _what in problems],
            details=dict(details, errors=[f"{where}: {what}" for where, what in problems] or [message]),
        )
    if status >= 500:
        if method == "POST" and status != 503:
            return errors.OutcomeUnknownError(
                f"POST {label}: Reckon answered {status} ({message}); the record may have been created",
                details=details,
            )
        return errors.TransientError(f"Reckon {status} on {label}: {message}", details=details)
    return errors.ProviderValidationError(f"Reckon {status} on {label}: {message}", details=details)
