"""The one scoring engine for validated measures. Pure: plain values in, decisions out, no ORM.

Each measure (AUDIT, PHQ-9, TOP, ...) is data: a JSON definition in `definitions/` that
`parse_definition` turns into an `Instrument`, failing loudly if anything in it is wrong (a
misprinted band or a scale that cannot reach its stated maximum would silently mis-score people).
`evaluate` then checks a set of answers, scores each scale, picks the band and reports the alerts
that fire, e.g. R15: PHQ-9 item 9 above 0 signals self-harm and must raise a risk flag at once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

# The risk kinds a definition's alert may raise: the values of `assessments.models.RiskKind` (R13),
# repeated here so this module stays free of the ORM. A test keeps the two the same.
RISK_KINDS = frozenset({"self_harm_suicide", "overdose", "harm_to_others", "safeguarding", "exploitation"})

# Which part of the record a measure's answers belong to; decides who may record and read them.
RECORD_PARTS = frozenset({"substance_use", "mental_health"})

_CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
# InstrumentResponse.instrument_code holds at most 20 characters.
_MAX_INSTRUMENT_CODE = 20

ItemKind = Literal["choice", "number"]
ScaleMethod = Literal["sum", "mean"]
Score = int | float


class DefinitionError(ValueError):
    """A definition is malformed. Raised at load so a wrong measure never reaches a person."""


class InvalidAnswers(ValueError):
    """Some answers are missing or not allowed. `errors` maps item code to a plain-English message."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{code}: {message}" for code, message in errors.items()))
        self.errors = dict(errors)


@dataclass(frozen=True)
class Option:
    value: int
    label: str


@dataclass(frozen=True)
class Item:
    """One question. A choice from options, or a whole number in a range (e.g. TOP days of use, 0 to 28)."""

    code: str
    text: str
    kind: ItemKind
    options: tuple[Option, ...]
    minimum: int
    maximum: int
    required: bool = True
    reverse_scored: bool = False
    section: str = ""
    hint: str = ""
    unit: str = ""

    def allows(self, value: int) -> bool:
        if self.kind == "choice":
            return any(option.value == value for option in self.options)
        return self.minimum <= value <= self.maximum

    def scored(self, value: int) -> int:
        """The value that counts towards a scale: reversed where the manual says so (DAST-10 item 3)."""
        return self.minimum + self.maximum - value if self.reverse_scored else value

    def label_for(self, value: int) -> str:
        for option in self.options:
            if option.value == value:
                return option.label
        return f"{value} {self.unit}".strip()


@dataclass(frozen=True)
class Scale:
    """A score made from items: their sum, or their mean over the items answered."""

    code: str
    label: str
    method: ScaleMethod
    items: tuple[str, ...]
    minimum: int
    maximum: int


@dataclass(frozen=True)
class Band:
    minimum: int
    maximum: int
    label: str
    meaning: str = ""

    def contains(self, score: Score) -> bool:
        return self.minimum <= score <= self.maximum


@dataclass(frozen=True)
class Alert:
    """An answer that must raise a risk flag and an urgent task at once (R15)."""

    item: str
    above: int
    risk: str
    source: str
    """What the flag says it came from; `{value}` is replaced by the answer, e.g. 'PHQ-9 item 9 answered {value}'."""


@dataclass(frozen=True)
class FiredAlert:
    item: str
    value: int
    risk: str
    source: str


@dataclass(frozen=True)
class Instrument:
    code: str
    name: str
    short_name: str
    version: str
    purpose: str
    instructions: str
    record_part: str
    screens_substance_use: bool
    items: tuple[Item, ...]
    scales: tuple[Scale, ...]
    band_scale: str
    bands: tuple[Band, ...]
    alerts: tuple[Alert, ...]
    licence: str
    source: str
    source_url: str

    def item(self, code: str) -> Item:
        for item in self.items:
            if item.code == code:
                return item
        raise KeyError(code)

    def scale(self, code: str) -> Scale:
        for scale in self.scales:
            if scale.code == code:
                return scale
        raise KeyError(code)


@dataclass(frozen=True)
class Outcome:
    """What a set of answers means: a score per scale, the band (if the measure has bands) and the alerts."""

    answers: dict[str, int]
    """The answers as checked: item code -> whole number, unanswered optional questions left out."""
    scores: dict[str, Score]
    band: str
    alerts: tuple[FiredAlert, ...]


# --- Loading a definition ------------------------------------------------------------------------


def _obj(value: object, where: str) -> dict[str, object]:
    if not isinstance(value, dict) or not all(isinstance(key, str) for key in value):
        raise DefinitionError(f"{where}: expected an object")
    return value


def _only(data: Mapping[str, object], allowed: set[str], where: str) -> None:
    # A misspelt key ("reverse_score") would otherwise be ignored and mis-score silently.
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise DefinitionError(f"{where}: unknown key(s) {', '.join(unknown)}")


def _str(data: Mapping[str, object], key: str, where: str, *, default: str | None = None) -> str:
    value = data.get(key, default)
    if not isinstance(value, str) or (default is None and not value.strip()):
        raise DefinitionError(f"{where}.{key}: expected a non-empty string")
    return value


def _int(data: Mapping[str, object], key: str, where: str) -> int:
    value = data.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise DefinitionError(f"{where}.{key}: expected a whole number")
    return value


def _bool(data: Mapping[str, object], key: str, where: str, *, default: bool) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise DefinitionError(f"{where}.{key}: expected true or false")
    return value


def _list(data: Mapping[str, object], key: str, where: str, *, optional: bool = False) -> list[object]:
    value = data.get(key, [] if optional else None)
    if not isinstance(value, list):
        raise DefinitionError(f"{where}.{key}: expected a list")
    return value


def _code(data: Mapping[str, object], key: str, where: str) -> str:
    value = _str(data, key, where)
    if not _CODE.match(value):
        raise DefinitionError(f"{where}.{key}: {value!r} is not a code (lower case letters, digits, _)")
    return value


def _parse_item(raw: object, where: str) -> Item:
    data = _obj(raw, where)
    _only(
        data,
        {"code", "text", "options", "range", "required", "reverse_scored", "section", "hint", "unit"},
        where,
    )
    code = _code(data, "code", where)
    where = f"{where}({code})"
    text = _str(data, "text", where)
    has_options, has_range = "options" in data, "range" in data
    if has_options == has_range:
        raise DefinitionError(f"{where}: give either options or a range, not both or neither")
    options: tuple[Option, ...] = ()
    values: list[int] = []
    if has_options:
        kind: ItemKind = "choice"
        parsed = []
        for index, raw_option in enumerate(_list(data, "options", where)):
            option = _obj(raw_option, f"{where}.options[{index}]")
            _only(option, {"value", "label"}, f"{where}.options[{index}]")
            parsed.append(
                Option(
                    value=_int(option, "value", f"{where}.options[{index}]"),
                    label=_str(option, "label", f"{where}.options[{index}]"),
                )
            )
        options = tuple(parsed)
        values = [option.value for option in options]
        if len(values) < 2 or len(set(values)) != len(values):
            raise DefinitionError(f"{where}.options: need at least two options with different values")
        minimum, maximum = min(values), max(values)
    else:
        kind = "number"
        bounds = _obj(data["range"], f"{where}.range")
        _only(bounds, {"min", "max"}, f"{where}.range")
        minimum, maximum = _int(bounds, "min", f"{where}.range"), _int(bounds, "max", f"{where}.range")
        if minimum >= maximum:
            raise DefinitionError(f"{where}.range: min must be below max")
    item = Item(
        code=code,
        text=text,
        kind=kind,
        options=options,
        minimum=minimum,
        maximum=maximum,
        required=_bool(data, "required", where, default=True),
        reverse_scored=_bool(data, "reverse_scored", where, default=False),
        section=_str(data, "section", where, default=""),
        hint=_str(data, "hint", where, default=""),
        unit=_str(data, "unit", where, default=""),
    )
    if item.reverse_scored and kind == "choice" and {item.scored(v) for v in values} != set(values):
        raise DefinitionError(f"{where}: reverse scoring must map the option values onto themselves")
    return item


def _parse_scale(raw: object, where: str, items: Mapping[str, Item]) -> Scale:
    data = _obj(raw, where)
    _only(data, {"code", "label", "method", "items", "range"}, where)
    code = _code(data, "code", where)
    where = f"{where}({code})"
    method = _str(data, "method", where)
    if method not in ("sum", "mean"):
        raise DefinitionError(f"{where}.method: expected 'sum' or 'mean'")
    members: list[str] = []
    for index, raw_code in enumerate(_list(data, "items", where)):
        if not isinstance(raw_code, str) or raw_code not in items:
            raise DefinitionError(f"{where}.items[{index}]: {raw_code!r} is not an item of this measure")
        members.append(raw_code)
    if not members or len(set(members)) != len(members):
        raise DefinitionError(f"{where}.items: need at least one item, each once")
    scored = [items[c] for c in members]
    if method == "sum":
        # A sum with a question left out is not the validated score, so every summed item is required.
        if not all(item.required for item in scored):
            raise DefinitionError(f"{where}: every item in a sum must be required")
        lowest = sum(min(item.scored(item.minimum), item.scored(item.maximum)) for item in scored)
        highest = sum(max(item.scored(item.minimum), item.scored(item.maximum)) for item in scored)
    else:
        if not any(item.required for item in scored):
            raise DefinitionError(f"{where}: a mean needs at least one required item")
        lowest = min(min(item.scored(item.minimum), item.scored(item.maximum)) for item in scored)
        highest = max(max(item.scored(item.minimum), item.scored(item.maximum)) for item in scored)
    bounds = _list(data, "range", where)
    if bounds != [lowest, highest]:
        raise DefinitionError(f"{where}.range: stated {bounds}, but the items give [{lowest}, {highest}]")
    return Scale(
        code=code,
        label=_str(data, "label", where),
        method="sum" if method == "sum" else "mean",
        items=tuple(members),
        minimum=lowest,
        maximum=highest,
    )


def _parse_bands(raw: object, where: str, scales: Mapping[str, Scale]) -> tuple[str, tuple[Band, ...]]:
    data = _obj(raw, where)
    _only(data, {"scale", "ranges"}, where)
    scale_code = _str(data, "scale", where)
    scale = scales.get(scale_code)
    if scale is None or scale.method != "sum":
        raise DefinitionError(f"{where}.scale: bands need a summed scale of this measure, not {scale_code!r}")
    bands = []
    for index, raw_band in enumerate(_list(data, "ranges", where)):
        band_where = f"{where}.ranges[{index}]"
        band = _obj(raw_band, band_where)
        _only(band, {"min", "max", "label", "meaning"}, band_where)
        bands.append(
            Band(
                minimum=_int(band, "min", band_where),
                maximum=_int(band, "max", band_where),
                label=_str(band, "label", band_where),
                meaning=_str(band, "meaning", band_where, default=""),
            )
        )
    problem = band_coverage_problem(bands, minimum=scale.minimum, maximum=scale.maximum)
    if problem:
        raise DefinitionError(f"{where}: {problem}")
    return scale_code, tuple(bands)


def band_coverage_problem(bands: Sequence[Band], *, minimum: int, maximum: int) -> str:
    """Bands must cover every whole score from minimum to maximum once: no gap, no overlap. '' if they do."""
    if not bands:
        return "no bands given"
    expected = minimum
    for band in bands:
        if band.minimum > band.maximum:
            return f"band {band.label!r} runs backwards"
        if band.minimum != expected:
            kind = "gap" if band.minimum > expected else "overlap"
            return f"{kind} before band {band.label!r}: it starts at {band.minimum}, expected {expected}"
        expected = band.maximum + 1
    if expected - 1 != maximum:
        return f"the bands end at {expected - 1}, but the scale reaches {maximum}"
    return ""


def _parse_alert(raw: object, where: str, items: Mapping[str, Item]) -> Alert:
    data = _obj(raw, where)
    _only(data, {"item", "above", "risk", "source"}, where)
    item = items.get(_str(data, "item", where))
    if item is None:
        raise DefinitionError(f"{where}.item: not an item of this measure")
    above = _int(data, "above", where)
    if not item.minimum <= above < item.maximum:
        raise DefinitionError(f"{where}.above: must be within the item's range so the alert can fire")
    risk = _str(data, "risk", where)
    if risk not in RISK_KINDS:
        raise DefinitionError(f"{where}.risk: {risk!r} is not a risk kind ({', '.join(sorted(RISK_KINDS))})")
    return Alert(item=item.code, above=above, risk=risk, source=_str(data, "source", where))


def parse_definition(raw: object) -> Instrument:
    """Turn a definition (parsed JSON) into an Instrument. Raises DefinitionError saying what is wrong."""
    data = _obj(raw, "definition")
    where = f"definition({data.get('code', '?')})"
    _only(
        data,
        {
            "code", "name", "short_name", "version", "purpose", "instructions", "record_part",
            "screens_substance_use", "items", "scales", "bands", "alerts", "licence", "source", "source_url",
        },
        where,
    )  # fmt: skip
    code = _code(data, "code", where)
    if len(code) > _MAX_INSTRUMENT_CODE:
        raise DefinitionError(f"{where}.code: at most {_MAX_INSTRUMENT_CODE} characters")
    items: dict[str, Item] = {}
    for index, raw_item in enumerate(_list(data, "items", where)):
        item = _parse_item(raw_item, f"{where}.items[{index}]")
        if item.code in items:
            raise DefinitionError(f"{where}.items[{index}]: item code {item.code!r} is used twice")
        items[item.code] = item
    if not items:
        raise DefinitionError(f"{where}.items: a measure needs at least one item")
    scales: dict[str, Scale] = {}
    for index, raw_scale in enumerate(_list(data, "scales", where)):
        scale = _parse_scale(raw_scale, f"{where}.scales[{index}]", items)
        if scale.code in scales:
            raise DefinitionError(f"{where}.scales[{index}]: scale code {scale.code!r} is used twice")
        scales[scale.code] = scale
    if not scales:
        raise DefinitionError(f"{where}.scales: a measure needs at least one scale")
    band_scale: str = ""
    bands: tuple[Band, ...] = ()
    if "bands" in data:
        band_scale, bands = _parse_bands(data["bands"], f"{where}.bands", scales)
    alerts = tuple(
        _parse_alert(raw_alert, f"{where}.alerts[{index}]", items)
        for index, raw_alert in enumerate(_list(data, "alerts", where, optional=True))
    )
    record_part = _str(data, "record_part", where)
    if record_part not in RECORD_PARTS:
        raise DefinitionError(f"{where}.record_part: expected one of {', '.join(sorted(RECORD_PARTS))}")
    return Instrument(
        code=code,
        name=_str(data, "name", where),
        short_name=_str(data, "short_name", where),
        version=_str(data, "version", where),
        purpose=_str(data, "purpose", where),
        instructions=_str(data, "instructions", where, default=""),
        record_part=record_part,
        screens_substance_use=_bool(data, "screens_substance_use", where, default=False),
        items=tuple(items.values()),
        scales=tuple(scales.values()),
        band_scale=band_scale,
        bands=bands,
        alerts=alerts,
        licence=_str(data, "licence", where),
        source=_str(data, "source", where),
        source_url=_str(data, "source_url", where, default=""),
    )


# --- Answering and scoring -----------------------------------------------------------------------


def answer_errors(instrument: Instrument, answers: Mapping[str, object]) -> dict[str, str]:
    """Item code -> what is wrong: a required question unanswered, or an answer the measure does not allow."""
    errors: dict[str, str] = {}
    for code in answers:
        if not any(item.code == code for item in instrument.items):
            errors[code] = f"This question is not part of {instrument.short_name}."
    for item in instrument.items:
        value = answers.get(item.code)
        if value is None:
            if item.required:
                errors[item.code] = "Answer this question."
        elif not isinstance(value, int) or isinstance(value, bool) or not item.allows(value):
            if item.kind == "choice":
                errors[item.code] = "Choose one of the answers given."
            else:
                errors[item.code] = f"Enter a whole number from {item.minimum} to {item.maximum}."
    return errors


def clean_answers(instrument: Instrument, answers: Mapping[str, object]) -> dict[str, int]:
    """The answers as item code -> whole number, in the measure's order. Raises InvalidAnswers."""
    errors = answer_errors(instrument, answers)
    if errors:
        raise InvalidAnswers(errors)
    cleaned: dict[str, int] = {}
    for item in instrument.items:
        value = answers.get(item.code)
        if isinstance(value, int):
            cleaned[item.code] = value
    return cleaned


def score_scale(scale: Scale, instrument: Instrument, answers: Mapping[str, int]) -> Score:
    values = [instrument.item(code).scored(answers[code]) for code in scale.items if code in answers]
    if scale.method == "sum":
        return sum(values)
    return round(sum(values) / len(values), 2)


def band_for(bands: Sequence[Band], score: Score) -> Band | None:
    for band in bands:
        if band.contains(score):
            return band
    return None


def alerts_fired(instrument: Instrument, answers: Mapping[str, int]) -> tuple[FiredAlert, ...]:
    """R15: the answers that signal a risk, e.g. PHQ-9 item 9 (thoughts of self-harm) above 0."""
    fired = []
    for alert in instrument.alerts:
        value = answers.get(alert.item)
        if value is not None and value > alert.above:
            fired.append(
                FiredAlert(
                    item=alert.item, value=value, risk=alert.risk, source=alert.source.replace("{value}", str(value))
                )
            )
    return tuple(fired)


def evaluate(instrument: Instrument, answers: Mapping[str, object]) -> Outcome:
    """Check, score, band and alert in one step. Raises InvalidAnswers (item code -> message)."""
    cleaned = clean_answers(instrument, answers)
    scores = {scale.code: score_scale(scale, instrument, cleaned) for scale in instrument.scales}
    band = band_for(instrument.bands, scores[instrument.band_scale]) if instrument.bands else None
    return Outcome(
        answers=cleaned, scores=scores, band=band.label if band else "", alerts=alerts_fired(instrument, cleaned)
    )
