"""What the Wave mappers share: ids, the Odoo stamp, text, versions, provinces, money."""

import base64
import binascii

from odoo.addons.connector_base.lib import errors
from odoo.addons.connector_base.lib.lost import STAMP, carries, stamps
from odoo.addons.connector_base.lib.money import to_decimal

from ..client import dec, money

__all__ = ["dec", "money", "STAMP", "carries", "stamps"]


def id_kind(wave_id):
    """The record kind inside a Wave id (``Customer`` of base64 ``Business:u;Customer:5``), or None.

    Wave's ids are opaque; this is only used to tell a customer's id from a vendor's."""
    try:
        text = base64.b64decode(str(wave_id).encode(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    kinds = [part.split(":", 1)[0] for part in text.split(";") if ":" in part]
    kinds = [kind for kind in kinds if kind != "Business"]
    return kinds[0] if len(kinds) == 1 else None


def text(value, limit=None):
    if value in (None, ""):
        return None
    value = str(value).strip()
    if not value:
        return None
    return value[:limit] if limit else value


def meta(doc):
    """``version`` and ``updated_at`` of a record: Wave's modifiedAt (Wave has no version token)."""
    moment = doc.get("modifiedAt")
    return {"version": moment, "updated_at": moment} if moment else {}


def ref(doc, key):
    """The id of a linked record (``{"customer": {"id": ...}}``), or None."""
    linked = doc.get(key)
    return linked.get("id") if isinstance(linked, dict) and linked.get("id") else None


def code(doc, key):
    linked = doc.get(key)
    return linked.get("code") if isinstance(linked, dict) else None


def split_stamp(value):
    """(the text without our stamp, the stamp or None): a memo we wrote carries the stamp last."""
    found = stamps(value)
    if not found:
        return text(value), None
    rest = STAMP.sub("", value or "")
    return text(rest), found[-1]


def with_stamp(value, reference):
    """Free text followed by the stamp on a line of its own."""
    value = text(value)
    if not reference:
        return value
    if value and reference in stamps(value):
        return value
    return f"{value}\n\n{reference}" if value else reference


def province_to_state(province_code, country_code=None):
    """Odoo's state code from Wave's ISO 3166-2 province code (``US-RI`` -> ``RI``)."""
    if not province_code:
        return None
    prefix, sep, rest = str(province_code).partition("-")
    if sep and (country_code is None or prefix == country_code):
        return rest
    return str(province_code)


def state_to_province(state_code, country_code):
    """Wave's ISO 3166-2 province code from Odoo's state and country codes (``RI``, ``US`` -> ``US-RI``)."""
    if not state_code:
        return None
    state_code = str(state_code).upper()
    if country_code and not state_code.startswith(f"{country_code}-"):
        return f"{country_code}-{state_code}"
    return state_code


def decimal(value, field):
    try:
        return to_decimal(value, field=field)
    except ValueError as exc:
        raise errors.PayloadValidationError(f"Wave sent {field} {value!r}, which is not a number") from exc


def percent(fraction):
    """Wave's rates are fractions (``0.09975``); canonical rates are percentages (``9.975``)."""
    return (to_decimal(fraction) * 100).normalize() + 0


def refuse(message):
    return errors.PayloadValidationError(message)
