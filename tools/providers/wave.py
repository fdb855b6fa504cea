"""The Wave plug-in of `make bench` and `make chaos`: a skeleton, not registered in
tools/providers.PLUGINS yet (PROVIDER=wave is refused in one line until it is).

What is settled (the sandbox and the pure-Python adapter exist):

- sandbox: ``tests.sandbox.wave.server.WaveSandbox`` on the kit; ``generate(customers=,
  products=, invoices=, payments=, seed=)`` (Wave says products, not items; no lines-per-invoice
  knob yet); ``start()`` returns its URL; ``faults.update`` takes the kit's names, which are the
  harness's schedule; ``limits`` is 60 requests a minute and 2 at a time (Wave publishes none:
  PROVIDERS.md calls third-party figures unverified); the access tokens and refresh tokens it
  issued, and its Full Access Token, go into ``secrets``;
- change detection: "poll". Wave publishes no webhooks (``connector_wave.lib.adapter`` says
  push False for every kind); the sandbox's signed notifications are its own addition and the
  harness never turns them on (``send_notifications`` is not called); the bench's phase 4 is
  change-to-record latency by polling (``poll_minutes``);
- ``write_ceiling_per_min``: None (no published write ceiling); ``export_counters`` gives the
  sandbox's ``throttled`` and 0 batch requests (Wave has no batch endpoint);
- its side changed and read: customers and invoices through the sandbox's store or its control
  API (``/_sandbox/change``: a change made in Wave's own screens), payments through
  ``InvoicePayment``; ``read_side`` from ``/_sandbox/docs/<Kind>``: Customer, Product, Invoice
  (total, amount due, and whether void or deleted), InvoicePayment; bills and vendors are out
  (Wave's API has no bills);
- no chaos fuzz tier until connector_wave has a notification or callback route worth fuzzing
  (its OAuth callback: then ``fuzz`` names that test class).

What it needs from connector_wave's Odoo side (being built elsewhere), and nothing else:

- ``connector.backend`` with ``provider = "wave"`` and the fields ``backend_values`` fills:
  client id and secret, ``api_url`` (the sandbox's ``/graphql/public``), auth/token/revoke URLs,
  the business chosen at connection (Wave's ``businessId``), ``request_timeout``,
  ``poll_interval``;
- the OAuth flow: ``action_connect()`` returning the consent URL, and the method its callback
  calls (the QuickBooks one is ``_qbo_finish_oauth(code, realm_id)``) so that ``connect`` can
  finish it without a running server; or, with a Full Access Token, a way to store it;
- ``_import_kind`` / ``_reread`` / ``action_import_all`` / the poll and sweep crons of
  connector_base working over the Wave adapter for account, tax, party, product, invoice and
  payment, and export of posted customer invoices and their payments;
- ``connector.binding.external_id`` as the adapter writes it (``doc_id`` maps it back to the
  sandbox's id) and a mark on exported documents that ``read_side`` can read back as
  ``Doc.stamp`` (one Wave document per Odoo record);
- account and tax mapping rows keyed by Wave's account ids and sales tax ids (``account_rows``
  maps Wave's account types and subtypes to Odoo account types; ``tax_codes`` the generated
  business's sales taxes to their rates).
"""

from tools.providers import Provider


class Wave(Provider):
    name = "wave"
    label = "Wave"
    addons = ("connector_wave",)
    change_detection = "poll"
    webhook_path = None
    write_ceiling_per_min = None
    poll_minutes = 1
    fuzz = None


PLUGIN = Wave
