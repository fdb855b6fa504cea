"""The shape every mutation answers with, and the checks its inputs share."""

from decimal import ROUND_HALF_UP, Decimal

from .. import reference
from ..store import InputErrors, input_error


def mutation(entity=None):
    """``{didSucceed, inputErrors, <entity>}``: InputErrors raised by ``fn`` become didSucceed false.

    The whole mutation runs under the sandbox's write lock, so it commits all or nothing.
    """

    def wrap(fn):
        def resolve(root, info, input):  # noqa: A002 - the argument's name in Wave's schema
            sandbox = info.context.sandbox
            try:
                with sandbox.lock:
                    out = fn(info, input) or {}
            except InputErrors as exc:
                return {"didSucceed": False, "inputErrors": exc.errors, **({entity: None} if entity else {})}
            return {"didSucceed": True, "inputErrors": None, **out}

        return resolve

    return wrap


def target(info, data, kind, key="id"):
    """(business, record) named by ``data[key]``; InputErrors NOT_FOUND at ``key`` when out of reach."""
    business = info.context.business_for(data[key], [key])
    return business, business.get(kind, data[key], [key])


def patcher(kind, entity, apply):
    """A ``<entity>Patch`` mutation: ``apply(business, draft, data)`` checks and changes a copy, then it is kept."""

    @mutation(entity)
    def patch(info, data):
        business, record = target(info, data, kind)
        draft = dict(record)
        apply(business, draft, data)  # every check passes before anything changes
        record.update(draft)
        business.touch(kind, record)
        return {entity: record}

    return patch


def archiver(kind, entity=None, check=None):
    """An ``<entity>Archive`` mutation (archiving twice changes nothing); ``check(record)`` may refuse."""

    @mutation(entity)
    def archive(info, data):
        business, record = target(info, data, kind)
        if check:
            check(record)
        if not record["isArchived"]:
            record["isArchived"] = True
            business.touch(kind, record)
        return {entity: record} if entity else {}

    return archive


def required_text(value, path, label):
    if value is None or not str(value).strip():
        raise InputErrors(input_error(path, f"{label} is required.", "REQUIRED"))
    return str(value).strip()


def rounded(value, places):
    """Wave rounds its decimal inputs to ``places``, ties away from zero."""
    return Decimal(value).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP).normalize() + 0


def positive(value, path, label):
    if value is None or Decimal(value) <= 0:
        raise InputErrors(input_error(path, f"{label} must be greater than 0.", "INVALID"))
    return Decimal(value)


def check_address(value, path):
    """ISO 3166-2 province codes (``US-RI``) of the given country; returns the stored address."""
    if value is None:
        return None
    province, country = value.get("provinceCode"), value.get("countryCode")
    if province:
        known = reference.province(province)
        if known is None or (country and not province.startswith(country + "-")):
            raise InputErrors(
                input_error(
                    [*path, "provinceCode"],
                    f"'{province}' is not an ISO 3166-2 code of a province of {country or 'any known country'}.",
                    "INVALID",
                )
            )
    return {
        key: value.get(key)
        for key in ("addressLine1", "addressLine2", "city", "provinceCode", "countryCode", "postalCode")
    }


def check_email(value, path):
    if value and ("@" not in value or value.startswith("@") or value.endswith("@")):
        raise InputErrors(input_error(path, f"'{value}' is not a valid email address.", "INVALID"))
    return value


def unknown(name):
    """A mutation of Wave's schema the sandbox does not model (estimates, receipts): an internal error."""
    from .common import wave_error

    def resolve(root, info, **_args):
        raise wave_error("INTERNAL_SERVER_ERROR", f"{name} is not modelled by the Wave sandbox.")

    return resolve
