"""The README's provider table is the adapters' capability declarations: this test fails when
one changes without the other (``tools/provider_table.py --write`` brings them together)."""

import os

from odoo.addons.connector_base.lib import capabilities

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_readme_provider_table_matches_the_declarations():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as handle:
        text = handle.read()
    table = capabilities.readme_table(text)
    assert table is not None, "README.md lost its provider-table markers"
    assert table == capabilities.markdown_table(), "run: .venv/bin/python tools/provider_table.py --write"


def test_a_changed_declaration_makes_the_table_disagree(monkeypatch):
    cls = capabilities.adapter_class("quickbooks")
    changed = dict(cls.capabilities, tax=dict(cls.capabilities["tax"], create=True))
    monkeypatch.setattr(cls, "capabilities", changed)
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as handle:
        assert capabilities.readme_table(handle.read()) != capabilities.markdown_table()


def test_every_provider_of_the_suite_declares_every_kind():
    for code, name in capabilities.PROVIDERS:
        cls = capabilities.adapter_class(code)
        assert cls is not None, f"{name}: no adapter"
        kinds = {key.split("/")[0] for key, _can, _note in cls.capability_matrix()}
        assert kinds == {"account", "tax", "party", "product", "invoice", "payment", "journal_entry"}, name
