"""Canadian sales taxes and the document arithmetic, in integer cents.

Rates are percentages. A province's customers are charged its taxes: British Columbia GST 5%
and PST 7%, Ontario HST 13%, Quebec GST 5% and QST 9.975% (QST is not compound since 2013:
both on the price before tax). Every other province pays GST only.

Arithmetic (the sandbox's choice, README row "tax arithmetic"): taxes are computed per line and
each is rounded half away from zero to the cent; a document's tax is the sum of its lines'.
A tax-included line's amount is the gross: each tax is ``gross x rate / (100 + sum of rates)``
rounded, the net is what is left (so net + taxes = gross exactly: $100 with 5% included is
95.24 + 4.76, as Kashoo's help shows).
"""

from decimal import ROUND_HALF_UP, Decimal

TAXES = {  # abbreviation: (name, rate %)
    "GST": ("Goods and Services Tax", Decimal("5")),
    "PST": ("Provincial Sales Tax (BC)", Decimal("7")),
    "HST": ("Harmonized Sales Tax (ON)", Decimal("13")),
    "QST": ("Quebec Sales Tax", Decimal("9.975")),
}
PROVINCES = {"BC": ("GST", "PST"), "ON": ("HST",), "QC": ("GST", "QST")}


def province_taxes(province):
    return PROVINCES.get(province, ("GST",))


def cents(value):
    """A Decimal number of cents rounded half away from zero to a whole cent."""
    return int(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def line_amount(quantity, unit_price):
    """quantity x unit price (cents), to the cent."""
    return cents(Decimal(str(quantity)) * unit_price)


def split(amount, rates, included):
    """(net, [tax per rate]) of one line's amount in cents."""
    if not rates:
        return amount, []
    if included:
        whole = 100 + sum(rates)
        taxes = [cents(Decimal(amount) * rate / whole) for rate in rates]
        return amount - sum(taxes), taxes
    return amount, [cents(Decimal(amount) * rate / 100) for rate in rates]


def document(lines, included, rates):
    """Totals of a document: ``{"net", "taxes": {abbreviation: cents}, "total"}``.

    ``lines`` are ``(amount cents, [abbreviations])``; ``rates`` maps an abbreviation to its %.
    """
    net, taxes = 0, {}
    for amount, codes in lines:
        line_net, line_taxes = split(amount, [rates[code] for code in codes], included)
        net += line_net
        for code, tax in zip(codes, line_taxes, strict=True):
            taxes[code] = taxes.get(code, 0) + tax
    return {"net": net, "taxes": taxes, "total": net + sum(taxes.values())}


# ---------------------------------------------------------------------------- business numbers
def luhn_digit(eight):
    """The check digit that makes ``eight`` digits a valid nine-digit Business Number (Luhn)."""
    total = 0
    for position, char in enumerate(reversed(eight)):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            digit = digit - 9 if digit > 9 else digit
        total += digit
    return str((10 - total % 10) % 10)


def business_number(eight, program="RT", valid=True):
    """A CRA program account number, ``123456782RT0001``; ``valid=False`` spoils the check digit."""
    check = luhn_digit(eight)
    if not valid:
        check = str((int(check) + 1) % 10)
    return f"{eight}{check}{program}0001"
