"""The Wave ProviderAdapter: connector_base's interface over the client and the mappers.

What Wave's public API allows, per canonical kind, is ``WaveAdapter.capabilities``: customers
both ways, vendors read-only, no bills, bill payments or credit notes, money transactions
create-only (and only when the connection enables them). Reading is in ``reading``, finding a
write whose answer was lost in ``lookup``; writing and deleting are here.
"""

import time
from datetime import timedelta

from odoo.addons.connector_base.lib import errors
from odoo.addons.connector_base.lib.provider import ProviderAdapter

from . import mappers
from .lookup import LOST, UnverifiableWriteError, WaveLookup
from .reading import WaveReading

__all__ = ["WaveAdapter", "UnverifiableWriteError", "CAPABILITIES"]

#: a business's name and currency, kept this long in the process (one request per hour, not per job)
BUSINESS_TTL = 3600.0
_BUSINESS = {}


def _can(read=False, create=False, update=False, delete=False, incremental=False, note=""):
    return {
        "read": read,
        "create": create,
        "update": update,
        "delete": delete,
        "incremental": incremental,
        "push": False,  # Wave publishes no webhooks: every change is found by polling
        "note": note,
    }


#: per canonical kind, qualified by role or document type where Wave treats them differently
CAPABILITIES = {
    "account": _can(
        read=True,
        create=True,
        update=True,
        delete=True,
        note="Both ways; Wave archives accounts (no delete). Changes are found by a full read compared by sequence.",
    ),
    "tax": _can(
        read=True,
        create=True,
        delete=True,
        incremental=True,
        note="Sales taxes with their rates by date, compound and recoverable flags; new taxes can be created; "
        "an existing tax is changed in Wave only; archived, never deleted.",
    ),
    "party/customer": _can(read=True, create=True, update=True, delete=True, incremental=True),
    "party/vendor": _can(read=True, incremental=True, note="Vendors are read-only in Wave's public API."),
    "product": _can(
        read=True, create=True, update=True, delete=True, incremental=True, note="Both ways; archived, never deleted."
    ),
    "invoice/out_invoice": _can(
        read=True,
        create=True,
        update=True,
        delete=True,
        incremental=True,
        note="Created approved (or draft), approved, patched (all items replaced), deleted (without payments).",
    ),
    "invoice/out_refund": _can(note="Wave's public API has no credit notes."),
    "invoice/in_invoice": _can(note="Wave's public API has no bills."),
    "invoice/in_refund": _can(note="Wave's public API has no bills."),
    "payment/inbound": _can(
        read=True,
        create=True,
        update=True,
        delete=True,
        incremental=True,
        note="Manual payments on one invoice each, with deposit account, method and exchange rate; read "
        "through their invoices.",
    ),
    "payment/outbound": _can(note="Wave's public API has no bill payments."),
    "journal_entry": _can(
        create=True,
        note="Create-only money transactions (Wave BETA), only when the connection enables them; Wave cannot "
        "read them back, change or delete them.",
    ),
}


class WaveAdapter(WaveReading, WaveLookup, ProviderAdapter):
    readable_kinds = ("account", "tax", "party", "product", "invoice", "payment")
    #: a customer and a vendor are two Wave records: a partner is bound once per role
    party_roles_separate = True
    capabilities = CAPABILITIES

    def __init__(
        self,
        client,
        *,
        generic_product=None,
        deposit_account=None,
        income_account=None,
        payment_method="UNSPECIFIED",
        money_transactions=False,
        conflict_policy="manual",
        overlap_seconds=1.0,
        lookup_depth=200,
        known_fields_only=False,
    ):
        self.client = client
        self.generic_product = generic_product
        self.deposit_account = deposit_account
        self.income_account = income_account
        self.payment_method = payment_method
        self.money_transactions = money_transactions
        self.conflict_policy = conflict_policy
        self.overlap = timedelta(seconds=overlap_seconds)
        self.lookup_depth = lookup_depth
        self.known_fields_only = known_fields_only
        self.writable_kinds = ("account", "tax", "party", "product", "invoice", "payment") + (
            ("journal_entry",) if money_transactions else ()
        )
        self._counts = {}
        self._cache = {}

    @classmethod
    def can(cls, kind, action, variant=None):
        """Whether Wave allows ``action`` on ``kind`` (``variant``: a role or a move/payment type)."""
        entry = cls.capabilities.get(f"{kind}/{variant}") or cls.capabilities.get(kind)
        if entry is None:
            entries = [v for k, v in cls.capabilities.items() if k.startswith(f"{kind}/")]
            return any(e.get(action) for e in entries)
        return bool(entry.get(action))

    # ------------------------------------------------------------------ the business
    def business(self, fresh=False):
        key = (self.client.api_url, self.client.business_id)
        cached = _BUSINESS.get(key)
        if fresh or not cached or cached[0] < time.monotonic():
            cached = _BUSINESS[key] = (time.monotonic() + BUSINESS_TTL, self.client.business())
        return cached[1]

    @property
    def business_currency(self):
        return (self.business().get("currency") or {}).get("code")

    def test_connection(self):
        business = self.business(fresh=True)
        return f"{business.get('name')} ({(business.get('currency') or {}).get('code')})"

    def reference_lists(self):
        return {"payment_method": [(code, label, {}) for code, label in mappers.PAYMENT_METHODS.items()]}

    def _memo(self, key, load):
        if key not in self._cache:
            self._cache[key] = load()
        return self._cache[key]

    def _tax_rate(self, tax_id, on_date):
        taxes = self._memo(
            "taxes",
            lambda: {
                node["id"]: node
                for archived in (False, True)
                for node in self.client.all_pages("SalesTaxes", "salesTaxes", isArchived=archived)
            },
        )
        if tax_id not in taxes:
            raise errors.PayloadValidationError(f"Wave has no sales tax {tax_id}")
        return mappers.rate_on(taxes[tax_id].get("rates"), on_date), bool(taxes[tax_id].get("isCompound"))

    def _anchor_accounts(self):
        def load():
            subtypes = mappers.MONEY_SUBTYPES
            return {n["id"] for n in self._accounts() if (n.get("subtype") or {}).get("value") in subtypes}

        return self._memo("anchors", load)

    def _income_account(self):
        if not self.income_account:
            nodes, _info = self.client.page("Accounts", "accounts", page_size=1, isArchived=False, subtypes=["INCOME"])
            if not nodes:
                raise errors.MappingMissingError(
                    "Wave has no income account for new products: set the connection's income account",
                    mapping_model="connector.account.mapping",
                    external_id="income",
                )
            self.income_account = nodes[0]["id"]
        return self.income_account

    # ------------------------------------------------------------------ reading one record
    def read(self, kind, external_id):
        if kind == "party":
            wave_kind = mappers.id_kind(external_id)
            if wave_kind == "Vendor":
                return self._canonical(
                    kind, mappers.vendor_to_canonical(self.client.one("Vendor", "vendor", external_id))
                )
            try:
                record = mappers.customer_to_canonical(self.client.one("Customer", "customer", external_id))
            except errors.NotFoundError:
                if wave_kind == "Customer":
                    raise
                record = mappers.vendor_to_canonical(self.client.one("Vendor", "vendor", external_id))
            return self._canonical(kind, record)
        readers = {
            "product": ("Product", "product", mappers.product_to_canonical),
            "account": ("Account", "account", mappers.account_to_canonical),
            "tax": ("SalesTax", "salesTax", mappers.tax_to_canonical),
            "invoice": ("Invoice", "invoice", mappers.invoice_to_canonical),
            "payment": ("InvoicePayment", "invoicePayment", mappers.payment_to_canonical),
        }
        if kind not in readers:
            raise errors.PayloadValidationError(f"Wave cannot read {kind} records back")
        name, field, mapper = readers[kind]
        return self._canonical(kind, mapper(self.client.one(name, field, external_id)))

    # ------------------------------------------------------------------ writing
    def write(self, kind, record, *, external_id=None, version=None, reference, idempotency_key=None):
        """Create or update; return (Wave id, version: modifiedAt, an account's sequence)."""
        if kind not in self.writable_kinds:
            if kind == "journal_entry":
                raise errors.PayloadValidationError(
                    "Journal entries go to Wave as money transactions only when the connection enables them"
                )
            raise errors.PayloadValidationError(f"Wave does not take {kind} records from Odoo")
        if external_id and kind in ("invoice", "payment") and record.get("state") == "void":
            self.delete(kind, external_id)  # Wave has no void: a cancelled invoice or payment is deleted
            return external_id, None
        if not external_id:
            found = LOST.found_before(self._key(reference), lambda: self.find_by_reference(kind, reference))
            if found:  # an earlier create lost its answer, and made the record
                return found
        return getattr(self, f"_write_{kind}")(record, external_id, version, reference)

    def _key(self, reference):
        return (self.client.api_url, self.client.business_id, reference)

    def _create(self, kind, name, field, data, reference, scoped=True):
        if scoped:
            data = {"businessId": self.client.business_id, **data}
        key = self._key(reference)
        LOST.remember(key, (kind, data))
        with LOST.creating(key):
            return self.client.mutate(name, data)[field]

    def _patch(self, name, field, external_id, data):
        return self.client.mutate(name, {"id": external_id, **data})[field]

    def _write_party(self, record, external_id, version, reference):
        if external_id and mappers.id_kind(external_id) == "Vendor":
            raise errors.PayloadValidationError("Wave's vendors are read-only in its public API")
        data = mappers.customer_from_canonical(record, creating=not external_id, reference=reference)
        if external_id:
            node = self._patch("CustomerPatch", "customer", external_id, data)
        else:
            node = self._create("party", "CustomerCreate", "customer", data, reference)
        return node["id"], node["modifiedAt"]

    def _write_product(self, record, external_id, version, reference):
        needs_default = not record.get("income_account") and not record.get("expense_account")
        data = mappers.product_from_canonical(record, income_account=self._income_account() if needs_default else None)
        if external_id:
            node = self._patch("ProductPatch", "product", external_id, data)
        else:
            node = self._create("product", "ProductCreate", "product", data, reference)
        if record.get("active") is False and not node.get("isArchived"):
            node = self.client.mutate("ProductArchive", {"id": node["id"]})["product"]
        return node["id"], node["modifiedAt"]

    def _write_account(self, record, external_id, version, reference):
        data = mappers.account_from_canonical(record, creating=not external_id)
        if not external_id:
            node = self._create("account", "AccountCreate", "account", data, reference)
        else:
            try:
                node = self._patch("AccountPatch", "account", external_id, {"sequence": int(version or 0), **data})
            except errors.StaleObjectError as exc:
                current = self.client.one("Account", "account", external_id)
                if self.conflict_policy != "odoo":
                    raise errors.ConflictError(
                        f"Wave account {current.get('name')} changed since the last sync (sequence {version} -> "
                        f"{current.get('sequence')}): {exc}",
                        details={"remote_version": str(current.get("sequence"))},
                    ) from None
                node = self._patch("AccountPatch", "account", external_id, {"sequence": current["sequence"], **data})
        if record.get("active") is False and not node.get("isArchived"):
            self.client.mutate("AccountArchive", {"id": node["id"]})
            node = self.client.one("Account", "account", node["id"])
        return node["id"], str(node["sequence"])

    def _write_tax(self, record, external_id, version, reference):
        if not external_id:
            node = self._create("tax", "SalesTaxCreate", "salesTax", mappers.tax_from_canonical(record), reference)
        elif record.get("active") is False:
            node = self.client.mutate("SalesTaxArchive", {"id": external_id})["salesTax"]
        else:
            raise errors.PayloadValidationError(
                f"Tax {record.get('name')}: an existing Wave sales tax is changed in Wave (its rates by date), "
                "not from Odoo"
            )
        return node["id"], node["modifiedAt"]

    def _write_invoice(self, record, external_id, version, reference):
        data = mappers.invoice_from_canonical(
            record,
            creating=not external_id,
            reference=reference,
            generic_product=self.generic_product,
            tax_rate=self._tax_rate,
        )
        if not external_id:
            node = self._create("invoice", "InvoiceCreate", "invoice", data, reference)
        else:
            node = self._patch("InvoicePatch", "invoice", external_id, data)
            if record.get("state", "posted") == "posted" and node.get("status") == "DRAFT":
                node = self.client.mutate("InvoiceApprove", {"invoiceId": external_id})["invoice"]
        return node["id"], node["modifiedAt"]

    def _write_payment(self, record, external_id, version, reference):
        data = mappers.payment_from_canonical(
            record,
            creating=not external_id,
            reference=reference,
            deposit_account=self.deposit_account,
            method=self.payment_method,
        )
        if external_id:
            node = self._patch("InvoicePaymentPatch", "invoicePayment", external_id, data)
        else:
            node = self._create("payment", "InvoicePaymentCreateManual", "invoicePayment", data, reference, False)
        return node["id"], node["modifiedAt"]

    def _write_journal_entry(self, record, external_id, version, reference):
        if external_id:
            raise errors.PayloadValidationError(
                "Wave's money transactions are create-only: change or reverse this entry in Wave itself"
            )
        data = mappers.money_transaction_from_canonical(
            record, reference=reference, anchors=self._anchor_accounts(), currency=self.business_currency
        )
        answer = self._create("journal_entry", "MoneyTransactionCreate", "transaction", data, reference)
        return answer["id"], None

    # ------------------------------------------------------------------ deleting
    DELETES = {
        "party": ("CustomerDelete", "id"),
        "product": ("ProductArchive", "id"),
        "account": ("AccountArchive", "id"),
        "tax": ("SalesTaxArchive", "id"),
        "invoice": ("InvoiceDelete", "invoiceId"),
        "payment": ("InvoicePaymentDelete", "id"),
    }

    def delete(self, kind, external_id, version=None):
        """Delete a customer, an invoice (without payments) or a payment; archive a product,
        an account or a sales tax (Wave deletes none of those)."""
        if kind == "party" and mappers.id_kind(external_id) == "Vendor":
            raise errors.PayloadValidationError("Wave's vendors are read-only in its public API")
        if kind == "journal_entry":
            raise errors.PayloadValidationError(
                "Wave's API cannot delete a money transaction (they are create-only): delete it in Wave by hand, "
                "then resolve this row"
            )
        if kind not in self.DELETES:
            raise errors.PayloadValidationError(f"Wave cannot delete {kind} records")
        name, key = self.DELETES[kind]
        return self.client.mutate(name, {key: external_id})
