"""The shared checks of a provider's OAuth redirect (no route of its own): the connection the
``state`` names (``<connection id>:<single-use secret>``), for a Connector Manager of its company."""

import hmac
import logging
import re

from werkzeug.exceptions import BadRequest, Forbidden

from odoo.http import request

_logger = logging.getLogger(__name__)


def callback_backend(provider, label, state):
    """The connection an OAuth redirect comes back to, as the signed-in user in its company;
    BadRequest or Forbidden (with one log line) when the state or the user does not fit."""
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
        _logger.warning("%s OAuth callback with an unknown state for backend %s", label, backend_id)
        raise Forbidden("This authorization does not match a connection being set up. Start again.")
    user = request.env.user
    if not user.has_group("connector_base.group_connector_manager"):
        _logger.warning("%s OAuth callback for backend %s refused: user %s is no manager", label, backend.id, user.id)
        raise Forbidden("Only a Connector Manager can connect a company.")
    if backend.company_id not in user.company_ids:
        _logger.warning(
            "%s OAuth callback for backend %s refused: user %s not in its company", label, backend.id, user.id
        )
        raise Forbidden("This connection belongs to a company you do not work in.")
    return backend.with_user(user).with_company(backend.company_id)
