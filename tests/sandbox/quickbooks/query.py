"""QuickBooks' query language as the sandbox accepts it. ``parse_query`` reads the SELECT
subset (one entity, AND-ed conditions with = < > <= >= != IN LIKE, ORDERBY, STARTPOSITION,
MAXRESULTS; a parse error is fault 4000); ``_field``, ``_matches`` and ``_sort_key`` read a
document's value at a condition's path and compare it as QuickBooks does (booleans, numbers
and dates by value, other strings without case). ``store.Company.query`` runs a query on the
company's documents.
"""

import re
from datetime import date, datetime
from decimal import Decimal

from .common import ENTITIES
from .errors import Fault

_TOKEN = re.compile(r"\s*(?:'((?:[^']|'')*)'|(\()|(\))|(,)|(>=|<=|!=|=|<|>)|([^\s,()=<>!']+))", re.S)


def _tokens(text):
    pos = 0
    out = []
    text = text.strip().rstrip(";")
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            if text[pos:].strip() == "":
                break
            raise Fault(4000, "Error parsing query", f"QueryParserError: Encountered unexpected text at {pos}")
        quoted, lpar, rpar, comma, op, word = match.groups()
        if quoted is not None:
            out.append(("str", quoted.replace("''", "'").replace("\\'", "'")))
        elif lpar:
            out.append(("(", lpar))
        elif rpar:
            out.append((")", rpar))
        elif comma:
            out.append((",", comma))
        elif op:
            out.append(("op", op))
        else:
            out.append(("word", word))
        pos = match.end()
    return out


def parse_query(text):
    """The SELECT subset QuickBooks accepts: one entity, AND-ed conditions, ORDERBY, paging."""
    toks = _tokens(text)

    def word(i):
        return toks[i][1].upper() if i < len(toks) and toks[i][0] == "word" else None

    if word(0) != "SELECT":
        raise Fault(4000, "Error parsing query", 'QueryParserError: Encountered "" at line 1, column 1')
    i = 1
    count = False
    if i < len(toks) and toks[i][1] == "*":
        i += 1
    elif word(i) == "COUNT(*)" or (word(i) == "COUNT" and i + 3 < len(toks)):
        count = True
        i += 1 if word(i) == "COUNT(*)" else 4
    else:
        while i < len(toks) and word(i) != "FROM":
            i += 1  # projections are ignored: QuickBooks returns every property
    if word(i) != "FROM":
        raise Fault(4000, "Error parsing query", "QueryParserError: FROM expected")
    entity = toks[i + 1][1]
    canonical = {name.lower(): name for name in (*ENTITIES, "CompanyInfo", "Preferences")}
    entity = canonical.get(entity.lower(), entity)
    i += 2
    where = []
    order = None
    start, size = 1, 100
    if word(i) == "WHERE":
        where, i = _parse_where(toks, i + 1)
    if word(i) in ("ORDERBY", "ORDER"):
        i += 1 if word(i) == "ORDERBY" else 2
        field = toks[i][1]
        i += 1
        descending = False
        if word(i) in ("ASC", "DESC"):
            descending = word(i) == "DESC"
            i += 1
        order = (field, descending)
    if word(i) == "STARTPOSITION":
        start = int(toks[i + 1][1])
        i += 2
    if word(i) == "MAXRESULTS":
        size = int(toks[i + 1][1])
        i += 2
    if i < len(toks):
        raise Fault(4000, "Error parsing query", f'QueryParserError: Encountered "{toks[i][1]}"')
    if size > 1000 or size < 1 or start < 1:
        raise Fault(4000, "Error parsing query", "QueryValidationError: MAXRESULTS must be 1 to 1000")
    return {"entity": entity, "count": count, "where": where, "order": order, "start": start, "max": size}


def _word(toks, i):
    return toks[i][1].upper() if i < len(toks) and toks[i][0] == "word" else None


def _parse_condition(toks, i):
    """One ``field op value`` (op: = < > <= >= != IN LIKE); return it and the next index."""
    if i >= len(toks) or toks[i][0] != "word":
        raise Fault(4000, "Error parsing query", "QueryParserError: condition expected")
    field = toks[i][1]
    i += 1
    if _word(toks, i) == "IN":
        if i + 1 >= len(toks) or toks[i + 1][0] != "(":
            raise Fault(4000, "Error parsing query", "QueryParserError: ( expected after IN")
        i += 2
        values = []
        while i < len(toks) and toks[i][0] != ")":
            if toks[i][0] != ",":
                values.append(_literal(toks[i]))
            i += 1
        return (field, "IN", values), i + 1
    if _word(toks, i) == "LIKE":
        return (field, "LIKE", _literal(toks[i + 1])), i + 2
    if i < len(toks) and toks[i][0] == "op" and i + 1 < len(toks):
        return (field, toks[i][1], _literal(toks[i + 1])), i + 2
    raise Fault(4000, "Error parsing query", f"QueryParserError: operator expected after {field}")


def _parse_where(toks, i):
    """AND-ed conditions (QuickBooks has no OR); return them and the next index."""
    where = []
    while True:
        condition, i = _parse_condition(toks, i)
        where.append(condition)
        if _word(toks, i) == "AND":
            i += 1
            continue
        if _word(toks, i) == "OR":
            raise Fault(4000, "Error parsing query", "QueryParserError: OR is not supported")
        return where, i


def _literal(tok):
    kind, value = tok
    if kind == "str":
        return value
    lowered = value.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    return value


def _field(doc, path):
    value = doc
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        key = next((k for k in value if k.lower() == part.lower()), None)
        value = value.get(key) if key else None
    if isinstance(value, dict) and "value" in value:
        return value["value"]
    return value


def _sort_key(value):
    if value is None:
        return (0, "")
    if isinstance(value, str):
        try:
            return (1, datetime.fromisoformat(value).timestamp())
        except ValueError:
            return (2, value.casefold())
    return (1, float(value))


def _coerce(actual, wanted):
    if isinstance(actual, bool):
        return actual, (wanted if isinstance(wanted, bool) else str(wanted).lower() == "true")
    if isinstance(actual, int | float | Decimal):
        return Decimal(str(actual)), Decimal(str(wanted))
    if isinstance(actual, str) and isinstance(wanted, str):
        try:
            return datetime.fromisoformat(actual), datetime.fromisoformat(wanted)
        except ValueError:
            pass
        if len(wanted) == 10 and len(actual) > 10:
            try:
                return datetime.fromisoformat(actual).date(), date.fromisoformat(wanted)
            except ValueError:
                pass
        return actual.casefold(), wanted.casefold()
    return actual, wanted


def _matches(actual, op, wanted):
    if op == "IN":
        return any(_matches(actual, "=", w) for w in wanted)
    if actual is None:
        return False
    if op == "LIKE":
        pattern = "^" + ".*".join(re.escape(p) for p in str(wanted).split("%")) + "$"
        return re.match(pattern, str(actual), re.I) is not None
    try:
        a, w = _coerce(actual, wanted)
        return {
            "=": a == w,
            "!=": a != w,
            "<": a < w,
            ">": a > w,
            "<=": a <= w,
            ">=": a >= w,
        }[op]
    except (TypeError, ValueError, ArithmeticError):
        return False
