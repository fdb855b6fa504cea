"""Run the QuickBooks sandbox on its own.

python -m tests.sandbox.quickbooks --port 8765 [--seed DIR] [--generate] [--webhook-url URL]
"""

import sys

from ..kit.cli import main
from .server import Sandbox


def _arguments(parser):
    parser.add_argument("--verifier", default="sandbox-verifier")
    parser.add_argument("--webhook-url")
    parser.add_argument("--webhook-format", choices=["legacy", "cloudevents"], default="legacy")


def _build(args):
    sandbox = Sandbox(client_id=args.client_id, client_secret=args.client_secret, verifier=args.verifier)
    if args.webhook_url:
        sandbox.webhook.update(url=args.webhook_url, format=args.webhook_format)
    return sandbox


if __name__ == "__main__":
    sys.exit(
        main(
            _build,
            prog="python -m tests.sandbox.quickbooks",
            doc=__doc__,
            port=8765,
            log_name="qbo-sandbox",
            sizes={"customers": 25, "items": 15, "invoices": 40, "payments": 25},
            add_arguments=_arguments,
            describe=lambda sandbox, url: f"QuickBooks sandbox on {url}, realm {sandbox.company.realm_id}",
            seed_help="directory of <Entity>.json files in QuickBooks' shape",
        )
    )
