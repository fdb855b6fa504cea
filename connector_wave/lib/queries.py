"""Every GraphQL document the connector sends to Wave, by name, in one place.

Each document is a named operation whose arguments are all variables (Wave wants string
arguments as variables, and a document without literals is one the server can cache); the
fragments it spreads are appended to it, so that each text is complete on its own.
``DOCUMENTS[name]`` is what ``WaveClient.query(name, ...)`` and ``WaveClient.mutate(name, ...)``
send, with ``operationName`` = ``name``. The unit tests validate every document against
Wave's published schema.
"""

import re

#: how many invoices one ``InvoicePayments`` request reads the payments of
PAYMENT_BATCH = 10

FRAGMENTS = {
    "AddressFields": """
fragment AddressFields on Address {
  addressLine1 addressLine2 city postalCode
  province { code name }
  country { code name }
}""",
    "CustomerFields": """
fragment CustomerFields on Customer {
  id name firstName lastName displayId email mobile phone fax tollFree website internalNotes
  isArchived createdAt modifiedAt
  currency { code }
  address { ...AddressFields }
  outstandingAmount { value }
  overdueAmount { value }
}""",
    "VendorFields": """
fragment VendorFields on Vendor {
  id name firstName lastName displayId email mobile phone fax tollFree website internalNotes
  isArchived createdAt modifiedAt
  currency { code }
  address { ...AddressFields }
}""",
    "ProductFields": """
fragment ProductFields on Product {
  id name description unitPrice isSold isBought isArchived createdAt modifiedAt
  incomeAccount { id }
  expenseAccount { id }
  defaultSalesTaxes { id }
}""",
    "AccountFields": """
fragment AccountFields on Account {
  id name description displayId normalBalanceType isArchived sequence balance balanceInBusinessCurrency
  currency { code }
  type { value }
  subtype { value }
}""",
    "SalesTaxFields": """
fragment SalesTaxFields on SalesTax {
  id name abbreviation description taxNumber rate isCompound isRecoverable isArchived createdAt modifiedAt
  rates { effective rate }
}""",
    "InvoiceFields": """
fragment InvoiceFields on Invoice {
  id invoiceNumber invoiceDate dueDate status title poNumber memo exchangeRate createdAt modifiedAt
  currency { code }
  customer { id }
  subtotal { value }
  discountTotal { value }
  taxTotal { value }
  total { value }
  amountPaid { value }
  amountDue { value }
  discounts {
    name
    ... on FixedInvoiceDiscount { amount }
    ... on PercentageInvoiceDiscount { percentage }
  }
  items {
    id description quantity unitPrice
    product { id }
    account { id }
    subtotal { value }
    total { value }
    taxes { amount { value } salesTax { id isCompound } }
  }
}""",
    "InvoiceHeadFields": """
fragment InvoiceHeadFields on Invoice {
  id invoiceNumber status memo modifiedAt
  customer { id }
  amountPaid { value }
}""",
    "PaymentFields": """
fragment PaymentFields on InvoicePayment {
  id paymentDate amount exchangeRate paymentMethod memo createdAt modifiedAt
  account { id }
  customer { id }
  invoice { id currency { code } customer { id } }
}""",
    "PageFields": """
fragment PageFields on OffsetPageInfo { currentPage totalPages totalCount }""",
}


def _list(name, field, fragment, arguments, variables):
    """A paged list of the business: ``query <name>($businessId, $page, $pageSize, ...)``."""
    declared = ", ".join(f"${key}: {kind}" for key, kind in variables.items())
    passed = ", ".join(f"{key}: ${key}" for key in arguments)
    return f"""
query {name}($businessId: ID!, $page: Int!, $pageSize: Int!, {declared}) {{
  business(id: $businessId) {{
    {field}(page: $page, pageSize: $pageSize, {passed}) {{
      pageInfo {{ ...PageFields }}
      edges {{ node {{ ...{fragment} }} }}
    }}
  }}
}}"""


def _one(name, field, fragment):
    return f"""
query {name}($businessId: ID!, $id: ID!) {{
  business(id: $businessId) {{ {field}(id: $id) {{ ...{fragment} }} }}
}}"""


def _mutation(name, input_type, selection=""):
    """``mutation <Name>($input: <Name>Input!)`` answering both of Wave's outcome fields."""
    field = name[0].lower() + name[1:]
    return f"""
mutation {name}($input: {input_type}!) {{
  {field}(input: $input) {{
    didSucceed
    inputErrors {{ path message code }}
    {selection}
  }}
}}"""


def _payments_batch():
    declared = ", ".join(f"$i{n}: ID!" for n in range(PAYMENT_BATCH))
    fields = "\n    ".join(
        f"i{n}: invoice(id: $i{n}) {{ id modifiedAt payments {{ ...PaymentFields }} }}" for n in range(PAYMENT_BATCH)
    )
    return f"""
query InvoicePayments($businessId: ID!, {declared}) {{
  business(id: $businessId) {{
    {fields}
  }}
}}"""


_MODIFIED = {"modifiedAtAfter": "DateTime", "modifiedAtBefore": "DateTime"}

_TEXTS = {
    # ------------------------------------------------------------------ the connection
    "Business": """
query Business($businessId: ID!) {
  business(id: $businessId) {
    id name isPersonal isArchived modifiedAt
    currency { code }
    address { ...AddressFields }
  }
}""",
    "Businesses": """
query Businesses($page: Int!, $pageSize: Int!) {
  businesses(page: $page, pageSize: $pageSize) {
    pageInfo { ...PageFields }
    edges { node { id name isPersonal isArchived currency { code } } }
  }
}""",
    "Counts": """
query Counts($businessId: ID!, $one: Int!, $modifiedAtAfter: DateTime, $invoiceDateStart: Date,
             $no: Boolean!, $yes: Boolean!) {
  business(id: $businessId) {
    customers(pageSize: $one, modifiedAtAfter: $modifiedAtAfter) { pageInfo { totalCount } }
    vendors(pageSize: $one, modifiedAtAfter: $modifiedAtAfter) { pageInfo { totalCount } }
    products(pageSize: $one, modifiedAtAfter: $modifiedAtAfter, isArchived: $no) { pageInfo { totalCount } }
    archivedProducts: products(pageSize: $one, modifiedAtAfter: $modifiedAtAfter, isArchived: $yes) {
      pageInfo { totalCount }
    }
    salesTaxes(pageSize: $one, modifiedAtAfter: $modifiedAtAfter, isArchived: $no) { pageInfo { totalCount } }
    archivedSalesTaxes: salesTaxes(pageSize: $one, modifiedAtAfter: $modifiedAtAfter, isArchived: $yes) {
      pageInfo { totalCount }
    }
    accounts(pageSize: $one, isArchived: $no) { pageInfo { totalCount } }
    archivedAccounts: accounts(pageSize: $one, isArchived: $yes) { pageInfo { totalCount } }
    invoices(pageSize: $one, modifiedAtAfter: $modifiedAtAfter, invoiceDateStart: $invoiceDateStart) {
      pageInfo { totalCount }
    }
  }
}""",
    # ------------------------------------------------------------------ lists
    "Customers": _list(
        "Customers",
        "customers",
        "CustomerFields",
        ("sort", "email", *_MODIFIED),
        {"sort": "[CustomerSort!]!", "email": "String", **_MODIFIED},
    ),
    "Vendors": _list("Vendors", "vendors", "VendorFields", ("email", *_MODIFIED), {"email": "String", **_MODIFIED}),
    "Products": _list(
        "Products",
        "products",
        "ProductFields",
        ("sort", "isArchived", *_MODIFIED),
        {"sort": "[ProductSort!]!", "isArchived": "Boolean", **_MODIFIED},
    ),
    "Accounts": _list(
        "Accounts",
        "accounts",
        "AccountFields",
        ("isArchived", "subtypes"),
        {"isArchived": "Boolean", "subtypes": "[AccountSubtypeValue!]"},
    ),
    "SalesTaxes": _list(
        "SalesTaxes", "salesTaxes", "SalesTaxFields", ("isArchived", *_MODIFIED), {"isArchived": "Boolean", **_MODIFIED}
    ),
    "Invoices": _list(
        "Invoices",
        "invoices",
        "InvoiceFields",
        ("sort", "invoiceNumber", "invoiceDateStart", "customerId", *_MODIFIED),
        {
            "sort": "[InvoiceSort!]!",
            "invoiceNumber": "String",
            "invoiceDateStart": "Date",
            "customerId": "ID",
            **_MODIFIED,
        },
    ),
    "InvoiceHeads": _list(
        "InvoiceHeads",
        "invoices",
        "InvoiceHeadFields",
        ("sort", "invoiceNumber", "invoiceDateStart", *_MODIFIED),
        {"sort": "[InvoiceSort!]!", "invoiceNumber": "String", "invoiceDateStart": "Date", **_MODIFIED},
    ),
    # ------------------------------------------------------------------ one record
    "Customer": _one("Customer", "customer", "CustomerFields"),
    "Vendor": _one("Vendor", "vendor", "VendorFields"),
    "Product": _one("Product", "product", "ProductFields"),
    "Account": _one("Account", "account", "AccountFields"),
    "SalesTax": _one("SalesTax", "salesTax", "SalesTaxFields"),
    "Invoice": """
query Invoice($businessId: ID!, $id: ID!) {
  business(id: $businessId) { invoice(id: $id) { ...InvoiceFields payments { ...PaymentFields } } }
}""",
    "InvoicePayment": _one("InvoicePayment", "invoicePayment", "PaymentFields"),
    "InvoicePayments": _payments_batch(),
    # ------------------------------------------------------------------ mutations
    "CustomerCreate": _mutation("CustomerCreate", "CustomerCreateInput", "customer { ...CustomerFields }"),
    "CustomerPatch": _mutation("CustomerPatch", "CustomerPatchInput", "customer { ...CustomerFields }"),
    "CustomerDelete": _mutation("CustomerDelete", "CustomerDeleteInput"),
    "ProductCreate": _mutation("ProductCreate", "ProductCreateInput", "product { ...ProductFields }"),
    "ProductPatch": _mutation("ProductPatch", "ProductPatchInput", "product { ...ProductFields }"),
    "ProductArchive": _mutation("ProductArchive", "ProductArchiveInput", "product { ...ProductFields }"),
    "AccountCreate": _mutation("AccountCreate", "AccountCreateInput", "account { ...AccountFields }"),
    "AccountPatch": _mutation("AccountPatch", "AccountPatchInput", "account { ...AccountFields }"),
    "AccountArchive": _mutation("AccountArchive", "AccountArchiveInput"),
    "SalesTaxCreate": _mutation("SalesTaxCreate", "SalesTaxCreateInput", "salesTax { ...SalesTaxFields }"),
    "SalesTaxArchive": _mutation("SalesTaxArchive", "SalesTaxArchiveInput", "salesTax { ...SalesTaxFields }"),
    "InvoiceCreate": _mutation("InvoiceCreate", "InvoiceCreateInput", "invoice { ...InvoiceFields }"),
    "InvoicePatch": _mutation("InvoicePatch", "InvoicePatchInput", "invoice { ...InvoiceFields }"),
    "InvoiceApprove": _mutation("InvoiceApprove", "InvoiceApproveInput", "invoice { ...InvoiceFields }"),
    "InvoiceDelete": _mutation("InvoiceDelete", "InvoiceDeleteInput"),
    "InvoicePaymentCreateManual": _mutation(
        "InvoicePaymentCreateManual", "InvoicePaymentCreateManualInput", "invoicePayment { ...PaymentFields }"
    ),
    "InvoicePaymentPatch": _mutation(
        "InvoicePaymentPatch", "InvoicePaymentPatchInput", "invoicePayment { ...PaymentFields }"
    ),
    "InvoicePaymentDelete": _mutation("InvoicePaymentDelete", "InvoicePaymentDeleteInput"),
    "MoneyTransactionCreate": _mutation("MoneyTransactionCreate", "MoneyTransactionCreateInput", "transaction { id }"),
}

_SPREAD = re.compile(r"\.\.\.(?!\s*on\b)\s*(\w+)")


def _with_fragments(text):
    """The document followed by every fragment it spreads, directly or through another."""
    needed, queue = [], _SPREAD.findall(text)
    while queue:
        name = queue.pop(0)
        if name not in needed:
            needed.append(name)
            queue.extend(_SPREAD.findall(FRAGMENTS[name]))
    return text.strip() + "".join(FRAGMENTS[name] for name in needed) + "\n"


DOCUMENTS = {name: _with_fragments(text) for name, text in _TEXTS.items()}
MUTATIONS = frozenset(name for name, text in DOCUMENTS.items() if text.startswith("mutation"))


def root_field(name):
    """The field a mutation document answers under (``CustomerCreate`` -> ``customerCreate``)."""
    return name[0].lower() + name[1:]
