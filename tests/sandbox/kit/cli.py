"""``python -m tests.sandbox.<provider>``: run one sandbox on its own until SIGTERM or Ctrl-C.

A provider's ``__main__`` calls ``sys.exit(main(...))`` with a ``build(args)`` that returns its
sandbox; ``--generate`` calls ``sandbox.generate(**sizes)`` and ``--seed DIR``
``sandbox.seed_directory``. A sandbox that raises ``CannotStart`` (or a port that cannot be
listened on) is reported in one line on stderr and ``main`` returns 2; else it returns 0.
"""

import argparse
import logging
import signal
import sys
import threading

from .server import CannotStart


def main(build, *, prog, doc, port, log_name, sizes=None, add_arguments=None, describe=None, argv=None, seed_help=None):
    parser = argparse.ArgumentParser(prog=prog, description=doc)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=port)
    parser.add_argument("--seed", help=seed_help or "directory of <Entity>.json files in the provider's shape")
    parser.add_argument("--generate", action="store_true", help="generate a small realistic company")
    for name, default in (sizes or {}).items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=int, default=default)
    parser.add_argument("--client-id", default="sandbox-client")
    parser.add_argument("--client-secret", default="sandbox-secret")
    if add_arguments:
        add_arguments(parser)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format=f"%(asctime)s {log_name} %(message)s")
    try:
        sandbox = build(args)
        if args.generate:
            counts = sandbox.generate(**{name: getattr(args, name) for name in sizes or {}})
            logging.info("generated %s", counts)
        if args.seed:
            logging.info("seeded %s", sandbox.seed_directory(args.seed))
        try:
            url = sandbox.start(args.host, args.port)
        except OSError as exc:
            raise CannotStart(f"cannot listen on {args.host}:{args.port}: {exc}") from exc
    except CannotStart as exc:
        print(f"{log_name}: {exc}", file=sys.stderr)
        return 2
    logging.info("%s", describe(sandbox, url) if describe else f"sandbox on {url}")
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: done.set())
    signal.signal(signal.SIGINT, lambda *a: done.set())
    done.wait()
    sandbox.stop()
    return 0
