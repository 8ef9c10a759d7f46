"""The validated measures this service uses, loaded once from the JSON files beside this module.

Every file is checked by `rules.parse_definition` at import (and the app imports this module when
Django starts), so a malformed definition stops the service starting rather than mis-scoring anyone.
To add a measure, add a JSON file here named after its code; see `docs/architecture.md`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from coexist.instruments.rules import DefinitionError, Instrument, parse_definition

DIRECTORY = Path(__file__).resolve().parent


def load_directory(directory: Path) -> dict[str, Instrument]:
    """Every definition in a directory, by code. Raises DefinitionError naming the file at fault."""
    found: dict[str, Instrument] = {}
    for path in sorted(directory.glob("*.json")):
        try:
            instrument = parse_definition(json.loads(path.read_text(encoding="utf-8")))
        except (DefinitionError, json.JSONDecodeError) as exc:
            raise DefinitionError(f"{path.name}: {exc}") from exc
        if path.stem != instrument.code:
            raise DefinitionError(f"{path.name}: the file must be named after its code, {instrument.code}.json")
        found[instrument.code] = instrument
    return found


DEFINITIONS: Mapping[str, Instrument] = MappingProxyType(load_directory(DIRECTORY))

# R15 (QS188 statement 1): a response to one of these counts as asking about alcohol and drug use.
SUBSTANCE_SCREEN_CODES: frozenset[str] = frozenset(
    code for code, instrument in DEFINITIONS.items() if instrument.screens_substance_use
)


def instrument_get(code: str) -> Instrument:
    """The measure with this code. Raises KeyError for an unknown code."""
    return DEFINITIONS[code]
