"""What every resolver shares: the request context, errors as Wave words them, paging, filters."""

import math
import uuid

from graphql import GraphQLError

from ..store import InputErrors, decode_id, input_error


def wave_error(code, message):
    """A GraphQLError carrying ``extensions {id, code}`` as Wave's errors do."""
    return GraphQLError(message, extensions={"id": str(uuid.uuid4()), "code": code})


class Context:
    """``info.context``: the sandbox, the caller's grant, counters."""

    def __init__(self, sandbox, grant):
        self.sandbox = sandbox
        self.grant = grant  # {"user", "business" (None: every business of the user), "client", "scope"}

    def businesses(self):
        allowed = self.grant.get("business") if self.grant else None
        return [b for b in self.sandbox.businesses.values() if allowed in (None, b.uuid, b.id)]

    def business(self, wire_id):
        """The business of a Business id (or of any id of its records) the caller may reach, else None."""
        target = decode_id(wire_id).get("Business")
        return next((b for b in self.businesses() if b.uuid == target), None)

    def business_for(self, wire_id, path):
        """Like ``business`` for a mutation: InputErrors NOT_FOUND at ``path`` when out of reach."""
        business = self.business(wire_id)
        if business is None:
            raise InputErrors(input_error(path, f"'{wire_id}' could not be found.", "NOT_FOUND"))
        return business


def ctx(info):
    return info.context


def not_found(kind, wire_id):
    return wave_error("NOT_FOUND", f"{kind} '{wire_id}' could not be found.")


def get_or_raise(business, kind, wire_id):
    record = business.get(kind, wire_id)
    if record is None:
        raise not_found(kind, wire_id)
    return record


def modified_between(records, after=None, before=None):
    if after is not None:
        records = [r for r in records if r["modifiedAt"] > after]
    if before is not None:
        records = [r for r in records if r["modifiedAt"] < before]
    return records


def sort_records(records, sort, keys):
    """Stable multi-key sort by Wave sort enums (``NAME_ASC``...); ties by id, ascending."""
    records = sorted(records, key=lambda r: r["n"])
    for value in reversed(list(sort or [])):
        field, _sep, direction = value.rpartition("_")
        key = keys.get(field)
        if key is None:
            raise wave_error("INTERNAL_SERVER_ERROR", f"Sort {value} is not supported by the sandbox")
        records.sort(key=key, reverse=direction == "DESC")
    return records


def connection(records, page, page_size):
    """``{edges: [{node}], pageInfo: {currentPage, totalPages, totalCount}}`` of one page."""
    page = max(1, page or 1)
    page_size = max(1, page_size or 1)
    total = len(records)
    start = (page - 1) * page_size
    return {
        "edges": [{"node": record} for record in records[start : start + page_size]],
        "pageInfo": {"currentPage": page, "totalPages": max(1, math.ceil(total / page_size)), "totalCount": total},
    }


def archived(records, is_archived):
    return records if is_archived is None else [r for r in records if bool(r.get("isArchived")) == is_archived]


def text_key(name):
    return lambda r: (r.get(name) or "").lower()


CREATED_MODIFIED = {"CREATED_AT": lambda r: r["createdAt"], "MODIFIED_AT": lambda r: r["modifiedAt"]}
