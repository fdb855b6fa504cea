"""QuickBooks' own control actions, beside the kit's (``kit.control``).

* ``company``: company settings (name, country, currency, tax mode, closed books, exchange
  rates) and ``clock_offset_days``;
* ``change``: what a person does in QuickBooks' own screens (no token needed, webhooks follow);
* ``merge``: merge two list records; ``webhooks``: delivery settings; ``flush``: deliver now;
* GET ``stats``: the kit's counters plus the last 200 webhook deliveries.
"""

from datetime import date, timedelta
from decimal import Decimal

from ..kit import Control
from .store import Fault, public


class QuickBooksControl(Control):
    tenant_key = "realm"
    errors = (Fault,)

    def error(self, handler, company, fault):
        return handler.send(fault.status, fault.body(company.fmt(company.now())))

    def do_company(self, company, body, args):
        with company.lock:
            for key in ("name", "country", "home_currency", "multicurrency", "tax_mode", "custom_doc_numbers"):
                if key in body:
                    setattr(company, key, body[key])
            if "books_closed_on" in body:
                value = body["books_closed_on"]
                company.books_closed_on = date.fromisoformat(value) if value else None
            for code, rate in (body.get("exchange_rates") or {}).items():
                company.exchange_rates[code] = Decimal(str(rate))
        if "clock_offset_days" in body:
            self.sandbox.clock_offset = timedelta(days=float(body["clock_offset_days"]))
        return {"realm": company.realm_id, "tax_mode": company.tax_mode}

    def do_change(self, company, body, args):
        entity, doc = body["entity"], body["body"]
        written = company.write(entity, doc, operation=body.get("operation", "create"), sparse=bool(doc.get("sparse")))
        return {entity: public(written)}

    def do_merge(self, company, body, args):
        return {body["entity"]: public(company.merge(body["entity"], body["from"], body["to"]))}

    def do_webhooks(self, company, body, args):
        sb = self.sandbox
        sb.webhook.update({k: v for k, v in body.items() if k in sb.webhook})
        if "verifier" in body:
            sb.verifier = body["verifier"]
        return sb.webhook

    def do_flush(self, company, body, args):
        return {"sent": self.sandbox.flush_webhooks(force=True)}

    def do_stats(self, company, body, args):
        sb = self.sandbox
        with sb.lock, sb.notifier.lock:
            return dict(sb.stats, webhooks=[(status, payload.decode()) for status, payload in sb.webhook_log[-200:]])
