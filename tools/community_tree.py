"""Build a Community-only view of an Odoo source tree, made of symlinks.

Some Odoo source archives carry Odoo Enterprise addons next to the Community ones.
Odoo auto-installs addons it finds on its path (web_enterprise, account_accountant,
...), and the suite must never depend on or install them. This writes DEST mirroring SRC
with every addon whose manifest licence is proprietary (OEEL-1, OPL-1) left out, and
every addon that depends on one of those.

Usage: python community_tree.py SRC DEST  (prints the number of addons left out)
"""

import ast
import os
import shutil
import sys

PROPRIETARY = {"OEEL-1", "OPL-1"}


def manifest(addon_dir):
    path = os.path.join(addon_dir, "__manifest__.py")
    if not os.path.isfile(path):
        return None
    with open(path, encoding="utf-8") as fh:
        try:
            return ast.literal_eval(fh.read())
        except (ValueError, SyntaxError):
            return None


def community_addons(dirs):
    """{name: path} of the addons in ``dirs`` that are free and whose dependencies are too."""
    found = {}
    for src in dirs:
        for name in os.listdir(src):
            data = manifest(os.path.join(src, name))
            if data is not None and data.get("license", "LGPL-3") not in PROPRIETARY:
                found[name] = (os.path.join(src, name), data.get("depends", []))
    changed = True
    while changed:  # drop addons that depend on a dropped one, until nothing changes
        changed = False
        for name, (_path, depends) in list(found.items()):
            if any(dep not in found and dep != "base" for dep in depends):
                del found[name]
                changed = True
    return {name: path for name, (path, _d) in found.items()}


def mirror_addons(src, dest, keep):
    os.makedirs(dest)
    skipped = 0
    for name in sorted(os.listdir(src)):
        path = os.path.join(src, name)
        if manifest(path) is not None and name not in keep:
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
    addon_dirs = [d for d in (os.path.join(src, "addons"), os.path.join(src, "odoo", "addons")) if os.path.isdir(d)]
    keep = community_addons(addon_dirs)
    for name in os.listdir(src):
        path = os.path.join(src, name)
        if name == "addons" and os.path.isdir(path):
            skipped += mirror_addons(path, os.path.join(tmp, name), keep)
        elif name == "odoo":
            os.makedirs(os.path.join(tmp, "odoo"))
            for child in os.listdir(path):
                if child == "addons":
                    skipped += mirror_addons(os.path.join(path, child), os.path.join(tmp, "odoo", "addons"), keep)
                else:
                    os.symlink(os.path.join(path, child), os.path.join(tmp, "odoo", child))
        else:
            os.symlink(path, os.path.join(tmp, name))
    shutil.rmtree(dest, ignore_errors=True)
    os.rename(tmp, dest)
    print(skipped)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
