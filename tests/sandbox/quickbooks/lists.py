"""The list rules of the QuickBooks company: ``ListRules``, mixed into ``store.Company``.

What a write of a list record meets: DisplayName unique across Customer, Vendor and Employee
(6240), built from the name parts when absent, without a colon, tab or new line, at most 500
characters; Name unique among items, accounts, terms and payment methods; item types and the
income account of a sales item; an account's Classification from its AccountType; and the
defaults QuickBooks fills (currency, Taxable, Balance, term type).
"""

from decimal import Decimal

from .common import ref_value
from .errors import Fault, business, required

ACCOUNT_CLASSIFICATION = {
    "Bank": "Asset",
    "Accounts Receivable": "Asset",
    "Other Current Asset": "Asset",
    "Fixed Asset": "Asset",
    "Other Asset": "Asset",
    "Accounts Payable": "Liability",
    "Credit Card": "Liability",
    "Other Current Liability": "Liability",
    "Long Term Liability": "Liability",
    "Equity": "Equity",
    "Income": "Revenue",
    "Other Income": "Revenue",
    "Cost of Goods Sold": "Expense",
    "Expense": "Expense",
    "Other Expense": "Expense",
}


class ListRules:
    """Validation and computed fields of customers, vendors, employees, items, accounts, terms
    and payment methods (``_prepare_<entity>``, called by ``Company._prepare``)."""

    def _check_display_name(self, entity, doc):
        name = (doc.get("DisplayName") or "").strip()
        if not name:
            parts = [doc.get(k) for k in ("Title", "GivenName", "MiddleName", "FamilyName", "Suffix")]
            name = " ".join(p for p in parts if p) or doc.get("CompanyName") or ""
        if not name:
            raise business(
                "You must fill out at least one of: Title, Given Name, Middle Name, Family Name, "
                "Suffix, Display Name or Company Name"
            )
        if ":" in name or "\t" in name or "\n" in name:
            raise business("Display name cannot contain a colon (:), a tab or a new line")
        if len(name) > 500:
            raise Fault(
                2050,
                "String length is either shorter or longer than supported by specification",
                "Min:0 Max:500 supported. Supplied length:" + str(len(name)),
                element="DisplayName",
            )
        holder = self._names.get(name.casefold())
        if holder and holder != (entity, str(doc.get("Id"))):
            raise Fault(
                6240,
                "Duplicate Name Exists Error",
                f"The name supplied already exists. : Another customer, vendor or employee is already "
                f"using this name (Id={holder[1]}). Please use a different name.",
            )
        doc["DisplayName"] = name
        doc.setdefault("PrintOnCheckName", doc.get("CompanyName") or name)
        doc["FullyQualifiedName"] = name

    def _prepare_customer(self, doc, old):
        self._check_display_name("Customer", doc)
        doc.setdefault("CurrencyRef", {"value": self.home_currency})
        doc.setdefault("Taxable", self.tax_mode == "us")
        doc.setdefault("Balance", Decimal(0))
        doc.setdefault("BalanceWithJobs", doc["Balance"])
        self._require_ref("Term", doc, "SalesTermRef")

    def _prepare_vendor(self, doc, old):
        self._check_display_name("Vendor", doc)
        doc.setdefault("CurrencyRef", {"value": self.home_currency})
        doc.setdefault("Balance", Decimal(0))
        self._require_ref("Term", doc, "TermRef")

    def _prepare_employee(self, doc, old):
        self._check_display_name("Employee", doc)

    def _unique_name(self, entity, doc, field="Name"):
        name = (doc.get(field) or "").strip()
        if not name:
            raise required(field)
        for other in self.docs[entity].values():
            if other["Id"] != doc.get("Id") and (other.get(field) or "").casefold() == name.casefold():
                raise Fault(
                    6240,
                    "Duplicate Name Exists Error",
                    f"The name supplied already exists. : Another {entity.lower()} is already using "
                    f"this name (Id={other['Id']}).",
                )
        doc[field] = name
        doc["FullyQualifiedName"] = name

    def _prepare_item(self, doc, old):
        self._unique_name("Item", doc)
        doc.setdefault("Type", "Service")
        if doc["Type"] not in ("Service", "Inventory", "NonInventory", "Group", "Category"):
            raise Fault(2170, "Invalid Enumeration", f"Invalid Item Type: {doc['Type']}", element="Type")
        for key in ("IncomeAccountRef", "ExpenseAccountRef", "AssetAccountRef"):
            self._require_ref("Account", doc, key)
        if doc["Type"] in ("Service", "NonInventory", "Inventory") and not ref_value(doc, "IncomeAccountRef"):
            raise business("Sales items must have an income account")

    def _prepare_account(self, doc, old):
        self._unique_name("Account", doc)
        kind = doc.get("AccountType")
        if kind not in ACCOUNT_CLASSIFICATION:
            raise Fault(2170, "Invalid Enumeration", f"Invalid AccountType: {kind}", element="AccountType")
        doc["Classification"] = ACCOUNT_CLASSIFICATION[kind]
        doc.setdefault("CurrencyRef", {"value": self.home_currency})
        doc.setdefault("CurrentBalance", Decimal(0))
        doc.setdefault("SubAccount", False)

    def _prepare_term(self, doc, old):
        self._unique_name("Term", doc)
        doc.setdefault("Type", "STANDARD")
        doc.setdefault("DueDays", 0)

    def _prepare_paymentmethod(self, doc, old):
        self._unique_name("PaymentMethod", doc)
