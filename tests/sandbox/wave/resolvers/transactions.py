"""moneyTransactionCreate / moneyTransactionsCreate: create-only; no query reads a transaction back."""

from decimal import Decimal

from ..store import InputErrors, input_error
from .mutate import mutation, positive

ANCHOR_SUBTYPES = {"CASH_AND_BANK", "MONEY_IN_TRANSIT", "CREDIT_CARD", "LOANS"}


def _transaction(business, data, path):
    """A checked transaction record; every error's path starts with ``path``."""
    if business.doc["isClassicAccounting"]:
        raise InputErrors(
            input_error(path or ["businessId"], "Money transactions need Wave's new accounting.", "INVALID")
        )
    anchor = data["anchor"]
    account = business.get("Account", anchor["accountId"], [*path, "anchor", "accountId"])
    if account["subtype"] not in ANCHOR_SUBTYPES:
        raise InputErrors(
            input_error([*path, "anchor", "accountId"], "The anchor must be a bank, cash or card account.")
        )
    amount = positive(anchor["amount"], [*path, "anchor", "amount"], "Amount")
    if not data["lineItems"]:
        raise InputErrors(input_error([*path, "lineItems"], "A transaction needs at least one line item.", "REQUIRED"))
    lines = []
    for index, item in enumerate(data["lineItems"]):
        where = [*path, "lineItems", index]
        line = {
            "account": business.get("Account", item["accountId"], [*where, "accountId"])["n"],
            "amount": positive(item["amount"], [*where, "amount"], "Amount"),
            "balance": item.get("balance") or "INCREASE",
            "customer": business.get("Customer", item["customerId"], [*where, "customerId"])["n"]
            if item.get("customerId")
            else None,
            "description": item.get("description"),
            "taxes": [
                {
                    "salesTax": business.get("SalesTax", t["salesTaxId"], [*where, "taxes", i, "salesTaxId"])["n"],
                    "amount": Decimal(t["amount"]),
                }
                for i, t in enumerate(item.get("taxes") or [])
            ],
        }
        lines.append(line)
    if sum(line["amount"] for line in lines) != amount:
        raise InputErrors(
            input_error([*path, "lineItems"], "The line items must add up to the anchor amount.", "INVALID")
        )
    return {
        "externalId": data["externalId"],
        "date": data["date"],
        "description": data["description"],
        "notes": data.get("notes"),
        "anchor": {"account": account["n"], "amount": amount, "direction": anchor["direction"]},
        "lineItems": lines,
    }


def _answer(business, record):
    stored = business.add("Transaction", record)
    return {"id": business.ref("Transaction", stored["n"])}


@mutation("transaction")
def money_transaction_create(info, data):
    business = info.context.business_for(data["businessId"], ["businessId"])
    return {"transaction": _answer(business, _transaction(business, data, []))}


@mutation("transactions")
def money_transactions_create(info, data):
    business = info.context.business_for(data["businessId"], ["businessId"])
    records = [_transaction(business, item, ["transactions", index]) for index, item in enumerate(data["transactions"])]
    return {"transactions": [_answer(business, record) for record in records]}  # all or none


MUTATIONS = {"moneyTransactionCreate": money_transaction_create, "moneyTransactionsCreate": money_transactions_create}
