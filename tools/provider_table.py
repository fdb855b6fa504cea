"""The README's provider table, from the adapters' capability declarations.

.venv/bin/python tools/provider_table.py          # print it
.venv/bin/python tools/provider_table.py --write  # write it into README.md between its markers
.venv/bin/python tools/provider_table.py --check  # exit 1 when README.md and the declarations disagree
"""

import argparse
import os
import sys

import odoo.addons

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in odoo.addons.__path__:
    odoo.addons.__path__.append(ROOT)

from odoo.addons.connector_base.lib import capabilities  # noqa: E402

README = os.path.join(ROOT, "README.md")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    table = capabilities.markdown_table()
    if not (args.write or args.check):
        print(table)
        return 0
    with open(README, encoding="utf-8") as handle:
        text = handle.read()
    if capabilities.readme_table(text) is None:
        print(f"README.md has no markers: add {capabilities.START} and {capabilities.END}", file=sys.stderr)
        return 2
    if args.check:
        if capabilities.readme_table(text) != table:
            print(
                "README.md's provider table differs from the adapters' declarations: run tools/provider_table.py "
                "--write",
                file=sys.stderr,
            )
            return 1
        return 0
    with open(README, "w", encoding="utf-8") as handle:
        handle.write(capabilities.with_table(text, table))
    return 0


if __name__ == "__main__":
    sys.exit(main())
