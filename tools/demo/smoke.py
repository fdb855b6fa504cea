"""The smoke check's second half (tools/run_smoke.sh): a change made in each running sandbox, as
in the provider's own screens, must reach Odoo: by webhook within seconds (QuickBooks), at the
next poll for the providers without webhooks (Wave, Kashoo, Reckon One: their demo connections
poll every minute). The changes are made together and awaited together, so the check costs one poll.

python -m tools.demo.smoke ODOO_URL DB [SECONDS]    (exit 1 names what did not arrive)
"""

import sys
import time

from . import available, providers, url
from .browser import Browser

DEFAULT_WAIT = 240  # one poll interval (60 s), the cron's own minute, the jobs, and a margin


def main(argv):
    odoo_url, db = argv[1], argv[2]
    wait = float(argv[3]) if len(argv) > 3 else DEFAULT_WAIT
    browser = Browser(odoo_url, db, wait + 120)
    browser.login()
    started = time.monotonic()
    expected = {}
    for provider in providers():
        if not available(provider):
            print(f"  {provider.LABEL}: its sandbox is not running, not checked", file=sys.stderr)
            continue
        expected[provider.LABEL] = provider.change(url(provider))
    if not expected:
        print("  no sandbox is running", file=sys.stderr)
        return 1
    browser.work_in(browser.call("res.users", "read", [[browser.user_id], ["company_id"]])[0]["company_id"][0])
    deadline = started + wait
    while expected and time.monotonic() < deadline:
        for label, (model, name) in list(expected.items()):
            if browser.call(model, "search_count", [[("name", "=", name)]]):
                print(f"  {label}: '{name}' reached Odoo in {time.monotonic() - started:.0f} s", file=sys.stderr)
                del expected[label]
        time.sleep(1)
    for label, (_model, name) in expected.items():
        print(f"  {label}: '{name}' did not reach Odoo within {wait:.0f} s", file=sys.stderr)
    return 1 if expected else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
