"""Wave's published GraphQL schema, read from ../shared at run time and made executable.

The schema is never copied into the project. It is looked up at ``$WAVE_SCHEMA`` when that is set
(the fixtures directory or the ``.graphql`` file itself), else at ``<repo>/../shared/fixtures/wave``
and, from a git worktree, at ``<main checkout>/../shared/fixtures/wave``. When none is there,
``load_schema`` raises ``SchemaMissing`` with one message saying what to set.

What is executed is ``schema.repaired.graphql`` (the 2026 dump, repaired so that it builds) plus
what that dump's tool dropped and the two other published dumps still carry (README, table):
argument defaults (``page = 1``, ``pageSize = 45``, ``sort = [CREATED_AT_DESC]``, ...) and input
defaults (``InvoiceCreateInput.status = DRAFT``, ...), and the deprecated fields
(``InvoiceItem.price`` ...). Wave's scalars: ``Decimal`` serialized as a string, ``Date`` as
``yyyy-MM-dd``, ``DateTime`` as ``yyyy-MM-ddThh:mm:ss.sssZ``.
"""

import json
import os
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from graphql import (
    FloatValueNode,
    GraphQLError,
    IntValueNode,
    StringValueNode,
    build_ast_schema,
    parse,
    parse_value,
)

from ..kit import CannotStart

ENV = "WAVE_SCHEMA"
SDL = "schema.repaired.graphql"
DUMP_2021 = "schema-2021-04.introspection.json"
INPUTS_2026 = "schema-inputs-2026-04.json"
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


class SchemaMissing(CannotStart):
    """Wave's schema is not on this machine: the sandbox cannot start."""


def _main_checkout(repo):
    """The main checkout of a git worktree (whose ``.git`` is a file), else None."""
    dot_git = os.path.join(repo, ".git")
    if not os.path.isfile(dot_git):
        return None
    with open(dot_git) as handle:
        gitdir = handle.read().strip().removeprefix("gitdir:").strip()
    common = os.path.join(gitdir, "commondir")
    if not os.path.isfile(common):
        return None
    with open(common) as handle:
        common_dir = os.path.normpath(os.path.join(gitdir, handle.read().strip()))
    return os.path.dirname(common_dir)


def candidates():
    """Where the fixtures directory is looked for, in order."""
    if os.environ.get(ENV):  # when set, the only place looked at
        path = os.environ[ENV]
        return [os.path.normpath(os.path.dirname(path) if path.endswith(".graphql") else path)]
    found = []
    found.append(os.path.join(REPO, "..", "shared", "fixtures", "wave"))
    main = _main_checkout(REPO)
    if main:
        found.append(os.path.join(main, "..", "shared", "fixtures", "wave"))
    return [os.path.normpath(path) for path in found]


def locate():
    """The fixtures directory holding Wave's schema; raise SchemaMissing when there is none."""
    paths = candidates()
    for path in paths:
        if os.path.isfile(os.path.join(path, SDL)):
            return path
    raise SchemaMissing(
        f"Wave's schema ({SDL}) was not found in {', '.join(paths)}: set {ENV} to the directory "
        "holding ../shared/fixtures/wave (the Wave sandbox executes Wave's published schema and never ships a copy)"
    )


def _type_sdl(ref):
    if ref["kind"] == "NON_NULL":
        return _type_sdl(ref["ofType"]) + "!"
    if ref["kind"] == "LIST":
        return "[" + _type_sdl(ref["ofType"]) + "]"
    return ref["name"]


class _Repairs:
    """Defaults and deprecated fields the 2026 dump lost, from the 2021 and 2026-inputs dumps."""

    def __init__(self, document):
        self.nodes = {d.name.value: d for d in document.definitions if hasattr(d, "name") and d.name}
        self.applied, self.extensions = [], []
        self.implemented = {i.name.value for n in self.nodes.values() for i in getattr(n, "interfaces", None) or []}

    def default(self, owner, field, arg, literal):
        """Give ``owner.field`` (or its argument ``arg``) a default when the 2026 dump has none."""
        for member in getattr(self.nodes.get(owner), "fields", None) or []:
            if member.name.value != field:
                continue
            target = member if arg is None else next((a for a in member.arguments if a.name.value == arg), None)
            if target is not None and target.default_value is None:
                target.default_value = parse_value(literal)
                self.applied.append(f"{owner}.{field}" + (f"({arg})" if arg else "") + f" = {literal}")

    def deprecated(self, kind, field):
        node = self.nodes.get(kind["name"])
        present = {f.name.value for f in getattr(node, "fields", None) or []}
        if node is None or field["name"] in present or kind["name"] in ("Mutation", "Query"):
            return  # a deprecated operation ("not available for public use") stays out
        reason = json.dumps(field.get("deprecationReason") or "No longer supported")
        member = f"{field['name']}: {_type_sdl(field['type'])} @deprecated(reason: {reason})"
        self.extensions.append(f"extend type {kind['name']} {{ {member} }}")
        self.applied.append(f"{kind['name']}.{field['name']} (deprecated)")

    def implements(self, kind, interfaces):
        """``extend type kind implements ...``: the 2026 dump prints no ``implements`` at all."""
        node = self.nodes.get(kind)
        present = {i.name.value for i in getattr(node, "interfaces", None) or []}
        wanted = [i for i in interfaces if i not in present and i in self.nodes]
        if node is not None and wanted:
            self.extensions.append(f"extend type {kind} implements {' & '.join(wanted)}")
            self.implemented.update(wanted)
            self.applied.append(f"{kind} implements {' & '.join(wanted)}")

    def implied_implementations(self):
        """An interface no type implements (``InvoiceDiscount``) is implemented by the object types
        named after it that have all its fields (``FixedInvoiceDiscount``, ``PercentageInvoiceDiscount``)."""
        for name, node in self.nodes.items():
            if type(node).__name__ != "InterfaceTypeDefinitionNode" or name in self.implemented:
                continue
            fields = {f.name.value for f in node.fields}
            for kind, other in self.nodes.items():
                if type(other).__name__ == "ObjectTypeDefinitionNode" and kind.endswith(name) and kind != name:
                    if fields <= {f.name.value for f in other.fields or []}:
                        self.implements(kind, [name])

    def from_2021(self, types):
        for kind in types:
            if kind.get("interfaces"):
                self.implements(kind["name"], [i["name"] for i in kind["interfaces"]])
            for field in kind.get("fields") or []:
                for arg in field.get("args") or []:
                    if arg.get("defaultValue") is not None:
                        self.default(kind["name"], field["name"], arg["name"], arg["defaultValue"])
                if field.get("isDeprecated"):
                    self.deprecated(kind, field)
            for field in kind.get("inputFields") or []:
                if field.get("defaultValue") is not None:
                    self.default(kind["name"], field["name"], None, field["defaultValue"])

    def from_inputs(self, inputs):
        for name, kind in inputs.items():
            for field in kind.get("inputFields") or []:
                if field.get("defaultValue") is not None:
                    self.default(name, field["name"], None, field["defaultValue"])


def _repairs(directory, document):
    repairs = _Repairs(document)
    path_2021 = os.path.join(directory, DUMP_2021)
    if os.path.isfile(path_2021):
        with open(path_2021) as handle:
            repairs.from_2021(json.load(handle)["data"]["__schema"]["types"])
    path_inputs = os.path.join(directory, INPUTS_2026)
    if os.path.isfile(path_inputs):
        with open(path_inputs) as handle:
            repairs.from_inputs(json.load(handle)["input_types"])
    repairs.implied_implementations()
    return repairs.applied, repairs.extensions


# ---------------------------------------------------------------------------- scalars
def format_decimal(value):
    """Wave's Decimal on the wire: a string, no exponent, no trailing zeros ("40", "0.06")."""
    value = Decimal(value)
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def _decimal_in(value):
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise GraphQLError(f"Decimal cannot represent {value!r}")
    try:
        result = Decimal(str(value).strip())
    except InvalidOperation:
        raise GraphQLError(f"Decimal cannot represent {value!r}") from None
    if not result.is_finite():
        raise GraphQLError(f"Decimal cannot represent {value!r}")
    return result


def _date_in(value):
    try:
        if not isinstance(value, str) or len(value) != 10:
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise GraphQLError(f"Date must be yyyy-MM-dd, not {value!r}") from None


def format_datetime(value):
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def _datetime_in(value):
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise GraphQLError(f"DateTime must be ISO 8601, not {value!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _literal(parse_fn, kinds=(StringValueNode,)):
    def parse_literal(node, _variables=None):
        if not isinstance(node, kinds):
            raise GraphQLError(f"Unexpected literal {type(node).__name__}")
        return parse_fn(node.value)

    return parse_literal


def _scalars(schema):
    decimal = schema.type_map["Decimal"]
    decimal.serialize = format_decimal
    decimal.parse_value = _decimal_in
    decimal.parse_literal = _literal(_decimal_in, (StringValueNode, IntValueNode, FloatValueNode))
    day = schema.type_map["Date"]
    day.serialize = lambda v: v.isoformat() if isinstance(v, date) else str(v)
    day.parse_value = _date_in
    day.parse_literal = _literal(_date_in)
    moment = schema.type_map["DateTime"]
    moment.serialize = lambda v: format_datetime(v) if isinstance(v, datetime) else str(v)
    moment.parse_value = _datetime_in
    moment.parse_literal = _literal(_datetime_in)


def load_schema(directory=None):
    """(GraphQLSchema, list of the repairs applied) from the fixtures directory."""
    directory = directory or locate()
    with open(os.path.join(directory, SDL)) as handle:
        document = parse(handle.read())
    applied, extensions = _repairs(directory, document)
    if extensions:
        document.definitions = tuple(document.definitions) + tuple(parse("\n".join(extensions)).definitions)
    schema = build_ast_schema(document)
    _scalars(schema)
    return schema, applied
