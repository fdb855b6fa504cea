"""Bills and journals: the sandbox's documented extension (not in the 2022 v2 document).

Reckon One has both (help centre, v1 API, v2 portal); the v2 document the sandbox is held to
does not. The sandbox serves them under the v2 base with v2 conventions (``{"list": [...]}``,
paging, ``filter``/``orderby``, ``{id}`` on create, 204 on update and delete, v2 error bodies)
and the **v1 field names** PROVIDERS.md §4.3 lists. ``SCHEMAS``/``OPERATIONS`` are what the
contract checks them against; ``README.md`` lists each choice with its source. A book without
the extension (``/_sandbox/book {"extension": false}``) answers 403, as for a missing plan.
"""

from datetime import date, datetime
from decimal import Decimal

from .records import Resource
from .store import ZERO_MONEY, invalid, money, new_id, parse_datetime

#: v1 integer enums (sandbox's reading: the v2 enum order; Overdue is 3 as in v1 invoice OData)
TAX_STATUS = {0: "NonTaxed", 1: "Inclusive", 2: "Exclusive"}
BILL_DRAFT, BILL_APPROVED, BILL_OVERDUE, BILL_PAID = 1, 2, 3, 4


def _object(properties, required=()):
    return {"type": "object", "properties": properties, "required": list(required), "additionalProperties": False}


S, N, B = {"type": "string"}, {"type": "number"}, {"type": "boolean"}
BILL_LINE_IN = _object(
    {"AccountingCategoryID": S, "Description": S, "Amount": N, "TaxGroupID": S, "TaxAmount": N},
    ("AccountingCategoryID", "Amount"),
)
BILL_LINE = _object(dict(BILL_LINE_IN["properties"], LineID=S), ("LineID", "AccountingCategoryID", "Amount"))
BILL_IN = _object(
    {
        "AccountsPayableCategoryID": S,
        "BillNumber": S,
        "BillDate": S,
        "DueDate": S,
        "CustomerID": S,
        "Reference": S,
        "Notes": S,
        "AmountTaxStatus": {"enum": list(TAX_STATUS)},
        "LineItems": {"type": "array", "items": BILL_LINE_IN, "minItems": 1},
    },
    ("BillDate", "CustomerID", "LineItems"),
)
BILL = _object(
    dict(
        BILL_IN["properties"],
        BillID=S,
        CustomerName=S,
        BillAmount=N,
        TaxAmount=N,
        Balance=N,
        Status={"enum": [BILL_DRAFT, BILL_APPROVED, BILL_OVERDUE, BILL_PAID]},
        IsOverdue=B,
        LineItems={"type": "array", "items": BILL_LINE},
        lastModifiedDateTime=S,
    ),
    ("BillID", "BillNumber", "BillDate", "CustomerID", "BillAmount", "Balance", "Status", "IsOverdue"),
)
JOURNAL_LINE = _object(
    {"AccountingCategoryId": S, "Debit": N, "Credit": N, "TaxGroupId": S, "Narration": S, "ContactId": S},
    ("AccountingCategoryId",),
)
JOURNAL_IN = _object(
    {
        "JournalNumber": S,
        "JournalDate": S,
        "Summary": S,
        "AmountTaxStatus": {"enum": list(TAX_STATUS)},
        "Transactions": {"type": "array", "items": JOURNAL_LINE, "minItems": 2},
    },
    ("JournalDate", "Transactions"),
)
JOURNAL = _object(
    dict(JOURNAL_IN["properties"], JournalID=S, Status={"enum": ["Posted"]}, lastModifiedDateTime=S),
    ("JournalID", "JournalNumber", "JournalDate", "Status", "Transactions"),
)


def _operations(collection, key, item_schema, input_schema, extra=()):
    def answer(status, schema=None):
        return {"content": {"application/json": {"schema": schema}}} if schema else {}

    error = {"$ref": "#/components/schemas/ErrorResponse"}
    errors = {c: answer(c, error) for c in (400, 401, 403, 404)}
    body = {"content": {"application/json": {"schema": input_schema}}}
    listing = _object({"list": {"type": "array", "items": item_schema}})
    created = {"$ref": "#/components/schemas/IdResponse"}
    ops = {
        ("GET", f"/{{bookId}}/{collection}"): {"responses": {200: answer(200, listing), **errors}},
        ("POST", f"/{{bookId}}/{collection}"): {
            "requestBody": body,
            "responses": {201: answer(201, created), **errors},
        },
        ("GET", f"/{{bookId}}/{collection}/{{{key}}}"): {"responses": {200: answer(200, item_schema), **errors}},
        ("PUT", f"/{{bookId}}/{collection}/{{{key}}}"): {"requestBody": body, "responses": {204: {}, **errors}},
        ("DELETE", f"/{{bookId}}/{collection}/{{{key}}}"): {"responses": {204: {}, **errors}},
    }
    for method, suffix in extra:
        ops[(method, f"/{{bookId}}/{collection}/{{{key}}}/{suffix}")] = {"responses": {204: {}, **errors}}
    return ops


OPERATIONS = {
    **_operations("bills", "billId", BILL, BILL_IN, extra=(("POST", "approve"),)),
    **_operations("journals", "journalId", JOURNAL, JOURNAL_IN),
}


def _v1_date(value, location):
    return parse_datetime(value, location).strftime("%Y-%m-%dT%H:%M:%S+00:00")


class Bills(Resource):
    table, entity, prefix, key = "bills", "Bill", "BIL", "BillID"
    FIELDS = tuple(BILL["properties"])
    INPUT = tuple(BILL_IN["properties"])
    extension = True

    def build(self, book, body, old=None):
        self.require(body, "BillDate", "CustomerID")
        supplier = book.find("contacts", body["CustomerID"], "CustomerID")
        if not supplier["entityTypes"].get("isSupplier"):
            raise invalid("CustomerID", f"'{supplier['name']}' is not a supplier.")
        if body.get("AccountsPayableCategoryID"):
            payable = book.find("ledgeraccounts", body["AccountsPayableCategoryID"], "AccountsPayableCategoryID")
        else:
            payable = next(
                (
                    a
                    for a in book.table("ledgeraccounts").values()
                    if a["accountType"] == "CurrentLiability_AccountsPayable"
                ),
                None,
            )
        tax_status = body.get("AmountTaxStatus", 2)
        if tax_status not in TAX_STATUS:
            raise invalid("AmountTaxStatus", f"'{tax_status}' is not one of 0, 1, 2.")
        doc = {
            "BillID": (old or {}).get("BillID") or new_id(),
            "CustomerID": supplier["id"],
            "CustomerName": supplier["name"],
        }
        doc["BillNumber"] = body.get("BillNumber") or (old or {}).get("BillNumber") or book.next_number(self.prefix)
        doc["BillDate"] = _v1_date(body["BillDate"], "BillDate")
        doc["DueDate"] = _v1_date(body.get("DueDate") or body["BillDate"], "DueDate")
        if payable:
            doc["AccountsPayableCategoryID"] = payable["id"]
        self.copy_fields(body, ("Reference", "Notes"), doc)
        doc["AmountTaxStatus"] = tax_status
        lines = body.get("LineItems") or []
        if not lines:
            raise invalid("LineItems", "A bill needs at least one line.")
        on = parse_datetime(body["BillDate"], "BillDate").date()
        doc["LineItems"] = [self.line(book, line, n, TAX_STATUS[tax_status], on) for n, line in enumerate(lines)]
        amounts = sum((line["Amount"] for line in doc["LineItems"]), ZERO_MONEY)
        taxes = sum((line.get("TaxAmount", ZERO_MONEY) for line in doc["LineItems"]), ZERO_MONEY)
        doc["TaxAmount"] = taxes
        doc["BillAmount"] = amounts + taxes if tax_status == 2 else amounts
        doc["Balance"] = doc["BillAmount"] - (
            (old or {}).get("BillAmount", ZERO_MONEY) - (old or {}).get("Balance", ZERO_MONEY)
        )
        if doc["Balance"] < 0:
            raise invalid("LineItems", "The bill would be less than what is already paid.")
        doc["Status"] = (old or {}).get("Status") or BILL_DRAFT
        doc["lastModifiedDateTime"] = None
        return doc

    def line(self, book, line, n, tax_status, on):
        where = f"LineItems[{n}]"
        account = book.find("ledgeraccounts", line.get("AccountingCategoryID") or "", f"{where}.AccountingCategoryID")
        if line.get("Amount") is None:
            raise invalid(f"{where}.Amount", "The Amount field is required.")
        out = {"LineID": new_id(), "AccountingCategoryID": account["id"], "Amount": money(line["Amount"])}
        self.copy_fields(line, ("Description",), out)
        if line.get("TaxGroupID") and tax_status != "NonTaxed":
            group = book.find("taxgroups", line["TaxGroupID"], f"{where}.TaxGroupID")
            if group not in book.in_effect("taxgroups", on) or not group["useOnPurchases"]:
                raise invalid(f"{where}.TaxGroupID", f"The tax group '{group['name']}' cannot be used on purchases.")
            rate = Decimal(str(group["rate"]))
            amount = out["Amount"]
            tax = money(amount * rate / 100 if tax_status == "Exclusive" else amount * rate / (100 + rate))
            if line.get("TaxAmount") is not None and abs(money(line["TaxAmount"]) - tax) > money("0.01"):
                raise invalid(f"{where}.TaxAmount", f"Tax for line {n + 1} is incorrect")
            out["TaxGroupID"], out["TaxAmount"] = group["id"], money(line.get("TaxAmount", tax))
        return out

    def view(self, book, doc):
        out = super().view(book, doc)
        due = datetime.fromisoformat(doc["DueDate"]).date()
        out["IsOverdue"] = doc["Status"] in (BILL_APPROVED, BILL_OVERDUE) and doc["Balance"] > 0 and due < date.today()
        if out["IsOverdue"]:
            out["Status"] = BILL_OVERDUE
        return out

    def approve(self, book, doc):
        if doc["Status"] == BILL_DRAFT:
            doc["Status"] = BILL_PAID if doc["Balance"] == 0 else BILL_APPROVED

    def delete(self, book, doc):
        if doc["Balance"] != doc["BillAmount"]:
            raise invalid("BillID", f"{doc['BillNumber']} has payments and cannot be deleted.")
        book.remove(self.table, doc[self.key])


class Journals(Resource):
    table, entity, prefix, key = "journals", "Journal", "JNL", "JournalID"
    FIELDS = tuple(JOURNAL["properties"])
    INPUT = tuple(JOURNAL_IN["properties"])
    extension = True

    def build(self, book, body, old=None):
        self.require(body, "JournalDate")
        lines = body.get("Transactions") or []
        if len(lines) < 2:
            raise invalid("Transactions", "A journal needs at least two transactions.")
        doc = {"JournalID": (old or {}).get("JournalID") or new_id(), "Status": "Posted"}
        doc["JournalNumber"] = (
            body.get("JournalNumber") or (old or {}).get("JournalNumber") or book.next_number(self.prefix)
        )
        doc["JournalDate"] = _v1_date(body["JournalDate"], "JournalDate")
        self.copy_fields(body, ("Summary",), doc)
        doc["AmountTaxStatus"] = body.get("AmountTaxStatus", 0)
        debit = credit = ZERO_MONEY
        doc["Transactions"] = []
        for n, line in enumerate(lines):
            where = f"Transactions[{n}]"
            account = book.find(
                "ledgeraccounts", line.get("AccountingCategoryId") or "", f"{where}.AccountingCategoryId"
            )
            out = {"AccountingCategoryId": account["id"]}
            amounts = {k: money(line[k]) for k in ("Debit", "Credit") if line.get(k)}
            if len(amounts) != 1 or next(iter(amounts.values())) <= 0:
                raise invalid(where, f"Transaction {n + 1} needs either a Debit or a Credit above zero.")
            out.update(amounts)
            debit += amounts.get("Debit", ZERO_MONEY)
            credit += amounts.get("Credit", ZERO_MONEY)
            if line.get("TaxGroupId"):
                out["TaxGroupId"] = book.find("taxgroups", line["TaxGroupId"], f"{where}.TaxGroupId")["id"]
            if line.get("ContactId"):
                out["ContactId"] = book.find("contacts", line["ContactId"], f"{where}.ContactId")["id"]
            self.copy_fields(line, ("Narration",), out)
            doc["Transactions"].append(out)
        if debit != credit:
            raise invalid("Transactions", f"The journal does not balance: debits {debit}, credits {credit}.")
        doc["lastModifiedDateTime"] = None
        return doc
