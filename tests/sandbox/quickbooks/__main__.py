"""Run the QuickBooks sandbox on its own.

python -m tests.sandbox.quickbooks --port 8765 [--seed DIR] [--generate] [--webhook-url URL]
"""

import argparse
import logging
import signal
import threading

from .server import Sandbox


def main():
    parser = argparse.ArgumentParser(prog="python -m tests.sandbox.quickbooks", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seed", help="directory of <Entity>.json files in QuickBooks' shape")
    parser.add_argument("--generate", action="store_true", help="generate a small realistic company")
    parser.add_argument("--customers", type=int, default=25)
    parser.add_argument("--items", type=int, default=15)
    parser.add_argument("--invoices", type=int, default=40)
    parser.add_argument("--payments", type=int, default=25)
    parser.add_argument("--client-id", default="sandbox-client")
    parser.add_argument("--client-secret", default="sandbox-secret")
    parser.add_argument("--verifier", default="sandbox-verifier")
    parser.add_argument("--webhook-url")
    parser.add_argument("--webhook-format", choices=["legacy", "cloudevents"], default="legacy")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s qbo-sandbox %(message)s")
    sandbox = Sandbox(client_id=args.client_id, client_secret=args.client_secret, verifier=args.verifier)
    if args.generate:
        counts = sandbox.generate(
            customers=args.customers, items=args.items, invoices=args.invoices, payments=args.payments
        )
        logging.info("generated %s", counts)
    if args.seed:
        logging.info("seeded %s", sandbox.seed_directory(args.seed))
    if args.webhook_url:
        sandbox.webhook.update(url=args.webhook_url, format=args.webhook_format)
    url = sandbox.start(args.host, args.port)
    logging.info("QuickBooks sandbox on %s, realm %s", url, sandbox.company.realm_id)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: done.set())
    signal.signal(signal.SIGINT, lambda *a: done.set())
    done.wait()
    sandbox.stop()


if __name__ == "__main__":
    main()
