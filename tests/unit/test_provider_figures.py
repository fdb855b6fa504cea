"""The adapter base class's unified figures: ``balances`` and ``open_items`` read the names
adapters used before (``account_balances``, ``open_amounts``), and say "not available" (None)
rather than zero where a provider gives nothing."""

from decimal import Decimal

from odoo.addons.connector_base.lib.provider import ACTIONS, ProviderAdapter


class Silent(ProviderAdapter):
    pass


class Older(ProviderAdapter):
    capabilities = {"party/customer": {"read": True, "create": True}, "tax": {"read": True}}
    capability_notes = {"tax": "Read-only in the API."}

    def account_balances(self):
        return {"10": Decimal("5.00")}

    def open_amounts(self):
        return {"C1": {"outstanding": Decimal("12.50"), "overdue": Decimal("2.00")}}


def test_a_provider_that_gives_no_figure_says_so_not_zero():
    adapter = Silent()
    assert adapter.balances(since="2026-01-01") is None
    assert adapter.open_items() is None


def test_older_names_are_read_through_the_unified_ones():
    adapter = Older()
    assert adapter.balances() == {"10": Decimal("5.00")}
    items = adapter.open_items()
    assert items == {"C1": {"receivable": Decimal("12.50"), "payable": None}}, "payables: not available, not 0"


def test_capability_matrix_rows_follow_the_kind_order_with_their_notes():
    rows = Older.capability_matrix()
    assert [key for key, _can, _note in rows] == ["tax", "party/customer"]
    tax = rows[0]
    assert tax[1] == {action: action == "read" for action in ACTIONS}
    assert tax[2] == "Read-only in the API."


class OwnSignatures(ProviderAdapter):
    """Kashoo's ``balances()`` takes no start date; Reckon's ``open_items(partner)`` answers per partner."""

    def balances(self):
        return None

    def open_items(self, partner):
        return [("Invoice/1", Decimal("3.00"))]


def test_figures_are_asked_whatever_the_adapters_signature():
    adapter = OwnSignatures()
    assert adapter.figure("balances", since="2026-01-01") is None, "called without the start date it does not take"
    assert adapter.figure("open_items") is None, "a per-partner method is not the figure: not available"
    assert Older().figure("balances", since="2026-01-01") == {"10": Decimal("5.00")}
