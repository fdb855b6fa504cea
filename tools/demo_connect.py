"""Connect the demo's connections through the providers' own pages, then Import all.

What a person does in the browser, done by a script (tools/demo/connect.py, one module per
provider in tools/demo/): log in to Odoo, switch to the demo company, press Connect, go through
the provider's consent page (QuickBooks, Wave: the company or business chosen there) or sign-in
form (Kashoo), come back connected; then press Import all and wait until the job queue has
brought each sandbox company in.

Usage: demo_connect.py ODOO_URL DB

Every wait has a deadline (``DEMO_CONNECT_WAIT`` seconds in all, default 600) and survives slow
answers. A failure prints one message per connection saying what to do and exits 1; success ends
with the line ``Demo ready: ...`` (the smoke check of ``make test`` waits for it).
"""

import os
import sys
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tools.demo import connect  # noqa: E402
from tools.demo.browser import Browser, DemoError  # noqa: E402

LOG_HINT = (
    "Odoo keeps running: connect by hand under Invoicing > Configuration > Connectors > Connections"
    " (Connect, then Import all)."
)


def main(argv):
    odoo_url, db = argv[1], argv[2]
    browser = Browser(odoo_url, db, float(os.environ.get("DEMO_CONNECT_WAIT", "600")))
    try:
        failures = connect.run(browser)
    except (DemoError, requests.RequestException) as exc:
        failures = [("the demo", str(exc))]
    for label, problem in failures:
        print(f"\nERROR: the {label} demo connection was not connected and imported: {problem}.", file=sys.stderr)
    if failures:
        print(f"       {LOG_HINT}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
