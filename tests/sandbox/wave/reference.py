"""Wave's constants: currencies, countries with ISO 3166-2 provinces, account types and subtypes.

The published lists (../shared/fixtures/wave/reference-data.json) are cut short; what they show is
kept (names, symbols, the ``US-RI`` province code format) and the rest follows ISO 4217 / ISO 3166-2.
"""

from decimal import Decimal

# code: (symbol, name, plural, exponent)
CURRENCIES = {
    "USD": ("$", "United States dollar", "United States dollars", 2),
    "CAD": ("$", "Canadian dollar", "Canadian dollars", 2),
    "EUR": ("€", "Euro", "Euros", 2),
    "GBP": ("£", "Pound sterling", "Pounds sterling", 2),
    "AUD": ("$", "Australian dollar", "Australian dollars", 2),
    "NZD": ("$", "New Zealand dollar", "New Zealand dollars", 2),
    "JPY": ("¥", "Japanese yen", "Japanese yen", 0),
    "CHF": ("CHF", "Swiss franc", "Swiss francs", 2),
    "MXN": ("$", "Mexican peso", "Mexican pesos", 2),
    "INR": ("₹", "Indian rupee", "Indian rupees", 2),
    "AED": ("AED", "UAE dirham", "UAE dirhams", 2),
    "AFN": ("؋", "Afghani", "Afganis", 2),
    "MVR": ("Rf", "Rufiyaa", "Rufiyaas", 2),
}
ZERO_DECIMALS = {
    "BIF",
    "CLP",
    "DJF",
    "GNF",
    "ISK",
    "JPY",
    "KMF",
    "KRW",
    "PYG",
    "RWF",
    "UGX",
    "VND",
    "VUV",
    "XAF",
    "XOF",
}
THREE_DECIMALS = {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"}

US_STATES = (
    "AL Alabama|AK Alaska|AZ Arizona|AR Arkansas|CA California|CO Colorado|CT Connecticut|DE Delaware|"
    "DC District of Columbia|FL Florida|GA Georgia|HI Hawaii|ID Idaho|IL Illinois|IN Indiana|IA Iowa|KS Kansas|"
    "KY Kentucky|LA Louisiana|ME Maine|MD Maryland|MA Massachusetts|MI Michigan|MN Minnesota|MS Mississippi|"
    "MO Missouri|MT Montana|NE Nebraska|NV Nevada|NH New Hampshire|NJ New Jersey|NM New Mexico|NY New York|"
    "NC North Carolina|ND North Dakota|OH Ohio|OK Oklahoma|OR Oregon|PA Pennsylvania|RI Rhode Island|"
    "SC South Carolina|SD South Dakota|TN Tennessee|TX Texas|UT Utah|VT Vermont|VA Virginia|WA Washington|"
    "WV West Virginia|WI Wisconsin|WY Wyoming"
)
CA_PROVINCES = (
    "AB Alberta|BC British Columbia|MB Manitoba|NB New Brunswick|NL Newfoundland and Labrador|NS Nova Scotia|"
    "NT Northwest Territories|NU Nunavut|ON Ontario|PE Prince Edward Island|QC Quebec|SK Saskatchewan|YT Yukon"
)
# code: (name, nameWithArticle, currency, "XX Name|..." provinces)
COUNTRIES = {
    "US": ("United States", "the United States", "USD", US_STATES),
    "CA": ("Canada", "Canada", "CAD", CA_PROVINCES),
    "GB": ("United Kingdom", "the United Kingdom", "GBP", ""),
    "AU": ("Australia", "Australia", "AUD", ""),
    "NZ": ("New Zealand", "New Zealand", "NZD", ""),
    "FR": ("France", "France", "EUR", ""),
    "DE": ("Germany", "Germany", "EUR", ""),
    "MX": ("Mexico", "Mexico", "MXN", ""),
    "AF": ("Afghanistan", "Afghanistan", "AFN", "BAL Balkh|KAB Kābul"),
    "AX": ("Åland Islands", "Åland Islands", "EUR", ""),
}

ACCOUNT_TYPES = {  # value: (name, normal balance), names as Wave answers them
    "ASSET": ("Assets", "DEBIT"),
    "EQUITY": ("Equity", "CREDIT"),
    "EXPENSE": ("Expenses", "DEBIT"),
    "INCOME": ("Income", "CREDIT"),
    "LIABILITY": ("Liabilities & Credit Cards", "CREDIT"),
}
_SUBTYPES = {
    "ASSET": "CASH_AND_BANK DEPRECIATION_AND_AMORTIZATION INVENTORY MONEY_IN_TRANSIT OTHER_CURRENT_ASSETS "
    "OTHER_LONG_TERM_ASSETS PROPERTY_PLANT_EQUIPMENT RECEIVABLE RECEIVABLE_INVOICES RECEIVABLE_OTHER TRANSFERS "
    "UNKNOWN_ACCOUNT VENDOR_PREPAYMENTS_AND_CREDITS",
    "LIABILITY": "CREDIT_CARD CUSTOMER_PREPAYMENTS_AND_CREDITS DUE_FOR_PAYROLL DUE_TO_YOU_AND_OTHER_OWNERS LOANS "
    "OTHER_CURRENT_LIABILITY OTHER_LONG_TERM_LIABILITY PAYABLE PAYABLE_BILLS PAYABLE_OTHER SALES_TAX "
    "SYSTEM_CUSTOMER_CREDITS",
    "EQUITY": "NON_RETAINED_EARNINGS RETAINED_EARNINGS",
    "INCOME": "DISCOUNTS GAIN_ON_FOREIGN_EXCHANGE INCOME OTHER_INCOME UNCATEGORIZED_INCOME",
    "EXPENSE": "COST_OF_GOODS_SOLD EXPENSE LOSS_ON_FOREIGN_EXCHANGE PAYMENT_PROCESSING_FEES PAYROLL_EXPENSES "
    "UNCATEGORIZED_EXPENSE",
}
SUBTYPE_TYPE = {sub: kind for kind, subs in _SUBTYPES.items() for sub in subs.split()}
SUBTYPE_NAMES = {  # as reference-data.json shows them; the others are title-cased
    "CASH_AND_BANK": "Cash & Bank",
    "CUSTOMER_PREPAYMENTS_AND_CREDITS": "Customer Prepayments and Customer Credits",
    "DISCOUNTS": "Discount",
    "DUE_TO_YOU_AND_OTHER_OWNERS": "Due to You and Other Business Owners",
    "COST_OF_GOODS_SOLD": "Cost of Goods Sold",
}
# productCreate's documented constraints on the accounts of a product
INCOME_SUBTYPES = {"INCOME", "DISCOUNTS", "OTHER_INCOME"}
EXPENSE_SUBTYPES = {"EXPENSE", "COST_OF_GOODS_SOLD", "PAYMENT_PROCESSING_FEES", "PAYROLL_EXPENSES"}
SYSTEM_SUBTYPES = {"RECEIVABLE_INVOICES", "PAYABLE_BILLS", "SALES_TAX", "SYSTEM_CUSTOMER_CREDITS", "TRANSFERS"}


def currency(code):
    if code in CURRENCIES:
        symbol, name, plural, exponent = CURRENCIES[code]
    else:
        exponent = 0 if code in ZERO_DECIMALS else 3 if code in THREE_DECIMALS else 2
        symbol = name = plural = code
    return {"code": code, "symbol": symbol, "name": name, "plural": plural, "exponent": exponent}


def quantum(code):
    return Decimal(1).scaleb(-currency(code)["exponent"])


def provinces(country_code):
    text = COUNTRIES.get(country_code, ("", "", "", ""))[3]
    return [
        {"code": f"{country_code}-{part[: part.index(' ')]}", "name": part[part.index(" ") + 1 :]}
        for part in text.split("|")
        if part
    ]


def country(code):
    name, article, money, _provinces = COUNTRIES.get(code, (code, code, "USD", ""))
    return {
        "code": code,
        "name": name,
        "nameWithArticle": article,
        "currency": currency(money),
        "provinces": provinces(code),
    }


def province(code):
    """``US-RI`` -> {code, name}; None when the code is not ISO 3166-2 of a known country."""
    if not code or "-" not in code:
        return None
    return next((p for p in provinces(code.split("-", 1)[0]) if p["code"] == code), None)


def account_type(value):
    name, balance = ACCOUNT_TYPES[value]
    return {"name": name, "normalBalanceType": balance, "value": value}


def account_subtype(value):
    name = SUBTYPE_NAMES.get(value) or value.replace("_", " ").title().replace(" And ", " and ")
    return {
        "name": name,
        "value": value,
        "type": account_type(SUBTYPE_TYPE[value]),
        "archivable": value not in SYSTEM_SUBTYPES,
        "systemCreated": value in SYSTEM_SUBTYPES,
        "description": None,
    }
