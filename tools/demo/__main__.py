"""python -m tools.demo describe: the demo companies and their running sandboxes, for the message
of `make run` (the ports come from the same variables as the sandboxes').

python -m tools.demo smoke-ports: ``VARIABLE=port`` lines, the sandboxes' ports of the smoke check."""

import sys

from . import available, providers, smoke_ports, url


def describe():
    for provider in providers():
        if available(provider):
            print(f"    {provider.COMPANY}: {provider.LABEL} sandbox {url(provider)}")
            print(f"      a change made there reaches Odoo {provider.ARRIVES}, e.g.")
            print(f"      {provider.example(url(provider))}")


if __name__ == "__main__":
    if sys.argv[1:] == ["describe"]:
        describe()
    elif sys.argv[1:] == ["smoke-ports"]:
        for variable, port in smoke_ports():
            print(f"{variable}={port}")
    else:
        sys.exit("usage: python -m tools.demo describe | smoke-ports")
