"""Reckon tax rates and tax groups -> canonical taxes, by effective date.

Reckon answers taxes for a date (``/taxrates/{effectiveDate}``, ``/taxgroups/{effectiveDate}``):
a rate keeps its id when its percentage changes. A canonical tax is a rate as it is in force
today (``TaxRate/<id>``); a document dated when another percentage was in force names the
variant ``TaxRate/<id>@<percent>``, a tax of its own to map (``rate_variant``), so that a
document keeps the tax it was charged. ``TaxCalendar`` finds the rates in force on a
document's date with few calls: two dates with the same rates bound the dates between them
(the one assumption: a rate does not change and change back between two dates read).
A tax group of several codes carries them as ``components``; Reckon has no compound taxes.
"""

import bisect
from datetime import date
from decimal import Decimal

from .common import amount, ext_id, meta, split_id, text


def _scope(doc, sales="useOnSales", purchases="useOnPurchases"):
    on_sales, on_purchases = bool(doc.get(sales)), bool(doc.get(purchases))
    return "both" if on_sales and on_purchases else "sale" if on_sales else "purchase" if on_purchases else "none"


def rate_to_canonical(doc):
    return {
        "external_id": ext_id("TaxRate", doc["id"]),
        "name": doc.get("name") or str(doc["id"]),
        "description": text(doc.get("description")),
        "rate": amount(doc.get("rate")),
        "scope": _scope(doc),
        "active": doc.get("status", "Active") != "Inactive",
    }


def rate_variant(doc, rate):
    """The tax of a rate at a percentage it had on some document's date, not today's."""
    record = rate_to_canonical(doc)
    rate = amount(rate)
    record.update(
        external_id=f"{record['external_id']}@{rate.normalize():f}",
        name=f"{record['name']} ({rate.normalize():f}%)",
        rate=rate,
    )
    return record


def group_to_canonical(doc):
    record = {
        "external_id": ext_id("TaxGroup", doc["id"]),
        **meta(doc),
        "name": doc.get("name") or str(doc["id"]),
        "description": text(doc.get("description")),
        "rate": amount(doc.get("rate")),
        "scope": _scope(doc),
        "active": doc.get("status", "Active") != "Inactive",
    }
    codes = doc.get("taxCodes") or []
    if len(codes) > 1:  # one group charging several codes, in the order Reckon lists them
        record["components"] = [
            {
                "name": code.get("name") or code.get("description") or "?",
                "rate": amount(code.get("rate")),
                "compound": False,
            }
            for code in codes
        ]
    return record


def split_tax(external_id):
    """``("TaxRate", id, Decimal percent or None)`` of a tax's external id."""
    entity, rest = split_id(external_id, "TaxRate", "TaxGroup")
    doc_id, _sep, percent = rest.partition("@")
    return entity, doc_id, Decimal(percent) if percent else None


class TaxCalendar:
    """The tax rates (id -> percent) in force on a date, read through ``fetch(date)``."""

    def __init__(self, fetch, today):
        self._fetch = fetch
        self.today = today
        self._days = []  # sorted dates read
        self._rates = {}  # date -> {id: percent}
        self.docs = {}  # id -> the rate document last read

    def _read(self, on):
        if on not in self._rates:
            docs = self._fetch(on)
            self._rates[on] = {str(d["id"]): amount(d.get("rate")) for d in docs}
            self.docs.update((str(d["id"]), d) for d in docs)
            bisect.insort(self._days, on)
        return self._rates[on]

    def rates_on(self, on):
        if isinstance(on, str):
            on = date.fromisoformat(on[:10])
        if on in self._rates:
            return self._rates[on]
        at = bisect.bisect(self._days, on)
        if 0 < at < len(self._days):
            before, after = self._rates[self._days[at - 1]], self._rates[self._days[at]]
            if before == after:
                return before
        return self._read(on)

    def today_rates(self):
        return self.rates_on(self.today)

    def prepare(self, days):
        """Read the first and last of ``days`` (and today) first: with no change of rate
        between them, every date in between needs no call of its own."""
        days = sorted({date.fromisoformat(d[:10]) if isinstance(d, str) else d for d in days if d})
        for on in (self.today, *days[:1], *days[-1:]):
            self.rates_on(on)

    def line_tax(self, rate_id, on):
        """The external id of a line's tax rate, as in force on ``on``."""
        percent = self.rates_on(on).get(str(rate_id))
        current = self.today_rates().get(str(rate_id))
        if percent is None or percent == current:
            return ext_id("TaxRate", rate_id)
        return f"{ext_id('TaxRate', rate_id)}@{percent.normalize():f}"
