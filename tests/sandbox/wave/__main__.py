"""Run the Wave sandbox on its own.

python -m tests.sandbox.wave --port 8766 [--generate [--currency CAD]] [--seed DIR] [--notify-url URL]
                             [--business-uuid UUID]

Wave's schema is read from ../shared/fixtures/wave (or $WAVE_SCHEMA); without it the sandbox
refuses to start (``schema.SchemaMissing``, the kit's ``CannotStart``): one message saying what
to set, exit status 2.
"""

import sys

from ..kit.cli import main as kit_main


def _arguments(parser):
    parser.add_argument("--currency", choices=["USD", "CAD"], default="USD", help="the generated business's currency")
    parser.add_argument("--notify-url", help="post signed change notifications to this URL")
    parser.add_argument("--notify-secret", default="sandbox-signing-secret")
    parser.add_argument(
        "--business-uuid", help="the first business's uuid (default: a new one), so that a restart is the same business"
    )


def _build(args):
    from .server import WaveSandbox

    sandbox = WaveSandbox(client_id=args.client_id, client_secret=args.client_secret, currency=args.currency)
    if args.business_uuid:
        sandbox.first_business["business_uuid"] = args.business_uuid
        sandbox.reset()
    if args.notify_url:
        sandbox.notifier.configure({"url": args.notify_url, "secret": args.notify_secret})
    return sandbox


def _describe(sandbox, url):
    return (
        f"Wave sandbox on {url} (POST {url}/graphql/public), business {sandbox.tenant().id}; "
        f"full access token {sandbox.full_access_token()}"
    )


def main(argv=None):
    return kit_main(
        _build,
        prog="python -m tests.sandbox.wave",
        doc=__doc__,
        port=8766,
        log_name="wave-sandbox",
        sizes={"customers": 12, "products": 7, "invoices": 30, "payments": 20},
        add_arguments=_arguments,
        describe=_describe,
        argv=argv,
        seed_help="directory of <Kind>.json files in Wave's shape (Customer.json, Invoice.json, ...)",
    )


if __name__ == "__main__":
    sys.exit(main())
