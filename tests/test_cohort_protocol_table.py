"""A cohort's protocol given as a [protocol] table is the same protocol as its name (a review,
2026-12-06): was, the table was checked and passed on unresolved, so its end_day was lost, every
test day ran and relief was read on the last follow-up day instead of the protocol's end."""
import sys

import pytest

from painsim import cohort


class Captured(Exception):
    pass


@pytest.mark.parametrize("protocol", ["itbs", {"base": "itbs"}])
def test_a_protocol_table_keeps_its_relief_day(protocol, monkeypatch):
    seen = {}

    def capture(models, seeds, prot, day, kw, *args):
        seen.update(day=day, kw=kw, calendar=getattr(prot, "calendar", None))
        raise Captured

    monkeypatch.setattr(sys.modules["painsim.cohort.run"], "_courses", capture)
    with pytest.raises(Captured):
        cohort.run(cohort.sample(2, seed=0), protocol, model="pain_pathway")
    assert seen["calendar"] is not None and seen["day"] == seen["calendar"].end_day is not None
    assert seen["kw"] == {"follow_up_days": (float(seen["day"]),), "tests": "follow_up"}
