"""Run the Reckon One sandbox on its own.

python -m tests.sandbox.reckon --port 8766 [--seed DIR] [--generate] [--subscription-key KEY]
                               [--book-id UUID]
"""

import sys

from ..kit.cli import main
from .server import Sandbox


def _arguments(parser):
    parser.add_argument("--subscription-key", default="sandbox-subscription-key")
    parser.add_argument(
        "--book-id", help="the book's id (default: a new one); its generated records then keep their ids at every start"
    )
    parser.add_argument("--openapi", help="Reckon's openapi.yaml (default: ../shared/fixtures/reckon/openapi.yaml)")


def _build(args):
    return Sandbox(
        client_id=args.client_id,
        client_secret=args.client_secret,
        subscription_key=args.subscription_key,
        openapi=args.openapi,
        book_id=args.book_id,
    )


if __name__ == "__main__":
    sys.exit(
        main(
            _build,
            prog="python -m tests.sandbox.reckon",
            doc=__doc__,
            port=8766,
            log_name="reckon-sandbox",
            sizes={"customers": 25, "suppliers": 6, "invoices": 40, "receipts": 25},
            add_arguments=_arguments,
            describe=lambda sandbox, url: f"Reckon One sandbox on {url}/r1/v2, book {sandbox.book.id}",
            seed_help="directory of <Entity>.json files in Reckon One's v2 shape",
        )
    )
