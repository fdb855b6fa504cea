"""connector_base.lib.lost: a create whose answer was lost is looked up before it is sent again."""

import pytest

from odoo.addons.connector_base.lib import errors
from odoo.addons.connector_base.lib.lost import LostWrites, carries, stamps


def test_stamps_are_found_in_free_text():
    memo = "Thanks!\n\nodoo:account.move:42"
    assert stamps(memo) == ["odoo:account.move:42"]
    assert carries(memo, "odoo:account.move:42") and not carries(memo, "odoo:account.move:4")
    assert not carries(None, "odoo:account.move:42") and not carries(memo, None)


def test_a_lost_create_is_looked_up_until_a_write_settles_it():
    lost, key, looked = LostWrites(), ("url", "tenant", "odoo:account.move:7"), []

    def find(found):
        looked.append(found)
        return found

    assert lost.found_before(key, lambda: find("never asked")) is None, "no lookup before anything was lost"
    with pytest.raises(errors.OutcomeUnknownError), lost.creating(key):
        raise errors.OutcomeUnknownError("connection closed after sending")
    assert lost.found_before(key, lambda: find(None)) is None  # not there: the create is sent again
    assert lost.was_lost(key), "still lost: the next attempt looks again"
    assert lost.found_before(key, lambda: find(("INV-1", "v1"))) == ("INV-1", "v1")
    assert not lost.was_lost(key) and looked == [None, ("INV-1", "v1")]
    with pytest.raises(errors.PermanentError), lost.creating(key):
        raise errors.PermanentError("refused")  # a refusal is no lost answer
    assert not lost.was_lost(key)


def test_what_a_create_sent_is_kept_across_adapters_and_bounded():
    lost = LostWrites(keep=2)
    for n in range(3):
        lost.remember(("url", n), {"name": f"Customer {n}"})
    assert lost.attempt(("url", 0)) is None and lost.attempt(("url", 2)) == {"name": "Customer 2"}
    lost.clear()
    assert lost.attempt(("url", 2)) is None
