"""Build a Community-only view of an Odoo source tree, made of symlinks.

Some Odoo source archives carry Odoo Enterprise addons next to the Community ones.
Odoo auto-installs addons it finds on its path (web_enterprise, account_accountant,
...), and the suite must never depend on or install them. This writes DEST mirroring SRC
with every addon whose manifest licence is proprietary (OEEL-1, OPL-1) left out.

Usage: python community_tree.py SRC DEST  (prints the number of addons left out)
"""

import ast
import os
import shutil
import sys

PROPRIETARY = {"OEEL-1", "OPL-1"}


def licence(addon_dir):
    manifest = os.path.join(addon_dir, "__manifest__.py")
    if not os.path.isfile(manifest):
        return None
    with open(manifest, encoding="utf-8") as fh:
        try:
            return ast.literal_eval(fh.read()).get("license", "LGPL-3")
        except (ValueError, SyntaxError):
            return None


def mirror_addons(src, dest):
    os.makedirs(dest)
    skipped = 0
    for name in sorted(os.listdir(src)):
        path = os.path.join(src, name)
        if os.path.isdir(path) and licence(path) in PROPRIETARY:
            skipped += 1
            continue
        os.symlink(path, os.path.join(dest, name))
    return skipped


def main(src, dest):
    src = os.path.abspath(src)
    tmp = dest + ".partial"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    skipped = 0
    for name in os.listdir(src):
        path = os.path.join(src, name)
        if name == "addons" and os.path.isdir(path):
            skipped += mirror_addons(path, os.path.join(tmp, name))
        elif name == "odoo":
            os.makedirs(os.path.join(tmp, "odoo"))
            for child in os.listdir(path):
                if child == "addons":
                    skipped += mirror_addons(os.path.join(path, child), os.path.join(tmp, "odoo", "addons"))
                else:
                    os.symlink(os.path.join(path, child), os.path.join(tmp, "odoo", child))
        else:
            os.symlink(path, os.path.join(tmp, name))
    shutil.rmtree(dest, ignore_errors=True)
    os.rename(tmp, dest)
    print(skipped)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
