"""Issue 11, row 8 of the red-team table: redaction catches identifiers in the shapes people write
them. 10,000 planted identifiers (tests/phi_plants.py: SSNs with dashes, spaces, dots or nothing,
phone numbers in ten forms, MRNs, member ids, emails, dates of birth in nine formats, street
addresses) leave nothing readable at `strict` or `identifiers`, and hypothesis searches the SSN and
phone shapes further."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.phi_plants import CARRIERS, Plant, generate, leaked
from tools.intake.phi import redact_phi

N_PLANTS = 10_000


def test_ten_thousand_planted_identifiers_do_not_leak(record_property):
    plants = generate(N_PLANTS, seed=1)
    figures = {}
    for level in ("strict", "identifiers"):
        leaks = Counter(p.kind for p in plants if leaked(p, redact_phi(p.text, level=level).text))
        figures[level] = {"planted": len(plants), "leaks": sum(leaks.values()), "by_kind": dict(leaks)}
    print(f"\nredaction leaks: {figures}")
    record_property("redaction", figures)
    assert figures["strict"]["leaks"] == 0 and figures["identifiers"]["leaks"] == 0, figures


_sep = st.sampled_from(["-", " ", ".", "", " - ", "  ", ". "])
_d = st.integers(min_value=0, max_value=9).map(str)


@settings(max_examples=300, deadline=None, database=None)
@given(a=st.lists(_d, min_size=3, max_size=3), b=st.lists(_d, min_size=2, max_size=2),
       c=st.lists(_d, min_size=4, max_size=4), s1=_sep, s2=_sep, carrier=st.sampled_from(CARRIERS),
       label=st.sampled_from(["", "SSN ", "SSN: ", "ss# ", "Social Security Number "]))
def test_ssn_in_any_separator_shape_is_redacted(a, b, c, s1, s2, carrier, label):
    a, b, c = "".join(a), "".join(b), "".join(c)
    value = f"{label}{a}{s1}{b}{s2}{c}"
    plant = Plant(kind="ssn", value=value, secrets=(a, b, c, a + b + c), text=carrier.format(x=value))
    assert not leaked(plant, redact_phi(plant.text, level="strict").text)


@settings(max_examples=300, deadline=None, database=None)
@given(digits=st.lists(_d, min_size=10, max_size=10), form=st.sampled_from(
    ["({a}) {b}-{c}", "{a}-{b}-{c}", "{a}.{b}.{c}", "{a} {b} {c}", "+1 {a} {b} {c}", "{a}{b}{c}", "1-{a}-{b}-{c}"]),
    carrier=st.sampled_from(CARRIERS))
def test_phone_in_any_common_shape_is_redacted(digits, form, carrier):
    d = "".join(digits)
    a, b, c = d[:3], d[3:6], d[6:]
    value = form.format(a=a, b=b, c=c)
    plant = Plant(kind="phone", value=value, secrets=(a, b, c, d), text=carrier.format(x=value))
    for level in ("strict", "identifiers"):
        assert not leaked(plant, redact_phi(plant.text, level=level).text), level
