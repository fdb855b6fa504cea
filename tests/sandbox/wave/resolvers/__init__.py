"""Resolvers over the in-memory books, bound onto Wave's schema by ``bind``."""

from . import catalog, contacts, invoices, transactions
from .mutate import unknown
from .objects import OBJECTS, discount_type
from .queries import BUSINESS, QUERY

MUTATIONS = {**contacts.MUTATIONS, **catalog.MUTATIONS, **invoices.MUTATIONS, **transactions.MUTATIONS}


def _doc_field(name):
    return lambda business, info, **_args: business.doc.get(name)


def bind(schema):
    """Set the resolvers on the schema's fields; returns the names of the mutations not modelled."""
    types = schema.type_map
    for name, resolver in QUERY.items():
        types["Query"].fields[name].resolve = resolver
    for name, field in types["Business"].fields.items():
        field.resolve = BUSINESS.get(name) or _doc_field(name)
    for type_name, resolvers in OBJECTS.items():
        for name, resolver in resolvers.items():
            if name in types[type_name].fields:
                types[type_name].fields[name].resolve = resolver
    missing = []
    for name, field in types["Mutation"].fields.items():
        if name == "_":
            continue
        field.resolve = MUTATIONS.get(name) or unknown(name)
        if name not in MUTATIONS:
            missing.append(name)
    types["InvoiceDiscount"].resolve_type = discount_type
    return missing
