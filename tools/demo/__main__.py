"""python -m tools.demo describe: the demo companies and their running sandboxes, for the message
of `make run` (the ports come from the same variables as the sandboxes')."""

import sys

from . import available, providers, url


def describe():
    for provider in providers():
        if available(provider):
            print(f"    {provider.COMPANY}: {provider.LABEL} sandbox {url(provider)}")
            print(f"      a change made there reaches Odoo {provider.ARRIVES}, e.g.")
            print(f"      {provider.example(url(provider))}")


if __name__ == "__main__":
    if sys.argv[1:] != ["describe"]:
        sys.exit("usage: python -m tools.demo describe")
    describe()
