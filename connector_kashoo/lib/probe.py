"""What a Kashoo business answers, read at connect (and Test connection) before anything is imported.

``probe(client)`` reads the user's businesses and one page of each collection: the records (every
type, and each role's collection), accounts, contacts (the connection's path; the other known
shapes when it does not answer) and a tax list. It returns a ``ProbeReport``: which collections
answer, the record types seen, keys nobody expects, expected keys that are missing, and what to
turn off with the reason. ``settings_changes()`` is what the connection saves: the collections
off, the types learned from the collections that name them, the tax list, and the contacts and
record paths that answered.
"""

from dataclasses import asdict, dataclass, field

from odoo.addons.connector_base.lib import errors

from .settings import ROLES

RECORD_KEYS = frozenset(
    "id type number date dueDate contact contactName amount totalDue balanceDue currency keepInOriginalCurrency "
    "exchangePayment terms depositAccount depositCurrency account memo poNumber removed readOnly "
    "collaberationContext".split()
)
CONTACT_KEYS = frozenset("id name email phone businessNumber address currency customer vendor removed".split())
ACCOUNT_KEYS = frozenset("id name number type removed".split())
BUSINESS_KEYS = frozenset("id name contactInformation currency businessNumber links".split())
TAX_KEYS = frozenset("id name abbreviation rate registered removed description".split())
CONTACT_PATHS = (
    "/sync/{sync}/contacts/{role}",
    "/businesses/{business}/contacts/{role}",
    "/businesses/{business}/contacts",
)
KIND_NAMES = {"invoice": "invoices and bills", "payment": "payments", "journal_entry": "transfers"}


@dataclass
class ProbeReport:
    business_id: int | None = None
    business_name: str | None = None
    businesses: list = field(default_factory=list)
    answers: dict = field(default_factory=dict)  # collection -> {"path", "ok", "count" | "reason"}
    types_seen: dict = field(default_factory=dict)  # collection -> [type, ...]
    unknown_types: list = field(default_factory=list)  # types no map entry or collection explains
    unknown_keys: dict = field(default_factory=dict)  # where -> [key, ...]
    missing_keys: dict = field(default_factory=dict)  # where -> [key, ...] expected but absent
    off: dict = field(default_factory=dict)  # role, "contacts", "accounts", "records" -> reason
    kinds_off: dict = field(default_factory=dict)  # canonical kind -> reason
    learned_types: dict = field(default_factory=dict)  # wire type -> role, from the collections
    tax_list: bool = False
    contacts_path: str | None = None
    record_path: str | None = None

    def as_dict(self):
        return asdict(self)

    def settings_changes(self):
        changes = {"disabled": dict(self.off), "tax_list": self.tax_list}
        if self.business_id:
            changes["business_id"] = self.business_id
        if self.contacts_path:
            changes["contacts_path"] = self.contacts_path
        if self.record_path:
            changes["record_path"] = self.record_path
        return changes

    def type_map(self, current):
        """The connection's type map with the types the collections showed."""
        return {**current, **self.learned_types}

    def summary(self):
        """Lines for the accountant: what answered, what is off and why, what was not recognised."""
        lines = [f"Business: {self.business_name} ({self.business_id})"]
        for name, answer in self.answers.items():
            lines.append(f"{name}: " + (f"answers ({answer['count']} on the first page)" if answer["ok"] else "no"))
        if not self.tax_list:
            lines.append("Taxes: no tax list; read from the tax lines of invoices and bills")
        lines += [f"Off: {name}: {reason}" for name, reason in self.off.items()]
        lines += [f"Not imported: {kind}: {reason}" for kind, reason in self.kinds_off.items()]
        lines += [f"Types seen in {name}: {', '.join(types)}" for name, types in self.types_seen.items() if types]
        if self.unknown_types:
            lines.append(f"Record types the map does not know (to quarantine): {', '.join(self.unknown_types)}")
        lines += [f"Keys not recognised in {w}: {', '.join(keys)}" for w, keys in self.unknown_keys.items()]
        lines += [f"Keys missing in {w}: {', '.join(keys)}" for w, keys in self.missing_keys.items()]
        return "\n".join(lines)


def probe(client):
    """Probe the business of ``client`` (the only one of the user when none is chosen)."""
    settings = client.settings
    report = ProbeReport()
    businesses = client.businesses()
    report.businesses = [{"id": b.get("id"), "name": _name(b)} for b in businesses if isinstance(b, dict)]
    _keys(report, "businesses", businesses, BUSINESS_KEYS)
    if not settings.business_id and len(report.businesses) == 1:
        settings.business_id = report.businesses[0]["id"]
    chosen = next((b for b in report.businesses if str(b["id"]) == str(settings.business_id)), None)
    if chosen is None:
        names = ", ".join(f"{b['name']} ({b['id']})" for b in report.businesses) or "none"
        raise errors.ProviderValidationError(f"Choose the Kashoo business to connect: {names}")
    report.business_id, report.business_name = chosen["id"], chosen["name"]
    _records(client, report)
    _contacts(client, report)
    accounts = _page(client, report, "accounts", client.business_path("/accounts"))
    _keys(report, "accounts", accounts, ACCOUNT_KEYS)
    taxes = _page(client, report, "taxes", client.business_path("/taxes"), optional=True)
    report.tax_list = taxes is not None
    _keys(report, "taxes", taxes, TAX_KEYS)
    _kinds_off(settings, report)
    return report


def _name(business):
    info = business.get("contactInformation") if isinstance(business.get("contactInformation"), dict) else {}
    return info.get("name") or business.get("name") or str(business.get("id"))


def _page(client, report, name, path, optional=False):
    """One page of a collection, or None when it does not answer (noted, and off unless optional)."""
    try:
        page = client.page(path)
    except (errors.NotFoundError, errors.ProviderValidationError) as exc:
        reason = f"GET {path} does not answer: {exc.message}"
        report.answers[name] = {"path": path, "ok": False, "reason": reason}
        if not optional:
            report.off[name] = reason
        return None
    report.answers[name] = {"path": path, "ok": True, "count": len(page)}
    return page


def _keys(report, where, docs, known, missing=()):
    unknown, absent = set(), set()
    for doc in docs or []:
        if isinstance(doc, dict):
            unknown |= set(doc) - set(known)
            absent |= set(missing) - set(doc)
    if unknown:
        report.unknown_keys[where] = sorted(unknown)
    if absent:
        report.missing_keys[where] = sorted(absent)


def _records(client, report):
    settings = client.settings
    field = settings.field
    lines_key, taxes_key = field("lines"), field("taxes")
    extra = {lines_key, taxes_key, field("tax_included"), field("paid_invoice"), field("paid_bill")}
    line_keys = {field(n) for n in settings.fields if n.startswith("line_")}
    tax_keys = {field(n) for n in ("tax_name", "tax_abbreviation", "tax_rate", "tax_amount")}
    explained, first = set(), None
    for role, (_kind, _detail, collection) in ROLES.items():
        if collection is None:
            continue
        name = f"records/{collection}"
        page = _page(client, report, name, client.business_path(f"/{name}"))
        if page is None:
            report.off[role] = report.off.pop(name)
            continue
        docs = [d for d in page if isinstance(d, dict)]
        first = first or (next(iter(docs), None) and (docs[0], collection))
        seen = sorted({str(d.get("type")) for d in docs})
        report.types_seen[name] = seen
        explained |= set(seen)
        for wire in seen:
            if settings.role_of_type(wire) != role:
                report.learned_types[wire] = role
        documents = role in ("invoice", "bill")
        _keys(report, name, docs, RECORD_KEYS | extra, (lines_key, taxes_key) if documents else ())
        if documents:
            _keys(report, f"{name} {lines_key}", [x for d in docs for x in d.get(lines_key) or []], line_keys)
            _keys(report, f"{name} {taxes_key}", [x for d in docs for x in d.get(taxes_key) or []], tax_keys)
    page = _page(client, report, "records", client.business_path("/records"))
    if page is not None:
        seen = sorted({str(d.get("type")) for d in page if isinstance(d, dict)})
        report.types_seen["records"] = seen
        _keys(report, "records", page, RECORD_KEYS | extra)
        first = first or next(((d, None) for d in page if isinstance(d, dict)), None)
        known = set(settings.type_map) | set(report.learned_types) | explained
        report.unknown_types = [t for t in seen if t not in known]
    if first is not None:
        report.record_path = _record_path(client, *first)


def _record_path(client, doc, collection):
    """How one record is reached (flat, typed) for a record just seen, else none."""
    for mode, path in (
        ("flat", client.business_path(f"/records/{doc['id']}")),
        ("typed", client.business_path(f"/records/{collection}/{doc['id']}") if collection else None),
    ):
        if path:
            try:
                client.call("GET", path)
                return mode
            except (errors.NotFoundError, errors.ProviderValidationError):
                continue
    return "none"


def _contacts(client, report):
    """The connection's contacts path, else the first known shape that answers (each tried on a
    copy of the settings: the connection's own change only when it saves the report)."""
    configured = client.settings.contacts_path
    reasons = []
    for template in (configured,) + tuple(p for p in CONTACT_PATHS if p != configured):
        trial = client.with_settings(contacts_path=template)
        try:
            docs = [d for segment in trial.contact_roles() for d in trial.page(trial.contacts_path(segment))]
        except (errors.NotFoundError, errors.ProviderValidationError) as exc:
            reasons.append(f"{template}: {exc.message}")
            continue
        report.answers["contacts"] = {"path": template, "ok": True, "count": len(docs)}
        report.contacts_path = template if template != configured else None
        _keys(report, "contacts", docs, CONTACT_KEYS)
        return
    reason = "no contacts path answers: " + "; ".join(reasons)
    report.answers["contacts"] = {"path": configured, "ok": False, "reason": reason}
    report.off["contacts"] = reason


def _kinds_off(settings, report):
    off = {**settings.disabled, **report.off}
    for kind, label in KIND_NAMES.items():
        roles = [role for role, (k, _d, _c) in ROLES.items() if k == kind]
        if kind == "journal_entry" and "records" not in off:
            continue  # transfers come from /records too
        if all(role in off for role in roles):
            report.kinds_off[kind] = f"Kashoo does not answer for {label}: " + "; ".join(off[r] for r in roles)
    if "contacts" in off:
        report.kinds_off["party"] = off["contacts"]
    if "accounts" in off:
        report.kinds_off["account"] = off["accounts"]
    if not report.tax_list and "invoice" in report.kinds_off:
        report.kinds_off["tax"] = "no tax list and no invoices or bills to read taxes from"
    report.kinds_off["product"] = "Kashoo's API has no products or items"
