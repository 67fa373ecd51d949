"""Planted identifiers for measuring redaction: a seeded generator of the shapes people really
write (SSNs with dashes, spaces, dots or nothing; phone numbers in every common form; MRNs and member
ids; emails; dates of birth in several formats; street addresses), each inside a carrier sentence
that holds no other digits, with the pieces that must not survive redaction."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

FIRST = ["Ana", "Luis", "Maria", "James", "Wei", "Fatima", "Olga", "Kwame", "Priya", "Diego", "Hannah", "Omar"]
LAST = ["Ruiz", "Nguyen", "Okafor", "Smith", "Kowalski", "Haddad", "Chen", "Garcia", "Patel", "Johnson"]
STREETS = ["Main", "Oak", "Maple", "Cedar", "Elm", "Washington", "Lakeview", "Sunset", "Pine", "Hillcrest"]
SUFFIXES = ["St", "Street", "Ave", "Avenue", "Rd", "Road", "Blvd", "Dr", "Drive", "Ln", "Lane", "Ct", "Way"]
CITIES = [("Springfield", "IL"), ("Fresno", "CA"), ("Austin", "TX"), ("Albany", "NY"), ("Tacoma", "WA")]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
CARRIERS = [
    "Hello, please update my chart with this: {x}. Thank you!",
    "{x} is what the form says; can someone check it?",
    "For the records request, use {x} please.",
    "The insurance company asked for it again ({x}) so here it is.",
    "Quick note from the front desk: {x}\nPlease file it.",
    "My mother asked me to send {x} before her visit.",
]


@dataclass(frozen=True)
class Plant:
    kind: str
    value: str  # as written in the text
    secrets: tuple[str, ...]  # tokens that must not survive (digit groups, the email's parts)
    text: str


def _digits(rng: random.Random, n: int) -> str:
    return "".join(str(rng.randint(0, 9)) for _ in range(n))


def _ssn(rng):
    a, b, c = f"{rng.randint(100, 899):03d}", f"{rng.randint(10, 99):02d}", f"{rng.randint(1000, 9999):04d}"
    sep = rng.choice(["-", " ", ".", "", "  ", " - "])
    label = rng.choice(["SSN ", "SSN: ", "Social Security Number ", "SS# ", "social security no. ", "", ""])
    return label + sep.join((a, b, c))


def _phone(rng):
    a, b, c = f"{rng.randint(201, 989)}", f"{rng.randint(200, 999)}", _digits(rng, 4)
    form = rng.choice(["({a}) {b}-{c}", "{a}-{b}-{c}", "{a}.{b}.{c}", "{a} {b} {c}", "+1 {a} {b} {c}",
                       "1-{a}-{b}-{c}", "{a}{b}{c}", "+1 ({a}) {b}-{c}", "({a}){b}-{c}", "+1{a}{b}{c}"])
    label = rng.choice(["Phone: ", "call me at ", "cell ", "tel. ", "my number is ", ""])
    return label + form.format(a=a, b=b, c=c)


def _mrn(rng):
    value = rng.choice([_digits(rng, rng.randint(6, 10)), "A" + _digits(rng, 7), "MR-" + _digits(rng, 6),
                        _digits(rng, 3) + "-" + _digits(rng, 4)])
    label = rng.choice(["MRN: ", "MRN# ", "Medical record number ", "Chart #: ", "medical record no. "])
    return label + value


def _member(rng):
    value = rng.choice(["".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(3)) + _digits(rng, 9),
                        "W" + _digits(rng, 9), _digits(rng, 9), "ZGP" + _digits(rng, 8) + "01",
                        _digits(rng, 3) + " " + _digits(rng, 3) + " " + _digits(rng, 3)])
    label = rng.choice(["Member ID: ", "Policy # ", "Subscriber ID ", "ID#: ", "member id ", "Medicaid number "])
    return label + value


def _email(rng):
    first, last = rng.choice(FIRST).lower(), rng.choice(LAST).lower()
    local = rng.choice([f"{first}.{last}", f"{first}{last}{rng.randint(1, 99)}", f"{first[0]}{last}",
                        f"{first}_{last}"])
    return f"{local}@{rng.choice(['example.com', 'mail.example.org', 'clinic-mail.net'])}"


def _dob(rng):
    y, m, d = rng.randint(1925, 2020), rng.randint(1, 12), rng.randint(1, 28)
    form = rng.choice([f"{m:02d}/{d:02d}/{y}", f"{m}/{d}/{y}", f"{y}-{m:02d}-{d:02d}", f"{MONTHS[m - 1]} {d}, {y}",
                       f"{MONTHS[m - 1][:3]} {d} {y}", f"{d} {MONTHS[m - 1]} {y}", f"{m:02d}.{d:02d}.{y}",
                       f"{m}-{d}-{y}", f"{m}/{d}/{y % 100:02d}"])
    label = rng.choice(["DOB: ", "DOB ", "Date of birth: ", "born ", "birthdate ", "d.o.b. "])
    return label + form


def _address(rng):
    city, state = rng.choice(CITIES)
    number = str(rng.randint(1, 99999))
    street = f"{number} {rng.choice(['N ', 'S ', 'E ', 'W ', ''])}{rng.choice(STREETS)} {rng.choice(SUFFIXES)}"
    tail = rng.choice(["", f", Apt {rng.randint(1, 40)}", f", {city}, {state} {_digits(rng, 5)}",
                       f" Unit {rng.randint(1, 9)}", f", {city} {state} {_digits(rng, 5)}"])
    return rng.choice(["I live at ", "Address: ", "my new address is ", ""]) + street + tail


KINDS = {"ssn": _ssn, "phone": _phone, "mrn": _mrn, "member_id": _member, "email": _email, "dob": _dob,
         "address": _address}


def _secrets(kind: str, value: str) -> tuple[str, ...]:
    if kind == "email":
        local, domain = value.split("@")
        return tuple(p for p in re.split(r"[._\-]", local) if len(p) >= 3) + (value,)
    groups = re.findall(r"\d+", value)
    if kind == "dob":  # the year identifies; a lone day or month number does not
        return tuple(g for g in groups if len(g) == 4) + ((groups[-1],) if groups else ())
    if kind == "address":  # the house number and the ZIP
        return tuple(g for g in groups if len(g) >= 2)
    return tuple(g for g in groups if len(g) >= 2 and not (kind == "phone" and g == "1"))


def generate(n: int, *, seed: int = 0) -> list[Plant]:
    rng = random.Random(seed)
    kinds = list(KINDS)
    plants = []
    for i in range(n):
        kind = kinds[i % len(kinds)]
        value = KINDS[kind](rng)
        plants.append(Plant(kind=kind, value=value, secrets=_secrets(kind, value),
                            text=rng.choice(CARRIERS).format(x=value)))
    return plants


def leaked(plant: Plant, redacted: str) -> list[str]:
    """The secrets of `plant` still readable in `redacted` (as whole tokens)."""
    out = []
    for s in plant.secrets:
        if re.search(r"(?<![A-Za-z0-9])" + re.escape(s) + r"(?![A-Za-z0-9])", redacted):
            out.append(s)
    return out
