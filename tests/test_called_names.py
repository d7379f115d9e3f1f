"""runner.called_names: the helpers a file the prefilter skipped calls or queues, found without one
regular expression alternating every helper's name (which was tried at every word of every file)."""

from __future__ import annotations

import random
import re

from tenantlint.runner import called_names


def _alternation(text: str, names: set[str]) -> set[str]:
    """The former matcher, kept here as the reference the new one must agree with."""
    alternatives = "|".join(re.escape(n) for n in sorted(names))
    called = re.compile(r"\b(" + alternatives + r")(?:\s*\(|\.(?:delay|apply_async|si|s)\s*\()")
    return {m.group(1) for m in called.finditer(text)}


TEXT = '''
from billing import services, tasks
def view(request):
    services.get_invoice (request.GET["id"])
    tasks.sync_invoice.delay(1)
    tasks.rebuild.apply_async(args=[2])
    chain = tasks.notify.s(3) | tasks.notify.si(4)
    get_invoice_total(5)
    x.get_invoicer(6)
    services.get_invoice
    refresh.delay(s(7))
    résumé(8)
'''


def test_calls_and_queued_tasks() -> None:
    names = {"get_invoice", "sync_invoice", "rebuild", "notify", "get_invoice_total", "missing", "résumé"}
    assert called_names(TEXT, names) == names - {"missing"}


def test_a_name_inside_a_matched_call_is_not_matched_again() -> None:
    # ``refresh.delay(`` is one match of the alternation: ``delay`` inside it is not a call of delay
    assert called_names("refresh.delay(s(7))", {"refresh", "delay", "s"}) == {"refresh", "s"}
    assert called_names("other.delay(1)", {"delay"}) == {"delay"}
    assert called_names("getx(1); x.get (2)", {"get"}) == {"get"}


def test_same_names_as_the_alternation_on_random_name_sets() -> None:
    words = sorted(set(re.findall(r"\w+", TEXT)) | {"delay", "s", "si", "apply_async"})
    rng = random.Random(7)
    for _ in range(200):
        names = set(rng.sample(words, rng.randint(1, len(words))))
        assert called_names(TEXT, names) == _alternation(TEXT, names)
