"""The provider switch of `make bench` and `make chaos` (tools/providers)."""

import inspect
import subprocess
import sys
from pathlib import Path

import pytest

from tools import providers

ROOT = Path(__file__).resolve().parents[2]


def test_a_provider_without_its_plug_in_is_refused_in_one_line():
    answer = subprocess.run(
        [sys.executable, "-m", "tools.providers", "check", "wave"], cwd=ROOT, capture_output=True, text=True
    )
    assert answer.returncode == 2
    assert answer.stderr.strip() == "PROVIDER=wave: the Wave plug-in is not built yet"
    with pytest.raises(providers.NotBuilt, match="^PROVIDER=kashoo: the Kashoo plug-in is not built yet$"):
        providers.load("kashoo")
    assert providers.refusal("nope") == "PROVIDER=nope: no such provider (one of quickbooks, wave, kashoo, reckon)"


def test_the_quickbooks_plug_in_implements_everything_the_harness_asks():
    plugin = providers.load("quickbooks")
    missing = [
        name
        for name, method in inspect.getmembers(providers.Provider, inspect.isfunction)
        if "NotImplementedError" in inspect.getsource(method) and getattr(type(plugin), name) is method
    ]
    assert missing == []
    assert plugin.change_detection == "webhook" and plugin.webhook_path
    assert set(plugin.tax_codes().values()) <= set(plugin.tax_rates)
    assert plugin.export_tax_rate in plugin.tax_rates
