"""De-identification for researcher extracts (issue 6 point 7). Pure; no ORM.

Choices, and why:
- Pseudonyms are HMAC-SHA256 under the project's secret key (32 random bytes made on the server), of the
  person's public id with a purpose prefix ("person:", "team:", "date-offset:") so one keyed hash is never
  reused for two jobs. Keyed, so nobody without the key can recompute a pseudonym from a known id (a plain
  hash of a UUID could be checked against a list of ids), and two projects' pseudonyms for one person differ,
  so their extracts cannot be joined. The first 16 hex characters (64 bits) are kept: short enough to read
  and type, and the chance of two people in a population of 100,000 sharing one is about 1 in 3.7 billion
  (n^2 / 2^65). Truncation does not weaken the key: without it no pseudonym can be made or reversed.
- Dates: by default coarsened to the month ("2025-03"). Alternatively shifted by a per-person offset from
  -180 to +180 days taken from the same keyed hash, so every date of one person moves together and the
  intervals between them are kept; different people move differently. Date of birth is never exported:
  it becomes either the 5-year age band at the event (default) or the year of birth.
- Free text is never exported: the file's columns are a fixed allow-list of coded fields, and every coded
  value is checked against its list (an unknown value becomes "not_known"; a finish reason that is not one
  of the coded discharge reasons becomes "other"). Names, NHS number, address, postcode, phone, email and
  every note are not read into the rows at all.
- Small numbers: an aggregate (counts) extract uses `coexist.outcomes.rules.suppression`. A person-level
  extract is made k-anonymous on the quasi-identifiers age, sex and ethnic group (postcode is dropped
  entirely), with k the suppression threshold (default 5): an equivalence class is the set of PEOPLE (not
  rows: one person may have several episodes) sharing those three values. Rows in a class of fewer than k
  people are generalised one step at a time, only those rows ("local recoding", which keeps detail for
  everyone else): ethnic group becomes "other_or_not_stated"; then the age is widened (5-year band to the
  R14 band, or year of birth to a 5-year span); then the age is not shown. Rows still in a class of fewer
  than k people are dropped, and how many is logged with the extract. Sex is never generalised: it is
  dropped with the row instead, because a "not shown" sex would itself single people out in small services.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum

from coexist.engagement.rules import DischargeReason
from coexist.organisations.models import ServiceKind
from coexist.outcomes.rules.subgroups import (
    NOT_KNOWN,
    Cut,
    PersonFacts,
    age_on,
    category,
    cut_definition,
)
from coexist.outcomes.rules.suppression import DEFAULT_THRESHOLD, suppress_counts, text

PSEUDONYM_HEX_CHARS = 16
MAX_SHIFT_DAYS = 180
MIN_KEY_BYTES = 16
OTHER_OR_NOT_STATED = "other_or_not_stated"
NOT_SHOWN = "not_shown"
OTHER = "other"


class DateHandling(StrEnum):
    """How event dates are exported."""

    MONTH = "month"
    SHIFT = "shift"


class AgeHandling(StrEnum):
    """What a date of birth becomes."""

    BAND = "band"
    BIRTH_YEAR = "birth_year"


class ExtractKind(StrEnum):
    """One row per episode of care, or counts of people by one R14 subgroup."""

    EPISODES = "episodes"
    COUNTS = "counts"


# Cuts a counts extract may use: the R14 subgroups (service and team come from data, not offered here).
COUNT_CUTS: tuple[Cut, ...] = (
    Cut.SEX,
    Cut.AGE_BAND,
    Cut.ETHNIC_GROUP,
    Cut.HOUSING_STATUS,
    Cut.PRISON_RELEASE,
    Cut.CARING,
)


def _mac(key: bytes, purpose: str, identifier: str) -> bytes:
    if len(key) < MIN_KEY_BYTES:
        raise ValueError("A project key must be at least 16 bytes.")
    return hmac.new(key, f"{purpose}:{identifier}".encode(), hashlib.sha256).digest()


def pseudonym(key: bytes, identifier: str, *, purpose: str = "person") -> str:
    """The project's pseudonym for a person (or, with purpose "team", a team): 16 hex characters."""
    return _mac(key, purpose, identifier).hex()[:PSEUDONYM_HEX_CHARS]


def date_offset_days(key: bytes, identifier: str, *, max_days: int = MAX_SHIFT_DAYS) -> int:
    """The person's date shift, from -max_days to +max_days, the same for all of their dates."""
    number = int.from_bytes(_mac(key, "date-offset", identifier)[:8], "big")
    return number % (2 * max_days + 1) - max_days


def export_date(day: date | None, handling: DateHandling, offset_days: int) -> str:
    """A date as exported: its month ("2025-03") or the shifted day; blank when there is none."""
    if day is None:
        return ""
    if handling is DateHandling.MONTH:
        return f"{day:%Y-%m}"
    return (day + timedelta(days=offset_days)).isoformat()


def five_year_band(date_of_birth: date | None, on: date) -> str:
    """The age band at the event: under 18, 18 to 24 (as R14), then 5-year bands, 75 and over."""
    if date_of_birth is None or date_of_birth > on:
        return NOT_KNOWN
    age = age_on(date_of_birth, on)
    if age < 18:
        return "under_18"
    if age < 25:
        return "18_24"
    if age >= 75:
        return "75_over"
    low = age // 5 * 5
    return f"{low}_{low + 4}"


def widen_age(value: str) -> str:
    """One step wider: a 5-year band to its R14 band (25_29 -> 25_34), a year of birth to a 5-year span."""
    if value in (NOT_KNOWN, NOT_SHOWN, "under_18", "18_24"):
        return value
    if value.isdigit():
        low = int(value) // 5 * 5
        return f"{low}_{low + 4}"
    if value in ("65_69", "70_74", "75_over"):
        return "65_over"
    low = int(value.split("_")[0])
    band = 25 + (low - 25) // 10 * 10
    return f"{band}_{band + 9}"


def age_value(date_of_birth: date | None, on: date, handling: AgeHandling) -> str:
    if handling is AgeHandling.BIRTH_YEAR:
        return str(date_of_birth.year) if date_of_birth is not None and date_of_birth <= on else NOT_KNOWN
    return five_year_band(date_of_birth, on)


@dataclass(frozen=True)
class QuasiIdentifiers:
    """The values an outsider might know about someone and match rows on."""

    age: str
    sex: str
    ethnic_group: str


_STEPS: tuple[Callable[[QuasiIdentifiers], QuasiIdentifiers], ...] = (
    lambda q: replace(q, ethnic_group=OTHER_OR_NOT_STATED),
    lambda q: replace(q, age=widen_age(q.age)),
    lambda q: replace(q, age=NOT_SHOWN),
)


def class_sizes(rows: Sequence[tuple[str, QuasiIdentifiers]]) -> dict[QuasiIdentifiers, int]:
    """How many different people share each combination of quasi-identifiers."""
    people: dict[QuasiIdentifiers, set[str]] = {}
    for person, qi in rows:
        people.setdefault(qi, set()).add(person)
    return {qi: len(persons) for qi, persons in people.items()}


def check_k(k: int) -> None:
    if isinstance(k, bool) or not isinstance(k, int) or not 2 <= k <= 50:
        raise ValueError("k must be a whole number from 2 to 50.")


def k_anonymise(rows: Sequence[tuple[str, QuasiIdentifiers]], *, k: int) -> list[QuasiIdentifiers | None]:
    """The quasi-identifiers to export for each row (same order), or None for a row to drop.

    Every combination left is shared by at least k different people (see the module docstring)."""
    check_k(k)
    current = [qi for _, qi in rows]
    persons = [person for person, _ in rows]
    for step in _STEPS:
        sizes = class_sizes(list(zip(persons, current, strict=True)))
        current = [step(qi) if sizes[qi] < k else qi for qi in current]
    sizes = class_sizes(list(zip(persons, current, strict=True)))
    return [qi if sizes[qi] >= k else None for qi in current]


@dataclass(frozen=True)
class EpisodeSource:
    """What an extract row is made from, copied from the record by the selector. No names, no free text
    beyond the finish reason (which is checked against the coded list before it is exported)."""

    person_public_id: str
    team_public_id: str
    service_kind: str
    opened_on: date
    finished_on: date | None
    finish_reason: str
    facts: PersonFacts
    attended: int = 0
    missed: int = 0
    top_first: float | None = None
    top_latest: float | None = None
    dialog_first: float | None = None
    dialog_latest: float | None = None


@dataclass(frozen=True)
class ExtractOptions:
    kind: ExtractKind = ExtractKind.EPISODES
    dates: DateHandling = DateHandling.MONTH
    age: AgeHandling = AgeHandling.BAND
    k: int = DEFAULT_THRESHOLD
    cut: Cut = Cut.SEX


@dataclass(frozen=True)
class ExtractTable:
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    dropped: int = 0
    people: tuple[str, ...] = ()
    """Public ids of the people whose data is in the file: for the access log only, never written to it."""


def episode_columns(age: AgeHandling) -> tuple[str, ...]:
    """The allow-list: the only columns a person-level extract can have."""
    return (
        "person_pseudonym",
        "team_pseudonym",
        "service_kind",
        "opened",
        "finished",
        "finish_reason",
        "birth_year" if age is AgeHandling.BIRTH_YEAR else "age_band_at_opening",
        "sex",
        "ethnic_group",
        "housing_status",
        "released_from_prison_12_months",
        "caring_responsibilities",
        "referral_route",
        "appointments_attended",
        "appointments_missed",
        "top_quality_of_life_first",
        "top_quality_of_life_latest",
        "dialog_quality_of_life_first",
        "dialog_quality_of_life_latest",
    )


def coded_finish_reason(finished_on: date | None, reason: str) -> str:
    """A coded discharge reason, "other" for anything else (free text is never exported), blank if open."""
    if finished_on is None:
        return ""
    return reason if reason in DischargeReason.values else OTHER


def _score(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def episodes_extract(sources: Sequence[EpisodeSource], *, key: bytes, options: ExtractOptions) -> ExtractTable:
    """One row per episode, de-identified and k-anonymous; rows ordered by pseudonym then opening date."""
    check_k(options.k)
    quasi = [
        (
            s.person_public_id,
            QuasiIdentifiers(
                age=age_value(s.facts.date_of_birth, s.opened_on, options.age),
                sex=category(Cut.SEX, s.facts, s.opened_on),
                ethnic_group=category(Cut.ETHNIC_GROUP, s.facts, s.opened_on),
            ),
        )
        for s in sources
    ]
    kept = k_anonymise(quasi, k=options.k)
    rows: list[tuple[str, ...]] = []
    people: set[str] = set()
    for source, qi in zip(sources, kept, strict=True):
        if qi is None:
            continue
        people.add(source.person_public_id)
        offset = date_offset_days(key, source.person_public_id)
        on = source.opened_on
        rows.append(
            (
                pseudonym(key, source.person_public_id),
                pseudonym(key, source.team_public_id, purpose="team"),
                source.service_kind if source.service_kind in ServiceKind.values else NOT_KNOWN,
                export_date(source.opened_on, options.dates, offset),
                export_date(source.finished_on, options.dates, offset),
                coded_finish_reason(source.finished_on, source.finish_reason),
                qi.age,
                qi.sex,
                qi.ethnic_group,
                category(Cut.HOUSING_STATUS, source.facts, on),
                category(Cut.PRISON_RELEASE, source.facts, on),
                category(Cut.CARING, source.facts, on),
                category(Cut.REFERRAL_ROUTE, source.facts, on),
                str(source.attended),
                str(source.missed),
                _score(source.top_first),
                _score(source.top_latest),
                _score(source.dialog_first),
                _score(source.dialog_latest),
            )
        )
    rows.sort(key=lambda r: (r[0], r[3]))
    return ExtractTable(
        episode_columns(options.age), tuple(rows), dropped=len(sources) - len(rows), people=tuple(sorted(people))
    )


def counts_extract(people: Sequence[PersonFacts], *, on: date, options: ExtractOptions) -> ExtractTable:
    """People by one R14 subgroup on a day (each person once), small numbers suppressed with the marker."""
    definition = cut_definition(options.cut)
    found = [category(options.cut, facts, on) for facts in people]
    counts = [found.count(key) for key in definition.keys]
    published = suppress_counts(definition.keys, counts, threshold=options.k)
    rows = [
        (key, definition.label_of(key), text(cell)) for key, cell in zip(definition.keys, published.cells, strict=True)
    ]
    rows.append(("total", "Total", text(published.total)))
    return ExtractTable(("category", "label", "people"), tuple(rows))


def to_csv(table: ExtractTable) -> bytes:
    """The file: UTF-8 CSV with a header row. Every value is a code, a number or a date, so nothing to escape
    beyond what csv does; a leading "=", "+", "-" or "@" cannot occur in a coded value."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.columns)
    writer.writerows(table.rows)
    return out.getvalue().encode()


def sha256_hex(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
