"""Writing records: what a POST to a records collection (or a seed) makes, checked as Kashoo would.

A create body uses the wire names (the ``fields`` setting for lines and taxes). Ids are left
null or absent ([K-OLD]; a non-null id is refused unless ``ids_in_create`` is ``ignore``);
amounts are integer cents (anything else is refused); invoice and bill totals are computed from
their lines (``taxes.document``) and a given ``amount`` or ``totalDue`` must agree. A payment
pays one invoice or bill (``invoiceRecordId``/``billRecordId``) at most its balance.
"""

from datetime import date, timedelta
from decimal import Decimal

from . import taxes as tx
from .store import RECORD_KEYS, RequestError

DOCUMENTS = {"invoice": ("customer", "receivable", "sales"), "bill": ("vendor", "payable", "expenses")}
PAYMENTS = {"invoicePayment": ("invoice", "paid_invoice"), "billPayment": ("bill", "paid_bill")}
DUE_DAYS = 30


def whole_cents(value, field, required=True):
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise RequestError(f"{field}: amounts are whole numbers of cents, not {value!r}")
    return value


def day(value, field, default=None):
    """A ``yyyy-MM-dd`` date as that text (None gives ``default``); anything else is refused."""
    if value is None:
        return default
    try:
        if isinstance(value, str) and len(value) == 10:
            return date.fromisoformat(value).isoformat()
    except ValueError:
        pass
    raise RequestError(f"{field}: a date as yyyy-MM-dd")


def create(business, kind, body, *, keep_id=False, reuse_id=None):
    """Store a new record of ``kind`` from a wire body; returns the stored record.

    ``keep_id``: a seed's record keeps its id (and type); ``reuse_id``: a record saved back.
    """
    keep_id = keep_id or bool(reuse_id)
    if not isinstance(body, dict):
        raise RequestError("the body is a JSON object")
    settings = business.settings
    if body.get("id") is not None and not keep_id and settings.ids_in_create == "refuse":
        raise RequestError("id: leave ids null or absent to create")
    wire_type = settings.types.get(kind)
    if body.get("type") is not None and body["type"] != wire_type and not keep_id:
        raise RequestError(f"type: {body['type']!r} cannot be created here ({wire_type})")
    record = {key: None for key in RECORD_KEYS}
    record.update(
        kind=kind,
        type=wire_type,
        currency=body.get("currency") or business.currency,
        keepInOriginalCurrency=bool(body.get("keepInOriginalCurrency", False)),
        exchangePayment=bool(body.get("exchangePayment", False)),
        memo=body.get("memo"),
        poNumber=body.get("poNumber"),
        terms=body.get("terms"),
        removed=bool(body.get("removed", False)),
        readOnly=False,
        lines=[],
        tax_included=False,
        tax_totals={},
        ref=None,
    )
    record["date"] = day(body.get("date"), "date", business.today().isoformat())
    if kind in DOCUMENTS:
        _document(business, kind, body, record)
    elif kind in PAYMENTS:
        _payment(business, kind, body, record)
    else:
        raise RequestError(f"{kind} records cannot be created", status=405)
    record["id"] = reuse_id or business.next_id(body.get("id") if keep_id else None)
    business.records[record["id"]] = record
    return record


def _document(business, kind, body, record):
    field = business.settings.field
    role, account_role, line_role = DOCUMENTS[kind]
    contact = business.contact(body.get("contact"), role)
    lines = body.get(field("lines"))
    if not isinstance(lines, list) or not lines:
        raise RequestError(f"{field('lines')}: at least one line")
    record["lines"] = [_line(business, line, n, line_role) for n, line in enumerate(lines)]
    included = body.get(field("tax_included"), False)
    if not isinstance(included, bool):
        raise RequestError(f"{field('tax_included')}: true or false")
    totals = tx.document([(line["amount"], line["taxes"]) for line in record["lines"]], included, business.rates)
    for key in ("amount", "totalDue"):
        given = whole_cents(body.get(key), key, required=False)
        if given is not None and given != totals["total"]:
            raise RequestError(f"{key}: {given} does not agree with the lines ({totals['total']})")
    due = (date.fromisoformat(record["date"]) + timedelta(days=DUE_DAYS)).isoformat()
    record.update(
        contact=contact["id"],
        contactName=contact["name"],
        dueDate=day(body.get("dueDate"), "dueDate", due),
        amount=totals["total"],
        totalDue=totals["total"],
        balanceDue=totals["total"],
        account=business.account(body.get("account"), "account", account_role),
        tax_included=included,
        tax_totals=totals["taxes"],
    )
    # checked: now what the write changes besides the record
    for code in totals["taxes"]:
        business.tax_account(code)
    record["number"] = body.get("number")
    if record["number"] is None and kind == "invoice":
        business.numbers["invoice"] += 1
        record["number"] = str(business.numbers["invoice"])


def _line(business, line, n, default_role):
    field = business.settings.field
    where = f"{field('lines')}[{n}]"
    if not isinstance(line, dict):
        raise RequestError(f"{where}: a JSON object")
    quantity = line.get(field("line_quantity"), 1)
    if isinstance(quantity, bool) or not isinstance(quantity, int | Decimal):
        raise RequestError(f"{where}.{field('line_quantity')}: a number")
    unit_price = whole_cents(line.get(field("line_unit_price")), f"{where}.{field('line_unit_price')}", False)
    amount = whole_cents(line.get(field("line_amount")), f"{where}.{field('line_amount')}", unit_price is None)
    if unit_price is not None:
        computed = tx.line_amount(quantity, unit_price)
        if amount is not None and amount != computed:
            raise RequestError(f"{where}.{field('line_amount')}: {amount} is not quantity x unit price ({computed})")
        amount = computed
    codes = line.get(field("line_taxes")) or []
    if not isinstance(codes, list) or any(code not in business.rates for code in codes) or len(set(codes)) < len(codes):
        known = ", ".join(business.rates)
        raise RequestError(f"{where}.{field('line_taxes')}: a list of tax abbreviations among {known}")
    return {
        "description": line.get(field("line_description")) or "",
        "quantity": quantity,
        "unit_price": unit_price,
        "amount": amount,
        "account": business.account(line.get(field("line_account")), f"{where}.account", default_role),
        "taxes": list(codes),
    }


def _payment(business, kind, body, record):
    field = business.settings.field
    target_kind, ref_field = PAYMENTS[kind]
    ref_name = field(ref_field)
    target = business.records.get(body.get(ref_name))
    if target is None or target["kind"] != target_kind or target["removed"]:
        raise RequestError(f"{ref_name}: {body.get(ref_name)!r} is not a live {target_kind} of this business")
    contact = body.get("contact", target["contact"])
    if contact != target["contact"]:
        raise RequestError(f"contact: the {target_kind} belongs to contact {target['contact']}")
    amount = whole_cents(body.get("amount"), "amount")
    balance = business.balance(target)
    if amount <= 0 or amount > balance:
        raise RequestError(f"amount: {amount} is not between 1 and the balance due ({balance})")
    record.update(
        contact=contact,
        contactName=target["contactName"],
        amount=amount,
        totalDue=amount,
        balanceDue=0,
        depositAccount=business.account(body.get("depositAccount"), "depositAccount", "bank"),
        depositCurrency=record["currency"],
        ref=target["id"],
    )


def update(business, record, body):
    """A record saved back whole (PUT): the current record with the body's keys over it."""
    if not isinstance(body, dict):
        raise RequestError("the body is a JSON object")
    if body.get("id") not in (None, record["id"]):
        raise RequestError("id: the record's own id or none")
    if record["kind"] not in DOCUMENTS and record["kind"] not in PAYMENTS:
        record.update(removed=bool(body.get("removed", record["removed"])), memo=body.get("memo", record["memo"]))
        return record
    merged = {**as_body(business, record), **body, "id": record["id"], "type": None}
    old = business.records.pop(record["id"])  # a payment's own amount is free while it is checked
    try:
        new = create(business, record["kind"], merged, reuse_id=record["id"])
        if new["kind"] in DOCUMENTS and business.balance(new) < 0:
            raise RequestError(f"amount: {new['amount']} is less than what was paid on it")
        return new
    except RequestError:
        business.records[old["id"]] = old
        raise


def as_body(business, record):
    """A stored record as the create body that would make it again (lines always included)."""
    field = business.settings.field
    body = {key: record.get(key) for key in RECORD_KEYS if key not in ("type", "balanceDue", "contactName")}
    if record["kind"] in DOCUMENTS:
        body.pop("amount"), body.pop("totalDue")
        body[field("lines")] = [business.wire_line(line) for line in record["lines"]]
        body[field("tax_included")] = record["tax_included"]
    elif record.get("ref"):
        body[field(PAYMENTS[record["kind"]][1])] = record["ref"]
    return body


def insert_raw(business, doc):
    """A seeded record kept as given: a type the sandbox does not model, or one without lines."""
    settings = business.settings
    kind = settings.kind_of_type(doc.get("type"))
    record = {key: doc.get(key) for key in RECORD_KEYS}
    for key in ("amount", "totalDue"):
        record[key] = whole_cents(doc.get(key, record.get("amount")), key)
    record.update(
        kind=kind or f"unknown:{doc.get('type')}",
        removed=bool(doc.get("removed", False)),
        readOnly=bool(doc.get("readOnly", False)),
        date=day(doc.get("date"), "date"),
        dueDate=day(doc.get("dueDate"), "dueDate"),
        lines=[],
        tax_included=False,
        tax_totals={},
        ref=None,
        extra={key: value for key, value in doc.items() if key not in RECORD_KEYS},
    )
    record["id"] = business.next_id(doc.get("id"))
    business.records[record["id"]] = record
    return record
