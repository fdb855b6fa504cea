#!/usr/bin/env bash
# The pre-commit hooks of .pre-commit-config.yaml over the whole code base.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
say "Lint (pre-commit: ruff, ruff-format, OCA Odoo checks)"
cd "$ROOT"
if git rev-parse --git-dir >/dev/null 2>&1; then
    # checks the working tree, untracked files included
    files="$(git ls-files --cached --others --exclude-standard)"
    # shellcheck disable=SC2086
    "$VENV/bin/pre-commit" run --color never --files $files
else
    "$VENV/bin/pre-commit" run --color never --all-files
fi
