"""`python -m tools.providers check NAME`: nothing and status 0 when NAME's plug-in is there,
else the one-line refusal and status 2. `... fuzz NAME`: "addon tags tests what" of its chaos
fuzz tier, or nothing."""

import sys

from tools.providers import load, refusal

command, name = sys.argv[1:3]
refused = refusal(name)
if refused:
    print(refused, file=sys.stderr)
    sys.exit(2)
if command == "fuzz" and load(name).fuzz:
    print("\t".join(str(part) for part in load(name).fuzz))
