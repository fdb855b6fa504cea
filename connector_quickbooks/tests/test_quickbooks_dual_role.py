from datetime import date, timedelta

from odoo.tests import tagged

from odoo.addons.connector_base.lib import errors
from odoo.addons.queue_job.job import Job

from .common import QuickBooksCase


@tagged("post_install", "-at_install")
class TestQuickBooksDualRole(QuickBooksCase):
    """The issue's must-show: a QuickBooks company with 20 companies that are both Customer
    and Vendor. QuickBooks keeps each as two records whose DisplayNames must differ (6240): the
    same company name and e-mail, the vendor's DisplayName with " (Vendor)"."""

    company_size = {
        "customers": 4,
        "items": 3,
        "invoices": 2,
        "payments": 0,
        "bills": 1,
        "journal_entries": 0,
        "credit_memos": 0,
    }
    TWINS = 20

    # ------------------------------------------------------------------ helpers
    def seed_twins(self):
        """[(name, Customer Id, Vendor Id)], made as a person makes them in QuickBooks' screens;
        every other company got its vendor first."""
        pairs = []
        for n in range(1, self.TWINS + 1):
            name = f"Twin Trading {n:02d}"
            common = {
                "CompanyName": name,
                "PrimaryEmailAddr": {"Address": f"accounts@twin{n:02d}.example"},
                "BillAddr": {"Line1": f"{n} Harbour Road", "City": "Oakland", "CountrySubDivisionCode": "CA"},
            }
            bodies = [
                ("Customer", dict(common, DisplayName=name)),
                ("Vendor", dict(common, DisplayName=f"{name} (Vendor)")),
            ]
            made = {}
            for entity, body in bodies if n % 2 else reversed(bodies):
                made[entity] = self.control("change", entity=entity, body=body)[entity]["Id"]
            pairs.append((name, made["Customer"], made["Vendor"]))
        return pairs

    def seed_documents(self, pairs):
        """An invoice to the customer and a bill from the vendor of some of the companies:
        {name: (Invoice Id, Bill Id)}."""
        item = self.qbo_docs("Item")[0]
        utilities = next(doc for doc in self.qbo_docs("Account") if doc["Name"] == "Utilities")
        day = (date.today() - timedelta(days=10)).isoformat()
        documents = {}
        for name, customer_id, vendor_id in pairs[:4]:
            invoice = {
                "CustomerRef": {"value": customer_id},
                "TxnDate": day,
                "Line": [
                    {
                        "DetailType": "SalesItemLineDetail",
                        "Amount": "120.00",
                        "SalesItemLineDetail": {
                            "ItemRef": {"value": item["Id"]},
                            "Qty": 1,
                            "UnitPrice": "120.00",
                            "TaxCodeRef": {"value": "NON"},
                        },
                    }
                ],
            }
            bill = {
                "VendorRef": {"value": vendor_id},
                "TxnDate": day,
                "Line": [
                    {
                        "DetailType": "AccountBasedExpenseLineDetail",
                        "Amount": "80.00",
                        "AccountBasedExpenseLineDetail": {"AccountRef": {"value": utilities["Id"]}},
                    }
                ],
            }
            documents[name] = (
                self.control("change", entity="Invoice", body=invoice)["Invoice"]["Id"],
                self.control("change", entity="Bill", body=bill)["Bill"]["Id"],
            )
        return documents

    def run_chain(self):
        """Run the pending jobs as the runner does, each job's followers after it (Import all)."""
        while jobs := self.pending_jobs():
            for record in jobs:
                job = Job.load(self.env(su=True), record.uuid)
                if job.state != "pending":
                    continue
                job.set_started()
                job.perform()
                job.set_done()
                job.store()
                self.env["queue.job"].flush_model()
                job.enqueue_waiting()

    def import_all(self):
        """The Import all button, the accountant mapping accounts and taxes once they are in,
        and the documents that waited for them."""
        self.backend.action_import_all()
        self.run_chain()
        self.map_accounts()
        self.map_taxes()
        self.run_chain()

    def open_quarantine(self):
        rows = self.env["connector.quarantine"].search([("backend_id", "=", self.backend.id), ("state", "=", "open")])
        return [f"{row.reason}: {row.message}" for row in rows]

    def party_bindings(self, partner):
        bindings = self.env["connector.binding"].search(
            [("backend_id", "=", self.backend.id), ("res_model", "=", "res.partner"), ("res_id", "=", partner.id)]
        )
        return {binding.role: binding.external_id for binding in bindings}

    def qbo_parties(self, email):
        return {
            entity: [
                doc for doc in self.qbo_docs(entity) if (doc.get("PrimaryEmailAddr") or {}).get("Address") == email
            ]
            for entity in ("Customer", "Vendor")
        }

    # ------------------------------------------------------------------ tests
    def test_twenty_customers_that_are_vendors_import_as_twenty_partners_bound_twice(self):
        self.connect()
        pairs = self.seed_twins()
        documents = self.seed_documents(pairs)
        self.import_all()
        self.assertFalse(self.open_quarantine())
        partners = self.env["res.partner"]
        for name, customer_id, vendor_id in pairs:
            partner = self.odoo_partner(f"Customer/{customer_id}")
            self.assertEqual(self.odoo_partner(f"Vendor/{vendor_id}"), partner, name)
            self.assertEqual(
                self.party_bindings(partner), {"customer": f"Customer/{customer_id}", "vendor": f"Vendor/{vendor_id}"}
            )
            self.assertEqual(partner.name, name, "the company's name, not the vendor's DisplayName")
            self.assertTrue(partner.customer_rank and partner.supplier_rank)
            partners |= partner
        self.assertEqual(len(partners), self.TWINS)
        self.assertEqual(self.env["res.partner"].search_count([("email", "=like", "accounts@twin%.example")]), 20)
        self.assertFalse(self.env["connector.partner.match"].search([("backend_id", "=", self.backend.id)]))
        # a bill and an invoice of the same company land on the same partner
        Binding = self.env["connector.binding"]
        for name, (invoice_id, bill_id) in documents.items():
            invoice = Binding._find_record(self.backend, "invoice", f"Invoice/{invoice_id}")
            bill = Binding._find_record(self.backend, "invoice", f"Bill/{bill_id}")
            self.assertEqual((invoice.move_type, bill.move_type), ("out_invoice", "in_invoice"))
            self.assertEqual((invoice.state, bill.state), ("posted", "posted"))
            self.assertEqual(invoice.partner_id, bill.partner_id, name)
            self.assertEqual(invoice.partner_id.name, name)
        # a second Import all creates nothing
        counts = {model: self.env[model].search_count([]) for model in ("res.partner", "connector.binding")}
        self.import_all()
        self.assertEqual(counts, {model: self.env[model].search_count([]) for model in counts})

    def test_a_new_customer_and_supplier_is_exported_as_a_customer_and_a_vendor_once_each(self):
        self.connect()
        self.import_kinds(("account", "tax", "party", "product"))
        email = "ap@lighthouse.example"
        partner = self.env["res.partner"].create(
            {
                "name": "Lighthouse Provisions",
                "is_company": True,
                "email": email,
                "customer_rank": 1,
                "supplier_rank": 1,
            }
        )
        # the customer's create is made but answers nothing, five times over: the job is retried, and
        # QuickBooks answers the repeated request id with the customer it made
        self.control("faults", lose_response=5)
        with self.assertRaises(errors.TransientError):
            self.backend._export_record("party", "res.partner", partner.id)
        self.assertEqual([len(docs) for docs in self.qbo_parties(email).values()], [1, 0])
        self.backend._export_record("party", "res.partner", partner.id)
        self.assertFalse(self.open_quarantine())
        found = self.qbo_parties(email)
        self.assertEqual([len(found["Customer"]), len(found["Vendor"])], [1, 1])
        customer, vendor = found["Customer"][0], found["Vendor"][0]
        self.assertEqual(customer["DisplayName"], "Lighthouse Provisions")
        self.assertEqual(vendor["DisplayName"], "Lighthouse Provisions (Vendor)", "6240: the vendor's own name")
        bindings = {"customer": f"Customer/{customer['Id']}", "vendor": f"Vendor/{vendor['Id']}"}
        self.assertEqual(self.party_bindings(partner), bindings)
        writes = self.sandbox.stats["writes"]
        self.backend._export_record("party", "res.partner", partner.id)
        self.assertEqual(self.sandbox.stats["writes"], writes, "nothing changed: nothing sent")
        # its invoice goes to the customer, its bill to the vendor
        invoice = self.make_invoice(partner)
        bill = self.make_vendor_document("in_invoice", partner, "2026-11-03", "Lamp oil", 80.0)
        self.run_jobs()
        self.assertFalse(self.open_quarantine())
        stamped = {doc.get("PrivateNote"): doc for entity in ("Invoice", "Bill") for doc in self.qbo_docs(entity)}
        self.assertEqual(stamped[f"odoo:account.move:{invoice.id}"]["CustomerRef"]["value"], customer["Id"])
        self.assertEqual(stamped[f"odoo:account.move:{bill.id}"]["VendorRef"]["value"], vendor["Id"])
        # a change reaches both records, the vendor keeping its own name
        partner.phone = "+1 510 555 0142"
        self.run_jobs()
        found = self.qbo_parties(email)
        self.assertEqual([len(found["Customer"]), len(found["Vendor"])], [1, 1])
        self.assertEqual(
            {doc["PrimaryPhone"]["FreeFormNumber"] for docs in found.values() for doc in docs}, {partner.phone}
        )
        self.assertEqual(found["Vendor"][0]["DisplayName"], "Lighthouse Provisions (Vendor)")
        self.assertEqual(self.party_bindings(partner), bindings)

    def test_a_burst_of_customers_and_suppliers_goes_in_batches_each_record_once(self):
        self.connect()
        self.import_kinds(("account", "tax", "party"))
        partners = self.env["res.partner"].create(
            [
                {"name": f"Beacon Supply {n}", "email": f"ap@beacon{n}.example", "customer_rank": 1, "supplier_rank": 1}
                for n in range(4)
            ]
        )
        self.env["connector.backend"]._enqueue_export("party", partners)
        self.run_jobs()
        self.assertFalse(self.open_quarantine())
        batches = [key for key in self.sandbox.stats["by_requestid"] if key.startswith("b")]
        self.assertTrue(batches, "the burst went in a batch")
        for partner in partners:
            found = self.qbo_parties(partner.email)
            self.assertEqual([len(found["Customer"]), len(found["Vendor"])], [1, 1], partner.name)
            self.assertEqual(found["Vendor"][0]["DisplayName"], f"{partner.name} (Vendor)")
            self.assertEqual(set(self.party_bindings(partner)), {"customer", "vendor"})
