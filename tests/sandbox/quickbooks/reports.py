"""The sandbox's reports: TrialBalance, CustomerBalance and VendorBalance, shaped as Intuit's
Reports API answers them (``GET /v3/company/<realm>/reports/<name>``: a ``Header``, ``Columns``
and ``Rows.Row`` whose ``ColData`` carry ``value`` and, on a name column, ``id``; a last
``GrandTotal`` section with a ``Summary``).

They are computed from the company's documents with the postings QuickBooks makes (accrual
basis, home currency through each document's ExchangeRate):

==============  ==============================================  ===============================
document        debit                                           credit
==============  ==============================================  ===============================
Invoice         A/R (ARAccountRef or the A/R account): total    each line's item IncomeAccount;
                                                                tax to the sales tax payable
CreditMemo      the reverse of an invoice
Payment         DepositToAccountRef (else Undeposited Funds,    A/R: TotalAmt
                else the first bank account): TotalAmt
Bill            each line's AccountRef (or item ExpenseAccount) A/P (APAccountRef): total
                and the tax
VendorCredit    the reverse of a bill
BillPayment     A/P: TotalAmt                                   the bank or credit card account
JournalEntry    its Debit lines                                 its Credit lines
==============  ==============================================  ===============================

Assumption (no published worked example): the sales tax of a document posts to the first
account of sub-type SalesTaxPayable. ``start_date``/``end_date`` bound TxnDate (both optional,
as in QuickBooks); the balances are the period's movements.
"""

from datetime import date
from decimal import Decimal

from .store import CENT, dec, money, ref_value

SIGN = {"Invoice": 1, "CreditMemo": -1, "Bill": 1, "VendorCredit": -1}


def _amount(value):
    return "" if value is None else f"{Decimal(value).quantize(CENT)}"


class Books:
    """Postings of a company's documents, per account id (debit positive)."""

    def __init__(self, company, start=None, end=None):
        self.company = company
        self.start = date.fromisoformat(start) if start else None
        self.end = date.fromisoformat(end) if end else None
        self.balances = {}

    def account_of(self, sub_type=None, account_type=None):
        for doc in self.company.docs["Account"].values():
            if (sub_type and doc.get("AccountSubType") == sub_type) or (
                account_type and doc.get("AccountType") == account_type
            ):
                return str(doc["Id"])
        return None

    def post(self, account, amount):
        if account is None or not amount:
            return
        self.balances[str(account)] = self.balances.get(str(account), Decimal(0)) + amount

    def in_period(self, doc):
        txn = doc.get("TxnDate")
        if not txn:
            return True
        moment = date.fromisoformat(txn)
        return (self.start is None or moment >= self.start) and (self.end is None or moment <= self.end)

    def compute(self):
        docs = self.company.docs
        for entity in ("Invoice", "CreditMemo", "Bill", "VendorCredit", "Payment", "BillPayment", "JournalEntry"):
            for doc in docs[entity].values():
                if self.in_period(doc) and not doc.get("_voided"):
                    getattr(self, f"_{entity.lower()}")(entity, doc, dec(doc.get("ExchangeRate"), "1"))
        return self.balances

    def _home(self, amount, rate):
        return money(dec(amount) * rate)

    def _document(self, entity, doc, rate, *, sales):
        sign = SIGN[entity] * (1 if sales else -1)  # sales: the party's account is debited
        total = self._home(doc.get("TotalAmt"), rate)
        tax = self._home((doc.get("TxnTaxDetail") or {}).get("TotalTax"), rate)
        if sales:
            party = ref_value(doc, "ARAccountRef") or self.account_of(account_type="Accounts Receivable")
        else:
            party = ref_value(doc, "APAccountRef") or self.account_of(account_type="Accounts Payable")
        self.post(party, sign * total)
        self.post(self.account_of(sub_type="SalesTaxPayable"), -sign * tax)
        left, last = total - tax, None
        for line in doc.get("Line") or []:
            account = self._line_account(line)
            if account is None:
                continue
            amount = self._home(line.get("Amount"), rate)
            self.post(account, -sign * amount)
            left, last = left - amount, account
        self.post(last, -sign * left)  # tax-inclusive lines and rounding: the document balances

    def _line_account(self, line):
        detail = line.get(line.get("DetailType") or "") or {}
        if detail.get("AccountRef"):
            return ref_value(detail, "AccountRef")
        item = self.company.docs["Item"].get(str(ref_value(detail, "ItemRef")))
        if item is None:
            return None
        key = "IncomeAccountRef" if line.get("DetailType") == "SalesItemLineDetail" else "ExpenseAccountRef"
        return ref_value(item, key)

    def _invoice(self, entity, doc, rate):
        self._document(entity, doc, rate, sales=True)

    _creditmemo = _invoice

    def _bill(self, entity, doc, rate):
        self._document(entity, doc, rate, sales=False)

    _vendorcredit = _bill

    def _payment(self, entity, doc, rate):
        amount = self._home(doc.get("TotalAmt"), rate)
        deposit = ref_value(doc, "DepositToAccountRef") or self.account_of(sub_type="UndepositedFunds")
        self.post(deposit or self.account_of(account_type="Bank"), amount)
        self.post(ref_value(doc, "ARAccountRef") or self.account_of(account_type="Accounts Receivable"), -amount)

    def _billpayment(self, entity, doc, rate):
        amount = self._home(doc.get("TotalAmt"), rate)
        paid_from = ref_value(doc.get("CheckPayment") or {}, "BankAccountRef") or ref_value(
            doc.get("CreditCardPayment") or {}, "CCAccountRef"
        )
        self.post(ref_value(doc, "APAccountRef") or self.account_of(account_type="Accounts Payable"), amount)
        self.post(paid_from, -amount)

    def _journalentry(self, entity, doc, rate):
        for line in doc.get("Line") or []:
            detail = line.get("JournalEntryLineDetail") or {}
            sign = 1 if detail.get("PostingType") == "Debit" else -1
            self.post(ref_value(detail, "AccountRef"), sign * self._home(line.get("Amount"), rate))


def _header(company, name, start, end, column_type):
    header = {
        "Time": company.fmt(company.now()),
        "ReportName": name,
        "ReportBasis": "Accrual",
        "Currency": company.home_currency,
        "Option": [{"Name": "NoReportData", "Value": "false"}],
    }
    if start:
        header["StartPeriod"] = start
    if end:
        header["EndPeriod"] = end
    return {"Header": header}, column_type


def _report(company, name, start, end, column_type, columns, rows, totals):
    report, _ = _header(company, name, start, end, column_type)
    report["Columns"] = {"Column": [{"ColTitle": "", "ColType": column_type}] + columns}
    grand = {
        "Summary": {"ColData": [{"value": "TOTAL"}] + [{"value": _amount(t)} for t in totals]},
        "type": "Section",
        "group": "GrandTotal",
    }
    report["Rows"] = {"Row": rows + [grand]}
    return report


def trial_balance(company, start=None, end=None):
    """Accounts with a movement in the period: Debit or Credit column, the other empty."""
    balances = Books(company, start, end).compute()
    rows, debit, credit = [], Decimal(0), Decimal(0)
    for account_id, amount in sorted(balances.items(), key=lambda item: int(item[0]) if item[0].isdigit() else 0):
        if not amount:
            continue
        account = company.docs["Account"].get(account_id) or {}
        name = account.get("FullyQualifiedName") or account.get("Name") or account_id
        cells = [{"value": name, "id": account_id}]
        cells += (
            [{"value": _amount(amount)}, {"value": ""}] if amount > 0 else [{"value": ""}, {"value": _amount(-amount)}]
        )
        debit += max(amount, 0)
        credit += max(-amount, 0)
        rows.append({"ColData": cells})
    columns = [{"ColTitle": "Debit", "ColType": "Money"}, {"ColTitle": "Credit", "ColType": "Money"}]
    return _report(company, "TrialBalance", start, end, "Account", columns, rows, (debit, credit))


def party_balance(company, entity, end=None):
    """CustomerBalance / VendorBalance: each party's open balance (home currency) on ``end``."""
    docs, party_key = (
        (
            (("Invoice", 1), ("CreditMemo", -1), ("Payment", -1)),
            "CustomerRef",
        )
        if entity == "Customer"
        else ((("Bill", 1), ("VendorCredit", -1)), "VendorRef")
    )
    limit = date.fromisoformat(end) if end else None
    open_by_party = {}
    for doc_entity, sign in docs:
        for doc in company.docs[doc_entity].values():
            if doc.get("_voided") or (limit and doc.get("TxnDate") and date.fromisoformat(doc["TxnDate"]) > limit):
                continue
            rate = dec(doc.get("ExchangeRate"), "1")
            left = dec(doc.get("UnappliedAmt")) if doc_entity == "Payment" else dec(doc.get("Balance"))
            if left:
                party = str(ref_value(doc, party_key))
                open_by_party[party] = open_by_party.get(party, Decimal(0)) + sign * money(left * rate)
    rows, total = [], Decimal(0)
    for party_id, amount in sorted(open_by_party.items(), key=lambda item: int(item[0]) if item[0].isdigit() else 0):
        if not amount:
            continue
        party = company.docs[entity].get(party_id) or {}
        rows.append(
            {"ColData": [{"value": party.get("DisplayName") or party_id, "id": party_id}, {"value": _amount(amount)}]}
        )
        total += amount
    name = f"{entity}Balance"
    return _report(company, name, None, end, entity, [{"ColTitle": "Total", "ColType": "Money"}], rows, (total,))


def report(company, name, params):
    """The report ``name`` with the query ``params`` QuickBooks takes, or None when unknown."""
    start, end = params.get("start_date"), params.get("end_date")
    with company.lock:
        if name == "TrialBalance":
            return trial_balance(company, start, end)
        if name in ("CustomerBalance", "VendorBalance"):
            return party_balance(company, name[: -len("Balance")], params.get("report_date") or end)
    return None
