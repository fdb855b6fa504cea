"""Lists as Reckon One API v2 answers them: ``filter``, ``orderby``, then ``page``/``perpage``.

* ``filter={expression} {operator} {value}``, joined with ``and``/``or``, grouped with
  parentheses, negated with ``not``; operators ``eq ne gt ge lt le contains startswith endswith
  anyOf``; functions ``tolower toupper trim length year month day``. A field is one the record
  type has in the document (``Resource.FIELDS``, any case; ``customer.name`` reaches inside);
  any other is a 400. Strings compare case-sensitively; a value compared with a date field is
  read as a date (``2026-01-01`` or ``"2026-01-01T00:00:00Z"``).
* ``orderby=name, status desc``.
* Paging after both: ``page`` (1) and ``perpage`` (10, at most ``max_perpage``); the answer's
  ``X-Total-Count`` and ``Link`` (first, prev, next, last) headers describe it.
"""

import math
import re
import urllib.parse
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from .store import invalid

TOKEN = re.compile(r"""\s*(?:('(?:[^']|'')*'|"(?:[^"]|"")*")|(\(|\)|,)|([^\s(),'"]+))""")
OPERATORS = {"eq", "ne", "gt", "ge", "lt", "le", "contains", "startswith", "endswith", "anyof"}
FUNCTIONS = {"tolower", "toupper", "trim", "length", "year", "month", "day"}


def _tokens(text):
    tokens, pos = [], 0
    while pos < len(text):
        match = TOKEN.match(text, pos)
        if not match or match.end() == pos:
            if text[pos:].strip():
                raise invalid("filter", f"Cannot read the filter near '{text[pos:pos + 20]}'.")
            break
        quoted, punct, word = match.groups()
        if quoted:
            tokens.append(("str", quoted[1:-1].replace(quoted[0] * 2, quoted[0])))
        elif punct:
            tokens.append(("punct", punct))
        elif word:
            tokens.append(("word", word))
        pos = match.end()
    return tokens


class _Parser:
    def __init__(self, text, fields):
        self.tokens = _tokens(text)
        self.fields = {f.lower(): f for f in fields}
        self.i = 0

    def peek(self, value=None):
        if self.i >= len(self.tokens):
            return None
        kind, text = self.tokens[self.i]
        if value is not None:
            return text if text.lower() == value and kind != "str" else None
        return self.tokens[self.i]

    def take(self):
        if self.i >= len(self.tokens):
            raise invalid("filter", "The filter ends too early.")
        self.i += 1
        return self.tokens[self.i - 1]

    def parse(self):
        tree = self.or_expr()
        if self.i != len(self.tokens):
            raise invalid("filter", f"Unexpected '{self.tokens[self.i][1]}' in the filter.")
        return tree

    def or_expr(self):
        node = self.and_expr()
        while self.peek("or"):
            self.take()
            node = ("or", node, self.and_expr())
        return node

    def and_expr(self):
        node = self.unary()
        while self.peek("and"):
            self.take()
            node = ("and", node, self.unary())
        return node

    def unary(self):
        if self.peek("not"):
            self.take()
            return ("not", self.unary())
        if self.peek("("):
            self.take()
            node = self.or_expr()
            if not self.peek(")"):
                raise invalid("filter", "A parenthesis is not closed.")
            self.take()
            return node
        operand = self.operand()
        negate = bool(self.peek("not")) and bool(self.take())
        kind, op = self.take()
        if kind != "word" or op.lower() not in OPERATORS:
            raise invalid("filter", f"'{op}' is not a filter operator.")
        value = self.values() if op.lower() == "anyof" else self.value()
        node = ("cmp", op.lower(), operand, value)
        return ("not", node) if negate else node

    def operand(self):
        kind, word = self.take()
        if kind != "word":
            raise invalid("filter", f"A field was expected, not '{word}'.")
        if word.lower() in FUNCTIONS and self.peek("("):
            self.take()
            inner = self.operand()
            if not self.peek(")"):
                raise invalid("filter", f"{word}() takes one field.")
            self.take()
            return ("fn", word.lower(), inner)
        path = word.split(".")
        field = self.fields.get(path[0].lower())
        if field is None:
            raise invalid("filter", f"'{path[0]}' is not a field that can be filtered here.")
        return ("field", [field, *path[1:]])

    def value(self):
        kind, text = self.take()
        if kind == "str":
            return text
        if kind != "word":
            raise invalid("filter", f"A value was expected, not '{text}'.")
        lowered = text.lower()
        if lowered in ("true", "false"):
            return lowered == "true"
        if lowered == "null":
            return None
        try:
            return Decimal(text)
        except InvalidOperation:
            return text  # a bare date, read against the field

    def values(self):
        if not self.peek("("):
            raise invalid("filter", "anyOf takes a list in parentheses.")
        self.take()
        out = [self.value()]
        while self.peek(","):
            self.take()
            out.append(self.value())
        if not self.peek(")"):
            raise invalid("filter", "The anyOf list is not closed.")
        self.take()
        return out


def _moment(value):
    text = str(value).strip()
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _resolve(doc, operand):
    kind = operand[0]
    if kind == "field":
        value = doc
        for key in operand[1]:
            if not isinstance(value, dict):
                return None, False
            match = next((k for k in value if k.lower() == key.lower()), None)
            value = value.get(match) if match else None
        return value, "date" in operand[1][-1].lower()
    value, is_date = _resolve(doc, operand[2])
    name = operand[1]
    if value is None:
        return None, False
    if name in ("tolower", "toupper", "trim", "length"):
        text = str(value)
        return {"tolower": text.lower(), "toupper": text.upper(), "trim": text.strip(), "length": len(text)}[
            name
        ], False
    moment = _moment(value)
    return (getattr(moment, name) if moment else None), False


def _compare(op, actual, wanted, is_date):
    if op == "anyof":
        return any(_compare("eq", actual, w, is_date) for w in wanted)
    if is_date and wanted is not None:
        actual, wanted = _moment(actual) if actual is not None else None, _moment(wanted)
        if wanted is None:
            raise invalid("filter", "A date was expected.")
    elif isinstance(actual, int | float | Decimal) and not isinstance(actual, bool) and isinstance(wanted, Decimal):
        actual = Decimal(str(actual))
    if op in ("eq", "ne"):
        return (actual == wanted) == (op == "eq")
    if actual is None or wanted is None:
        return False
    if op in ("contains", "startswith", "endswith"):
        text, part = str(actual), str(wanted)
        return {"contains": part in text, "startswith": text.startswith(part), "endswith": text.endswith(part)}[op]
    try:
        return {"gt": actual > wanted, "ge": actual >= wanted, "lt": actual < wanted, "le": actual <= wanted}[op]
    except TypeError:
        raise invalid("filter", f"'{wanted}' cannot be compared with this field.") from None


def _matches(doc, node):
    kind = node[0]
    if kind == "and":
        return _matches(doc, node[1]) and _matches(doc, node[2])
    if kind == "or":
        return _matches(doc, node[1]) or _matches(doc, node[2])
    if kind == "not":
        return not _matches(doc, node[1])
    _cmp, op, operand, wanted = node
    actual, is_date = _resolve(doc, operand)
    return _compare(op, actual, wanted, is_date)


def _sort_key(value):
    if value is None:
        return (1, 0, "")
    if isinstance(value, bool):
        return (0, 0, str(value))
    if isinstance(value, int | float | Decimal):
        return (0, 1, Decimal(str(value)))
    moment = _moment(value) if isinstance(value, str) and len(value) >= 10 and value[4:5] == "-" else None
    return (0, 2, moment) if moment else (0, 3, str(value).lower())


def listing(docs, query_value, fields, max_perpage=100):
    """``(page of docs, total, page, perpage)`` after filter, orderby and paging."""
    text = query_value("filter")
    if text:
        tree = _Parser(text, fields).parse()
        docs = [doc for doc in docs if _matches(doc, tree)]
    order = query_value("orderby")
    if order:
        known = {f.lower(): f for f in fields}
        for clause in reversed([c.strip() for c in order.split(",") if c.strip()]):
            name, _sep, direction = clause.partition(" ")
            field = known.get(name.lower())
            if field is None or direction.strip().lower() not in ("", "asc", "desc"):
                raise invalid("orderby", f"Cannot order by '{clause}'.")
            docs = sorted(docs, key=lambda d, f=field: _sort_key(d.get(f)), reverse=direction.strip().lower() == "desc")
    try:
        page = int(query_value("page") or 1)
        perpage = int(query_value("perpage") or 10)
    except ValueError:
        raise invalid("page", "page and perpage must be whole numbers.") from None
    if page < 1 or perpage < 1:
        raise invalid("page", "page and perpage must be at least 1.")
    perpage = min(perpage, max_perpage)
    return docs[(page - 1) * perpage : page * perpage], len(docs), page, perpage


def paging_headers(base_url, pairs, total, page, perpage):
    """``X-Total-Count`` and ``Link`` (first, prev, next, last) for a page."""
    last = max(1, math.ceil(total / perpage))
    kept = [(k, v) for k, v in pairs if k.lower() not in ("page", "perpage", "subscription-key")]

    def url(number):
        return f"{base_url}?" + urllib.parse.urlencode([*kept, ("page", number), ("perPage", perpage)])

    links = [(1, "first")]
    if page > 1:
        links.append((min(page - 1, last), "prev"))
    if page < last:
        links.append((page + 1, "next"))
    links.append((last, "last"))
    return {"X-Total-Count": str(total), "Link": ", ".join(f'<{url(n)}>; rel="{rel}"' for n, rel in links)}
