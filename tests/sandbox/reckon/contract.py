"""The Reckon sandbox held to Reckon's own OpenAPI document (``openapi.yaml``, Reckon One API v2).

Every request body the sandbox receives and every answer it gives is checked against the
operation the document defines for that method and path (found by matching the path against
the document's templates, not from the sandbox's own routing):

* the request body against the operation's ``requestBody`` schema;
* the answer against the schema of its status under ``responses`` (a 204 must be empty); a
  status the document does not declare for the operation is checked against ``ErrorResponse``
  and counted as ``undeclared``.

Schemas are the document's ``components/schemas``, references resolved by jsonschema (Draft 7,
whose ``$ref`` ignores sibling keywords as OpenAPI 3.0 does), with two readings: ``nullable``
allows null, and an object schema with ``properties`` admits no other property (the document
never says ``additionalProperties``; a field it does not define is a mismatch). Answers of the
API gateway (subscription key, rate limit) are checked against ``GATEWAY``; the sandbox's
documented extension (bills, journals) against ``extension.SCHEMAS``.

Without the document (``../shared`` absent) validation is off and the sandbox says so once.
"""

import copy
import json
import logging
import os
import re
import threading
from collections import deque
from pathlib import Path

_logger = logging.getLogger(__name__)

#: Azure API Management's own answers (subscription key, rate limit): not in the document
GATEWAY = {
    "type": "object",
    "properties": {"statusCode": {"type": "integer"}, "message": {"type": "string"}},
    "required": ["statusCode", "message"],
    "additionalProperties": False,
}


def locate():
    """The document: ``$RECKON_OPENAPI``, else ``<shared>/fixtures/reckon/openapi.yaml`` with
    ``<shared>`` = ``$CONNECTOR_SHARED`` or the ``shared`` directory beside the repository."""
    if os.environ.get("RECKON_OPENAPI"):
        return Path(os.environ["RECKON_OPENAPI"])
    root = Path(__file__).resolve().parents[3]
    shared = Path(os.environ.get("CONNECTOR_SHARED") or root.parent / "shared")
    return shared / "fixtures" / "reckon" / "openapi.yaml"


def _openapi_to_jsonschema(node):
    """OpenAPI 3.0 schema objects as JSON Schema: nullable, closed objects."""
    if isinstance(node, list):
        return [_openapi_to_jsonschema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _openapi_to_jsonschema(v) for k, v in node.items() if k not in ("example", "nullable")}
    if node.get("nullable") and "type" in node:
        out["type"] = [node["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    if "properties" in node and "additionalProperties" not in node and "$ref" not in node:
        out["additionalProperties"] = False
    return out


def _template_regex(template):
    parts = []
    for segment in template.strip("/").split("/"):
        parts.append("[^/]+" if segment.startswith("{") else re.escape(segment))
    return re.compile("^/" + "/".join(parts) + "$", re.IGNORECASE)


class Contract:
    """Validation counters and the operations of the document."""

    def __init__(self, path=None, extension=None):
        self.path = Path(path) if path else locate()
        self.lock = threading.Lock()
        self.operations = []  # (method, regex, literal segment count, template, operation)
        self.extension = extension or {}
        self.enabled = False
        self._validators = {}
        self.reset()
        if not self.path.exists():
            _logger.warning("Reckon sandbox: %s not found, contract validation is off", self.path)
            return
        try:
            import jsonschema
            import yaml
        except ImportError as exc:
            _logger.warning("Reckon sandbox: %s, contract validation is off", exc)
            return
        self._jsonschema = jsonschema
        document = _load(self.path, yaml)
        self.schemas = {"components": {"schemas": _openapi_to_jsonschema(document["components"]["schemas"])}}
        for template, item in document["paths"].items():
            literals = sum(1 for s in template.split("/") if s and not s.startswith("{"))
            for method, operation in item.items():
                if method in ("get", "put", "post", "patch", "delete"):
                    self.operations.append((method.upper(), _template_regex(template), literals, template, operation))
        self.operations.sort(key=lambda op: -op[2])
        self.enabled = True
        _logger.info("Reckon sandbox: validating against %s (%d operations)", self.path, len(self.operations))

    def reset(self):
        with self.lock:
            self.counts = {
                "requests": {"validated": 0, "failed": 0},
                "answers": {"validated": 0, "failed": 0},
                "undeclared": 0,
                "unchecked": 0,
                "by_source": {"openapi": 0, "gateway": 0, "extension": 0},
            }
            self.failures = deque(maxlen=100)

    def report(self):
        with self.lock:
            return dict(
                copy.deepcopy(self.counts), enabled=self.enabled, document=str(self.path), failures=list(self.failures)
            )

    # ------------------------------------------------------------------ lookups
    def operation(self, method, path):
        """``(source, template, operation)`` for a path below the API base, else None."""
        if not self.enabled:
            return None
        for op_method, regex, _literals, template, operation in self.operations:
            if op_method == method and regex.match(path):
                return "openapi", template, operation
        for (ext_method, template), operation in self.extension.items():
            if ext_method == method and _template_regex(template).match(path):
                return "extension", template, operation
        return None

    def _validator(self, schema):
        key = json.dumps(schema, sort_keys=True)
        validator = self._validators.get(key)
        if validator is None:
            root = dict(schema, **self.schemas) if "$ref" in schema else schema
            validator = self._jsonschema.Draft7Validator(root)
            self._validators[key] = validator
        return validator

    def _errors(self, schema, instance):
        return [
            f"{'/'.join(str(p) for p in error.absolute_path) or '(body)'}: {error.message}"
            for error in self._validator(schema).iter_errors(instance)
        ]

    # ------------------------------------------------------------------ checks
    def check_request(self, method, path, found, raw):
        """Errors of a request body (a list, empty when it conforms); counted."""
        if not self.enabled or found is None:
            return []
        source, template, operation = found
        content = (operation.get("requestBody") or {}).get("content") or {}
        schema = next(iter(content.values()), {}).get("schema")
        if schema is None:
            return []
        try:
            body = json.loads(raw or b"null")
            if method == "PATCH":  # a merge patch: null removes a member (RFC 7396), whatever its type
                body = _without_nulls(body)
            errors = self._errors(schema, body)
        except ValueError as exc:
            errors = [f"(body): not JSON ({exc})"]
        self._count("requests", source, f"{method} {template} request", errors)
        return errors

    def check_answer(self, method, path, found, status, raw, gateway=False):
        """Check an answer about to be sent; counted, never raises."""
        if not self.enabled:
            return
        if gateway:
            return self._count("answers", "gateway", f"{method} {path} {status}", self._errors(GATEWAY, _json(raw)))
        if found is None:
            with self.lock:
                self.counts["unchecked"] += 1
            return
        source, template, operation = found
        responses = operation.get("responses") or {}
        declared = responses.get(status, responses.get(str(status)))
        where = f"{method} {template} {status}"
        if declared is None:
            with self.lock:
                self.counts["undeclared"] += 1
            schema = {"$ref": "#/components/schemas/ErrorResponse"} if status >= 400 else None
            errors = self._errors(schema, _json(raw)) if schema else [f"status {status} not declared"]
            return self._count("answers", source, where, errors)
        content = declared.get("content") or {}
        schema = next(iter(content.values()), {}).get("schema") if content else None
        if schema is None:
            errors = [] if not raw else [f"(body): {status} must be empty"]
        else:
            errors = self._errors(schema, _json(raw))
        self._count("answers", source, where, errors)

    def _count(self, side, source, where, errors):
        with self.lock:
            self.counts[side]["failed" if errors else "validated"] += 1
            self.counts["by_source"][source] += 1
            for error in errors[:5]:
                self.failures.append(f"{side[:-1]} {where}: {error}")


_documents = {}


def _load(path, yaml):
    """The parsed document, once per process (1 MB of YAML)."""
    key = str(path)
    if key not in _documents:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        with open(path, encoding="utf-8") as handle:
            _documents[key] = yaml.load(handle, Loader=loader)  # noqa: S506 (a safe loader)
    return _documents[key]


def _without_nulls(value):
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    return value


def _json(raw):
    try:
        return json.loads(raw or b"null")
    except ValueError:
        return raw.decode(errors="replace") if isinstance(raw, bytes) else raw
