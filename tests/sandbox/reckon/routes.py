"""The Reckon One API v2 behind the gateway: which record type a path names and what each verb does.

* ``GET /books``, ``GET /books/{id}``, ``GET /heartbeat``;
* ``/{bookId}/{collection}``: GET (a page of the list), POST (201 ``{id, name}`` or ``{id}``);
* ``/{bookId}/{collection}/{id}``: GET, PUT (full replace, 204), PATCH (RFC 7396 merge, only as
  ``application/merge-patch+json``, else 415; 204; ``status`` approves an invoice), DELETE (204);
* ``taxrates|taxgroups/{effectiveDate}`` and ``/{id}/{effectiveDate}``;
* ``invoices/{id}/lineItems[/{lineId}]``, ``receipts/{id}/transactionLinks[/{linkId}]``,
  ``creditNotes/{id}/transactionLinks[/{linkId}]`` (``credits.py``), ``bills/{id}/approve``.

A path the API does not have is the gateway's 404; a book that is not there, the API's.
"""

import copy

from .credits import credit_link, settle
from .query import listing, paging_headers
from .store import ReckonError, invalid, parse_datetime

HEARTBEAT = {"status": "OK", "version": "1.0.0.0", "description": "R1 Public API Version 2"}
BOOK_FIELDS = ("id", "name", "status", "ownership", "country", "bookCreated", "products")


def merge_patch(target, patch):
    """RFC 7396: null removes, objects merge, anything else replaces."""
    if not isinstance(patch, dict):
        return patch
    out = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge_patch(out.get(key), value)
    return out


class ApiRoutes:
    """Mixed into the sandbox's request handler."""

    def call(self, method, rest):
        sb = self.sandbox
        try:
            if sb.faults.take("unauthorized") or not sb.oauth.bearer(self):
                raise ReckonError(401)
            head = rest[0].lower() if rest else ""
            if head == "heartbeat" and len(rest) == 1 and method == "GET":
                return self.send(200, HEARTBEAT)
            if head == "books" and method == "GET" and len(rest) <= 2:
                return self.books(rest[1:])
            book = sb.tenant(head) if head else None
            if book is None and (len(rest) < 2 or rest[1].lower() not in self.resources):
                return self.no_operation()
            if book is None:
                raise ReckonError(404)
            resource = self.resources.get(rest[1].lower())
            if resource is None:
                return self.no_operation()
            if resource.extension and not book.extension:
                raise ReckonError(403)
            with book.lock:
                return self.dispatch(method, book, resource, rest[2:])
        except ReckonError as error:
            return self.send(error.status, error.body())

    def no_operation(self):
        return self.gateway_answer(404, "Resource not found")

    def books(self, rest):
        if rest:
            book = self.sandbox.tenant(rest[0])
            if book is None:
                raise ReckonError(404)
            return self.send(200, book.describe())
        return self.page([book.describe() for book in self.sandbox.tenants.values()], BOOK_FIELDS)

    def page(self, docs, fields):
        docs, total, page, perpage = listing(docs, self.query_value, fields, self.sandbox.max_perpage)
        base = f"http://{self.headers.get('Host', 'localhost')}{self.url_path}"
        return self.send(200, {"list": docs}, headers=paging_headers(base, self.query_pairs, total, page, perpage))

    # ------------------------------------------------------------------ dispatch
    def dispatch(self, method, book, resource, tail):
        if resource.table in ("taxrates", "taxgroups"):
            return self.taxes(method, book, resource, tail)
        if not tail:
            if method == "GET":
                docs = [resource.view(book, d) for d in book.table(resource.table).values() if resource.visible(d)]
                return self.page(docs, resource.FIELDS)
            if method == "POST" and not resource.read_only:
                return self.create(book, resource)
            return self.no_operation()
        doc = book.table(resource.table).get(tail[0].lower())
        if len(tail) == 1:
            if resource.read_only and method != "GET":
                return self.no_operation()
            if method not in ("GET", "PUT", "PATCH", "DELETE") or (method == "PATCH" and resource.extension):
                return self.no_operation()
            if doc is None or not resource.visible(doc):
                raise ReckonError(404)
            return getattr(self, f"item_{method.lower()}")(book, resource, doc)
        sub = tail[1].lower()
        if resource.table == "bills" and sub == "approve" and len(tail) == 2 and method == "POST":
            return self.approve(book, resource, doc)
        if resource.table == "invoices" and sub == "lineitems":
            return self.line_items(method, book, resource, doc, tail[2:])
        if resource.table == "receipts" and sub == "transactionlinks":
            return self.links(method, book, resource, doc, tail[2:])
        if resource.table == "creditnotes" and sub == "transactionlinks":
            return self.credit_links(method, book, doc, tail[2:])
        return self.no_operation()

    def taxes(self, method, book, resource, tail):
        if method != "GET" or len(tail) not in (1, 2):
            return self.no_operation()
        on = parse_datetime(tail[-1], "effectiveDate").date()
        docs = book.in_effect(resource.table, on)
        if len(tail) == 1:
            return self.page([resource.view(book, d) for d in docs], resource.FIELDS)
        doc = book.table(resource.table).get(tail[0].lower())
        if doc is None or doc not in docs:
            raise ReckonError(404)
        view = resource.view(book, doc)  # a tax group comes back as a list of one (TaxGroups)
        return self.send(200, view if resource.table == "taxrates" else {"list": [view]})

    # ------------------------------------------------------------------ bodies
    def read_body(self, method):
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        wanted = "application/merge-patch+json" if method == "PATCH" else "application/json"
        if content_type != wanted:
            message = f"{content_type or 'No content type'} is not supported. Please use content-type {wanted}."
            raise ReckonError(415, message)
        errors = self.sandbox.contract.check_request(method, self.api_path, self.found, self.body)
        if errors:
            raise ReckonError(400, errors=[tuple(e.split(": ", 1)) if ": " in e else ("(body)", e) for e in errors])
        try:
            body = self.json_body()
        except ValueError:
            raise invalid("(body)", "The body is not valid JSON.") from None
        if not isinstance(body, dict):
            raise invalid("(body)", "The body must be a JSON object.")
        return body

    def written(self, status, body=b""):
        """The answer of a write that is stored: the lost-answer fault drops it."""
        sb = self.sandbox
        sb.count("writes")
        if sb.faults.hit("lose_response"):
            return self.drop()
        return self.send(status, body, content_type="application/json" if body else None)

    def store(self, book, resource, doc, old=None):
        book.put(resource.table, doc)
        after = getattr(resource, "after_write", None)
        if after:
            after(book, doc, old)
        return doc

    # ------------------------------------------------------------------ verbs
    def create(self, book, resource):
        doc = self.store(book, resource, resource.build(book, self.read_body("POST")))
        return self.written(201, resource.created(doc))

    def item_get(self, book, resource, doc):
        return self.send(200, resource.view(book, doc))

    def item_put(self, book, resource, doc):
        self.store(book, resource, resource.build(book, self.read_body("PUT"), old=doc), doc)
        return self.written(204)

    def item_patch(self, book, resource, doc):
        patch = self.read_body("PATCH")
        status = patch.pop("status", None) if hasattr(resource, "set_status") else None
        new = resource.build(book, merge_patch(resource.to_input(book, doc), patch), old=doc)
        if status is not None:
            resource.set_status(book, new, status)
        self.store(book, resource, new, doc)
        return self.written(204)

    def item_delete(self, book, resource, doc):
        resource.delete(book, doc)
        return self.written(204)

    def approve(self, book, resource, doc):
        if doc is None:
            raise ReckonError(404)
        resource.approve(book, doc)
        self.store(book, resource, doc)
        return self.written(204)

    def line_items(self, method, book, resource, doc, rest):
        if doc is None:
            raise ReckonError(404)
        body = resource.to_input(book, doc)
        lines = body["lineItems"]
        if not rest and method == "POST":
            line = self.read_body("POST")
            if any(other["lineNumber"] == line.get("lineNumber") for other in lines):
                raise invalid("lineNumber", f"Line {line.get('lineNumber')} is already on the invoice.")
            new = self.store(book, resource, resource.build(book, dict(body, lineItems=[*lines, line]), old=doc), doc)
            created = next(x for x in new["lineItems"] if x["lineNumber"] == line["lineNumber"])
            return self.written(201, {"id": created["lineId"]})
        if len(rest) != 1 or method not in ("GET", "PUT", "PATCH", "DELETE"):
            return self.no_operation()
        index = next((n for n, x in enumerate(doc["lineItems"]) if x["lineId"].lower() == rest[0].lower()), None)
        if index is None:
            raise ReckonError(404)
        if method == "GET":
            return self.send(200, copy.deepcopy(doc["lineItems"][index]))
        if method == "DELETE":
            lines.pop(index)
        else:
            given = self.read_body(method)
            lines[index] = merge_patch(lines[index], given) if method == "PATCH" else given
        new = resource.build(book, dict(body, lineItems=lines), old=doc)
        if method != "DELETE":
            new["lineItems"][index]["lineId"] = doc["lineItems"][index]["lineId"]
        self.store(book, resource, new, doc)
        return self.written(204)

    def links(self, method, book, resource, doc, rest):
        if doc is None:
            raise ReckonError(404)
        body = resource.to_input(book, doc)
        links = [
            {k: x[k] for k in ("transactionId", "transactionType", "transactionAmount")}
            for x in doc["transactionLinks"]
        ]
        if not rest and method == "POST":
            link = self.read_body("POST")
            if any(x["transactionId"].lower() == str(link.get("transactionId", "")).lower() for x in links):
                raise invalid("transactionId", "The receipt is already allocated to this transaction.")
            new = self.store(
                book, resource, resource.build(book, dict(body, transactionLinks=[*links, link]), old=doc), doc
            )
            return self.written(201, {"id": new["transactionLinks"][-1]["linkId"]})
        if len(rest) != 1 or method not in ("PATCH", "DELETE"):
            return self.no_operation()
        index = next((n for n, x in enumerate(doc["transactionLinks"]) if x["linkId"].lower() == rest[0].lower()), None)
        if index is None:
            raise ReckonError(404)
        if method == "DELETE":
            links.pop(index)
        else:
            links[index]["transactionAmount"] = self.read_body("PATCH").get("transactionAmount")
        self.store(book, resource, resource.build(book, dict(body, transactionLinks=links), old=doc), doc)
        return self.written(204)

    def credit_links(self, method, book, note, rest):
        """A credit note allocated to invoices, no money moving (``credits.py``)."""
        if note is None:
            raise ReckonError(404)
        links = note["transactionLinks"]
        if not rest and method == "POST":
            given = self.read_body("POST")
            if any(x["transactionId"].lower() == str(given.get("transactionId", "")).lower() for x in links):
                raise invalid("transactionId", "The credit note is already allocated to this transaction.")
            link = credit_link(book, note, given, links)
            links.append(link)
            settle(book, note, {link["transactionId"]})
            book.put("creditnotes", note)
            return self.written(201, {"id": link["linkId"]})
        if len(rest) != 1 or method not in ("PATCH", "DELETE"):
            return self.no_operation()
        index = next((n for n, x in enumerate(links) if x["linkId"].lower() == rest[0].lower()), None)
        if index is None:
            raise ReckonError(404)
        old = links[index]
        if method == "DELETE":
            links.pop(index)
        else:
            amount = self.read_body("PATCH").get("transactionAmount")
            given = {"transactionId": old["transactionId"], "transactionType": "Invoice", "transactionAmount": amount}
            links[index] = credit_link(book, note, given, links[:index] + links[index + 1 :])
        settle(book, note, {old["transactionId"]})
        book.put("creditnotes", note)
        return self.written(204)
