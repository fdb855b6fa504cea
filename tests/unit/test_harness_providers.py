"""The provider switch of `make bench` and `make chaos` (tools/providers)."""

import inspect
import subprocess
import sys
from pathlib import Path

import pytest

from tools import providers

ROOT = Path(__file__).resolve().parents[2]
#: what only a provider with webhooks implements
WEBHOOK_ONLY = {"send_notifications", "webhook_request"}


def test_a_provider_without_its_plug_in_is_refused_in_one_line(monkeypatch):
    assert providers.refusal("nope") == "PROVIDER=nope: no such provider (one of quickbooks, wave, kashoo, reckon)"
    monkeypatch.setitem(providers.PLUGINS, "xero", ("Xero", None))
    with pytest.raises(providers.NotBuilt, match="^PROVIDER=xero: the Xero plug-in is not built yet$"):
        providers.load("xero")
    answer = subprocess.run(
        [sys.executable, "-m", "tools.providers", "check", "nope"], cwd=ROOT, capture_output=True, text=True
    )
    assert answer.returncode == 2 and answer.stderr.startswith("PROVIDER=nope: no such provider")
    for name in ("quickbooks", "wave", "kashoo", "reckon"):
        answer = subprocess.run(
            [sys.executable, "-m", "tools.providers", "check", name], cwd=ROOT, capture_output=True, text=True
        )
        assert (answer.returncode, answer.stderr) == (0, ""), name


def load(name):
    """The plug-in, or a skip when its sandbox cannot run here (Wave's schema is read from ../shared)."""
    from tests.sandbox.kit.server import CannotStart

    try:
        return providers.load(name)
    except CannotStart as exc:
        pytest.skip(f"the {name} sandbox cannot run here: {exc}")


@pytest.mark.parametrize("name", ["quickbooks", "wave", "kashoo", "reckon"])
def test_each_plug_in_implements_everything_the_harness_asks_of_it(name):
    plugin = load(name)
    missing = [
        method_name
        for method_name, method in inspect.getmembers(providers.Provider, inspect.isfunction)
        if "NotImplementedError" in inspect.getsource(method)
        and getattr(type(plugin), method_name) is method
        and not (plugin.change_detection == "poll" and method_name in WEBHOOK_ONLY)
    ]
    assert missing == []
    assert plugin.change_detection in ("webhook", "poll")
    assert bool(plugin.webhook_path) == (plugin.change_detection == "webhook")
    # every tax code maps to taxes the company has, and the bench's exported invoices carry one of them
    plugin.generate(customers=4, items=3, invoices=4, payments=2, seed=3)
    taxes = plugin.odoo_taxes()
    codes = plugin.tax_codes()
    assert codes
    for keys in codes.values():
        assert set(keys.values() if isinstance(keys, dict) else [keys]) <= set(taxes)
    assert plugin.export_tax in taxes
    # a provider that publishes no write ceiling has its configured request limit in the report instead
    assert plugin.write_ceiling_per_min or plugin.request_limit_per_min


def test_the_poll_providers_say_their_limits():
    kashoo = load("kashoo")
    assert kashoo.change_detection == "poll" and not kashoo.renews_tokens and not kashoo.products
    assert "no products" in kashoo.limits_note
    wave = load("wave")
    assert wave.change_detection == "poll" and wave.request_limit_per_min == 60
    assert "no bills" in wave.limits_note and "vendors read-only" in wave.limits_note
    reckon = load("reckon")
    assert reckon.change_detection == "poll" and reckon.request_limit_per_min == 240 and reckon.currency == "AUD"
    assert "no published request limit" in reckon.limits_note
