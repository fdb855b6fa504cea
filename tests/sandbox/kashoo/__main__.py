"""Run the Kashoo sandbox on its own.

python -m tests.sandbox.kashoo --port 8767 [--generate [--invoices 500 ...]] [--seed DIR]
                               [--auth uuid,json,bearer] [--api-prefix /api] [--contacts both] ...
                               [--notify-url URL [--notify-secret TEXT]]

Every setting of ``settings.py`` is a flag (``--token-form json``, ``--disabled bills``,
``--types '{"invoice": "Invoice"}'``); ``--per-minute`` sets the request limit.
"""

import sys

from ..kit.cli import main as kit_main
from .settings import DEFAULTS, parse_flag


def _arguments(parser):
    parser.add_argument("--email", default="owner@sandbox.example")
    parser.add_argument("--password", default="sandbox-password")
    parser.add_argument("--per-minute", type=int, default=600, help="requests a minute per token (0: none)")
    parser.add_argument("--notify-url", help="post signed change notifications to this URL (an assumption)")
    parser.add_argument("--notify-secret", default="sandbox-signing-secret")
    for name in DEFAULTS:
        parser.add_argument(f"--{name.replace('_', '-')}", dest=f"setting_{name}", metavar="VALUE")


def _build(args):
    from .server import KashooSandbox

    settings = {
        name: parse_flag(name, getattr(args, f"setting_{name}"))
        for name in DEFAULTS
        if getattr(args, f"setting_{name}") is not None
    }
    sandbox = KashooSandbox(
        email=args.email,
        password=args.password,
        client_id=args.client_id,
        client_secret=args.client_secret,
        settings=settings,
        per_minute=args.per_minute or None,
    )
    if args.notify_url:
        sandbox.notifier.configure({"url": args.notify_url, "secret": args.notify_secret})
    return sandbox


def _describe(sandbox, url):
    prefix = sandbox.settings.api_prefix or ""
    return (
        f"Kashoo sandbox on {url} (API {url}{prefix}), business {sandbox.tenant().id}; "
        f"POST {url}{prefix}/authTokens with email={sandbox.auth.user['email']} for a token, "
        f"or Authorization: {sandbox.header()}"
    )


def main(argv=None):
    try:
        kit_main(
            _build,
            prog="python -m tests.sandbox.kashoo",
            doc=__doc__,
            port=8767,
            log_name="kashoo-sandbox",
            sizes={"customers": 12, "vendors": 5, "invoices": 30, "bills": 10, "payments": 20},
            add_arguments=_arguments,
            describe=_describe,
            argv=argv,
            seed_help="directory of Account/Customer/Vendor/Invoice/Bill/InvoicePayment/BillPayment/Record.json",
        )
    except ValueError as exc:  # a setting that does not fit
        print(f"kashoo sandbox: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
