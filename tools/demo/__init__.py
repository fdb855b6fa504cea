"""The demo of `make run`: a demo company per provider, each connected to its own sandbox.

A provider is one module of this package, named in ``PROVIDERS``; tools/run.sh (through
``sandboxes``), tools/demo_setup.py (``setup``), tools/demo_connect.py (``connect``) and
tools/run_smoke.sh (``smoke``) loop over them. Each module defines the same few things:

- ``KEY`` (its ``connector.backend`` provider), ``LABEL``, ``PORT_ENV`` and ``PORT`` (its
  sandbox's fixed loopback port and the variable that overrides it), ``MODULES`` (the Odoo
  localisation installed with the suite for its company);
- ``sandbox_args(port, odoo_url)``: the arguments of ``python -m tests.sandbox.<key>`` (its
  generated company, named ``COMPANY`` like the Odoo company that keeps its books);
- ``setup(env, url)``, inside ``odoo shell``: its company (country, chart, currency, taxes) and
  the connection to the sandbox with its accounts and taxes mapped as an accountant maps them;
  returns the connection;
- ``connect(browser, backend)``: what the accountant does in the browser to connect it (a
  consent page and its company choice, a sign-in form), through Odoo's own HTTP routes;
- ``change(url)``: a change made in the sandbox as in the provider's own screens; returns
  ``(model, name)``, the record that must show up in Odoo under that name; ``ARRIVES`` says
  how fast it does (by webhook, at the next poll) and ``example(url)`` is a ``curl`` making one.

Adding a provider is one module and one entry below.

The smoke check (tools/run_smoke.sh) runs the same sandboxes on its own ports: ``RUN_SMOKE_`` and
the provider's variable (``RUN_SMOKE_WAVE_SANDBOX_PORT``; QuickBooks' is ``SMOKE_PORT_ENV``,
``RUN_SMOKE_SANDBOX_PORT``), by default the provider's port plus 10.
"""

import os
import uuid
from importlib import import_module

import requests

#: in the order the demo connects them; the first is the database's main company
PROVIDERS = ("quickbooks", "wave", "kashoo", "reckon")


def providers():
    return [import_module(f"{__name__}.{key}") for key in PROVIDERS]


def port(provider):
    return int(os.environ.get(provider.PORT_ENV) or provider.PORT)


def url(provider):
    return f"http://127.0.0.1:{port(provider)}"


def smoke_ports():
    """(the provider's port variable, the smoke check's port for it), for every provider."""
    found = []
    for provider in providers():
        variable = getattr(provider, "SMOKE_PORT_ENV", f"RUN_SMOKE_{provider.PORT_ENV}")
        found.append((provider.PORT_ENV, int(os.environ.get(variable) or provider.PORT + 10)))
    return found


def modules():
    """The localisation modules the demo companies need, beyond the suite."""
    return sorted({module for provider in providers() for module in provider.MODULES})


def available(provider, timeout=3):
    """Whether the provider's sandbox answers (it refuses to start without what it reads, e.g.
    Wave's schema from ../shared: its demo company is then left out)."""
    try:
        return requests.get(f"{url(provider)}/_sandbox/stats", timeout=timeout).status_code == 200
    except requests.RequestException:
        return False


def new_name(what):
    """A name no record has yet, for a change made in a sandbox."""
    return f"Smoke Check {what} {uuid.uuid4().hex[:8]}"
