"""``POST /graphql/public``: parse, authenticate, validate and execute against Wave's schema.

Everything Wave refuses comes back with HTTP 200 and ``errors[{message, locations, path,
extensions {id, code}}]``: a document the schema refuses (``GRAPHQL_VALIDATION_FAILED``, also for
syntax errors and variables of the wrong type), no or a dead token (``UNAUTHENTICATED``), an id
that is not there (``NOT_FOUND``), anything else (``INTERNAL_SERVER_ERROR``). Introspection needs
no token. Every executed operation is counted by type and by root field (``/_sandbox/stats``).
"""

import json
import logging
import uuid

from graphql import GraphQLError, OperationDefinitionNode, execute, parse, validate
from graphql.error import GraphQLSyntaxError

from .resolvers.common import Context

_logger = logging.getLogger(__name__)
INTROSPECTION = {"__schema", "__type", "__typename"}


def _error(message, code, **extra):
    return {"message": message, **extra, "extensions": {"id": str(uuid.uuid4()), "code": code}}


def _format(error, default_code):
    out = error.formatted
    extensions = dict(out.get("extensions") or {})
    if not extensions.get("code"):
        original = error.original_error
        if original is not None and not isinstance(original, GraphQLError):
            _logger.error("wave sandbox: resolver failed", exc_info=original)
            default_code = "INTERNAL_SERVER_ERROR"
        extensions["code"] = default_code
    extensions.setdefault("id", str(uuid.uuid4()))
    out["extensions"] = extensions
    return out


def _operation(document, name):
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name:
        return next((o for o in operations if o.name and o.name.value == name), None)
    return operations[0] if len(operations) == 1 else None


def run(sandbox, schema, raw_body, grant):
    """(HTTP status, answer dict, "query" | "mutation" | None) for one request; ``grant`` is the
    caller's token record or None."""
    try:
        body = json.loads(raw_body or b"{}")
        query = body.get("query") if isinstance(body, dict) else None
    except ValueError:
        body, query = None, None
    if not isinstance(query, str) or not query.strip():
        return 400, {"errors": [_error("POST body must be JSON with a 'query' string.", "BAD_REQUEST")]}, None
    variables = body.get("variables") or {}
    if not isinstance(variables, dict):
        return 400, {"errors": [_error("'variables' must be a JSON object.", "BAD_REQUEST")]}, None
    try:
        document = parse(query)
    except GraphQLSyntaxError as exc:
        sandbox.count("refused")
        return 200, {"errors": [_format(exc, "GRAPHQL_VALIDATION_FAILED")]}, None
    operation = _operation(document, body.get("operationName"))
    roots = {s.name.value for s in operation.selection_set.selections if hasattr(s, "name")} if operation else set()
    if grant is None and not (roots and roots <= INTROSPECTION and operation.operation.value == "query"):
        sandbox.count("unauthenticated")
        return 200, {"errors": [_error("You must be authenticated to access this resource.", "UNAUTHENTICATED")]}, None
    errors = validate(schema, document)
    if errors:
        sandbox.count("refused")
        return 200, {"errors": [_format(e, "GRAPHQL_VALIDATION_FAILED") for e in errors]}, None
    context = Context(sandbox, grant)
    with sandbox.lock:
        result = execute(
            schema, document, variable_values=variables, operation_name=body.get("operationName"), context_value=context
        )
    answer = {}
    if result.errors and result.data is None and not any(e.path for e in result.errors):
        sandbox.count("refused")  # the variables (or the operation name) did not fit the document
        return 200, {"errors": [_format(e, "GRAPHQL_VALIDATION_FAILED") for e in result.errors]}, None
    kind = operation.operation.value if operation else "query"
    sandbox.count(f"{kind}_operations")
    for root in roots - INTROSPECTION:
        sandbox.count(f"{kind}.{root}")
    if result.errors:
        answer["errors"] = [_format(e, "INTERNAL_SERVER_ERROR") for e in result.errors]
    answer["data"] = result.data
    return 200, answer, kind
