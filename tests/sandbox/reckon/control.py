"""Reckon's own control actions, beside the kit's (``kit.control``); the tenant key is ``book``.

* GET ``contract``: what was checked against the document (``requests``/``answers`` validated
  and failed, ``undeclared`` statuses, ``unchecked`` paths, the last failures);
  ``contract_reset``: counters back to zero;
* ``book``: settings of a book (``name``, ``extension`` for bills and journals, ``clock_offset_days``,
  ``max_perpage``); ``add_book``: another book (``{"name": ..., "extension": false}``);
* ``subscription_keys``: ``{"add": KEY}`` or ``{"remove": KEY}``;
* ``change``: what a person does in Reckon One's own screens (no token, no contract):
  ``{"collection": "customers", "body": {...}}`` creates, with ``"id"`` replaces.
"""

from datetime import timedelta

from ..kit import Control
from .store import ReckonError


class ReckonControl(Control):
    READS = ("docs", "stats", "contract")
    tenant_key = "book"
    errors = (ReckonError,)

    def error(self, handler, book, exc):
        return handler.send(exc.status, exc.body())

    def do_contract(self, book, body, args):
        return self.sandbox.contract.report()

    def do_contract_reset(self, book, body, args):
        self.sandbox.contract.reset()
        return self.sandbox.contract.report()

    def do_book(self, book, body, args):
        for key in ("name", "country", "status", "extension"):
            if key in body:
                setattr(book, key, body[key])
        if "clock_offset_days" in body:
            self.sandbox.clock_offset = timedelta(days=float(body["clock_offset_days"]))
        if "max_perpage" in body:
            self.sandbox.max_perpage = int(body["max_perpage"])
        return dict(book.describe(), extension=book.extension)

    def do_add_book(self, book, body, args):
        new = self.sandbox.add_book(name=body.get("name") or "Another book")
        new.extension = bool(body.get("extension", True))
        return {"book": new.id}

    def do_subscription_keys(self, book, body, args):
        keys = self.sandbox.subscription_keys
        if body.get("add"):
            keys.add(body["add"])
        if body.get("remove"):
            keys.discard(body["remove"])
        return {"count": len(keys)}

    def do_change(self, book, body, args):
        from .server import RESOURCES

        resource = RESOURCES[body["collection"].lower()]
        with book.lock:
            old = book.table(resource.table).get(str(body.get("id", "")).lower()) if body.get("id") else None
            doc = resource.build(book, body.get("body") or {}, old=old)
            book.put(resource.table, doc)
            if hasattr(resource, "after_write"):
                resource.after_write(book, doc, old)
        return resource.view(book, doc)
