#!/usr/bin/env bash
# Creates .venv (Python 3.11) with Odoo 18 (editable, from source) and requirements.txt.
# Incremental: when nothing it depends on changed, it does nothing.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ODOO_CACHE="${HOME}/.cache/odoo-src/18.0"
ODOO_REPO="${ODOO_REPO:-https://github.com/odoo/odoo.git}"

find_odoo_src() {
    if [ -n "${ODOO_SRC:-}" ]; then
        [ -f "$ODOO_SRC/odoo/release.py" ] || die "ODOO_SRC=$ODOO_SRC is not an Odoo source tree (no odoo/release.py)." \
            "Set ODOO_SRC to the root of an Odoo 18.0 checkout."
        printf '%s' "$(cd "$ODOO_SRC" && pwd)"
        return
    fi
    if [ -f "$ODOO_CACHE/odoo/release.py" ]; then
        printf '%s' "$ODOO_CACHE"
        return
    fi
    say "No Odoo source in ODOO_SRC or $ODOO_CACHE: cloning branch 18.0 of $ODOO_REPO"
    command -v git >/dev/null || die "git is needed to clone the Odoo source and is not installed." \
        "Install git, or set ODOO_SRC to an Odoo 18.0 source tree."
    mkdir -p "$(dirname "$ODOO_CACHE")"
    if ! git clone --quiet --depth 1 --branch 18.0 "$ODOO_REPO" "$ODOO_CACHE.partial" >&2; then
        rm -rf "$ODOO_CACHE.partial"
        die "Could not find or clone the Odoo 18 source." \
            "Set ODOO_SRC to an Odoo 18.0 source tree, or put one in $ODOO_CACHE," \
            "or make $ODOO_REPO reachable."
    fi
    mv "$ODOO_CACHE.partial" "$ODOO_CACHE"
    printf '%s' "$ODOO_CACHE"
}

find_python311() {
    local cand
    for cand in "${PYTHON:-}" python3.11 /usr/bin/python3.11 python3; do
        [ -n "$cand" ] || continue
        if command -v "$cand" >/dev/null 2>&1 &&
            "$cand" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
            command -v "$cand"
            return
        fi
    done
    if command -v apt-get >/dev/null 2>&1; then
        say "Installing Python 3.11 from Debian's packages"
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3.11 python3.11-venv python3.11-dev) >&2 ||
            die "Could not install Python 3.11." "Install Python 3.11 (with venv) or set PYTHON to one."
        command -v python3.11
        return
    fi
    die "Python 3.11 with venv is needed and was not found." "Install it, or set PYTHON to a Python 3.11 interpreter."
}

main() {
    local src
    src="$(find_odoo_src)"
    grep -q "version_info = (18, 0" "$src/odoo/release.py" ||
        die "The Odoo source at $src is not Odoo 18.0." "Set ODOO_SRC to an Odoo 18.0 source tree."

    local stamp_want
    stamp_want="$(cat "$ROOT/tools/bootstrap.sh" "$ROOT/tools/odoo-pins.txt" "$ROOT/requirements.txt" | sha256sum | cut -c1-16) $src"
    if [ -x "$PY" ] && [ -f "$VENV/.bootstrap-stamp" ] && [ "$(cat "$VENV/.bootstrap-stamp")" = "$stamp_want" ]; then
        say "Environment up to date (.venv, Odoo from $src)"
        return
    fi

    local py
    py="$(find_python311)"
    say "Creating .venv with $py"
    [ -x "$PY" ] || "$py" -m venv "$VENV"
    "$PY" -m pip install --quiet --upgrade pip setuptools wheel
    say "Installing Odoo's pinned dependencies"
    "$PY" -m pip install --quiet -r "$ROOT/tools/odoo-pins.txt"
    # Odoo Enterprise addons found in the source are kept off the addons path
    local tree="$VENV/odoo-community"
    local skipped
    skipped="$("$PY" "$ROOT/tools/community_tree.py" "$src" "$tree")"
    [ "$skipped" = "0" ] || say "Left out $skipped Odoo Enterprise addons found in $src"
    say "Installing Odoo 18 from $src (editable)"
    "$PY" -m pip install --quiet --no-deps --no-build-isolation -e "$tree" --config-settings editable_mode=compat \
        >"$VENV/pip-odoo.log" 2>&1 || die "Installing Odoo from $src failed." "See $VENV/pip-odoo.log."
    say "Installing requirements.txt"
    "$PY" -m pip install --quiet -r "$ROOT/requirements.txt" -c "$ROOT/tools/odoo-pins.txt"
    "$PY" -c 'import odoo, odoo.addons.queue_job, authlib, rapidfuzz, jsonschema' ||
        die "The environment was installed but does not import Odoo and its dependencies." "Remove .venv and run again."
    printf '%s\n' "$tree" >"$VENV/odoo-src"
    printf '%s' "$stamp_want" >"$VENV/.bootstrap-stamp"
    say "Environment ready"
}

ensure_browser() {
    # Odoo's browser tests (HttpCase tours) drive Chromium headless
    if command -v chromium >/dev/null 2>&1 || command -v google-chrome >/dev/null 2>&1 ||
        command -v chromium-browser >/dev/null 2>&1; then
        return
    fi
    mkdir -p "$STATE"
    if command -v apt-get >/dev/null 2>&1; then
        say "Installing Debian's chromium for the browser tests"
        local sudo=""
        [ "$(id -u)" -eq 0 ] || sudo="sudo"
        $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >"$STATE/apt-chromium.log" 2>&1 ||
            { $sudo apt-get update -q >/dev/null 2>&1 &&
                $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >"$STATE/apt-chromium.log" 2>&1; } ||
            say "Could not install chromium (see $STATE/apt-chromium.log): the browser tests will fail"
    else
        say "No chromium and no apt-get: install Chromium for the browser tests"
    fi
}

main "$@"
ensure_browser
