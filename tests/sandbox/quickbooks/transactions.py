"""The transaction rules of the QuickBooks company: ``TransactionRules``, mixed into
``store.Company``.

What a write of an invoice, credit memo, bill, vendor credit, payment, bill payment or
journal entry meets: closed books (6210), TxnDate and DocNumber (at most 21 characters),
the currency of the party and the exchange rate, line amounts (Qty * UnitPrice, 6070),
tax in US, global and tax-inclusive companies (TxnTaxDetail, TaxInclusiveAmt), TotalAmt,
Balance and HomeTotalAmt, and a journal entry's balance. Then the effects between documents:
payments applied to invoices and bills (and credit memos or vendor credits applied to them by
a payment, of 0 when no money moves) move their balances and LinkedTxn, undone when the
payment is updated, deleted or voided; a document with payments applied cannot be deleted or
voided.
"""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from .common import NAME_ENTITIES, PAYMENT_LINKS, PURCHASE_DOCS, SALES_DOCS, dec, money, ref_value
from .errors import Fault, business, not_found, required, unsupported


class TransactionRules:
    """Validation, computed fields and effects between documents of the transactions
    (``_prepare_txn``, ``_after_write``, ``_undo_effects``, called by ``Company``'s writes)."""

    def _check_open_period(self, doc):
        txn_date = doc.get("TxnDate")
        if self.books_closed_on and txn_date and date.fromisoformat(txn_date) <= self.books_closed_on:
            raise Fault(
                6210,
                "Account Period Closed, cannot update through API",
                f"The account period has closed and the books are locked (closing date "
                f"{self.books_closed_on.isoformat()}); {txn_date} cannot be changed",
            )

    def _prepare_txn(self, entity, doc):
        today = self.now().date()
        doc.setdefault("TxnDate", today.isoformat())
        try:
            date.fromisoformat(doc["TxnDate"])
        except ValueError:
            raise Fault(2010, "Request has invalid or unsupported property", f"TxnDate {doc['TxnDate']}") from None
        self._check_open_period(doc)
        number = doc.get("DocNumber")
        if number is not None and len(str(number)) > 21:
            raise Fault(
                2050,
                "String length is either shorter or longer than supported by specification",
                f"Min:0 Max:21 supported. Supplied length:{len(str(number))}",
                element="DocNumber",
            )
        currency = ref_value(doc, "CurrencyRef") or self.home_currency
        if currency != self.home_currency and not self.multicurrency:
            raise business("Multicurrency is not enabled for this company")
        doc["CurrencyRef"] = {"value": currency}
        if currency == self.home_currency:
            doc["ExchangeRate"] = Decimal(1)
        else:
            doc["ExchangeRate"] = dec(doc.get("ExchangeRate") or self.exchange_rates.get(currency) or 1)
        getattr(self, f"_prepare_txn_{entity.lower()}")(doc)
        if "TotalAmt" in doc:
            doc["HomeTotalAmt"] = money(dec(doc["TotalAmt"]) * doc["ExchangeRate"])

    def _check_party_currency(self, doc, key, entity):
        party = self.docs[entity][ref_value(doc, key)]
        party_currency = ref_value(party, "CurrencyRef") or self.home_currency
        if party_currency != doc["CurrencyRef"]["value"]:
            raise business(
                f"The currency of the transaction ({doc['CurrencyRef']['value']}) must match the "
                f"currency of the {entity.lower()} ({party_currency})"
            )

    def _sales_lines(self, doc, detail_key="SalesItemLineDetail"):
        """Compute line amounts; return (subtotal, taxable amounts per tax code)."""
        subtotal = Decimal(0)
        taxable = {}
        kept = []
        for line in doc.get("Line") or []:
            kind = line.get("DetailType")
            if kind in ("SubTotalLineDetail",):
                continue  # QuickBooks recomputes the subtotal line
            if kind == "DescriptionOnly":
                kept.append(line)
                continue
            if kind != detail_key:
                raise unsupported(f"Line DetailType {kind} is not valid here", "Line.DetailType")
            detail = line.setdefault(detail_key, {})
            self._require_ref("Item", detail, "ItemRef", mandatory=True)
            if detail.get("Qty") is not None and detail.get("UnitPrice") is not None:
                computed = money(dec(detail["Qty"]) * dec(detail["UnitPrice"]))
                if line.get("Amount") is not None and money(line["Amount"]) != computed:
                    raise Fault(
                        6070,
                        "Amount is not equal to UnitPrice * Qty",
                        f"Amount {line['Amount']} is not equal to UnitPrice * Qty = {computed}",
                    )
                line["Amount"] = computed
            if line.get("Amount") is None and detail.get("TaxInclusiveAmt") is None:
                raise required("Line.Amount", "Required parameter Line.Amount is missing")
            code = ref_value(detail, "TaxCodeRef") or "NON"
            base = self._line_net(doc, line, detail, code)
            subtotal += line["Amount"]
            taxable[code] = taxable.get(code, Decimal(0)) + base
            kept.append(line)
        for number, line in enumerate(kept, 1):
            line["Id"] = str(number)
            line["LineNum"] = number
        kept.append({"Amount": subtotal, "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {}})
        doc["Line"] = kept
        return subtotal, taxable

    def _rates_of(self, code_id, purchase=False):
        """[(TaxRate Id, percent, TaxTypeApplicable)] of a tax code, in TaxOrder."""
        code = self.docs["TaxCode"].get(str(code_id))
        if code is None:
            raise not_found()
        details = (code.get("PurchaseTaxRateList" if purchase else "SalesTaxRateList") or {}).get("TaxRateDetail", [])
        ordered = sorted(enumerate(details), key=lambda pair: (int(pair[1].get("TaxOrder") or 0), pair[0]))
        rates = []
        for _position, detail in ordered:
            rate = self.docs["TaxRate"].get(ref_value(detail, "TaxRateRef"))
            if rate is not None:
                rates.append((rate["Id"], dec(rate.get("RateValue")), detail.get("TaxTypeApplicable") or "TaxOnAmount"))
        return rates

    @staticmethod
    def _taxes_on(net, rates):
        """[(rate Id, percent, taxable, tax)] of a net amount, unrounded: a TaxOnAmountPlusTax
        rate (Canadian PST or QST charged on the amount with GST) is charged on the net with
        the taxes of the rates before it, a TaxOnTax rate on those taxes alone."""
        out, before = [], Decimal(0)
        for rate_id, rate, applicable in rates:
            if applicable == "TaxOnAmountPlusTax":
                base = net + before
            elif applicable == "TaxOnTax":
                base = before
            else:
                base = net
            tax = base * rate / 100
            out.append((rate_id, rate, base, tax))
            before += tax
        return out

    def _line_net(self, doc, line, detail, code):
        """A line's amount without tax (Line.Amount) and what its tax is computed on.

        GlobalTaxCalculation TaxInclusive (non-US companies): Line.Amount and UnitPrice stay
        amounts WITHOUT tax and SalesItemLineDetail.TaxInclusiveAmt (minor version 1 and
        later) holds the amount with tax; QuickBooks backs the tax out of it. Published
        answers of an Australian QuickBooks company show it: TaxInclusiveAmt 450.0, Amount
        409.09, UnitPrice 0.9090889 (409.09 / 450), Qty 450, TxnTaxDetail.TotalTax 40.91 with
        NetAmountTaxable 409.09, TotalAmt 450.0; and TaxInclusiveAmt 6600.0, Amount 6000.0,
        UnitPrice 2000, Qty 3, TotalTax 600.0. Without TaxInclusiveAmt the amount is taken as
        without tax (quickbooks-ruby issue #346: "By default QuickBooks assumes all prices
        exclude tax") and TaxInclusiveAmt is computed. Tax is computed on the net backed out
        unrounded, rounded per rate on the document (as on tax-exclusive documents)."""
        inclusive = doc.get("GlobalTaxCalculation") == "TaxInclusive" and self.tax_mode != "us"
        purchase = "SalesItemLineDetail" not in line
        if not inclusive or code in ("TAX", "NON"):
            line["Amount"] = money(line.get("Amount"))
            detail.pop("TaxInclusiveAmt", None)
            return line["Amount"]
        rates = self._rates_of(code, purchase)
        if detail.get("TaxInclusiveAmt") is not None:
            gross = money(detail["TaxInclusiveAmt"])
            per_unit = sum((tax for *_r, tax in self._taxes_on(Decimal(1), rates)), Decimal(0))
            net = gross / (1 + per_unit)
            line["Amount"] = money(net)
            qty = dec(detail.get("Qty"))
            if qty:
                detail["UnitPrice"] = (line["Amount"] / qty).quantize(Decimal("0.0000001"), ROUND_HALF_UP)
        else:
            net = line["Amount"] = money(line.get("Amount"))
            taxes = sum((tax for *_r, tax in self._taxes_on(net, rates)), Decimal(0))
            gross = money(net + taxes)
        detail["TaxInclusiveAmt"] = gross
        return net

    def _compute_tax(self, doc, taxable, *, purchase=False):
        """TxnTaxDetail from the lines; an explicit TotalTax the caller sent is honoured.
        ``taxable``: the amount without tax per line tax code (unrounded where backed out of
        tax-inclusive amounts); each rate's tax is rounded once on the document."""
        detail = doc.get("TxnTaxDetail") or {}
        sent_total = detail.get("TotalTax")
        per_rate = {}  # rate Id -> (taxable, tax, percent)
        if self.tax_mode == "us":
            code_id = ref_value(detail, "TxnTaxCodeRef")
            for code in taxable:
                if code not in ("TAX", "NON"):
                    raise business(f"Invalid tax code {code}: US companies use TAX or NON on lines")
            taxable = {code_id: taxable["TAX"]} if taxable.get("TAX") and code_id else {}
        elif any(code in ("TAX", "NON") for code in taxable):
            raise business("Make sure all your transactions have a GST/VAT rate before you save")
        for code, net in taxable.items():
            for rate_id, rate, base, tax in self._taxes_on(net, self._rates_of(code, purchase)):
                taxed, charged, _rate = per_rate.get(rate_id, (Decimal(0), Decimal(0), rate))
                per_rate[rate_id] = (taxed + base, charged + tax, rate)
        lines = [
            {
                "Amount": money(tax),
                "DetailType": "TaxLineDetail",
                "TaxLineDetail": {
                    "TaxRateRef": {"value": rate_id},
                    "PercentBased": True,
                    "TaxPercent": rate,
                    "NetAmountTaxable": money(base),
                },
            }
            for rate_id, (base, tax, rate) in sorted(per_rate.items())
        ]
        computed = sum((line["Amount"] for line in lines), Decimal(0))
        total = money(sent_total) if sent_total is not None and lines else computed
        if lines and total != computed:
            # an explicit amount is honoured and prorated over the rates
            spread, left = [], total
            for line in lines[:-1]:
                share = money(total * line["Amount"] / computed) if computed else Decimal(0)
                spread.append(share)
                left -= share
            spread.append(left)
            for line, share in zip(lines, spread, strict=True):
                line["Amount"] = share
        result = {"TotalTax": total, "TaxLine": lines}
        if ref_value(detail, "TxnTaxCodeRef"):
            result["TxnTaxCodeRef"] = detail["TxnTaxCodeRef"]
        doc["TxnTaxDetail"] = result
        return total

    def _prepare_txn_invoice(self, doc):
        self._require_ref("Customer", doc, "CustomerRef", mandatory=True)
        self._check_party_currency(doc, "CustomerRef", "Customer")
        self._require_ref("Term", doc, "SalesTermRef")
        if doc.get("DocNumber") is None and not self.custom_doc_numbers:
            doc["DocNumber"] = str(1000 + len(self.docs["Invoice"]) + 1)
        doc.setdefault("GlobalTaxCalculation", "TaxExcluded")
        subtotal, taxable = self._sales_lines(doc)
        tax = self._compute_tax(doc, taxable)
        doc["TotalAmt"] = self._total(doc, subtotal, tax, "SalesItemLineDetail")
        doc["Balance"] = doc["TotalAmt"]
        if doc.get("DueDate") is None:
            doc["DueDate"] = doc["TxnDate"]

    def _total(self, doc, subtotal, tax, *detail_keys):
        """TotalAmt: the amounts without tax plus the tax; on a tax-inclusive document the
        sum of the lines' amounts with tax (TaxInclusiveAmt), what the customer was shown."""
        if doc.get("GlobalTaxCalculation") != "TaxInclusive" or self.tax_mode == "us":
            return subtotal + tax
        total = Decimal(0)
        for line in doc.get("Line") or []:
            detail = line.get(line.get("DetailType") or "") or {}
            if line.get("DetailType") in detail_keys:
                gross = detail.get("TaxInclusiveAmt")
                total += money(gross) if gross is not None else line["Amount"]
        return total

    def _prepare_txn_creditmemo(self, doc):
        self._prepare_txn_invoice(doc)
        doc.pop("DueDate", None)  # QuickBooks' credit memos have none
        doc["RemainingCredit"] = doc["Balance"]

    def _expense_lines(self, doc):
        subtotal = Decimal(0)
        taxable = {}
        for number, line in enumerate(doc.get("Line") or [], 1):
            kind = line.get("DetailType")
            if kind not in ("AccountBasedExpenseLineDetail", "ItemBasedExpenseLineDetail"):
                raise unsupported(f"Line DetailType {kind} is not valid here", "Line.DetailType")
            detail = line.setdefault(kind, {})
            if kind == "AccountBasedExpenseLineDetail":
                self._require_ref("Account", detail, "AccountRef", mandatory=True)
            else:
                self._require_ref("Item", detail, "ItemRef", mandatory=True)
                if detail.get("Qty") is not None and detail.get("UnitPrice") is not None:
                    line["Amount"] = money(dec(detail["Qty"]) * dec(detail["UnitPrice"]))
            code = ref_value(detail, "TaxCodeRef") or "NON"
            base = self._line_net(doc, line, detail, code)
            line["Id"] = str(number)
            line["LineNum"] = number
            subtotal += line["Amount"]
            taxable[code] = taxable.get(code, Decimal(0)) + base
        return subtotal, taxable

    def _prepare_txn_bill(self, doc):
        self._require_ref("Vendor", doc, "VendorRef", mandatory=True)
        self._check_party_currency(doc, "VendorRef", "Vendor")
        self._require_ref("Account", doc, "APAccountRef")
        doc.setdefault("GlobalTaxCalculation", "TaxExcluded")
        subtotal, taxable = self._expense_lines(doc)
        tax = self._compute_tax(doc, taxable, purchase=True) if self.tax_mode != "us" else Decimal(0)
        if self.tax_mode == "us":
            doc.pop("TxnTaxDetail", None)
        doc["TotalAmt"] = self._total(doc, subtotal, tax, "AccountBasedExpenseLineDetail", "ItemBasedExpenseLineDetail")
        doc["Balance"] = doc["TotalAmt"]
        doc.setdefault("DueDate", doc["TxnDate"])

    def _prepare_txn_vendorcredit(self, doc):
        self._prepare_txn_bill(doc)
        doc.pop("DueDate", None)

    def _apply_lines(self, doc, entity):
        """(charges, credits) a payment's lines apply: invoices (bills), and the credit memos
        (vendor credits) applied to them, each within its open balance."""
        kinds = PAYMENT_LINKS[entity]
        party_key = "VendorRef" if entity == "BillPayment" else "CustomerRef"
        charges = credits = Decimal(0)
        for line in doc.get("Line") or []:
            line["Amount"] = money(line.get("Amount"))
            links = line.get("LinkedTxn") or []
            if not links:
                raise required("Line.LinkedTxn", "Line.LinkedTxn is missing")
            for link in links:
                txn_type = link.get("TxnType")
                if txn_type not in kinds:
                    raise Fault(
                        2010,
                        "Request has invalid or unsupported property",
                        f"LinkedTxn.TxnType {txn_type} is not valid here",
                    )
                target = self.docs[txn_type].get(str(link.get("TxnId")))
                if target is None or target.get("_voided"):
                    raise not_found()
                if kinds[txn_type] < 0 and ref_value(target, party_key) != ref_value(doc, party_key):
                    raise business(f"{txn_type} {target['Id']} belongs to another {party_key[:-3].lower()}")
                if line["Amount"] > money(target.get("Balance")):
                    raise business(
                        f"The payment amount {line['Amount']} is more than the open balance "
                        f"{target.get('Balance')} of {txn_type} {target['Id']}"
                    )
            if kinds[links[0].get("TxnType")] > 0:
                charges += line["Amount"]
            else:
                credits += line["Amount"]
        if credits > charges:
            raise business(f"The credits applied ({credits}) are more than the charges they apply to ({charges})")
        return charges, credits

    def _prepare_txn_payment(self, doc):
        self._require_ref("Customer", doc, "CustomerRef", mandatory=True)
        self._require_ref("Account", doc, "DepositToAccountRef")
        self._require_ref("PaymentMethod", doc, "PaymentMethodRef")
        if doc.get("TotalAmt") is None:
            raise required("TotalAmt", "Required parameter TotalAmt is missing")
        doc["TotalAmt"] = money(doc["TotalAmt"])
        charges, credits = self._apply_lines(doc, "Payment")
        applied = charges - credits  # a Payment of 0 applies credit memos to invoices
        if applied > doc["TotalAmt"]:
            raise business(f"The amounts applied ({applied}) are more than the payment total ({doc['TotalAmt']})")
        doc["UnappliedAmt"] = doc["TotalAmt"] - applied
        doc.setdefault("Line", [])

    def _prepare_txn_billpayment(self, doc):
        self._require_ref("Vendor", doc, "VendorRef", mandatory=True)
        pay_type = doc.get("PayType")
        if pay_type == "Check":
            self._require_ref("Account", doc.get("CheckPayment") or {}, "BankAccountRef", mandatory=True)
        elif pay_type == "CreditCard":
            self._require_ref("Account", doc.get("CreditCardPayment") or {}, "CCAccountRef", mandatory=True)
        else:
            raise required("PayType", "PayType must be Check or CreditCard")
        doc["TotalAmt"] = money(doc.get("TotalAmt"))
        charges, credits = self._apply_lines(doc, "BillPayment")
        applied = charges - credits
        if applied > doc["TotalAmt"]:
            raise business(f"The amounts applied ({applied}) are more than the payment total ({doc['TotalAmt']})")

    def _prepare_txn_journalentry(self, doc):
        debit = credit = Decimal(0)
        for number, line in enumerate(doc.get("Line") or [], 1):
            detail = line.get("JournalEntryLineDetail") or {}
            self._require_ref("Account", detail, "AccountRef", mandatory=True)
            entity = detail.get("Entity") or {}
            if entity:
                kind = entity.get("Type")
                if kind not in NAME_ENTITIES:
                    raise Fault(2010, "Request has invalid or unsupported property", f"Entity.Type {kind}")
                self._require_ref(kind, entity, "EntityRef", mandatory=True)
            line["Amount"] = money(line.get("Amount"))
            line["Id"] = str(number - 1)
            if detail.get("PostingType") == "Debit":
                debit += line["Amount"]
            elif detail.get("PostingType") == "Credit":
                credit += line["Amount"]
            else:
                raise required("PostingType", "PostingType must be Debit or Credit")
        if debit != credit:
            raise business(f"Transaction must balance: debits {debit}, credits {credit}")
        doc["TotalAmt"] = debit

    # ------------------------------------------------------------------ effects between documents
    def _links(self, doc):
        for line in doc.get("Line") or []:
            for link in line.get("LinkedTxn") or []:
                yield link, money(line.get("Amount"))

    def _payment_targets(self, entity, doc):
        """(document, amount) of each invoice, bill or credit a payment's lines link."""
        for link, amount in self._links(doc):
            if link.get("TxnType") in PAYMENT_LINKS[entity]:
                target = self.docs[link["TxnType"]].get(str(link.get("TxnId")))
                if target is not None:
                    yield target, amount

    def _move_balance(self, target, change):
        target["Balance"] = money(target.get("Balance")) + change
        target["HomeBalance"] = money(target["Balance"] * dec(target.get("ExchangeRate"), "1"))
        if "RemainingCredit" in target:  # a credit memo's credit left to apply
            target["RemainingCredit"] = target["Balance"]

    def _after_write(self, entity, doc, old):
        if entity in PAYMENT_LINKS and not doc.get("_voided"):
            for target, amount in self._payment_targets(entity, doc):
                self._move_balance(target, -amount)
                target.setdefault("LinkedTxn", [])
                entry = {"TxnId": doc["Id"], "TxnType": entity}
                if entry not in target["LinkedTxn"]:
                    target["LinkedTxn"].append(entry)
        if entity in SALES_DOCS + PURCHASE_DOCS:
            doc["HomeBalance"] = money(dec(doc.get("Balance")) * dec(doc.get("ExchangeRate"), "1"))

    def _undo_effects(self, entity, doc):
        if entity in PAYMENT_LINKS and not doc.get("_voided"):
            for target, amount in self._payment_targets(entity, doc):
                self._move_balance(target, amount)
                target["LinkedTxn"] = [
                    x
                    for x in target.get("LinkedTxn", [])
                    if not (x.get("TxnId") == doc["Id"] and x.get("TxnType") == entity)
                ]

    def _check_not_linked(self, entity, doc):
        if entity in SALES_DOCS + PURCHASE_DOCS:
            paid_by = [x for x in doc.get("LinkedTxn", []) if x.get("TxnType") in PAYMENT_LINKS]
            if paid_by:
                raise business(f"This {entity.lower()} has payments applied ({len(paid_by)}): remove them first")
